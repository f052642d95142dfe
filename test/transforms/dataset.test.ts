import { describe, expect, it } from 'vitest';
import { defaultMnistFiles } from '../../src/data/mnist.js';
import { deriveSeed } from '../../src/random.js';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { prepareDataset } from '../../src/transforms/dataset.js';
import { addGaussianNoise } from '../../src/transforms/noise.js';
import { loadMnist } from '../../src/data/mnist.js';
import type { BorderWidths } from '@losslens/protocol';
import { crop, pad } from '../../src/transforms/pad.js';
import { runPython } from '../helpers/python.js';

const limit = 12;

describe('prepareDataset', () => {
  it("pads clean targets like the question's np.pad(x, ((2, 2), (2, 2), (0, 0)), mode='edge')", () => {
    const reference = JSON.parse(
      runPython(
        `import json, sys
import numpy as np
x = np.frombuffer(open(sys.argv[1], 'rb').read(), np.uint8, offset=16).reshape(-1, 28, 28, 1)[:int(sys.argv[2])]
x = x.astype('float32') / 255.
padded = np.array([np.pad(image, ((2, 2), (2, 2), (0, 0)), mode='edge') for image in x])
print(json.dumps(padded.ravel().tolist()))`,
        [defaultMnistFiles('test').images, String(limit)],
      ),
    ) as number[];
    const before = tf.memory().numTensors;
    const { inputs, targets, labels } = prepareDataset({
      split: 'test',
      limit,
      noiseFactor: 0.5,
      seed: 1,
      pad: { width: 2, mode: 'edge' },
    });
    expect(targets.shape).toEqual([limit, 32, 32, 1]);
    expect(Array.from(targets.dataSync())).toEqual(reference);
    expect(labels.length).toBe(limit);
    expect(inputs.shape).toEqual([limit, 32, 32, 1]);
    tf.dispose([inputs, targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("adds the noise after padding, from the split's own seed stream, border included", () => {
    const options = { split: 'train' as const, limit, noiseFactor: 0.5, seed: 42, pad: { width: 2, mode: 'edge' as const } };
    const { inputs, targets } = prepareDataset(options);
    const expected = addGaussianNoise(targets, { noiseFactor: 0.5, seed: deriveSeed(42, 'noise/train') });
    expect(inputs.dataSync()).toEqual(expected.dataSync());
    const again = prepareDataset(options);
    expect(again.inputs.dataSync()).toEqual(inputs.dataSync());
    tf.dispose([inputs, targets, expected, again.inputs, again.targets]);
  });

  it('without pad gives 28×28 noisy inputs and clean targets', () => {
    const { inputs, targets } = prepareDataset({ split: 'test', limit, noiseFactor: 0.5, seed: 1 });
    expect(targets.shape).toEqual([limit, 28, 28, 1]);
    expect(inputs.shape).toEqual([limit, 28, 28, 1]);
    const [min, max] = tf.tidy(() => [inputs.min().dataSync()[0], inputs.max().dataSync()[0]]);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(inputs.dataSync()).not.toEqual(targets.dataSync());
    tf.dispose([inputs, targets]);
  });

  it('leaves no tensor behind when the options are wrong', () => {
    const before = tf.memory().numTensors;
    expect(() => prepareDataset({ split: 'test', limit, noiseFactor: -1, seed: 1, pad: { width: 2, mode: 'edge' } })).toThrow(
      'noiseFactor',
    );
    expect(() => prepareDataset({ split: 'test', limit, noiseFactor: 0.5, seed: 1, pad: { width: -2, mode: 'edge' } })).toThrow(
      'pad width',
    );
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('prepareDataset noise placement', () => {
  const seed = 7;
  /** The original 28×28 test images with the noise every non-default placement draws (one draw per original pixel). */
  function noisyOriginals() {
    const { images } = loadMnist({ split: 'test', limit });
    const noisy = addGaussianNoise(images, { noiseFactor: 0.5, seed: deriveSeed(seed, 'noise/test') });
    images.dispose();
    return noisy;
  }
  const options = (mode: 'edge' | 'constant', noisePlacement: 'originalOnly' | 'beforePadding', width: number | BorderWidths = 2) => ({
    split: 'test' as const,
    limit,
    noiseFactor: 0.5,
    seed,
    pad: { width, mode },
    noisePlacement,
  });
  const values = (t: tfn.Tensor) => Array.from(t.dataSync());

  it("'originalOnly' noises the original pixels and leaves the border as clean as the targets", () => {
    const before = tf.memory().numTensors;
    const { inputs, targets } = prepareDataset(options('edge', 'originalOnly'));
    const seedTargets = prepareDataset({ split: 'test', limit, noiseFactor: 0.5, seed, pad: { width: 2, mode: 'edge' } });
    expect(values(targets)).toEqual(values(seedTargets.targets));
    const noisy = noisyOriginals();
    const inner = crop(inputs, 2);
    expect(values(inner)).toEqual(values(noisy));
    // Every border pixel of the input equals the clean target's.
    const mask = tf.tidy(() =>
      tf.sub(
        1,
        tf.pad(tf.onesLike(noisy), [
          [0, 0],
          [2, 2],
          [2, 2],
          [0, 0],
        ]),
      ),
    );
    const borderDifference = tf.tidy(() => tf.max(tf.abs(tf.mul(tf.sub(inputs, targets), mask))).dataSync()[0]);
    expect(borderDifference).toBe(0);
    expect(values(inputs)).not.toEqual(values(targets));
    tf.dispose([inputs, targets, seedTargets.inputs, seedTargets.targets, noisy, inner, mask]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it("'beforePadding' pads the noisy image, so an edge border copies noisy edge pixels", () => {
    const { inputs, targets } = prepareDataset(options('edge', 'beforePadding'));
    const noisy = noisyOriginals();
    const expected = pad(noisy, 2, 'edge');
    expect(values(inputs)).toEqual(values(expected));
    const pixels = inputs.dataSync();
    // Top-left corner and the row above the image repeat the noisy image's first row.
    expect(pixels[0]).toBe(noisy.dataSync()[0]);
    expect(pixels[2]).toBe(noisy.dataSync()[0]);
    expect(pixels[5]).toBe(noisy.dataSync()[3]);
    const { images } = loadMnist({ split: 'test', limit });
    const cleanTargets = pad(images, 2, 'edge');
    expect(values(targets)).toEqual(values(cleanTargets));
    tf.dispose([inputs, targets, noisy, expected, images, cleanTargets]);
  });

  it('gives the same inputs for both placements with a zero border (why the config folds them)', () => {
    const original = prepareDataset(options('constant', 'originalOnly'));
    const before = prepareDataset(options('constant', 'beforePadding'));
    expect(values(before.inputs)).toEqual(values(original.inputs));
    tf.dispose([original.inputs, original.targets, before.inputs, before.targets]);
  });

  it('follows per-side widths: the original image at (4, 4) of a 32×32 frame', () => {
    const widths = { top: 4, bottom: 0, left: 4, right: 0 };
    const { inputs, targets } = prepareDataset(options('edge', 'originalOnly', widths));
    expect(inputs.shape).toEqual([limit, 32, 32, 1]);
    const noisy = noisyOriginals();
    const inner = crop(inputs, widths);
    expect(values(inner)).toEqual(values(noisy));
    const top = tf.slice(inputs, [0, 0, 0, 0], [limit, 4, 32, 1]);
    const cleanTop = tf.slice(targets, [0, 0, 0, 0], [limit, 4, 32, 1]);
    expect(values(top)).toEqual(values(cleanTop));
    tf.dispose([inputs, targets, noisy, inner, top, cleanTop]);
  });

  it('rejects an unknown placement in one line', () => {
    expect(() => prepareDataset({ ...options('edge', 'originalOnly'), noisePlacement: 'everywhere' as never })).toThrow(
      /^noisePlacement must be one of afterPadding, originalOnly, beforePadding, got "everywhere"$/,
    );
  });
});
