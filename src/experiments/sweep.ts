/**
 * Sweeps: a grid of what-ifs, each point one cached run. The grid expands to normalised
 * configs (so two ways of writing a point share one cache entry and appear once), points
 * already in the cache are read rather than recomputed, and the rest go to an executor:
 * this process, child processes, or a Ray cluster (src/experiments/sweepExecutors.ts).
 * A point that fails is reported with its error and the others go on; an abort cancels
 * the points that have not started and keeps every finished one.
 */
import type { TrainingProgress } from '../training/fit.js';
import {
  configFromSettings,
  ConfigError,
  imageSide,
  normaliseConfig,
  settingsOf,
  type ExperimentConfig,
  type ExperimentConfigInput,
} from '../settings/config.js';
import { SETTING_NAMES, SETTINGS, SettingError, type SettingName, type Settings } from '../settings/table.js';
import { runLabels } from '../settings/labels.js';
import { canonicalJson, runKey } from '../results/key.js';
import type { CompletedResult, ExperimentResult } from '../results/result.js';
import { resultsIdentity } from '../identity/identity.js';
import { openArchive } from '../cache/archive.js';
import { defaultCacheDir, lookupResult } from '../cache/lookup.js';
import { warnOnStderr, type Warn } from '../entries.js';
import { inProcessExecutor, type SweepExecutor, type SweepTask, type PointReporter } from './sweepExecutors.js';

/** The values each setting takes (table.ts names); every combination is one point. Omitted settings keep the base config's value. */
export type SweepGrid = { readonly [Name in SettingName]?: readonly Settings[Name][] };

export type SweepField = SettingName;

/** Grid fields in the order points vary (the last one fastest): the table's order. */
export const SWEEP_FIELDS: readonly SweepField[] = SETTING_NAMES;

/** Most points one sweep may have: far more than a machine trains, few enough to plan at once. */
export const MAX_SWEEP_POINTS = 10_000;

/** A bad grid: `setting` names the grid field at fault (null for the grid's shape or base), the message says what it takes. */
export class SweepGridError extends ConfigError {
  override name = 'SweepGridError';
}

/**
 * Every combination of the grid's values on top of `base`, normalised, without repeats
 * (pad width 0 is the same run whatever the pad mode). Throws SweepGridError naming the
 * field and value that does not make a valid config.
 */
export function expandGrid(grid: SweepGrid, base: ExperimentConfigInput = {}): ExperimentConfig[] {
  if (grid === null || typeof grid !== 'object' || Array.isArray(grid))
    throw new SweepGridError(null, `must be an object, got ${JSON.stringify(grid)}`, 'a sweep grid');
  const unknown = Object.keys(grid).filter((field) => !(SWEEP_FIELDS as string[]).includes(field));
  if (unknown.length > 0) {
    throw new SweepGridError(
      null,
      `unknown field(s) ${unknown.join(', ')}; the fields are ${SWEEP_FIELDS.join(', ')}`,
      'the sweep grid has',
    );
  }
  let baseSettings: Settings;
  try {
    baseSettings = settingsOf(normaliseConfig(base));
  } catch (error) {
    throw new SweepGridError(null, (error as Error).message, 'base config:');
  }
  const fields = SWEEP_FIELDS.filter((field) => grid[field] !== undefined);
  let size = 1;
  for (const field of fields) {
    const values: unknown = grid[field];
    if (!Array.isArray(values) || values.length === 0) {
      throw new SweepGridError(field, `must be a non-empty list of values, got ${JSON.stringify(values)}`, `grid field ${field}`);
    }
    for (const value of values as unknown[]) {
      try {
        SETTINGS[field].check(value);
      } catch (error) {
        if (!(error instanceof SettingError)) throw error;
        throw new SweepGridError(field, error.message, `grid field ${field} value ${JSON.stringify(value)}`);
      }
    }
    size *= values.length;
  }
  if (size > MAX_SWEEP_POINTS) {
    const counts = fields
      .filter((field) => grid[field]!.length > 1)
      .map((field) => `${grid[field]!.length} ${field}`)
      .join(' × ');
    throw new SweepGridError(
      null,
      `has ${size.toLocaleString('en-US')} points (${counts}); at most ${MAX_SWEEP_POINTS.toLocaleString('en-US')}`,
      'the sweep grid',
    );
  }
  const paddingOnly = fields.filter((field) => 'padding' in SETTINGS[field] && field !== 'padWidth');
  if (paddingOnly.length > 0 && (grid.padWidth ?? [baseSettings.padWidth]).every((width) => width === 0)) {
    throw new SweepGridError(
      paddingOnly[0],
      'means nothing without padding; give padWidth (or a padded base) too',
      `grid field ${paddingOnly[0]}`,
    );
  }
  let combinations: Partial<Settings>[] = [baseSettings];
  for (const field of fields) {
    combinations = combinations.flatMap((settings) => grid[field]!.map((value) => ({ ...settings, [field]: value })));
  }
  return distinct(
    combinations.map((settings) => {
      try {
        return configFromSettings(settings);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new SweepGridError(error.setting, error.problem, `grid field ${error.setting ?? 'base'}`);
      }
    }),
  );
}

/** `configs` without repeats, in order. */
function distinct(configs: readonly ExperimentConfig[]): ExperimentConfig[] {
  const seen = new Set<string>();
  return configs.filter((config) => {
    const text = canonicalJson(config);
    if (seen.has(text)) return false;
    seen.add(text);
    return true;
  });
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

/** One row of the sweep's table: the point's settings (padMode null when unpadded) and its test-set ledger (null when it did not complete). */
export type SweepRow = Omit<Settings, 'padMode'> & {
  index: number;
  label: string;
  status: PointStatus;
  padMode: Settings['padMode'] | null;
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
};

export interface SweepResult {
  /** 'completed' when every point has a result; 'interrupted' when points were cancelled; else 'failed'. */
  status: 'completed' | 'interrupted' | 'failed';
  executor: string;
  points: SweepPoint[];
  rows: SweepRow[];
  /** Completed (computed or cached) results, in grid order. */
  results: CompletedResult[];
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
    ...settingsOf(config),
    padMode: config.pad?.mode ?? null,
    pixels: imageSide(config) ** 2,
    perPixel: ledger?.perPixel ?? null,
    perImage: ledger?.perImage ?? null,
    innerPerImage: ledger?.regions.inner.perImage ?? null,
    borderPerImage: ledger ? (ledger.regions.border?.perImage ?? 0) : null,
    floorPerImage: ledger?.floor.perImage ?? null,
    excessPerImage: ledger?.excess.perImage ?? null,
    testLoss: point.result?.status === 'completed' ? point.result.testLoss : null,
    node: point.node ?? null,
    seconds: point.seconds,
    error: point.error ?? null,
  };
}

const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs every point of `grid` (on top of `options.base`), or exactly the configs given (as a
 * notebook's `runs` cell lists them with expandGrid), and resolves with the table of their
 * ledgers. Never rejects because of one point: a failed point carries its error.
 */
export async function sweep(grid: SweepGrid | readonly ExperimentConfigInput[], options: SweepOptions = {}): Promise<SweepResult> {
  const started = performance.now();
  const configs = Array.isArray(grid)
    ? distinct((grid as readonly ExperimentConfigInput[]).map((config) => normaliseConfig(config)))
    : expandGrid(grid as SweepGrid, options.base);
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
        ...(result.status !== 'completed' ? { error: result.message } : {}),
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
    results: points.flatMap((p) => (p.result?.status === 'completed' ? [p.result] : [])),
    seconds: (performance.now() - started) / 1000,
  };
  emit({ type: 'done', result });
  return result;
}
