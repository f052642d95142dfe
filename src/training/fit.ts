/**
 * The training loop: Keras's `fit(x, y, epochs, batch_size, shuffle=True)` for in-memory
 * tensors, made reproducible (seeded shuffle), observable (progress events), stoppable
 * (AbortSignal, divergence) and resumable (a checkpoint after every epoch). It is written
 * out instead of calling tfjs's `model.fit` because that one shuffles with Math.random,
 * uses tfjs's Adam (not Keras's), and offers no way to restore optimizer state.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { FlatAdam, type AdamConfig, type TrainableWeight } from './adam.js';
import { checkTensorsMatch, deserializeTensor, serializeTensor, type EpochRecord, type TrainingCheckpoint } from './checkpoint.js';
import { batchLoss, compiledLoss } from './losses.js';
import { epochOrder } from './shuffle.js';

export interface TrainingProgress {
  kind: 'batch' | 'epoch';
  /** 1-based. */
  epoch: number;
  epochs: number;
  /** 1-based batches done in this epoch (all of them for an 'epoch' event). */
  batch: number;
  batches: number;
  /** Mean loss over the epoch's samples so far, as Keras's progress bar shows it. */
  loss: number;
  /** Training throughput of this call to fit so far. */
  samplesPerSecond: number;
  etaSeconds: number;
  elapsedSeconds: number;
}

export interface FitOptions {
  epochs: number;
  batchSize: number;
  seed: number;
  /** Called after every epoch and after a few batches a second. */
  onProgress?: (event: TrainingProgress) => void;
  /** Aborting stops training after the current batch (before the first if already aborted); the unfinished epoch is discarded. */
  signal?: AbortSignal;
  /** A checkpoint from onEpochEnd of an earlier run with the same data and options. */
  resume?: TrainingCheckpoint;
  /** Receives a checkpoint after each finished epoch; awaited before the next epoch starts. */
  onEpochEnd?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
}

export interface FitResult {
  /** Every finished epoch, including those restored from `resume`. */
  history: EpochRecord[];
  status: 'completed' | 'interrupted' | 'diverged';
  message?: string;
}

const PROGRESS_INTERVAL_MS = 250;

/** Lets SIGINT handlers and abort listeners run between batches; a synchronous loop would starve them. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function checkOptions(inputs: tfn.Tensor4D, targets: tfn.Tensor4D, options: FitOptions): void {
  const { epochs, batchSize, seed, resume } = options;
  if (inputs.rank !== 4 || targets.rank !== 4) {
    throw new RangeError(`fit: inputs and targets must be 4-D [n, height, width, 1], got [${inputs.shape}] and [${targets.shape}]`);
  }
  if (inputs.shape[0] !== targets.shape[0] || inputs.shape[0] === 0) {
    throw new RangeError(`fit: inputs and targets need the same, non-zero number of samples, got ${inputs.shape[0]} and ${targets.shape[0]}`);
  }
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`fit: seed must be an integer in [0, 2^32), got ${seed}`);
  if (resume && (!Number.isInteger(resume.epoch) || resume.epoch < 0 || resume.epoch > epochs || resume.history.length !== resume.epoch)) {
    throw new RangeError(
      `fit: cannot resume from a checkpoint after epoch ${resume.epoch} (with ${resume.history.length} history entries) ` +
        `in a run of ${epochs} epochs; the checkpoint must come from this run's onEpochEnd`,
    );
  }
}

function trainableWeights(model: tfn.LayersModel): TrainableWeight[] {
  return model.trainableWeights.map((weight) => ({ name: weight.originalName, variable: weight.read() as tfn.Variable }));
}

function adamConfig(model: tfn.LayersModel): AdamConfig {
  const optimizer = model.optimizer as tfn.Optimizer | undefined;
  const config = optimizer?.getConfig() as Partial<AdamConfig> | undefined;
  if (optimizer?.getClassName() !== 'Adam' || !config) {
    throw new TypeError(`fit: the model must be compiled with an Adam optimizer (as buildAutoencoder does), got ${optimizer?.getClassName()}`);
  }
  return config as AdamConfig;
}

export async function fit(model: tfn.LayersModel, inputs: tfn.Tensor4D, targets: tfn.Tensor4D, options: FitOptions): Promise<FitResult> {
  checkOptions(inputs, targets, options);
  const { epochs, batchSize, seed, onProgress, signal, resume, onEpochEnd } = options;
  const loss = compiledLoss(model);
  const weights = trainableWeights(model);
  const adam = new FlatAdam(weights, adamConfig(model));
  const history: EpochRecord[] = [];
  const samples = inputs.shape[0];
  const batches = Math.ceil(samples / batchSize);

  const checkpoint = (): TrainingCheckpoint => ({
    epoch: history.length,
    weights: weights.map((w) => serializeTensor(w.name, w.variable)),
    optimizer: adam.getState(),
    history: history.map((record) => ({ ...record })),
  });

  try {
    if (resume) {
      checkTensorsMatch('weights', resume.weights, weights.map((w) => ({ name: w.name, shape: w.variable.shape })));
      adam.setState(resume.optimizer);
      resume.weights.forEach((serialized, i) => {
        const value = deserializeTensor(serialized);
        weights[i].variable.assign(value);
        value.dispose();
      });
      history.push(...resume.history.map((record) => ({ ...record })));
    }

    const started = performance.now();
    const samplesToTrain = (epochs - history.length) * samples;
    let samplesTrained = 0;
    let lastReport = started;
    const report = (kind: TrainingProgress['kind'], epoch: number, batch: number, epochLoss: number) => {
      const now = performance.now();
      lastReport = now;
      const elapsedSeconds = (now - started) / 1000;
      const samplesPerSecond = elapsedSeconds > 0 ? samplesTrained / elapsedSeconds : 0;
      const etaSeconds = samplesPerSecond > 0 ? (samplesToTrain - samplesTrained) / samplesPerSecond : Infinity;
      onProgress?.({ kind, epoch: epoch + 1, epochs, batch, batches, loss: epochLoss, samplesPerSecond, etaSeconds, elapsedSeconds });
    };

    for (let epoch = history.length; epoch < epochs; epoch++) {
      const epochStarted = performance.now();
      const order = epochOrder(samples, seed, epoch);
      let lossSum = 0;
      let seen = 0;
      for (let batch = 0; batch < batches; batch++) {
        await yieldToEventLoop();
        if (signal?.aborted) {
          return {
            history,
            status: 'interrupted',
            message: `interrupted in epoch ${epoch + 1} after ${batch} of ${batches} batches; kept the ${history.length} finished epoch(s)`,
          };
        }
        const indices = order.subarray(batch * batchSize, Math.min(samples, (batch + 1) * batchSize));
        const { value, grads } = tf.tidy(() => {
          const picked = tf.tensor1d(indices, 'int32');
          const x = tf.gather(inputs, picked);
          const y = tf.gather(targets, picked);
          return tf.variableGrads(() => batchLoss(model, loss, x, y), weights.map((w) => w.variable));
        });
        // One scalar read per batch: tfjs-node runs ops synchronously, so this waits for nothing extra.
        const batchLossValue = value.dataSync()[0];
        // A non-finite loss is caught before its update, so the model keeps its last finite weights.
        if (Number.isFinite(batchLossValue)) adam.step(weights.map((w) => grads[w.variable.name]));
        tf.dispose([value, ...Object.values(grads)]);
        if (!Number.isFinite(batchLossValue)) {
          return {
            history,
            status: 'diverged',
            message:
              `training diverged: the loss became ${batchLossValue} at epoch ${epoch + 1}, batch ${batch + 1} of ${batches}; ` +
              `kept the ${history.length} finished epoch(s) and the weights from before that batch. ` +
              'Try a lower learning rate or check the data for NaN/Inf values.',
          };
        }
        lossSum += batchLossValue * indices.length;
        seen += indices.length;
        samplesTrained += indices.length;
        if (onProgress && batch < batches - 1 && performance.now() - lastReport >= PROGRESS_INTERVAL_MS) {
          report('batch', epoch, batch + 1, lossSum / seen);
        }
      }
      history.push({ epoch: epoch + 1, loss: lossSum / seen, seconds: (performance.now() - epochStarted) / 1000 });
      report('batch', epoch, batches, lossSum / seen);
      report('epoch', epoch, batches, lossSum / seen);
      if (onEpochEnd) await onEpochEnd(checkpoint());
    }
    return { history, status: 'completed' };
  } finally {
    adam.dispose();
  }
}
