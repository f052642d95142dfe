/**
 * One experiment, end to end: data → model → fit → ledger, cached on disk. A finished
 * result is stored under its key and returned from disk on the next call; while training,
 * every finished epoch is checkpointed, so an interrupted (or killed) run resumes from its
 * last finished epoch on the next call and ends with the same weights as an uninterrupted
 * one.
 */
import { join } from 'node:path';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf, nativeTensorFlowVersion } from '../tf.js';
import { prepareDataset, type Dataset } from '../transforms/dataset.js';
import { buildAutoencoder } from '../model/autoencoder.js';
import { fit, type TrainingProgress } from '../training/fit.js';
import { evaluate, predict } from '../training/evaluate.js';
import type { TrainingCheckpoint } from '../training/checkpoint.js';
import { modelLossLedgers } from '../accounting/ledger.js';
import { pixelLosses } from '../accounting/pixelLoss.js';
import { imageSide, normaliseConfig, padBorder, type ExperimentConfig, type ExperimentConfigInput } from './config.js';
import { codeVersion, experimentKey } from './key.js';
import { readEntry, removeEntry, warnOnStderr, writeEntry, type Warn } from './store.js';
import { checkCacheDir, checkResumable, prepareCacheDir } from './preflight.js';
import {
  encodeFloat32,
  isExperimentResult,
  serializeLossMaps,
  type ExperimentResult,
  type ExperimentSamples,
  type ExperimentTimings,
} from './result.js';

export interface RunOptions {
  /** Where results and checkpoints live; default $LOSSLENS_CACHE_DIR or <package>/.cache/experiments. */
  cacheDir?: string;
  /** false: neither read nor write results or checkpoints. */
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
}

/** Test images kept in a result for display. */
export const SAMPLE_COUNT = 8;
/** Images per model call when evaluating; does not change any number, only memory and speed. */
const EVALUATION_BATCH = 500;

export function defaultCacheDir(): string {
  return process.env.LOSSLENS_CACHE_DIR || join(__dirname, '..', '..', '.cache', 'experiments');
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
    Array.isArray(checkpoint.history) &&
    checkpoint.history.length === checkpoint.epoch
  );
}

export function resultPath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.json`);
}

export function checkpointPath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.checkpoint.json`);
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function sampleImages(model: tfn.LayersModel, test: Dataset, config: ExperimentConfig): Promise<ExperimentSamples> {
  const count = Math.min(SAMPLE_COUNT, test.inputs.shape[0]);
  const side = imageSide(config);
  const inputs = test.inputs.slice(0, count);
  const targets = test.targets.slice(0, count);
  const reconstructions = await predict(model, inputs, count);
  try {
    const targetValues = targets.dataSync() as Float32Array;
    const reconstructionValues = reconstructions.dataSync() as Float32Array;
    return {
      count,
      height: side,
      width: side,
      indices: Array.from({ length: count }, (_, i) => i),
      labels: Array.from(test.labels.subarray(0, count)),
      inputs: encodeFloat32(inputs.dataSync() as Float32Array),
      targets: encodeFloat32(targetValues),
      reconstructions: encodeFloat32(reconstructionValues),
      losses: encodeFloat32(pixelLosses(config.loss, targetValues, reconstructionValues)),
    };
  } finally {
    tf.dispose([inputs, targets, reconstructions]);
  }
}

/**
 * Runs (or reads from the cache) one experiment. Resolves with status 'interrupted' when
 * `signal` aborts (finished epochs are checkpointed; call again to resume) and 'diverged'
 * when the loss became NaN/Inf.
 */
export async function runExperiment(input: ExperimentConfigInput, options: RunOptions = {}): Promise<ExperimentResult> {
  const started = performance.now();
  const config = normaliseConfig(input);
  const version = codeVersion();
  const key = experimentKey(config, version);
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const warn = options.warn ?? warnOnStderr;
  const stage = options.onStage ?? (() => {});
  const cacheSource = options.cacheDir === undefined && process.env.LOSSLENS_CACHE_DIR ? 'LOSSLENS_CACHE_DIR' : undefined;
  if (useCache) checkCacheDir(cacheDir, cacheSource);

  if (useCache && !options.force) {
    const cached = readEntry(resultPath(cacheDir, key), (value): value is ExperimentResult => isExperimentResult(value, key), warn);
    if (cached) {
      stage(`cached result ${key}`);
      return { ...cached, origin: 'cache' };
    }
  }
  if (useCache) prepareCacheDir(cacheDir, cacheSource);
  let resume: TrainingCheckpoint | undefined;
  if (useCache && !options.force) {
    resume = readEntry(checkpointPath(cacheDir, key), (value): value is StoredCheckpoint => isStoredCheckpoint(value, key), warn)?.checkpoint;
    if (resume && resume.epoch > config.epochs) resume = undefined;
  }

  const dataStarted = performance.now();
  stage(`loading MNIST (${config.trainSamples} train, ${config.testSamples} test)`);
  const border = padBorder(config.pad);
  const datasetOptions = {
    noiseFactor: config.noiseFactor,
    seed: config.seed,
    ...(border ? { pad: { width: border, mode: config.pad!.mode }, noisePlacement: config.noisePlacement } : {}),
  };
  // The loss (and so the training gradient) covers the original image only when asked; the ledger measures every region either way.
  const lossBorder = config.lossRegion === 'original' ? border : null;
  const train = prepareDataset({ split: 'train', limit: config.trainSamples, ...datasetOptions });
  let test: Dataset | undefined;
  let model: tfn.LayersModel | undefined;
  try {
    test = prepareDataset({ split: 'test', limit: config.testSamples, ...datasetOptions });
    const dataSeconds = seconds(dataStarted);
    const side = imageSide(config);
    model = buildAutoencoder({ height: side, width: side, seed: config.seed, loss: config.loss });
    if (resume) checkResumable(resume, model, checkpointPath(cacheDir, key));
    if (resume) stage(`resuming from the checkpoint after epoch ${resume.epoch} of ${config.epochs}`);

    const trainStarted = performance.now();
    const fitted = await fit(model, train.inputs, train.targets, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      onProgress: options.onProgress,
      signal: options.signal,
      resume,
      lossBorder,
      onEpochEnd: useCache ? (checkpoint) => writeEntry(checkpointPath(cacheDir, key), { key, checkpoint }) : undefined,
    });
    const trainSeconds = seconds(trainStarted);
    tf.dispose([train.inputs, train.targets]);

    const base = {
      config,
      key,
      codeVersion: version,
      history: fitted.history,
      resumedFromEpoch: resume?.epoch ?? 0,
      tfjsVersion: tf.version.tfjs,
      tensorflowVersion: nativeTensorFlowVersion(),
      createdAt: new Date().toISOString(),
      origin: 'computed' as const,
    };
    const timings = (evaluateSeconds: number): ExperimentTimings => ({
      dataSeconds,
      trainSeconds,
      evaluateSeconds,
      totalSeconds: seconds(started),
    });
    if (fitted.status !== 'completed') {
      const result: ExperimentResult = {
        ...base,
        status: fitted.status,
        message:
          fitted.status === 'interrupted' && useCache
            ? `${fitted.message}; ` +
              (fitted.history.length > 0
                ? `the next run of this configuration resumes from epoch ${fitted.history.length + 1}`
                : 'no epoch had finished, so the next run starts over')
            : fitted.message,
        testLoss: null,
        ledger: null,
        ledgers: null,
        lossMaps: null,
        samples: null,
        timings: timings(0),
      };
      // A divergence is as reproducible as a success; an interruption is not a result.
      if (useCache && fitted.status === 'diverged') writeEntry(resultPath(cacheDir, key), result);
      return result;
    }

    stage('evaluating on the test set');
    const evaluateStarted = performance.now();
    const testLoss = await evaluate(model, test.inputs, test.targets, EVALUATION_BATCH, lossBorder);
    const ledgers = await modelLossLedgers(model, test.inputs, test.targets, {
      losses: ['binaryCrossentropy', 'meanSquaredError'],
      border,
      batchSize: EVALUATION_BATCH,
    });
    const result: ExperimentResult = {
      ...base,
      status: 'completed',
      testLoss,
      ledger: ledgers[config.loss].ledger,
      ledgers: { binaryCrossentropy: ledgers.binaryCrossentropy.ledger, meanSquaredError: ledgers.meanSquaredError.ledger },
      lossMaps: serializeLossMaps(config.loss, ledgers[config.loss].maps),
      samples: await sampleImages(model, test, config),
      timings: timings(seconds(evaluateStarted)),
    };
    if (useCache) {
      writeEntry(resultPath(cacheDir, key), result);
      removeEntry(checkpointPath(cacheDir, key));
    }
    return result;
  } finally {
    tf.dispose([train.inputs, train.targets]);
    if (test) tf.dispose([test.inputs, test.targets]);
    // buildAutoencoder passes an Adam instance to compile, which the model does not own or dispose.
    model?.optimizer?.dispose();
    model?.dispose();
  }
}
