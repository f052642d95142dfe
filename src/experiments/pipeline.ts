/**
 * What one experiment computes, with no cache around it: data → model → fit → measurements.
 * runExperiment (run.ts) wraps this with the result cache and checkpoints; the results
 * identity (fingerprint.ts) runs it on a small matrix of configs to learn what this code
 * computes.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { prepareDataset, type Dataset } from '../transforms/dataset.js';
import { buildAutoencoder, LOSS_NAMES } from '../model/autoencoder.js';
import { fit, type FitResult, type TrainingProgress } from '../training/fit.js';
import { evaluate, predict, type TrainedAutoencoder } from '../training/evaluate.js';
import { checkResumable, type TrainingCheckpoint } from '../training/checkpoint.js';
import { modelLossLedgers } from '../accounting/ledger.js';
import { pixelLosses } from '../accounting/pixelLoss.js';
import { imageSide, padBorder, type ExperimentConfig } from '../settings/config.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { encodeFloat32 } from '@losslens/protocol/float32';
import { serializeLossMaps, type CompletedResult, type ExperimentSamples, type ExperimentTimings } from '../results/result.js';

/** Test images kept in a result for display. */
export const SAMPLE_COUNT = 8;
/** Images per model call when evaluating; does not change any number, only memory and speed. */
export const EVALUATION_BATCH = 500;

export interface ComputeOptions {
  onProgress?: (event: TrainingProgress) => void;
  /** Short notes on what the computation is doing (loading data, resuming, evaluating). */
  onStage?: (message: string) => void;
  /** Aborting stops training after the current batch; the unfinished epoch is discarded. */
  signal?: AbortSignal;
  /** Resume from this checkpoint (of the same config); `source` names where it came from, for errors. */
  resume?: { checkpoint: TrainingCheckpoint; source: string };
  /** Receives a checkpoint after each finished epoch. */
  onEpochEnd?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
}

/** The parts of a result the computation decides. */
export type Measurements = Pick<CompletedResult, 'testLoss' | 'ledger' | 'otherLedger' | 'lossMaps' | 'samples'>;

export interface Computation {
  status: FitResult['status'];
  /** fit's message for a run that did not complete. */
  message?: string;
  history: FitResult['history'];
  resumedFromEpoch: number;
  /** Null unless completed. */
  measurements: Measurements | null;
  timings: ExperimentTimings;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

async function sampleImages(trained: TrainedAutoencoder, test: Dataset, config: ExperimentConfig): Promise<ExperimentSamples> {
  const count = Math.min(SAMPLE_COUNT, test.inputs.shape[0]);
  const side = imageSide(config);
  const inputs = test.inputs.slice(0, count);
  const targets = test.targets.slice(0, count);
  const reconstructions = await predict(trained, inputs, count);
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

/** The tensors of a computation in progress, disposed together however it ends. */
interface Workspace {
  train?: Dataset;
  test?: Dataset;
  weights?: tfn.Tensor[];
}

function release(workspace: Workspace): void {
  if (workspace.train) tf.dispose([workspace.train.inputs, workspace.train.targets]);
  if (workspace.test) tf.dispose([workspace.test.inputs, workspace.test.targets]);
  if (workspace.weights) tf.dispose(workspace.weights);
}

/** The border the training loss leaves out: the ledger measures every region either way. */
function lossBorder(config: ExperimentConfig): BorderWidths | null {
  return config.lossRegion === 'original' ? padBorder(config.pad) : null;
}

function loadData(config: ExperimentConfig, workspace: Workspace, stage: (message: string) => void): { train: Dataset; test: Dataset } {
  stage(`loading MNIST (${config.trainSamples} train, ${config.testSamples} test)`);
  const border = padBorder(config.pad);
  const datasetOptions = {
    noiseFactor: config.noiseFactor,
    seed: config.seed,
    ...(border && config.pad ? { pad: { width: border, mode: config.pad.mode }, noisePlacement: config.noisePlacement } : {}),
  };
  workspace.train = prepareDataset({ split: 'train', limit: config.trainSamples, ...datasetOptions });
  workspace.test = prepareDataset({ split: 'test', limit: config.testSamples, ...datasetOptions });
  return { train: workspace.train, test: workspace.test };
}

/** The trained model on the test set: Keras's evaluate, the ledgers of both losses, the loss maps and a few samples. */
async function measure(config: ExperimentConfig, trained: TrainedAutoencoder, test: Dataset): Promise<Measurements> {
  const testLoss = await evaluate(trained, test.inputs, test.targets, EVALUATION_BATCH, lossBorder(config));
  const border = padBorder(config.pad);
  const ledgers = await modelLossLedgers(trained, test.inputs, test.targets, { losses: LOSS_NAMES, border, batchSize: EVALUATION_BATCH });
  const otherLoss = LOSS_NAMES.find((loss) => loss !== config.loss)!;
  return {
    testLoss,
    ledger: ledgers[config.loss].ledger,
    otherLedger: ledgers[otherLoss].ledger,
    lossMaps: serializeLossMaps(ledgers[config.loss].maps),
    samples: await sampleImages(trained, test, config),
  };
}

/**
 * Trains the model `config` describes and measures it on the test set. Resolves with status
 * 'interrupted' when `signal` aborts and 'diverged' when the loss became NaN/Inf (measurements
 * null in both). `config` must be normalised (normaliseConfig).
 */
export async function computeExperiment(config: ExperimentConfig, options: ComputeOptions = {}): Promise<Computation> {
  const started = performance.now();
  const stage = options.onStage ?? (() => {});
  const workspace: Workspace = {};
  try {
    const { train, test } = loadData(config, workspace, stage);
    const dataSeconds = seconds(started);
    const side = imageSide(config);
    const model = buildAutoencoder({ height: side, width: side, seed: config.seed, loss: config.loss, learningRate: config.learningRate });
    const resume = options.resume;
    if (resume) {
      checkResumable(resume.checkpoint, model, resume.source);
      stage(`resuming from the checkpoint after epoch ${resume.checkpoint.epoch} of ${config.epochs}`);
    }
    const trainStarted = performance.now();
    const fitted = await fit(model, train.inputs, train.targets, {
      epochs: config.epochs,
      batchSize: config.batchSize,
      seed: config.seed,
      onProgress: options.onProgress,
      signal: options.signal,
      resume: resume?.checkpoint,
      lossBorder: lossBorder(config),
      onEpochEnd: options.onEpochEnd,
    });
    workspace.weights = fitted.weights;
    const trainSeconds = seconds(trainStarted);
    // Training data is no longer needed; evaluation should not hold it.
    tf.dispose([train.inputs, train.targets]);
    delete workspace.train;
    let measurements: Measurements | null = null;
    const evaluateStarted = performance.now();
    if (fitted.status === 'completed') {
      stage('evaluating on the test set');
      measurements = await measure(config, { model, weights: fitted.weights }, test);
    }
    return {
      status: fitted.status,
      ...(fitted.message === undefined ? {} : { message: fitted.message }),
      history: fitted.history,
      resumedFromEpoch: resume?.checkpoint.epoch ?? 0,
      measurements,
      timings: {
        dataSeconds,
        trainSeconds,
        evaluateSeconds: measurements ? seconds(evaluateStarted) : 0,
        totalSeconds: seconds(started),
      },
    };
  } finally {
    release(workspace);
  }
}
