import { describe, expect, it } from 'vitest';
import { buildAutoencoder, initialWeights } from '../../src/model/autoencoder.js';
import { toLayersModel } from '../../src/model/layers.js';
import { deriveSeed } from '../../src/random.js';
import { tf } from '../../src/tf.js';
import { summary } from '../../src/model/summary.js';

describe('buildAutoencoder', () => {
  it.each([
    [28, 28],
    [32, 32],
  ])('has 28,353 parameters and the input size as output size at %i×%i', (height, width) => {
    const model = buildAutoencoder({ height, width, seed: 1 });
    expect(model.parameters).toBe(28353);
    expect(model.layers.at(-1)!.outputShape).toEqual([height, width, 1]);
    expect(model.layers.map((layer) => layer.name)).toEqual([
      'conv2d',
      'max_pooling2d',
      'conv2d_1',
      'max_pooling2d_1',
      'conv2d_2',
      'up_sampling2d',
      'conv2d_3',
      'up_sampling2d_1',
      'conv2d_4',
    ]);
  });

  it('describes the model tfjs-layers builds from it: the same layers, shapes and parameters', () => {
    const model = buildAutoencoder({ height: 32, width: 32, seed: 1 });
    const layers = toLayersModel(model);
    expect(layers.countParams()).toBe(model.parameters);
    expect(layers.layers.slice(1).map((layer) => [layer.name, layer.getClassName(), (layer.outputShape as number[]).slice(1)])).toEqual(
      model.layers.map((layer) => [layer.name, layer.className, layer.outputShape]),
    );
    expect(layers.trainableWeights.map((w) => [w.originalName, w.shape])).toEqual(model.weights.map((w) => [w.name, w.shape]));
    layers.dispose();
  });

  it('rejects sizes that are not multiples of 4 with a message that says how to fix them', () => {
    expect(() => buildAutoencoder({ height: 30, width: 32, seed: 1 })).toThrow(/height must be a positive multiple of 4.*got 30/);
    expect(() => buildAutoencoder({ height: 32, width: 6, seed: 1 })).toThrow(/width must be a positive multiple of 4/);
  });

  it("initialises like Keras: glorotUniform kernels within the Glorot limit, zero biases, and Keras's Adam", () => {
    const model = buildAutoencoder({ height: 28, width: 28, seed: 5 });
    const weights = initialWeights(model);
    model.weights.forEach((spec, i) => {
      const values = weights[i].dataSync();
      if (spec.name.endsWith('/bias')) {
        expect(Array.from(values).every((b) => b === 0)).toBe(true);
        return;
      }
      const [kh, kw, inChannels, outChannels] = spec.shape;
      const limit = Math.sqrt(6 / (kh * kw * inChannels + kh * kw * outChannels));
      expect(Math.max(...values.map(Math.abs))).toBeLessThanOrEqual(limit);
      // A uniform draw fills its range; a glorotNormal (truncated at 2σ) one would stay well inside.
      expect(Math.max(...values.map(Math.abs))).toBeGreaterThan(0.9 * limit);
    });
    expect(model.adam).toEqual({ learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 });
    expect(model.loss).toBe('binaryCrossentropy');
    tf.dispose(weights);
  });

  it("draws the weights tfjs-layers' glorotUniform draws with the same seeds", () => {
    const model = buildAutoencoder({ height: 16, width: 16, seed: 3 });
    const ours = initialWeights(model);
    const kernel = tf.initializers.glorotUniform({ seed: deriveSeed(3, 'conv2d_1') }).apply(model.weights[2].shape);
    expect(Array.from(ours[2].dataSync())).toEqual(Array.from(kernel.dataSync()));
    tf.dispose([...ours, kernel]);
  });

  it('is seeded: same seed, same weights; another seed, other weights', () => {
    const weights = (seed: number) => {
      const tensors = initialWeights(buildAutoencoder({ height: 28, width: 28, seed }));
      const values = tensors.map((w) => Array.from(w.dataSync()));
      tf.dispose(tensors);
      return values;
    };
    const first = weights(7);
    expect(weights(7)).toEqual(first);
    expect(weights(8)[0]).not.toEqual(first[0]);
    // Each layer draws from its own derived seed.
    expect(first[2].slice(0, 9)).not.toEqual(first[4].slice(0, 9));
  });
});

describe('summary', () => {
  it("prints Keras's table with output shapes, parameter counts and totals", () => {
    const model = buildAutoencoder({ height: 32, width: 32, seed: 1 });
    const text = summary(model);
    const lines = text.split('\n');
    expect(lines[0]).toBe('Model: "functional"');
    expect(lines[2]).toMatch(/^Layer \(type\)\s+Output Shape\s+Param #$/);
    expect(text).toMatch(/\ninput_layer \(InputLayer\)\s+\(None, 32, 32, 1\)\s+0\n/);
    expect(text).toMatch(/\nconv2d \(Conv2D\)\s+\(None, 32, 32, 32\)\s+320\n/);
    expect(text).toMatch(/\nmax_pooling2d_1 \(MaxPooling2D\)\s+\(None, 8, 8, 32\)\s+0\n/);
    expect(text).toMatch(/\nconv2d_1 \(Conv2D\)\s+\(None, 16, 16, 32\)\s+9,248\n/);
    expect(text).toMatch(/\nconv2d_4 \(Conv2D\)\s+\(None, 32, 32, 1\)\s+289\n=+\n/);
    expect(text.endsWith('Total params: 28,353\nTrainable params: 28,353\nNon-trainable params: 0')).toBe(true);
    // Columns line up: every shape starts at the same offset.
    const offsets = lines.filter((l) => /\(None/.test(l)).map((l) => l.indexOf('(None'));
    expect(new Set(offsets).size).toBe(1);
  });
});
