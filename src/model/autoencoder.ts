/**
 * The Keras tutorial's denoising autoencoder as one value: its input size, layer stack, loss,
 * Adam's settings and how its weights start. Training lowers exactly this (training/graph.ts),
 * with the choices Keras makes silently: glorotUniform kernels (one seed per layer, derived from
 * the run's seed), zero biases, Adam with epsilon 1e-7 (tfjs's default is 1e-8), and Keras's
 * layer names. model/layers.ts builds the same model in tfjs-layers where one is wanted (the
 * Keras parity test, the stock benchmark).
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

/** Adam's hyperparameters, named as tfjs's Adam names them. */
export interface AdamConfig {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

/** Keras's defaults for `optimizer='adam'`. */
export const KERAS_ADAM: Readonly<AdamConfig> = Object.freeze({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });

/** One layer of a conv autoencoder, as data. */
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

export interface AutoencoderOptions {
  /** Input height in pixels; a multiple of the layers' total pooling factor (4 for the tutorial's two 2×2 poolings). */
  height: number;
  /** Input width in pixels; likewise. */
  width: number;
  /** Seeds every kernel initialiser, one derived seed per layer. */
  seed: number;
  /** Default binaryCrossentropy. */
  loss?: LossName;
  /** Adam's learning rate; default Keras's 0.001. */
  learningRate?: number;
  /** The layer stack; default the tutorial's. */
  layers?: readonly LayerSpec[];
}

/** One layer of the built model: its Keras name and class, output shape and parameters. */
export interface AutoencoderLayer {
  /** Keras's name: the first of a kind bare ("conv2d"), later ones counted from _1 ("conv2d_1"). */
  name: string;
  /** Keras's class name, as `summary()` prints it. */
  className: 'Conv2D' | 'MaxPooling2D' | 'UpSampling2D';
  spec: LayerSpec;
  /** [height, width, channels] of its output. */
  outputShape: [number, number, number];
  /** Its trainable weights, as in `Autoencoder.weights`. */
  weights: WeightSpec[];
}

/** A trainable weight: its Keras name ("conv2d/kernel") and shape. */
export interface WeightSpec {
  name: string;
  shape: number[];
}

/** The model that trains: everything the training graph, the checkpoints and the summary read. */
export interface Autoencoder {
  height: number;
  width: number;
  loss: LossName;
  adam: AdamConfig;
  /** The seed the initial weights are drawn from. */
  seed: number;
  layers: AutoencoderLayer[];
  /** Every trainable weight in Keras's order (each conv's kernel, then its bias). */
  weights: WeightSpec[];
  /** Trainable parameters: 28,353 for the tutorial's layers at any input size. */
  parameters: number;
}

const KERAS_NAMES = { conv: 'conv2d', maxPool: 'max_pooling2d', upSample: 'up_sampling2d' } as const;
const CLASS_NAMES = { conv: 'Conv2D', maxPool: 'MaxPooling2D', upSample: 'UpSampling2D' } as const;

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
 * The conv autoencoder for `height`×`width`×1 inputs built from `layers` (default: the
 * tutorial's Conv2D 32 → MaxPool 2 → Conv2D 32 → MaxPool 2 → Conv2D 32 → UpSampling 2 →
 * Conv2D 32 → UpSampling 2 → Conv2D 1 sigmoid, 28,353 parameters whatever the input size),
 * trained with `loss` and Keras's Adam. A description: `initialWeights` draws its weights.
 */
export function buildAutoencoder(options: AutoencoderOptions): Autoencoder {
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
  let shape: [number, number, number] = [height, width, 1];
  const built = layers.map((spec): AutoencoderLayer => {
    const n = counts[spec.kind]++;
    const name = n === 0 ? KERAS_NAMES[spec.kind] : `${KERAS_NAMES[spec.kind]}_${n}`;
    const [h, w, channels] = shape;
    let weights: WeightSpec[] = [];
    if (spec.kind === 'conv') {
      weights = [
        { name: `${name}/kernel`, shape: [spec.kernelSize, spec.kernelSize, channels, spec.filters] },
        { name: `${name}/bias`, shape: [spec.filters] },
      ];
      shape = [h, w, spec.filters];
    } else if (spec.kind === 'maxPool') {
      shape = [Math.ceil(h / spec.size), Math.ceil(w / spec.size), channels];
    } else {
      shape = [h * spec.size, w * spec.size, channels];
    }
    return { name, className: CLASS_NAMES[spec.kind], spec, outputShape: shape, weights };
  });
  const weights = built.flatMap((layer) => layer.weights);
  return {
    height,
    width,
    loss,
    adam: { ...KERAS_ADAM, learningRate },
    seed,
    layers: built,
    weights,
    parameters: weights.reduce((sum, weight) => sum + weight.shape.reduce((a, b) => a * b, 1), 0),
  };
}

/**
 * The weights training starts from, as Keras's Conv2D makes them: glorotUniform kernels
 * (uniform in ±√(6 / (fan in + fan out)), fans counting the kernel's receptive field), drawn
 * with a seed derived from the model's seed and the layer's name, and zero biases. The caller
 * owns the tensors.
 */
export function initialWeights(model: Autoencoder): tfn.Tensor[] {
  return model.layers.flatMap((layer) => {
    if (layer.weights.length === 0) return [];
    const [kernel, bias] = layer.weights;
    const [kh, kw, inChannels, outChannels] = kernel.shape;
    const limit = Math.sqrt(3 / Math.max(1, (kh * kw * inChannels + kh * kw * outChannels) / 2));
    return [tf.randomUniform(kernel.shape, -limit, limit, 'float32', deriveSeed(model.seed, layer.name)), tf.zeros(bias.shape)];
  });
}
