/**
 * What a finished experiment leaves on disk and hands to notebooks: plain JSON, no
 * tensors, so a cached result reads back exactly as it was written.
 */
import type { EpochRecord } from '../training/checkpoint.js';
import type { LossLedger, LossMaps } from '../accounting/ledger.js';
import type { ExperimentConfig } from '../settings/config.js';
import { runLabel } from '../settings/labels.js';
import { isIdentityStamp, type IdentityStamp } from '../identity/identity.js';

export type ExperimentStatus = ExperimentResult['status'];

/** LossMaps (test-set loss per pixel position, mean over test images) as JSON: row-major [height × width] numbers. */
export interface SerializedLossMaps {
  height: number;
  width: number;
  loss: number[];
  floor: number[];
  excess: number[];
}

/** A few test images, each array base64 of little-endian Float32 [count × height × width] (encodeFloat32). */
export interface ExperimentSamples {
  count: number;
  height: number;
  width: number;
  /** Positions in the test set. */
  indices: number[];
  labels: number[];
  inputs: string;
  targets: string;
  reconstructions: string;
  /** Per-pixel value of the training loss. */
  losses: string;
}

export interface ExperimentTimings {
  /** Loading MNIST, adding noise and padding. */
  dataSeconds: number;
  /** Training in this call (a resumed run counts only the epochs it ran). */
  trainSeconds: number;
  /** Evaluation, ledger and samples. */
  evaluateSeconds: number;
  totalSeconds: number;
}

/** What every result carries, however its training ended. */
interface ResultBase {
  config: ExperimentConfig;
  /** The run's key (runKey: its settings). */
  key: string;
  /** The results identity of the build that computed it. */
  identity: IdentityStamp;
  /** One record per finished epoch, including epochs from a resumed checkpoint. */
  history: EpochRecord[];
  /** Epochs that came from a checkpoint instead of this call (0 for a fresh run). */
  resumedFromEpoch: number;
  timings: ExperimentTimings;
  tfjsVersion: string;
  tensorflowVersion: string;
  /** ISO time the result was computed. */
  createdAt: string;
  /** Where this call got the result: computed now, read from the user's cache, or read from the published archive. */
  origin: 'computed' | 'cache' | 'archive';
  /** With origin 'archive': which archive. */
  archive?: ArchiveOrigin;
}

/** A run that trained every epoch, measured on the test set. */
export interface CompletedResult extends ResultBase {
  status: 'completed';
  /** Mean test loss per pixel from training's own evaluate (Keras's number). */
  testLoss: number;
  /** Ledger of the training loss on the test set. */
  ledger: LossLedger;
  /** Ledger of the same predictions under the loss the model was not trained with (MSE for a BCE model, and back). */
  otherLedger: LossLedger;
  /** Maps of the training loss on the test set. */
  lossMaps: SerializedLossMaps;
  samples: ExperimentSamples;
}

/** A run whose training stopped early: interrupted (its finished epochs are checkpointed) or diverged. */
export interface StoppedResult extends ResultBase {
  status: 'interrupted' | 'diverged';
  /** Why training stopped, and how to go on. */
  message: string;
}

export type ExperimentResult = CompletedResult | StoppedResult;

/** Where an archived result came from, as its displays say. */
export interface ArchiveOrigin {
  /** ISO time the archive was built. */
  createdAt: string;
  /** The commit that computed its runs, or null. */
  commit: string | null;
  /** The results identity its runs were computed under. */
  identity: string;
}

/**
 * Seconds of training over every call that trained the run: this call's, plus the epochs an
 * earlier, interrupted call finished (kept in the checkpoint's history). `timings` counts only
 * the call that completed it.
 */
export function trainingSeconds(result: ExperimentResult): number {
  const earlier = result.history.slice(0, result.resumedFromEpoch).reduce((sum, epoch) => sum + epoch.seconds, 0);
  return result.timings.trainSeconds + earlier;
}

/** Wall time the run took to compute: the completing call's, plus the training of earlier, interrupted calls (their set-up is not recorded). */
export function computeSeconds(result: ExperimentResult): number {
  return result.timings.totalSeconds - result.timings.trainSeconds + trainingSeconds(result);
}

export function serializeLossMaps(maps: LossMaps): SerializedLossMaps {
  return {
    height: maps.height,
    width: maps.width,
    loss: Array.from(maps.loss),
    floor: Array.from(maps.floor),
    excess: Array.from(maps.excess),
  };
}

/** The inverse of serializeLossMaps, e.g. for `lossMapTensors(deserializeLossMaps(result.lossMaps))`. */
export function deserializeLossMaps(maps: SerializedLossMaps): LossMaps {
  return {
    height: maps.height,
    width: maps.width,
    loss: Float64Array.from(maps.loss),
    floor: Float64Array.from(maps.floor),
    excess: Float64Array.from(maps.excess),
  };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const isNumberOrNull = (value: unknown) => value === null || typeof value === 'number';

/** Schema check for a cached result: the fields consumers index without checking. */
export function isExperimentResult(value: unknown, key: string): value is ExperimentResult {
  if (!isObject(value) || value.key !== key || !isObject(value.config) || !Array.isArray(value.history) || !isIdentityStamp(value.identity))
    return false;
  if (!['completed', 'interrupted', 'diverged'].includes(value.status as string)) return false;
  if (!isNumberOrNull(value.testLoss) || !isObject(value.timings)) return false;
  if (value.status !== 'completed') return true;
  const ledger = value.ledger;
  return (
    isObject(ledger) &&
    typeof ledger.perPixel === 'number' &&
    typeof ledger.perImage === 'number' &&
    isObject(ledger.regions) &&
    isObject(value.otherLedger) &&
    isObject(value.lossMaps) &&
    Array.isArray(value.lossMaps.loss) &&
    isObject(value.samples) &&
    typeof value.samples.reconstructions === 'string'
  );
}

/**
 * `result` as a completed result, for what only a completed run has (test-set numbers); else an
 * Error naming the run, how it stopped and `what` needed it (e.g. "compare").
 */
export function requireCompleted(result: ExperimentResult, what: string): CompletedResult {
  if (!isObject(result) || !isObject(result.config))
    throw new TypeError(`${what}: expected a result of runExperiment, got ${JSON.stringify(result)}`);
  if (result.status === 'completed') return result;
  const name = runLabel(result.config, { always: ['seed'] });
  throw new Error(
    `${what}: the run ${name} is ${result.status}${result.message ? ` (${result.message})` : ''}; only completed runs have test-set numbers`,
  );
}
