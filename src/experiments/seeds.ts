/**
 * Configs over several seeds, the one way a notebook or the CLI repeats runs: the question's
 * author "repeated the training several times"; this says how much the key numbers move from
 * seed to seed, and with a confidence interval whether a difference between two configs is
 * larger than that.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { ExperimentConfig, ExperimentConfigInput } from './config.js';
import { normaliseConfig } from './config.js';
import type { ExperimentResult } from './result.js';
import { runExperiment, type RunOptions } from './run.js';

export interface Spread {
  mean: number;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  std: number | null;
  min: number;
  max: number;
  n: number;
}

/** A two-sided confidence interval of a mean. */
export interface Interval {
  /** e.g. 0.95. */
  level: number;
  low: number;
  high: number;
  /** high − mean = mean − low. */
  halfWidth: number;
}

export interface SeedSummary extends Spread {
  /** Interval of the mean from Student's t with n − 1 degrees of freedom; null with fewer than two values. */
  interval: Interval | null;
}

/** The key numbers of a completed result, by name: what runSeeds summarises and pairedDifferences subtracts. */
export const RESULT_METRICS = {
  finalTrainLoss: (r: ExperimentResult) => r.history[r.history.length - 1].loss,
  testLoss: (r: ExperimentResult) => r.testLoss!,
  perPixel: (r: ExperimentResult) => r.ledger!.perPixel,
  perImage: (r: ExperimentResult) => r.ledger!.perImage,
  floorPerImage: (r: ExperimentResult) => r.ledger!.floor.perImage,
  excessPerImage: (r: ExperimentResult) => r.ledger!.excess.perImage,
  innerPerPixel: (r: ExperimentResult) => r.ledger!.regions.inner.perPixel,
  innerPerImage: (r: ExperimentResult) => r.ledger!.regions.inner.perImage,
  borderPerPixel: (r: ExperimentResult) => r.ledger!.regions.border?.perPixel ?? NaN,
  borderPerImage: (r: ExperimentResult) => r.ledger!.regions.border?.perImage ?? 0,
} as const;

export type ResultMetric = keyof typeof RESULT_METRICS;

/** Confidence level of every interval here unless a caller asks for another. */
export const CONFIDENCE_LEVEL = 0.95;

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) throw new RangeError('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}

/** mean ± t · std / √n, t the two-sided `level` quantile of Student's t with n − 1 degrees of freedom; null below two values. */
export function confidenceInterval(values: Spread, level = CONFIDENCE_LEVEL): Interval | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be between 0 and 1, got ${level}`);
  if (values.std === null) return null;
  const halfWidth = (tQuantile(1 - (1 - level) / 2, values.n - 1) * values.std) / Math.sqrt(values.n);
  return { level, low: values.mean - halfWidth, high: values.mean + halfWidth, halfWidth };
}

/** Spread and confidence interval of the mean. */
export function summariseValues(values: readonly number[], level = CONFIDENCE_LEVEL): SeedSummary {
  const s = spread(values);
  return { ...s, interval: confidenceInterval(s, level) };
}

/** Summary of each key number over the completed results (metrics that are not finite everywhere are left out). */
export function summarise(results: readonly ExperimentResult[]): Partial<Record<ResultMetric, SeedSummary>> {
  const completed = results.filter((r) => r.status === 'completed');
  const summary: Partial<Record<ResultMetric, SeedSummary>> = {};
  if (completed.length === 0) return summary;
  for (const [name, read] of Object.entries(RESULT_METRICS) as [ResultMetric, (r: ExperimentResult) => number][]) {
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
  const values = a.map((r, i) => RESULT_METRICS[metric](b[i]) - RESULT_METRICS[metric](r));
  return { ...summariseValues(values, level), seeds: seedsOf(a), values };
}

/** Every config with every seed, seed-major: an interrupted set leaves all configs of the earlier seeds finished. */
export function withSeeds(configs: ExperimentConfigInput | readonly ExperimentConfigInput[], seeds: readonly number[]): ExperimentConfig[] {
  if (seeds.length === 0) throw new RangeError('runSeeds: give at least one seed');
  const duplicates = seeds.filter((seed, i) => seeds.indexOf(seed) !== i);
  if (duplicates.length > 0) throw new RangeError(`runSeeds: seeds repeat (${duplicates.join(', ')}); each seed gives one run`);
  const list = Array.isArray(configs) ? (configs as readonly ExperimentConfigInput[]) : [configs as ExperimentConfigInput];
  if (list.length === 0) throw new RangeError('runSeeds: give at least one config');
  return seeds.flatMap((seed) => list.map((config) => normaliseConfig({ ...config, seed })));
}

export interface SeedsOptions extends RunOptions {
  /** Runs one seeded config; default runExperiment with these options (notebooks pass runWithProgress's progress line). */
  run?: (config: ExperimentConfig) => Promise<ExperimentResult>;
}

/** One config's runs over the seeds. */
export interface ConfigSeeds {
  /** The config with the first seed. */
  config: ExperimentConfig;
  /** One per seed that ran, in the order of the seeds. */
  results: ExperimentResult[];
  /** Over completed results only; empty when none completed. */
  summary: Partial<Record<ResultMetric, SeedSummary>>;
}

export interface SeedsResult {
  seeds: number[];
  /** One per config, in the order given. */
  runs: ConfigSeeds[];
  /** 'completed' when every run completed; otherwise the first other status met (runs stop there). */
  status: ExperimentResult['status'];
}

/**
 * Runs each config once per seed (each run cached on its own), seed-major, and summarises the
 * key numbers of each config. Stops at the first run that does not complete (an interrupt
 * applies to the whole set).
 */
export async function runSeeds(
  configs: ExperimentConfigInput | readonly ExperimentConfigInput[],
  seeds: readonly number[],
  options: SeedsOptions = {},
): Promise<SeedsResult> {
  const { run: runOne, ...runOptions } = options;
  const run = runOne ?? ((config: ExperimentConfig) => runExperiment(config, runOptions));
  const seeded = withSeeds(configs, seeds);
  const perSeed = seeded.length / seeds.length;
  const results: ExperimentResult[] = [];
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
