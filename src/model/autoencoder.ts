/**
 * The Keras tutorial's denoising autoencoder, rebuilt in tfjs with the choices Keras makes
 * silently: glorotUniform kernels (tfjs layers default to glorotNormal in some versions of
 * their docs, and their seeds are not derived from one run seed), zero biases, Adam with
 * epsilon 1e-7 (tfjs's default epsilon is 1e-8), and Keras's layer names.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { deriveSeed } from '../random.js';

export type LossName = 'binaryCrossentropy' | 'meanSquaredError';

export const LOSS_NAMES: readonly LossName[] = ['binaryCrossentropy', 'meanSquaredError'];

export interface AutoencoderOptions {
  /** Input height in pixels; two 2×2 poolings and two 2×2 upsamplings need a multiple of 4. */
  height: number;
  /** Input width in pixels; a multiple of 4 for the same reason. */
  width: number;
  /** Seeds every kernel initialiser, one derived seed per layer. */
  seed: number;
  loss?: LossName;
  learningRate?: number;
}

/** Keras's defaults for `optimizer='adam'`. */
export const KERAS_ADAM = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

const FILTERS = 32;

function checkSide(name: 'height' | 'width', value: number): void {
  if (!Number.isInteger(value) || value < 4 || value % 4 !== 0) {
    throw new RangeError(
      `buildAutoencoder: ${name} must be a positive multiple of 4 (the model pools by 2 twice and ` +
        `upsamples by 2 twice, so other sizes come back a different size), got ${value}. ` +
        'Pad the images first, e.g. 28 → 32 with a pad width of 2.',
    );
  }
}

/**
 * Builds and compiles the tutorial's model for `height`×`width`×1 inputs:
 * Conv2D 32 → MaxPool 2 → Conv2D 32 → MaxPool 2 → Conv2D 32 → UpSampling 2 → Conv2D 32 →
 * UpSampling 2 → Conv2D 1 sigmoid. 28,353 parameters whatever the input size.
 */
export function buildAutoencoder(options: AutoencoderOptions): tfn.LayersModel {
  const { height, width, seed, loss = 'binaryCrossentropy', learningRate = KERAS_ADAM.learningRate } = options;
  checkSide('height', height);
  checkSide('width', width);
  if (!LOSS_NAMES.includes(loss)) {
    throw new RangeError(`buildAutoencoder: loss must be one of ${LOSS_NAMES.join(', ')}, got ${String(loss)}`);
  }
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new RangeError(`buildAutoencoder: learningRate must be a positive number, got ${learningRate}`);
  }

  const conv = (name: string, filters: number, activation: 'relu' | 'sigmoid') =>
    tf.layers.conv2d({
      name,
      filters,
      kernelSize: 3,
      padding: 'same',
      activation,
      kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, name) }),
      biasInitializer: 'zeros',
    });
  const pool = (name: string) => tf.layers.maxPooling2d({ name, poolSize: 2, padding: 'same' });
  const upsample = (name: string) => tf.layers.upSampling2d({ name, size: [2, 2] });

  const input = tf.input({ name: 'input_layer', shape: [height, width, 1] });
  let x = conv('conv2d', FILTERS, 'relu').apply(input) as tfn.SymbolicTensor;
  x = pool('max_pooling2d').apply(x) as tfn.SymbolicTensor;
  x = conv('conv2d_1', FILTERS, 'relu').apply(x) as tfn.SymbolicTensor;
  x = pool('max_pooling2d_1').apply(x) as tfn.SymbolicTensor;
  x = conv('conv2d_2', FILTERS, 'relu').apply(x) as tfn.SymbolicTensor;
  x = upsample('up_sampling2d').apply(x) as tfn.SymbolicTensor;
  x = conv('conv2d_3', FILTERS, 'relu').apply(x) as tfn.SymbolicTensor;
  x = upsample('up_sampling2d_1').apply(x) as tfn.SymbolicTensor;
  const decoded = conv('conv2d_4', 1, 'sigmoid').apply(x) as tfn.SymbolicTensor;

  const model = tf.model({ name: 'functional', inputs: input, outputs: decoded });
  model.compile({
    optimizer: tf.train.adam(learningRate, KERAS_ADAM.beta1, KERAS_ADAM.beta2, KERAS_ADAM.epsilon),
    loss,
  });
  return model;
}
