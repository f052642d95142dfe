/**
 * The one way runs are named wherever they are shown together (plots, ledger tables,
 * comparisons, progress lines, the CLI): size and padding always, then each other setting
 * only when it differs among the runs shown, in table order (table.ts), so "28×28" stays short
 * until a second run differs in loss, noise, epochs, samples, batch or seed. Runs are never
 * merged: runs whose configs are equal get " (2)", " (3)" … and a caller's own labels win.
 */
import { describeConfig, type ExperimentConfig } from './config.js';
import { SETTING_NAMES, SETTINGS, type SettingName } from './table.js';

/** The settings a label names after describeConfig's size and padding. */
export type LabelSetting = Exclude<SettingName, 'padWidth' | 'padMode' | 'padShift' | 'noisePlacement' | 'lossRegion'>;

const LABEL_SETTINGS = SETTING_NAMES.filter((name): name is LabelSetting => !('padding' in SETTINGS[name]));

function part(config: ExperimentConfig, name: LabelSetting): string {
  const row = SETTINGS[name] as { label(value: unknown): string };
  return row.label(config[name]);
}

export interface LabelOptions {
  /** A caller's own label per run; an entry left undefined gets the derived one. */
  labels?: readonly (string | undefined)[];
  /** Configs the runs are named against without being labelled themselves (e.g. the tutorial's defaults). */
  context?: readonly ExperimentConfig[];
  /** Settings named even when all runs agree (e.g. the seed on a progress line). */
  always?: readonly LabelSetting[];
}

/** One distinct label per config, naming only what differs among them (see the module comment). */
export function runLabels(configs: readonly ExperimentConfig[], options: LabelOptions = {}): string[] {
  const { labels = [], context = [], always = [] } = options;
  if (labels.length > configs.length) {
    throw new Error(`${labels.length} labels were given for ${configs.length} run(s); give at most one label per run`);
  }
  const all = [...configs, ...context];
  const differing = LABEL_SETTINGS.filter((name) => always.includes(name) || new Set(all.map((c) => c[name])).size > 1);
  const derived = configs.map(
    (config, i) => labels[i] ?? [describeConfig(config), ...differing.map((name) => part(config, name))].join(' '),
  );
  const seen = new Map<string, number>();
  return derived.map((label) => {
    const count = (seen.get(label) ?? 0) + 1;
    seen.set(label, count);
    return count === 1 ? label : `${label} (${count})`;
  });
}

/** A run's label on its own: what sets it apart from `against` (default: nothing), plus the `always` settings. */
export function runLabel(
  config: ExperimentConfig,
  options: { against?: readonly ExperimentConfig[]; always?: readonly LabelSetting[] } = {},
): string {
  return runLabels([config], { context: options.against, always: options.always })[0];
}
