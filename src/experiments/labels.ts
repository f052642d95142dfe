/**
 * The one way runs are named wherever they are shown together (plots, ledger tables,
 * comparisons, progress lines, the CLI): size and padding always, then each other field
 * only when it differs among the runs shown, so "28×28" stays short until a second run
 * differs in loss, noise, epochs, samples, batch or seed. Runs are never merged: runs
 * whose configs are equal get " (2)", " (3)" … and a caller's own labels win.
 */
import { describeConfig, type ExperimentConfig } from './config.js';

/** Short loss names, as the CLI accepts them. */
export const LOSS_SHORT_NAMES = { binaryCrossentropy: 'bce', meanSquaredError: 'mse' } as const;

// describeConfig names the padding and the knobs that only mean something with it.
type Field = Exclude<keyof ExperimentConfig, 'pad' | 'noisePlacement' | 'lossRegion'>;

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/** The fields that can set runs apart, in the order a label names them. */
const PARTS: readonly [Field, (config: ExperimentConfig) => string][] = [
  ['loss', (c) => LOSS_SHORT_NAMES[c.loss]],
  ['noiseFactor', (c) => `noise ${c.noiseFactor}`],
  ['epochs', (c) => plural(c.epochs, 'epoch', 'epochs')],
  ['trainSamples', (c) => plural(c.trainSamples, 'image', 'images')],
  ['testSamples', (c) => `${plural(c.testSamples, 'test image', 'test images')}`],
  ['batchSize', (c) => `batch ${c.batchSize}`],
  ['seed', (c) => `seed ${c.seed}`],
];

export interface LabelOptions {
  /** A caller's own label per run; an entry left undefined gets the derived one. */
  labels?: readonly (string | undefined)[];
  /** Configs the runs are named against without being labelled themselves (e.g. the tutorial's defaults). */
  context?: readonly ExperimentConfig[];
  /** Fields named even when all runs agree (e.g. the seed on a progress line). */
  always?: readonly Field[];
}

/** One distinct label per config, naming only what differs among them (see the module comment). */
export function runLabels(configs: readonly ExperimentConfig[], options: LabelOptions = {}): string[] {
  const { labels = [], context = [], always = [] } = options;
  if (labels.length > configs.length) {
    throw new Error(`${labels.length} labels were given for ${configs.length} run(s); give at most one label per run`);
  }
  const all = [...configs, ...context];
  const differing = PARTS.filter(([field]) => always.includes(field) || new Set(all.map((c) => c[field])).size > 1);
  const derived = configs.map((config, i) => labels[i] ?? [describeConfig(config), ...differing.map(([, part]) => part(config))].join(' '));
  const seen = new Map<string, number>();
  return derived.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} (${count})`;
  });
}

/** A run's label on its own: what sets it apart from `against` (default: nothing), plus the `always` fields. */
export function runLabel(
  config: ExperimentConfig,
  options: { against?: readonly ExperimentConfig[]; always?: readonly Field[] } = {},
): string {
  return runLabels([config], { context: options.against, always: options.always })[0];
}
