/**
 * Configs over several seeds, the one way a notebook or the CLI repeats runs: the question's
 * author "repeated the training several times"; this says how much the key numbers move from
 * seed to seed, and with a confidence interval whether a difference between two configs is
 * larger than that.
 */
import type { ExperimentConfig, ExperimentConfigInput } from '../settings/config.js';
import { normaliseConfig } from '../settings/config.js';
import type { CompletedResult, ExperimentResult } from '../results/result.js';
import { CONFIDENCE_LEVEL, summariseValues, type SeedSummary } from '../statistics.js';
import { runExperiment, type RunOptions } from './run.js';

/** The key numbers of a completed result, by name: what runSeeds summarises and pairedDifferences subtracts. */
export const RESULT_METRICS = {
  finalTrainLoss: (r: CompletedResult) => r.history[r.history.length - 1].loss,
  testLoss: (r: CompletedResult) => r.testLoss,
  perPixel: (r: CompletedResult) => r.ledger.perPixel,
  perImage: (r: CompletedResult) => r.ledger.perImage,
  floorPerImage: (r: CompletedResult) => r.ledger.floor.perImage,
  excessPerImage: (r: CompletedResult) => r.ledger.excess.perImage,
  innerPerPixel: (r: CompletedResult) => r.ledger.regions.inner.perPixel,
  innerPerImage: (r: CompletedResult) => r.ledger.regions.inner.perImage,
  borderPerPixel: (r: CompletedResult) => r.ledger.regions.border?.perPixel ?? NaN,
  borderPerImage: (r: CompletedResult) => r.ledger.regions.border?.perImage ?? 0,
} as const;

export type ResultMetric = keyof typeof RESULT_METRICS;

/** Summary of each key number over the completed results (metrics that are not finite everywhere are left out). */
export function summarise(results: readonly ExperimentResult[]): Partial<Record<ResultMetric, SeedSummary>> {
  const completed = results.filter((r): r is CompletedResult => r.status === 'completed');
  const summary: Partial<Record<ResultMetric, SeedSummary>> = {};
  if (completed.length === 0) return summary;
  for (const [name, read] of Object.entries(RESULT_METRICS) as [ResultMetric, (r: CompletedResult) => number][]) {
    const values = completed.map(read);
    if (values.every(Number.isFinite)) summary[name] = summariseValues(values);
  }
  return summary;
}

export interface PairedDifferences extends SeedSummary {
  /** The seed of each pair. */
  seeds: number[];
  /** b − a per seed, in the order of `seeds`. */
  values: number[];
}

/**
 * `metric` of b minus `metric` of a, seed by seed (e.g. padded − unpadded), summarised: pairing
 * by seed removes what the two runs of one seed share (noise, shuffles) from the spread.
 */
export function pairedDifferences(
  a: readonly ExperimentResult[],
  b: readonly ExperimentResult[],
  metric: ResultMetric,
  level = CONFIDENCE_LEVEL,
): PairedDifferences {
  const seedsOf = (results: readonly ExperimentResult[]) => results.map((r) => r.config.seed);
  if (a.length === 0 || a.length !== b.length || seedsOf(a).some((seed, i) => seed !== b[i].config.seed)) {
    throw new RangeError(
      `pairedDifferences: the two lists must hold the same seeds in the same order, got seeds ${seedsOf(a).join(', ') || 'none'} ` +
        `and ${seedsOf(b).join(', ') || 'none'}; pass the results of one runSeeds call`,
    );
  }
  const incomplete = [...a, ...b].find((r) => r.status !== 'completed');
  if (incomplete)
    throw new RangeError(`pairedDifferences: the run with seed ${incomplete.config.seed} is ${incomplete.status}, not completed`);
  const read = (r: ExperimentResult) => RESULT_METRICS[metric](r as CompletedResult);
  const values = a.map((r, i) => read(b[i]) - read(r));
  return { ...summariseValues(values, level), seeds: seedsOf(a), values };
}

/**
 * Every config with every seed, seed-major (an interrupted set leaves all configs of the earlier
 * seeds finished): the list a notebook's `runs` cell names, which runSeeds and
 * runSeedsWithProgress then train as it is, remembering the configs and seeds it came from.
 */
export type SeededConfigs = ExperimentConfig[] & { readonly configs: readonly ExperimentConfig[]; readonly seeds: readonly number[] };

export function withSeeds(configs: ExperimentConfigInput | readonly ExperimentConfigInput[], seeds: readonly number[]): SeededConfigs {
  if (seeds.length === 0) throw new RangeError('runSeeds: give at least one seed');
  const duplicates = seeds.filter((seed, i) => seeds.indexOf(seed) !== i);
  if (duplicates.length > 0) throw new RangeError(`runSeeds: seeds repeat (${duplicates.join(', ')}); each seed gives one run`);
  const list = Array.isArray(configs) ? (configs as readonly ExperimentConfigInput[]) : [configs as ExperimentConfigInput];
  if (list.length === 0) throw new RangeError('runSeeds: give at least one config');
  const seeded = seeds.flatMap((seed) => list.map((config) => normaliseConfig({ ...config, seed })));
  return Object.assign(seeded, { configs: seeded.slice(0, list.length), seeds: [...seeds] });
}

const isSeeded = (value: unknown): value is SeededConfigs =>
  Array.isArray(value) &&
  Array.isArray((value as Partial<SeededConfigs>).configs) &&
  Array.isArray((value as Partial<SeededConfigs>).seeds);

export interface SeedsOptions<R extends ExperimentResult = ExperimentResult> extends RunOptions {
  /** Runs one seeded config; default runExperiment with these options (notebooks pass runWithProgress's progress line). */
  run?: (config: ExperimentConfig) => Promise<R>;
}

/** One config's runs over the seeds. */
export interface ConfigSeeds<R extends ExperimentResult = ExperimentResult> {
  /** The config with the first seed. */
  config: ExperimentConfig;
  /** One per seed that ran, in the order of the seeds. */
  results: R[];
  /** Over completed results only; empty when none completed. */
  summary: Partial<Record<ResultMetric, SeedSummary>>;
}

export interface SeedsResult<R extends ExperimentResult = ExperimentResult> {
  seeds: number[];
  /** One per config, in the order given. */
  runs: ConfigSeeds<R>[];
  /** 'completed' when every run completed; otherwise the first other status met (runs stop there). */
  status: ExperimentResult['status'];
}

/**
 * Runs each config once per seed (each run cached on its own), seed-major, and summarises the
 * key numbers of each config; `configs` may be withSeeds's list, with no seeds given. Stops at the first run that does not complete (an interrupt
 * applies to the whole set).
 */
export async function runSeeds<R extends ExperimentResult = ExperimentResult>(
  configs: ExperimentConfigInput | readonly ExperimentConfigInput[] | SeededConfigs,
  seedList?: readonly number[],
  options: SeedsOptions<R> = {},
): Promise<SeedsResult<R>> {
  const { run: runOne, ...runOptions } = options;
  const run = runOne ?? ((config: ExperimentConfig) => runExperiment(config, runOptions) as Promise<R>);
  const seeded = seedList === undefined && isSeeded(configs) ? configs : withSeeds(configs, seedList ?? []);
  const seeds = seeded.seeds;
  const perSeed = seeded.length / seeds.length;
  const results: R[] = [];
  let status: ExperimentResult['status'] = 'completed';
  for (const config of seeded) {
    const result = await run(config);
    results.push(result);
    if (result.status !== 'completed') {
      status = result.status;
      break;
    }
  }
  const runs = seeded.slice(0, perSeed).map((config, i) => {
    const mine = results.filter((_, j) => j % perSeed === i);
    return { config, results: mine, summary: summarise(mine) };
  });
  return { seeds: [...seeds], runs, status };
}
