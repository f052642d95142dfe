/**
 * Sweeps: a grid of what-ifs, each point one cached run. The grid expands to normalised
 * configs (so two ways of writing a point share one cache entry and appear once), points
 * already in the cache are read rather than recomputed, and the rest go to an executor:
 * this process, child processes, or a Ray cluster (src/experiments/sweepExecutors.ts).
 * A point that fails is reported with its error and the others go on; an abort cancels
 * the points that have not started and keeps every finished one.
 */
import type { LossName } from '../model/autoencoder.js';
import type { PadMode } from '../transforms/pad.js';
import type { NoisePlacement } from '../transforms/dataset.js';
import type { TrainingProgress } from '../training/fit.js';
import { ConfigError, imageSide, normaliseConfig, type ExperimentConfig, type LossRegion, type ExperimentConfigInput } from './config.js';
import { runLabels } from './labels.js';
import { canonicalJson, runKey } from './key.js';
import type { ExperimentResult } from './result.js';
import { resultsIdentity } from './identity.js';
import { openArchive } from './archive.js';
import { defaultCacheDir, lookupResult } from './cache.js';
import { warnOnStderr, type Warn } from './store.js';
import { inProcessExecutor } from './sweepExecutors.js';

/** The values each field takes; every combination is one point. Omitted fields keep the base config's value. */
export interface SweepGrid {
  padWidth?: readonly number[];
  padMode?: readonly PadMode[];
  /** PadConfig.shift: the original image moved down and right inside the padded frame. */
  padShift?: readonly number[];
  noisePlacement?: readonly NoisePlacement[];
  lossRegion?: readonly LossRegion[];
  noiseFactor?: readonly number[];
  loss?: readonly LossName[];
  epochs?: readonly number[];
  batchSize?: readonly number[];
  trainSamples?: readonly number[];
  testSamples?: readonly number[];
  seed?: readonly number[];
}

export type SweepField = keyof SweepGrid;

/** Grid fields in the order points vary (the last one fastest). */
export const SWEEP_FIELDS: readonly SweepField[] = [
  'loss',
  'noiseFactor',
  'epochs',
  'batchSize',
  'trainSamples',
  'testSamples',
  'noisePlacement',
  'lossRegion',
  'padMode',
  'padWidth',
  'padShift',
  'seed',
];

/** A bad grid: the message names the field (and value) and what it takes. */
export class SweepGridError extends ConfigError {
  override name = 'SweepGridError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function applyField(input: ExperimentConfigInput, field: SweepField, value: unknown): ExperimentConfigInput {
  const pad = (input.pad ?? null) as { width?: number; mode?: PadMode; shift?: number } | null;
  if (field === 'padWidth') return { ...input, pad: { ...pad, mode: pad?.mode ?? 'edge', width: value as number } };
  if (field === 'padMode') return { ...input, pad: { ...pad, width: pad?.width ?? 0, mode: value as PadMode } };
  if (field === 'padShift') return { ...input, pad: { ...pad, width: pad?.width ?? 0, mode: pad?.mode ?? 'edge', shift: value as number } };
  return { ...input, [field]: value };
}

/**
 * Every combination of the grid's values on top of `base`, normalised, without repeats
 * (pad width 0 is the same run whatever the pad mode). Throws SweepGridError naming the
 * field and value that does not make a valid config.
 */
export function expandGrid(grid: SweepGrid, base: ExperimentConfigInput = {}): ExperimentConfig[] {
  if (grid === null || typeof grid !== 'object')
    throw new SweepGridError('grid', `a sweep grid must be an object, got ${JSON.stringify(grid)}`);
  const unknown = Object.keys(grid).filter((field) => !(SWEEP_FIELDS as string[]).includes(field));
  if (unknown.length > 0) {
    throw new SweepGridError(unknown[0], `unknown grid field(s) ${unknown.join(', ')}; the fields are ${SWEEP_FIELDS.join(', ')}`);
  }
  try {
    normaliseConfig(base);
  } catch (error) {
    throw new SweepGridError('base', `base config: ${(error as Error).message}`);
  }
  let partial: ExperimentConfigInput[] = [base];
  for (const field of SWEEP_FIELDS) {
    const values = grid[field];
    if (values === undefined) continue;
    if (!Array.isArray(values) || values.length === 0) {
      throw new SweepGridError(field, `grid field ${field} must be a non-empty list of values, got ${JSON.stringify(values)}`);
    }
    partial = partial.flatMap((input) => values.map((value: unknown) => applyField(input, field, value)));
    // Check each value once, on the base config, so the error names the value that is wrong.
    for (const value of values as unknown[]) {
      try {
        // A mode or shift is only checked on a padded config (width 0 drops the padding), so check them at the
        // widest width the grid asks for (a shift is bounded by the width), or 2.
        const width = Math.max(2, ...(grid.padWidth ?? []));
        const padded = field === 'padMode' || field === 'padShift' ? { ...base, pad: { width, mode: 'edge' as const } } : base;
        normaliseConfig(applyField(padded, field, value));
      } catch (error) {
        throw new SweepGridError(field, `grid field ${field} value ${JSON.stringify(value)}: ${(error as Error).message}`);
      }
    }
  }
  const seen = new Set<string>();
  const configs: ExperimentConfig[] = [];
  for (const input of partial) {
    const config = normaliseConfig(input);
    const text = canonicalJson(config);
    if (seen.has(text)) continue;
    seen.add(text);
    configs.push(config);
  }
  return configs;
}

/** A point as an executor receives it. */
export interface SweepTask {
  index: number;
  config: ExperimentConfig;
  key: string;
  /** The caller's results identity (ResultsIdentity.id): whoever computes the point must compute under the same one. */
  identity: string;
  label: string;
}

/** What an executor reports while a point runs. */
export interface PointReporter {
  /** The point began running, on `node` (a host or Ray node id) when known. */
  started(node?: string): void;
  progress(event: TrainingProgress): void;
  stage(message: string): void;
}

export interface SweepExecutor {
  /** e.g. "this process", "2 processes", "ray 127.0.0.1:6379". */
  readonly name: string;
  /** Points run at once. */
  readonly concurrency: number;
  /**
   * Runs one point and resolves with its result, already stored in `cacheDir`; rejects
   * with an Error whose message says what went wrong. `signal` aborts this point.
   */
  runPoint(
    task: SweepTask,
    context: { cacheDir: string; force: boolean; signal: AbortSignal; report: PointReporter },
  ): Promise<ExperimentResult>;
  /** Releases what the executor holds (child processes, the Ray driver). */
  close?(): Promise<void>;
}

export type PointStatus = 'waiting' | 'running' | 'completed' | 'cached' | 'diverged' | 'interrupted' | 'cancelled' | 'failed';

export interface SweepPoint {
  index: number;
  label: string;
  config: ExperimentConfig;
  key: string;
  status: PointStatus;
  /** Where it ran, when the executor says (Ray node id, "local"). */
  node?: string;
  result?: ExperimentResult;
  /** Why the point failed. */
  error?: string;
  /** Wall time of this point in this sweep (0 for cached points). */
  seconds: number;
}

export type SweepEvent =
  | { type: 'planned'; points: readonly SweepPoint[]; executor: string }
  | { type: 'started'; point: SweepPoint }
  | { type: 'progress'; point: SweepPoint; progress: TrainingProgress }
  | { type: 'stage'; point: SweepPoint; message: string }
  | { type: 'finished'; point: SweepPoint }
  | { type: 'done'; result: SweepResult };

/** One row of the sweep's table: the point's settings and its test-set ledger (null when it did not complete). */
export interface SweepRow {
  index: number;
  label: string;
  status: PointStatus;
  padWidth: number;
  padMode: PadMode | null;
  padShift: number;
  noisePlacement: NoisePlacement;
  lossRegion: LossRegion;
  noiseFactor: number;
  loss: LossName;
  epochs: number;
  batchSize: number;
  trainSamples: number;
  testSamples: number;
  seed: number;
  pixels: number;
  perPixel: number | null;
  perImage: number | null;
  innerPerImage: number | null;
  borderPerImage: number | null;
  floorPerImage: number | null;
  excessPerImage: number | null;
  testLoss: number | null;
  node: string | null;
  seconds: number;
  error: string | null;
}

export interface SweepResult {
  /** 'completed' when every point has a result; 'interrupted' when points were cancelled; else 'failed'. */
  status: 'completed' | 'interrupted' | 'failed';
  executor: string;
  points: SweepPoint[];
  rows: SweepRow[];
  /** Completed (computed or cached) results, in grid order. */
  results: ExperimentResult[];
  seconds: number;
}

export interface SweepOptions {
  /** Default: this process, one point after another. */
  executor?: SweepExecutor;
  cacheDir?: string;
  /** Recompute points even when cached. */
  force?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: SweepEvent) => void;
  warn?: Warn;
  /** Fixed settings the grid varies from (default: the tutorial's). */
  base?: ExperimentConfigInput;
}

export function sweepRow(point: SweepPoint): SweepRow {
  const { config } = point;
  const ledger = point.result?.status === 'completed' ? point.result.ledger : null;
  return {
    index: point.index,
    label: point.label,
    status: point.status,
    padWidth: config.pad?.width ?? 0,
    padMode: config.pad?.mode ?? null,
    padShift: config.pad?.shift ?? 0,
    noisePlacement: config.noisePlacement,
    lossRegion: config.lossRegion,
    noiseFactor: config.noiseFactor,
    loss: config.loss,
    epochs: config.epochs,
    batchSize: config.batchSize,
    trainSamples: config.trainSamples,
    testSamples: config.testSamples,
    seed: config.seed,
    pixels: imageSide(config) ** 2,
    perPixel: ledger?.perPixel ?? null,
    perImage: ledger?.perImage ?? null,
    innerPerImage: ledger?.regions.inner.perImage ?? null,
    borderPerImage: ledger ? (ledger.regions.border?.perImage ?? 0) : null,
    floorPerImage: ledger?.floor.perImage ?? null,
    excessPerImage: ledger?.excess.perImage ?? null,
    testLoss: point.result?.testLoss ?? null,
    node: point.node ?? null,
    seconds: point.seconds,
    error: point.error ?? null,
  };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs every point of `grid` (on top of `options.base`) and resolves with the table of
 * their ledgers. Never rejects because of one point: a failed point carries its error.
 */
export async function sweep(grid: SweepGrid, options: SweepOptions = {}): Promise<SweepResult> {
  const started = performance.now();
  const configs = expandGrid(grid, options.base);
  const executor = options.executor ?? inProcessExecutor();
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const warn = options.warn ?? warnOnStderr;
  const emit = options.onEvent ?? (() => {});
  const identity = await resultsIdentity();
  const archive = openArchive();
  const labels = runLabels(configs);
  const points: SweepPoint[] = configs.map((config, index) => ({
    index,
    label: labels[index],
    config,
    key: runKey(config),
    status: 'waiting',
    seconds: 0,
  }));
  const finish = (point: SweepPoint, update: Partial<SweepPoint>) => {
    Object.assign(point, update);
    emit({ type: 'finished', point });
  };

  const pending: SweepPoint[] = [];
  for (const point of points) {
    const cached = options.force ? undefined : lookupResult(point.config, { cacheDir, identity, archive, warn }).result;
    if (cached) {
      Object.assign(point, { status: cached.status === 'completed' ? 'cached' : cached.status, result: cached });
    } else {
      pending.push(point);
    }
  }
  emit({ type: 'planned', points, executor: executor.name });
  for (const point of points) if (point.status !== 'waiting') emit({ type: 'finished', point });

  const signal = options.signal;
  const runOne = async (point: SweepPoint) => {
    const pointStarted = performance.now();
    const controller = new AbortController();
    const abort = () => controller.abort(signal?.reason);
    signal?.addEventListener('abort', abort, { once: true });
    const report: PointReporter = {
      started(node) {
        point.status = 'running';
        if (node) point.node = node;
        emit({ type: 'started', point });
      },
      progress: (progress) => emit({ type: 'progress', point, progress }),
      stage: (message) => emit({ type: 'stage', point, message }),
    };
    try {
      const task: SweepTask = { index: point.index, config: point.config, key: point.key, identity: identity.id, label: point.label };
      const result = await executor.runPoint(task, { cacheDir, force: options.force ?? false, signal: controller.signal, report });
      const status: PointStatus = result.status === 'completed' ? (result.origin === 'computed' ? 'completed' : 'cached') : result.status;
      finish(point, {
        status,
        result,
        seconds: (performance.now() - pointStarted) / 1000,
        ...(result.message && status !== 'completed' ? { error: result.message } : {}),
      });
    } catch (error) {
      const aborted = controller.signal.aborted;
      finish(point, {
        status: aborted ? (point.status === 'running' ? 'interrupted' : 'cancelled') : 'failed',
        error: errorMessage(error),
        seconds: (performance.now() - pointStarted) / 1000,
      });
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  };

  try {
    let next = 0;
    const lane = async () => {
      while (next < pending.length) {
        const point = pending[next++];
        if (signal?.aborted) {
          finish(point, { status: 'cancelled', error: 'cancelled before it started' });
          continue;
        }
        await runOne(point);
      }
    };
    const lanes = Math.max(1, Math.min(executor.concurrency, pending.length));
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    await executor.close?.();
  }

  const cancelled = points.some((p) => p.status === 'cancelled' || p.status === 'interrupted');
  const failed = points.some((p) => p.status === 'failed' || p.status === 'diverged');
  const result: SweepResult = {
    status: cancelled ? 'interrupted' : failed ? 'failed' : 'completed',
    executor: executor.name,
    points,
    rows: points.map(sweepRow),
    results: points.filter((p) => p.result?.status === 'completed').map((p) => p.result!),
    seconds: (performance.now() - started) / 1000,
  };
  emit({ type: 'done', result });
  return result;
}
