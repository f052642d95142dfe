/**
 * Adam with Keras's update rule, applied to all weights at once. tfjs's AdamOptimizer puts
 * epsilon after the bias correction (Keras puts it before) and issues about fifteen small
 * ops per weight per step; flattening every gradient into one vector does the same
 * arithmetic in a fixed handful of ops, which matters because per-op overhead, not FLOPs,
 * dominates the update of a 28k-parameter model.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { type AdamState, checkTensorsMatch, deserializeTensor, serializeTensor } from './checkpoint.js';

export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

export interface TrainableWeight {
  /** Stable name (e.g. "conv2d/kernel"), used to key checkpoints. */
  name: string;
  variable: tfn.Variable;
}

export class FlatAdam {
  private firstMoment: tfn.Tensor1D;
  private secondMoment: tfn.Tensor1D;
  private iterations = 0;
  private readonly sizes: number[];
  private readonly constants: { oneMinusBeta1: tfn.Scalar; oneMinusBeta2: tfn.Scalar; epsilon: tfn.Scalar };

  constructor(
    private readonly weights: readonly TrainableWeight[],
    private readonly config: AdamConfig,
  ) {
    this.sizes = weights.map((w) => w.variable.size);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    this.firstMoment = tf.zeros([total]);
    this.secondMoment = tf.zeros([total]);
    this.constants = {
      oneMinusBeta1: tf.scalar(1 - config.beta1),
      oneMinusBeta2: tf.scalar(1 - config.beta2),
      epsilon: tf.scalar(config.epsilon),
    };
  }

  /** One update; `gradients` are in the order of the weights given to the constructor. */
  step(gradients: readonly tfn.Tensor[]): void {
    const { beta1, beta2, learningRate } = this.config;
    const t = this.iterations + 1;
    const alpha = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    const [m, v] = tf.tidy(() => {
      const g = tf.concat(gradients.map((gradient) => tf.reshape(gradient, [-1])));
      const { oneMinusBeta1, oneMinusBeta2, epsilon } = this.constants;
      const m = tf.add(this.firstMoment, tf.mul(tf.sub(g, this.firstMoment), oneMinusBeta1)) as tfn.Tensor1D;
      const v = tf.add(this.secondMoment, tf.mul(tf.sub(tf.square(g), this.secondMoment), oneMinusBeta2)) as tfn.Tensor1D;
      const update = tf.div(tf.mul(m, tf.scalar(alpha)), tf.add(tf.sqrt(v), epsilon));
      tf.split(update, this.sizes).forEach((piece, i) => {
        const { variable } = this.weights[i];
        variable.assign(tf.sub(variable, tf.reshape(piece, variable.shape)));
      });
      return [m, v];
    });
    // step may itself run inside a caller's tidy; the new moments must outlive it.
    tf.keep(m);
    tf.keep(v);
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    this.firstMoment = m;
    this.secondMoment = v;
    this.iterations = t;
  }

  getState(): AdamState {
    const perWeight = (flat: tfn.Tensor1D) => {
      const pieces = tf.tidy(() => tf.split(flat, this.sizes).map((piece, i) => tf.reshape(piece, this.weights[i].variable.shape)));
      const serialized = pieces.map((piece, i) => serializeTensor(this.weights[i].name, piece));
      tf.dispose(pieces);
      return serialized;
    };
    return { iterations: this.iterations, firstMoment: perWeight(this.firstMoment), secondMoment: perWeight(this.secondMoment) };
  }

  setState(state: AdamState): void {
    if (!Number.isInteger(state.iterations) || state.iterations < 0) {
      throw new RangeError(`the checkpoint's optimizer iterations must be a non-negative integer, got ${state.iterations}`);
    }
    const expected = this.weights.map((w) => ({ name: w.name, shape: w.variable.shape }));
    checkTensorsMatch('Adam first moments', state.firstMoment, expected);
    checkTensorsMatch('Adam second moments', state.secondMoment, expected);
    const flatten = (slot: AdamState['firstMoment']) =>
      tf.tidy(() => tf.concat(slot.map((s) => tf.reshape(deserializeTensor(s), [-1]))) as tfn.Tensor1D);
    const m = flatten(state.firstMoment);
    const v = flatten(state.secondMoment);
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    this.firstMoment = m;
    this.secondMoment = v;
    this.iterations = state.iterations;
  }

  dispose(): void {
    this.firstMoment.dispose();
    this.secondMoment.dispose();
    Object.values(this.constants).forEach((c) => c.dispose());
  }
}
