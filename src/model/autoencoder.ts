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

export function isLossName(value: unknown): value is LossName {
  return typeof value === 'string' && (LOSS_NAMES as readonly string[]).includes(value);
}

/** The one wording of "not a loss losslens trains with", for each place that checks a loss name. */
export function lossNameMessage(value: unknown, what = 'loss'): string {
  return `${what} must be one of ${LOSS_NAMES.join(', ')}, got ${JSON.stringify(value) ?? String(value)}`;
}

export interface AutoencoderOptions {
  /** Input height in pixels; a multiple of the layers' total pooling factor (4 for the tutorial's two 2×2 poolings). */
  height: number;
  /** Input width in pixels; likewise. */
  width: number;
  /** Seeds every kernel initialiser, one derived seed per layer. */
  seed: number;
  loss?: LossName;
  learningRate?: number;
  /** The layer stack; default the tutorial's. */
  layers?: readonly LayerSpec[];
}

/** Keras's defaults for `optimizer='adam'`. */
export const KERAS_ADAM = { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as const;

/** One layer of a conv autoencoder, as data: the graph training lowers and the tfjs-layers model are built from the same list. */
export type LayerSpec =
  | { kind: 'conv'; filters: number; kernelSize: number; activation: 'relu' | 'sigmoid' }
  | { kind: 'maxPool'; size: number }
  | { kind: 'upSample'; size: number };

/** The Keras tutorial's model; the last layer is the sigmoid output. */
export const TUTORIAL_LAYERS: readonly LayerSpec[] = [
  { kind: 'conv', filters: 32, kernelSize: 3, activation: 'relu' },
  { kind: 'maxPool', size: 2 },
  { kind: 'conv', filters: 32, kernelSize: 3, activation: 'relu' },
  { kind: 'maxPool', size: 2 },
  { kind: 'conv', filters: 32, kernelSize: 3, activation: 'relu' },
  { kind: 'upSample', size: 2 },
  { kind: 'conv', filters: 32, kernelSize: 3, activation: 'relu' },
  { kind: 'upSample', size: 2 },
  { kind: 'conv', filters: 1, kernelSize: 3, activation: 'sigmoid' },
];

/** Keras's layer names: the first of a kind has the bare name, later ones count up from _1. */
const KERAS_NAMES = { conv: 'conv2d', maxPool: 'max_pooling2d', upSample: 'up_sampling2d' } as const;

function checkSide(name: 'height' | 'width', value: number, factor: number): void {
  if (!Number.isInteger(value) || value < factor || value % factor !== 0) {
    throw new RangeError(
      `buildAutoencoder: ${name} must be a positive multiple of ${factor} (the model pools by ${factor} in all and ` +
        `upsamples back, so other sizes come back a different size), got ${value}. ` +
        'Pad the images first, e.g. 28 → 32 with a pad width of 2.',
    );
  }
}

function checkLayers(layers: readonly LayerSpec[]): void {
  const last = layers[layers.length - 1];
  if (!last || last.kind !== 'conv' || last.filters !== 1 || last.activation !== 'sigmoid') {
    throw new RangeError('buildAutoencoder: the layer list must end with a 1-filter sigmoid conv (the reconstructed image)');
  }
  const down = layers.reduce((f, l) => (l.kind === 'maxPool' ? f * l.size : f), 1);
  const up = layers.reduce((f, l) => (l.kind === 'upSample' ? f * l.size : f), 1);
  if (down !== up)
    throw new RangeError(`buildAutoencoder: the layers pool by ${down} but upsample by ${up}; the output must have the input's size`);
  if (layers.some((l) => l.kind === 'conv' && l !== last && l.activation !== 'relu')) {
    throw new RangeError('buildAutoencoder: every conv but the last must have a relu activation');
  }
}

/**
 * Builds and compiles a conv autoencoder for `height`×`width`×1 inputs from `layers`
 * (default: the tutorial's Conv2D 32 → MaxPool 2 → Conv2D 32 → MaxPool 2 → Conv2D 32 →
 * UpSampling 2 → Conv2D 32 → UpSampling 2 → Conv2D 1 sigmoid, 28,353 parameters whatever the input size).
 */
export function buildAutoencoder(options: AutoencoderOptions): tfn.LayersModel {
  const { height, width, seed, loss = 'binaryCrossentropy', learningRate = KERAS_ADAM.learningRate, layers = TUTORIAL_LAYERS } = options;
  checkLayers(layers);
  const factor = layers.reduce((f, l) => (l.kind === 'maxPool' ? f * l.size : f), 1);
  checkSide('height', height, factor);
  checkSide('width', width, factor);
  if (!isLossName(loss)) throw new RangeError(`buildAutoencoder: ${lossNameMessage(loss)}`);
  if (!(learningRate > 0 && Number.isFinite(learningRate))) {
    throw new RangeError(`buildAutoencoder: learningRate must be a positive number, got ${learningRate}`);
  }

  const counts = { conv: 0, maxPool: 0, upSample: 0 };
  const nameOf = (kind: LayerSpec['kind']) => {
    const n = counts[kind]++;
    return n === 0 ? KERAS_NAMES[kind] : `${KERAS_NAMES[kind]}_${n}`;
  };
  const layerOf = (spec: LayerSpec) => {
    const name = nameOf(spec.kind);
    switch (spec.kind) {
      case 'conv':
        return tf.layers.conv2d({
          name,
          filters: spec.filters,
          kernelSize: spec.kernelSize,
          padding: 'same',
          activation: spec.activation,
          kernelInitializer: tf.initializers.glorotUniform({ seed: deriveSeed(seed, name) }),
          biasInitializer: 'zeros',
        });
      case 'maxPool':
        return tf.layers.maxPooling2d({ name, poolSize: spec.size, padding: 'same' });
      case 'upSample':
        return tf.layers.upSampling2d({ name, size: [spec.size, spec.size] });
    }
  };

  const input = tf.input({ name: 'input_layer', shape: [height, width, 1] });
  const decoded = layers.reduce<tfn.SymbolicTensor>((x, spec) => layerOf(spec).apply(x) as tfn.SymbolicTensor, input);

  const model = tf.model({ name: 'functional', inputs: input, outputs: decoded });
  model.compile({
    optimizer: tf.train.adam(learningRate, KERAS_ADAM.beta1, KERAS_ADAM.beta2, KERAS_ADAM.epsilon),
    loss,
  });
  return model;
}
