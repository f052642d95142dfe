import { describe, expect, it } from 'vitest';
import { defaultMnistFiles } from '../../src/data/mnist.js';
import { deriveSeed } from '../../src/random.js';
import { tf } from '../../src/tf.js';
import { prepareDataset } from '../../src/transforms/dataset.js';
import { addGaussianNoise } from '../../src/transforms/noise.js';
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
    const { inputs, targets, labels } = prepareDataset({ split: 'test', limit, noiseFactor: 0.5, seed: 1, pad: { width: 2, mode: 'edge' } });
    expect(targets.shape).toEqual([limit, 32, 32, 1]);
    expect(Array.from(targets.dataSync())).toEqual(reference);
    expect(labels.length).toBe(limit);
    expect(inputs.shape).toEqual([limit, 32, 32, 1]);
    tf.dispose([inputs, targets]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('adds the noise after padding, from the split\'s own seed stream, border included', () => {
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
    expect(() => prepareDataset({ split: 'test', limit, noiseFactor: -1, seed: 1, pad: { width: 2, mode: 'edge' } })).toThrow('noiseFactor');
    expect(() => prepareDataset({ split: 'test', limit, noiseFactor: 0.5, seed: 1, pad: { width: -2, mode: 'edge' } })).toThrow('pad width');
    expect(tf.memory().numTensors).toBe(before);
  });
});
