/**
 * One experiment, end to end and cached: a result already in the user's cache or the
 * published archive is returned as it is; otherwise pipeline.ts computes it, every finished
 * epoch is checkpointed, so an interrupted (or killed) run resumes from its last finished
 * epoch on the next call and ends with the same weights as an uninterrupted one.
 */
import { tf, nativeTensorFlowVersion } from '../tf.js';
import type { TrainingProgress } from '../training/fit.js';
import type { TrainingCheckpoint } from '../training/checkpoint.js';
import { normaliseConfig, type ExperimentConfig, type ExperimentConfigInput } from '../settings/config.js';
import { runKey } from '../results/key.js';
import { resultsIdentity, stampOf, type ResultsIdentity } from '../identity/identity.js';
import { openArchive } from '../cache/archive.js';
import { checkpointPath, defaultCacheDir, lookupResult, resultPath } from '../cache/lookup.js';
import { readEntry, removeEntry, warnOnStderr, writeEntry, type Warn } from '../entries.js';
import { checkCacheDir, prepareCacheDir } from '../cache/directory.js';
import { computeExperiment, type Computation } from './pipeline.js';
import type { ExperimentResult } from '../results/result.js';

export interface RunOptions {
  /** Where results and checkpoints live; default $LOSSLENS_CACHE_DIR or <package>/.cache/experiments. */
  cacheDir?: string;
  /** false: neither read nor write results or checkpoints (the published archive is not read either). */
  cache?: boolean;
  /** Recompute even when a result or checkpoint exists (and overwrite it). */
  force?: boolean;
  onProgress?: (event: TrainingProgress) => void;
  /** Short notes on what the run is doing (loading data, resuming, evaluating). */
  onStage?: (message: string) => void;
  /** Aborting stops training after the current batch; finished epochs stay checkpointed. */
  signal?: AbortSignal;
  /** Receives warnings about ignored cache entries; default: process warnings on stderr. */
  warn?: Warn;
  /** false: do not read the published archive (archive.ts), as a reproduction that trains its own runs. Default true, unless $LOSSLENS_ARCHIVE is off. */
  archive?: boolean;
}

interface StoredCheckpoint {
  key: string;
  checkpoint: TrainingCheckpoint;
}

function isStoredCheckpoint(value: unknown, key: string): value is StoredCheckpoint {
  const stored = value as Partial<StoredCheckpoint> | null;
  const checkpoint = stored?.checkpoint;
  return (
    stored?.key === key &&
    typeof checkpoint === 'object' &&
    checkpoint !== null &&
    Number.isInteger(checkpoint.epoch) &&
    Array.isArray(checkpoint.weights) &&
    typeof checkpoint.optimizer === 'object' &&
    checkpoint.optimizer !== null &&
    Array.isArray(checkpoint.history) &&
    checkpoint.history.length === checkpoint.epoch
  );
}

/**
 * The checkpoint an earlier, interrupted run of `key` under this build's identity (`identity`,
 * its id) left in `cacheDir`, if it is one and fits `epochs` (its tensors are checked against
 * the model when training resumes from it).
 */
export function storedCheckpoint(
  cacheDir: string,
  key: string,
  identity: string,
  epochs: number,
  warn: Warn,
): TrainingCheckpoint | undefined {
  const path = checkpointPath(cacheDir, key, identity);
  const stored = readEntry(path, (value): value is StoredCheckpoint => isStoredCheckpoint(value, key), warn);
  const checkpoint = stored?.checkpoint;
  return checkpoint && checkpoint.epoch >= 1 && checkpoint.epoch <= epochs ? checkpoint : undefined;
}

/** What every step of one run needs to know: the normalised config, its cache key and where results live. */
interface RunPlan {
  config: ExperimentConfig;
  key: string;
  identity: ResultsIdentity;
  useCache: boolean;
  force: boolean;
  cacheDir: string;
  /** Names the environment variable the cache directory came from, for errors about it. */
  cacheSource: string | undefined;
  warn: Warn;
  stage: (message: string) => void;
}

async function planRun(input: ExperimentConfigInput, options: RunOptions): Promise<RunPlan> {
  const config = normaliseConfig(input);
  const stage = options.onStage ?? (() => {});
  const identity = await resultsIdentity({ onStage: stage });
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cacheSource = options.cacheDir === undefined && process.env.LOSSLENS_CACHE_DIR ? 'LOSSLENS_CACHE_DIR' : undefined;
  if (useCache) checkCacheDir(cacheDir, cacheSource);
  return {
    config,
    key: runKey(config),
    identity,
    useCache,
    force: options.force === true,
    cacheDir,
    cacheSource,
    warn: options.warn ?? warnOnStderr,
    stage,
  };
}

/** Why a run that did not complete stopped, and what its next call will do. */
function incompleteMessage(plan: RunPlan, computed: Computation): string | undefined {
  if (computed.status !== 'interrupted' || !plan.useCache) return computed.message;
  return (
    `${computed.message}; ` +
    (computed.history.length > 0
      ? `the next run of this configuration resumes from epoch ${computed.history.length + 1}`
      : 'no epoch had finished, so the next run starts over')
  );
}

function resultOf(plan: RunPlan, computed: Computation): ExperimentResult {
  const base = {
    config: plan.config,
    key: plan.key,
    identity: stampOf(plan.identity),
    history: computed.history,
    resumedFromEpoch: computed.resumedFromEpoch,
    timings: computed.timings,
    tfjsVersion: tf.version.tfjs,
    tensorflowVersion: nativeTensorFlowVersion(),
    createdAt: new Date().toISOString(),
    origin: 'computed' as const,
  };
  if (computed.status === 'completed' && computed.measurements) return { ...base, status: 'completed', ...computed.measurements };
  const status = computed.status === 'completed' ? 'diverged' : computed.status;
  return { ...base, status, message: incompleteMessage(plan, computed) ?? status };
}

/**
 * Stores a finished result (a completed or diverged one: a divergence is as reproducible as a
 * success; an interruption is not a result) and drops the checkpoint of a completed one.
 */
function persist(plan: RunPlan, result: ExperimentResult): void {
  if (!plan.useCache || result.status === 'interrupted') return;
  writeEntry(resultPath(plan.cacheDir, plan.key, plan.identity.id), result);
  if (result.status === 'completed') removeEntry(checkpointPath(plan.cacheDir, plan.key, plan.identity.id));
}

/**
 * Runs (or reads from the cache or the published archive) one experiment. Resolves with status
 * 'interrupted' when `signal` aborts (finished epochs are checkpointed; call again to resume)
 * and 'diverged' when the loss became NaN/Inf.
 */
export async function runExperiment(input: ExperimentConfigInput, options: RunOptions = {}): Promise<ExperimentResult> {
  const plan = await planRun(input, options);
  const { config, key, cacheDir } = plan;
  if (plan.useCache && !plan.force) {
    const found = lookupResult(config, {
      cacheDir,
      identity: plan.identity,
      archive: options.archive === false ? null : openArchive(),
      warn: plan.warn,
    });
    if (found.result) {
      plan.stage(found.result.origin === 'archive' ? 'from the published archive' : `cached result ${key}`);
      return found.result;
    }
    if (found.archiveMismatch) plan.stage(`${found.archiveMismatch}; training it`);
  }
  if (plan.useCache) prepareCacheDir(cacheDir, plan.cacheSource);
  const id = plan.identity.id;
  const checkpoint = plan.useCache && !plan.force ? storedCheckpoint(cacheDir, key, id, config.epochs, plan.warn) : undefined;
  const computed = await computeExperiment(config, {
    onProgress: options.onProgress,
    onStage: plan.stage,
    signal: options.signal,
    resume: checkpoint && { checkpoint, source: checkpointPath(cacheDir, key, id) },
    onEpochEnd: plan.useCache ? (saved) => writeEntry(checkpointPath(cacheDir, key, id), { key, checkpoint: saved }) : undefined,
  });
  const result = resultOf(plan, computed);
  persist(plan, result);
  return result;
}
