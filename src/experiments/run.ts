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
import { buildAutoencoder, LOSS_NAMES } from '../model/autoencoder.js';
import { fit, type FitResult, type TrainingProgress } from '../training/fit.js';
import { evaluate, predict } from '../training/evaluate.js';
import type { TrainingCheckpoint } from '../training/checkpoint.js';
import { modelLossLedgers } from '../accounting/ledger.js';
import { pixelLosses } from '../accounting/pixelLoss.js';
import { imageSide, normaliseConfig, padBorder, type ExperimentConfig, type ExperimentConfigInput } from './config.js';
import { codeVersion, experimentKey } from './key.js';
import { readEntry, removeEntry, warnOnStderr, writeEntry, type Warn } from './store.js';
import { checkCacheDir, checkResumable, prepareCacheDir } from './preflight.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { encodeFloat32 } from '@losslens/protocol/float32';
import { isExperimentResult, serializeLossMaps, type ExperimentResult, type ExperimentSamples, type ExperimentTimings } from './result.js';

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

/** What every step of one run needs to know: the normalised config, its cache key and where results live. */
interface RunPlan {
  config: ExperimentConfig;
  key: string;
  version: string;
  useCache: boolean;
  force: boolean;
  cacheDir: string;
  /** Names the environment variable the cache directory came from, for errors about it. */
  cacheSource: string | undefined;
  warn: Warn;
  stage: (message: string) => void;
  started: number;
}

function planRun(input: ExperimentConfigInput, options: RunOptions): RunPlan {
  const started = performance.now();
  const config = normaliseConfig(input);
  const version = codeVersion();
  const useCache = options.cache !== false;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const cacheSource = options.cacheDir === undefined && process.env.LOSSLENS_CACHE_DIR ? 'LOSSLENS_CACHE_DIR' : undefined;
  if (useCache) checkCacheDir(cacheDir, cacheSource);
  return {
    config,
    key: experimentKey(config, version),
    version,
    useCache,
    force: options.force === true,
    cacheDir,
    cacheSource,
    warn: options.warn ?? warnOnStderr,
    stage: options.onStage ?? (() => {}),
    started,
  };
}

/** A stored result of this run, unless the cache is off or bypassed. */
function loadCached(plan: RunPlan): ExperimentResult | undefined {
  if (!plan.useCache || plan.force) return undefined;
  const { key } = plan;
  const cached = readEntry(resultPath(plan.cacheDir, key), (value): value is ExperimentResult => isExperimentResult(value, key), plan.warn);
  if (!cached) return undefined;
  plan.stage(`cached result ${key}`);
  return { ...cached, origin: 'cache' };
}

/** The checkpoint an earlier, interrupted call of this run left, if it fits this run's epochs. */
function loadCheckpoint(plan: RunPlan): TrainingCheckpoint | undefined {
  if (!plan.useCache || plan.force) return undefined;
  const { key } = plan;
  const resume = readEntry(
    checkpointPath(plan.cacheDir, key),
    (value): value is StoredCheckpoint => isStoredCheckpoint(value, key),
    plan.warn,
  )?.checkpoint;
  return resume && resume.epoch <= plan.config.epochs ? resume : undefined;
}

/** The tensors and model of a run in progress, disposed together however the run ends. */
interface Workspace {
  train?: Dataset;
  test?: Dataset;
  model?: tfn.LayersModel;
}

function release(workspace: Workspace): void {
  if (workspace.train) tf.dispose([workspace.train.inputs, workspace.train.targets]);
  if (workspace.test) tf.dispose([workspace.test.inputs, workspace.test.targets]);
  // buildAutoencoder passes an Adam instance to compile, which the model does not own or dispose.
  workspace.model?.optimizer?.dispose();
  workspace.model?.dispose();
}

/** Loads the data and builds the model, each held in `workspace` as soon as it exists. */
function prepare(plan: RunPlan, workspace: Workspace): Required<Workspace> & { dataSeconds: number } {
  const { config } = plan;
  const dataStarted = performance.now();
  plan.stage(`loading MNIST (${config.trainSamples} train, ${config.testSamples} test)`);
  const border = padBorder(config.pad);
  const datasetOptions = {
    noiseFactor: config.noiseFactor,
    seed: config.seed,
    ...(border && config.pad ? { pad: { width: border, mode: config.pad.mode }, noisePlacement: config.noisePlacement } : {}),
  };
  workspace.train = prepareDataset({ split: 'train', limit: config.trainSamples, ...datasetOptions });
  workspace.test = prepareDataset({ split: 'test', limit: config.testSamples, ...datasetOptions });
  const dataSeconds = seconds(dataStarted);
  const side = imageSide(config);
  workspace.model = buildAutoencoder({ height: side, width: side, seed: config.seed, loss: config.loss });
  return { train: workspace.train, test: workspace.test, model: workspace.model, dataSeconds };
}

/** The border the training loss leaves out: the ledger measures every region either way. */
function lossBorder(config: ExperimentConfig): BorderWidths | null {
  return config.lossRegion === 'original' ? padBorder(config.pad) : null;
}

/** Fits the model, from `resume` if given, checkpointing every finished epoch when the cache is on. */
async function train(plan: RunPlan, model: tfn.LayersModel, data: Dataset, resume: TrainingCheckpoint | undefined, options: RunOptions) {
  const { config, key, cacheDir } = plan;
  if (resume) {
    checkResumable(resume, model, checkpointPath(cacheDir, key));
    plan.stage(`resuming from the checkpoint after epoch ${resume.epoch} of ${config.epochs}`);
  }
  const trainStarted = performance.now();
  const fitted = await fit(model, data.inputs, data.targets, {
    epochs: config.epochs,
    batchSize: config.batchSize,
    seed: config.seed,
    onProgress: options.onProgress,
    signal: options.signal,
    resume,
    lossBorder: lossBorder(config),
    onEpochEnd: plan.useCache ? (checkpoint) => writeEntry(checkpointPath(cacheDir, key), { key, checkpoint }) : undefined,
  });
  return { fitted, trainSeconds: seconds(trainStarted) };
}

/** What every result of a run that trained carries, whatever its status. */
function resultBase(plan: RunPlan, fitted: FitResult, resume: TrainingCheckpoint | undefined) {
  return {
    config: plan.config,
    key: plan.key,
    codeVersion: plan.version,
    history: fitted.history,
    resumedFromEpoch: resume?.epoch ?? 0,
    tfjsVersion: tf.version.tfjs,
    tensorflowVersion: nativeTensorFlowVersion(),
    createdAt: new Date().toISOString(),
    origin: 'computed' as const,
  };
}

/** Why a run that did not complete stopped, and what its next call will do. */
function incompleteMessage(plan: RunPlan, fitted: FitResult): string | undefined {
  if (fitted.status !== 'interrupted' || !plan.useCache) return fitted.message;
  return (
    `${fitted.message}; ` +
    (fitted.history.length > 0
      ? `the next run of this configuration resumes from epoch ${fitted.history.length + 1}`
      : 'no epoch had finished, so the next run starts over')
  );
}

type Measurements = Pick<ExperimentResult, 'testLoss' | 'ledger' | 'otherLedger' | 'lossMaps' | 'samples'>;

/** The trained model on the test set: Keras's evaluate, the ledgers of both losses, the loss maps and a few samples. */
async function measure(plan: RunPlan, model: tfn.LayersModel, test: Dataset): Promise<Measurements> {
  const { config } = plan;
  plan.stage('evaluating on the test set');
  const testLoss = await evaluate(model, test.inputs, test.targets, EVALUATION_BATCH, lossBorder(config));
  const border = padBorder(config.pad);
  const ledgers = await modelLossLedgers(model, test.inputs, test.targets, { losses: LOSS_NAMES, border, batchSize: EVALUATION_BATCH });
  const otherLoss = LOSS_NAMES.find((loss) => loss !== config.loss)!;
  return {
    testLoss,
    ledger: ledgers[config.loss].ledger,
    otherLedger: ledgers[otherLoss].ledger,
    lossMaps: serializeLossMaps(ledgers[config.loss].maps),
    samples: await sampleImages(model, test, config),
  };
}

/**
 * Stores a finished result (a completed or diverged one: a divergence is as reproducible as a
 * success; an interruption is not a result) and drops the checkpoint of a completed one.
 */
function persist(plan: RunPlan, result: ExperimentResult): void {
  if (!plan.useCache || result.status === 'interrupted') return;
  writeEntry(resultPath(plan.cacheDir, plan.key), result);
  if (result.status === 'completed') removeEntry(checkpointPath(plan.cacheDir, plan.key));
}

/**
 * Runs (or reads from the cache) one experiment. Resolves with status 'interrupted' when
 * `signal` aborts (finished epochs are checkpointed; call again to resume) and 'diverged'
 * when the loss became NaN/Inf.
 */
export async function runExperiment(input: ExperimentConfigInput, options: RunOptions = {}): Promise<ExperimentResult> {
  const plan = planRun(input, options);
  const cached = loadCached(plan);
  if (cached) return cached;
  if (plan.useCache) prepareCacheDir(plan.cacheDir, plan.cacheSource);
  const resume = loadCheckpoint(plan);
  const workspace: Workspace = {};
  try {
    const { model, train: trainData, test, dataSeconds } = prepare(plan, workspace);
    const { fitted, trainSeconds } = await train(plan, model, trainData, resume, options);
    // Training data is no longer needed; evaluation should not hold it.
    tf.dispose([trainData.inputs, trainData.targets]);
    const timings = (evaluateSeconds: number): ExperimentTimings => ({
      dataSeconds,
      trainSeconds,
      evaluateSeconds,
      totalSeconds: seconds(plan.started),
    });
    const base = resultBase(plan, fitted, resume);
    let result: ExperimentResult;
    if (fitted.status !== 'completed') {
      const nothing = { testLoss: null, ledger: null, otherLedger: null, lossMaps: null, samples: null };
      result = { ...base, status: fitted.status, message: incompleteMessage(plan, fitted), ...nothing, timings: timings(0) };
    } else {
      const evaluateStarted = performance.now();
      const measurements = await measure(plan, model, test);
      result = { ...base, status: 'completed', ...measurements, timings: timings(seconds(evaluateStarted)) };
    }
    persist(plan, result);
    return result;
  } finally {
    release(workspace);
  }
}
