import type * as tfn from '@tensorflow/tfjs-node';
import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { addGaussianNoise, gaussianNoise, NoiseError } from '../../src/transforms/noise.js';
import { runPython } from '../helpers/python.js';

function constantImages(value: number, count: number, size: number): tfn.Tensor4D {
  return tf.fill<tfn.Rank.R4>([count, size, size, 1], value);
}

function meanAndStd(values: ArrayLike<number>): { mean: number; std: number } {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  const mean = sum / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) squares += (values[i] - mean) ** 2;
  return { mean, std: Math.sqrt(squares / values.length) };
}

const draws = 100 * 32 * 32;

describe('gaussianNoise', () => {
  it('has mean 0 and standard deviation noiseFactor', () => {
    const { mean, std } = meanAndStd(gaussianNoise(draws, { noiseFactor: 0.5, seed: 11 }));
    // Five standard errors: the mean's is 0.5/√n, the standard deviation's about 0.5/√(2n).
    expect(Math.abs(mean)).toBeLessThan((5 * 0.5) / Math.sqrt(draws));
    expect(Math.abs(std - 0.5)).toBeLessThan((5 * 0.5) / Math.sqrt(2 * draws));
  });

  it('is normal out into the tails: P(|z| > k) matches erfc(k/√2)', () => {
    const bounds = [0.25, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4];
    const probabilities = JSON.parse(
      runPython(
        `import json, math, sys\nprint(json.dumps([math.erfc(float(k) / math.sqrt(2)) for k in sys.argv[1:]]))`,
        bounds.map(String),
      ),
    ) as number[];
    const count = 2_000_000;
    const noise = gaussianNoise(count, { noiseFactor: 1, seed: 12 });
    bounds.forEach((bound, i) => {
      const observed = noise.filter((value) => Math.abs(value) > bound).length;
      const expected = count * probabilities[i];
      // Five binomial standard errors, and one count of slack for the far tail.
      expect(Math.abs(observed - expected)).toBeLessThan(5 * Math.sqrt(expected * (1 - probabilities[i])) + 1);
    });
    const negative = noise.filter((value) => value < 0).length;
    expect(Math.abs(negative - count / 2)).toBeLessThan(5 * Math.sqrt(count / 4));
  });

  it('is the same for the same seed and different for another', () => {
    const first = gaussianNoise(1000, { noiseFactor: 0.5, seed: 3 });
    expect(gaussianNoise(1000, { noiseFactor: 0.5, seed: 3 })).toEqual(first);
    const other = gaussianNoise(1000, { noiseFactor: 0.5, seed: 4 });
    expect(other.filter((value, i) => value === first[i]).length).toBe(0);
  });

  it('rejects a negative or non-finite noise factor', () => {
    expect(() => gaussianNoise(1, { noiseFactor: -0.1, seed: 0 })).toThrow(
      new NoiseError('noiseFactor must be a finite number ≥ 0, got -0.1'),
    );
    expect(() => gaussianNoise(1, { noiseFactor: Number.NaN, seed: 0 })).toThrow('got NaN');
  });
});

describe('addGaussianNoise', () => {
  it('is clip(x + noise, 0, 1) with the noise of the same seed, pixel by pixel', () => {
    const images = constantImages(0.5, 10, 32);
    const noisy = addGaussianNoise(images, { noiseFactor: 0.5, seed: 21 });
    const noise = gaussianNoise(images.size, { noiseFactor: 0.5, seed: 21 });
    const expected = Array.from(noise, (value) => Math.min(1, Math.max(0, Math.fround(0.5 + value))));
    expect(noisy.shape).toEqual(images.shape);
    expect(Array.from(noisy.dataSync())).toEqual(expected);
    tf.dispose([images, noisy]);
  });

  it('gives identical images for the same seed across calls', () => {
    const images = constantImages(0.25, 4, 28);
    const first = addGaussianNoise(images, { noiseFactor: 0.5, seed: 5 });
    const second = addGaussianNoise(images, { noiseFactor: 0.5, seed: 5 });
    const third = addGaussianNoise(images, { noiseFactor: 0.5, seed: 6 });
    expect(second.dataSync()).toEqual(first.dataSync());
    expect(third.dataSync()).not.toEqual(first.dataSync());
    tf.dispose([images, first, second, third]);
  });

  it('has the statistics of a normal clipped at one standard deviation on a 0.5 image', () => {
    // With noiseFactor 0.5 the bounds 0 and 1 sit at ±1σ: the clipped value keeps mean 0.5
    // and has variance (0.5)²·(1 − 2φ(1)), φ the standard normal density.
    const images = constantImages(0.5, 100, 32);
    const noisy = addGaussianNoise(images, { noiseFactor: 0.5, seed: 8 });
    const { mean, std } = meanAndStd(noisy.dataSync());
    const density = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
    const clippedStd = 0.5 * Math.sqrt(1 - 2 * density);
    expect(Math.abs(mean - 0.5)).toBeLessThan((5 * clippedStd) / Math.sqrt(draws));
    expect(Math.abs(std - clippedStd)).toBeLessThan(0.005);
    tf.dispose([images, noisy]);
  });

  it('with noiseFactor 0 returns the images unchanged', () => {
    const images = tf.tensor4d([0, 0.3, 0.7, 1], [1, 2, 2, 1]);
    const noisy = addGaussianNoise(images, { noiseFactor: 0, seed: 1 });
    expect(noisy.dataSync()).toEqual(images.dataSync());
    tf.dispose([images, noisy]);
  });

  it('leaks no tensors', () => {
    const images = constantImages(0.5, 2, 4);
    const before = tf.memory().numTensors;
    addGaussianNoise(images, { noiseFactor: 0.5, seed: 1 }).dispose();
    expect(tf.memory().numTensors).toBe(before);
    images.dispose();
  });
});
