/**
 * The training loop: Keras's `fit(x, y, epochs, batch_size, shuffle=True)` for in-memory
 * tensors, made reproducible (seeded shuffle), observable (progress events), stoppable
 * (AbortSignal, divergence) and resumable (a checkpoint after every epoch). Each batch is one
 * call of the training graph (graph.ts, run by session.ts): forward, loss, backward and
 * Keras's Adam in one TensorFlow session run.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import type { BorderWidths } from '@losslens/protocol/border';
import type { EpochRecord, TrainingCheckpoint } from './checkpoint.js';
import { initialWeights, type Autoencoder } from '../model/autoencoder.js';
import { graphSession, TrainingState, type GraphSession } from './session.js';
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
  /** Called a few times a second during an epoch, and once per epoch after its checkpoint is saved. */
  onProgress?: (event: TrainingProgress) => void;
  /** Aborting stops training after the current batch (before the first if already aborted); the unfinished epoch is discarded. */
  signal?: AbortSignal;
  /** A checkpoint from onEpochEnd of an earlier run with the same data and options. */
  resume?: TrainingCheckpoint;
  /** Receives a checkpoint after each finished epoch; awaited before the epoch is reported finished and the next starts. */
  onEpochEnd?: (checkpoint: TrainingCheckpoint) => void | Promise<void>;
  /** Train on the loss of the pixels inside this border only (see GraphModel.lossBorder); default every pixel. */
  lossBorder?: BorderWidths | null;
}

export interface FitResult {
  /** Every finished epoch, including those restored from `resume`. */
  history: EpochRecord[];
  status: 'completed' | 'interrupted' | 'diverged';
  message?: string;
  /** The weights training ended with, in the model's order; the caller disposes them. */
  weights: tfn.Tensor[];
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
    throw new RangeError(
      `fit: inputs and targets need the same, non-zero number of samples, got ${inputs.shape[0]} and ${targets.shape[0]}`,
    );
  }
  if (!Number.isInteger(epochs) || epochs < 1) throw new RangeError(`fit: epochs must be a positive integer, got ${epochs}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`fit: batchSize must be a positive integer, got ${batchSize}`);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new RangeError(`fit: seed must be an integer in [0, 2^32), got ${seed}`);
  if (resume && (!Number.isInteger(resume.epoch) || resume.epoch < 0 || resume.epoch > epochs || resume.history.length !== resume.epoch)) {
    throw new RangeError(
      `fit: cannot resume from a checkpoint after epoch ${resume.epoch} (with ${resume.history.length} history entries) ` +
        `in a run of ${epochs} epochs; the checkpoint must come from this run's onEpochEnd`,
    );
  }
}

/** Throughput and ETA for progress events, over the epochs this call to fit trains. */
class ProgressClock {
  private readonly started = performance.now();
  private lastReport = this.started;
  private samplesTrained = 0;

  constructor(
    private readonly samplesToTrain: number,
    private readonly onProgress: FitOptions['onProgress'],
    private readonly frame: { epochs: number; batches: number },
  ) {}

  trained(samples: number): void {
    this.samplesTrained += samples;
  }

  /** A 'batch' event if one is due (never for the last batch: the epoch's own events follow). */
  maybeReportBatch(epoch: number, batch: number, loss: number): void {
    if (this.onProgress && batch < this.frame.batches && performance.now() - this.lastReport >= PROGRESS_INTERVAL_MS)
      this.report('batch', epoch, batch, loss);
  }

  report(kind: TrainingProgress['kind'], epoch: number, batch: number, loss: number): void {
    const now = performance.now();
    this.lastReport = now;
    const elapsedSeconds = (now - this.started) / 1000;
    const samplesPerSecond = elapsedSeconds > 0 ? this.samplesTrained / elapsedSeconds : 0;
    const etaSeconds = samplesPerSecond > 0 ? (this.samplesToTrain - this.samplesTrained) / samplesPerSecond : Infinity;
    this.onProgress?.({ kind, epoch: epoch + 1, ...this.frame, batch, loss, samplesPerSecond, etaSeconds, elapsedSeconds });
  }
}

type EpochOutcome =
  { kind: 'finished'; loss: number } | { kind: 'interrupted'; batch: number } | { kind: 'diverged'; batch: number; loss: number };

interface EpochJob {
  session: GraphSession;
  state: TrainingState;
  inputs: tfn.Tensor4D;
  targets: tfn.Tensor4D;
  order: Int32Array;
  batchSize: number;
  epoch: number;
  clock: ProgressClock;
  signal?: AbortSignal;
}

/** One epoch of batches in `order`; stops early on abort or on a non-finite loss or gradient (whose update is not applied). */
async function trainEpoch({ session, state, inputs, targets, order, batchSize, epoch, clock, signal }: EpochJob): Promise<EpochOutcome> {
  const batches = Math.ceil(order.length / batchSize);
  let lossSum = 0;
  let seen = 0;
  for (let batch = 0; batch < batches; batch++) {
    await yieldToEventLoop();
    if (signal?.aborted) return { kind: 'interrupted', batch };
    const indices = order.subarray(batch * batchSize, Math.min(order.length, (batch + 1) * batchSize));
    const [x, y] = tf.tidy(() => {
      const picked = tf.tensor1d(indices, 'int32');
      return [tf.gather(inputs, picked), tf.gather(targets, picked)];
    });
    const { loss, finite } = state.step(session, x, y);
    tf.dispose([x, y]);
    if (!finite) return { kind: 'diverged', batch, loss };
    lossSum += loss * indices.length;
    seen += indices.length;
    clock.trained(indices.length);
    clock.maybeReportBatch(epoch, batch + 1, lossSum / seen);
  }
  return { kind: 'finished', loss: lossSum / seen };
}

/** The epoch loop; `state` holds the weights it ends with. */
async function trainEpochs(
  session: GraphSession,
  state: TrainingState,
  inputs: tfn.Tensor4D,
  targets: tfn.Tensor4D,
  options: FitOptions,
): Promise<Omit<FitResult, 'weights'>> {
  const { epochs, batchSize, seed, onProgress, signal, resume, onEpochEnd } = options;
  const history: EpochRecord[] = [];
  const samples = inputs.shape[0];
  const batches = Math.ceil(samples / batchSize);
  if (resume) {
    state.restore(resume.weights, resume.optimizer);
    history.push(...resume.history.map((record) => ({ ...record })));
  }
  const clock = new ProgressClock((epochs - history.length) * samples, onProgress, { epochs, batches });
  for (let epoch = history.length; epoch < epochs; epoch++) {
    const started = performance.now();
    const order = epochOrder(samples, seed, epoch);
    const outcome = await trainEpoch({ session, state, inputs, targets, order, batchSize, epoch, clock, signal });
    if (outcome.kind === 'interrupted') {
      return {
        history,
        status: 'interrupted',
        message: `interrupted in epoch ${epoch + 1} after ${outcome.batch} of ${batches} batches; kept the ${history.length} finished epoch(s)`,
      };
    }
    if (outcome.kind === 'diverged') {
      return {
        history,
        status: 'diverged',
        message:
          `training diverged: ${Number.isFinite(outcome.loss) ? `a gradient became non-finite (loss ${outcome.loss})` : `the loss became ${outcome.loss}`} ` +
          `at epoch ${epoch + 1}, batch ${outcome.batch + 1} of ${batches}; ` +
          `kept the ${history.length} finished epoch(s) and the weights from before that batch. ` +
          'Try a lower learning rate or check the data for NaN/Inf values.',
      };
    }
    history.push({ epoch: epoch + 1, loss: outcome.loss, seconds: (performance.now() - started) / 1000 });
    clock.report('batch', epoch, batches, outcome.loss);
    await onEpochEnd?.({
      epoch: history.length,
      weights: state.serializedWeights(),
      optimizer: state.optimizerState(),
      history: history.map((r) => ({ ...r })),
    });
    clock.report('epoch', epoch, batches, outcome.loss);
  }
  return { history, status: 'completed' };
}

/**
 * Trains `model` from its initial weights (initialWeights), or from `options.resume`, and
 * resolves with its history and the weights it ended with (the caller disposes them): after the
 * last epoch, or, when interrupted or diverged, after the last finished batch before that.
 */
export async function fit(model: Autoencoder, inputs: tfn.Tensor4D, targets: tfn.Tensor4D, options: FitOptions): Promise<FitResult> {
  checkOptions(inputs, targets, options);
  const session = await graphSession(model, options.lossBorder ?? null);
  const start = initialWeights(model);
  const state = TrainingState.of(model, start);
  tf.dispose(start);
  try {
    const outcome = await trainEpochs(session, state, inputs, targets, options);
    return { ...outcome, weights: state.takeWeights() };
  } finally {
    state.dispose();
  }
}
