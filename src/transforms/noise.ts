/**
 * The tutorial's corruption, clip(x + noiseFactor·N(0, 1), 0, 1), drawn from a seeded
 * generator so that one seed always gives the same noisy images.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { createRng } from '../random.js';
import { tf } from '../tf.js';

export interface NoiseOptions {
  /** Standard deviation of the added noise (the tutorial uses 0.5). */
  noiseFactor: number;
  /** Seed of the noise draws: an integer in [0, 2^32). */
  seed: number;
}

export class NoiseError extends Error {
  override name = 'NoiseError';
}

function checkNoiseFactor(noiseFactor: number): void {
  if (!Number.isFinite(noiseFactor) || noiseFactor < 0) {
    throw new NoiseError(`noiseFactor must be a finite number ≥ 0, got ${noiseFactor}`);
  }
}

/** `count` draws of noiseFactor·N(0, 1), the noise that addGaussianNoise adds before clipping. */
export function gaussianNoise(count: number, { noiseFactor, seed }: NoiseOptions): Float32Array {
  checkNoiseFactor(noiseFactor);
  const rng = createRng(seed);
  const noise = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    noise[i] = noiseFactor * rng.normal();
  }
  return noise;
}

/** clip(images + noiseFactor·N(0, 1), 0, 1) with the noise drawn from `seed`, pixel by pixel in row-major order. */
export function addGaussianNoise(images: tfn.Tensor4D, options: NoiseOptions): tfn.Tensor4D {
  const noisy = gaussianNoise(images.size, options);
  // One pass in place: tf.add + tf.clipByValue would copy the noise into a tensor and make
  // two more full-size tensors.
  const pixels = images.dataSync();
  for (let i = 0; i < noisy.length; i++) {
    const value = pixels[i] + noisy[i];
    noisy[i] = value < 0 ? 0 : value > 1 ? 1 : value;
  }
  return tf.tensor4d(noisy, images.shape);
}
