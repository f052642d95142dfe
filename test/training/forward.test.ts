import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { buildAutoencoder } from '../../src/model/autoencoder.js';
import { forwardLogits } from '../../src/training/forward.js';
import { batchLoss } from '../../src/training/losses.js';
import { hasOneDnnPooling, oneDnnMaxPool } from '../../src/training/nativeOps.js';

const maxAbs = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** The same loss through tfjs-layers' own layers and gradients: the reference the native ops must match. */
function layersLogits(model: tf.LayersModel, x: tf.Tensor4D): tf.Tensor4D {
  const layers = model.layers;
  let hidden: tf.Tensor = x;
  for (const layer of layers.slice(1, -1)) hidden = layer.apply(hidden) as tf.Tensor;
  const [kernel, bias] = layers[layers.length - 1].getWeights();
  return tf.fused.conv2d({ x: hidden as tf.Tensor4D, filter: kernel as tf.Tensor4D, bias, strides: 1, pad: 'same' });
}

const bce = (logits: tf.Tensor, y: tf.Tensor) =>
  tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))) as tf.Scalar;

describe('forwardLogits', () => {
  it('is the output before the final sigmoid', () => {
    const model = buildAutoencoder({ height: 32, width: 32, seed: 2 });
    const x = tf.randomUniform([3, 32, 32, 1], 0, 1, 'float32', 11) as tf.Tensor4D;
    const gap = tf.tidy(() => maxAbs(model.predict(x) as tf.Tensor, tf.sigmoid(forwardLogits(model, x))));
    expect(gap).toBeLessThan(1e-6);
    x.dispose();
    model.dispose();
  });

  it("gives the same loss gradients as tfjs-layers' own path", () => {
    const model = buildAutoencoder({ height: 16, width: 16, seed: 4 });
    const x = tf.randomUniform([6, 16, 16, 1], 0, 1, 'float32', 12) as tf.Tensor4D;
    const y = tf.tidy(() => tf.cast(tf.greater(x, 0.6), 'float32')) as tf.Tensor4D;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ours = tf.variableGrads(() => bce(forwardLogits(model, x), y), variables);
    const reference = tf.variableGrads(() => bce(layersLogits(model, x), y), variables);
    expect(Math.abs(ours.value.dataSync()[0] - reference.value.dataSync()[0])).toBeLessThan(1e-6);
    for (const variable of variables) {
      const scale = tf.tidy(() => tf.max(tf.abs(reference.grads[variable.name])).dataSync()[0]);
      expect(scale).toBeGreaterThan(0);
      expect(maxAbs(ours.grads[variable.name], reference.grads[variable.name])).toBeLessThan(1e-5 * scale);
    }
    tf.dispose([x, y, ours.value, reference.value, ...Object.values(ours.grads), ...Object.values(reference.grads)]);
    model.dispose();
  });
});

describe('oneDnnMaxPool', () => {
  it('is available in the libtensorflow losslens builds against', () => {
    expect(hasOneDnnPooling()).toBe(true);
  });

  it.each([
    ['same', [4, 8, 12, 3]],
    ['same', [2, 7, 5, 2]],
    ['valid', [2, 7, 6, 2]],
  ] as const)('pools like tf.maxPool and routes gradients exactly like MaxPoolGrad, ties included (%s, %j)', (padding, shape) => {
    // Small integers after a ReLU: most windows hold repeated maxima (zeros, ones, twos).
    const x = tf.tidy(() => tf.relu(tf.round(tf.randomNormal([...shape], 0, 1.5, 'float32', 3)))) as tf.Tensor4D;
    const reference = (t: tf.Tensor4D) => tf.maxPool(t, 2, 2, padding);
    const ours = (t: tf.Tensor4D) => oneDnnMaxPool(t, { poolSize: [2, 2], strides: [2, 2], padding });
    const pooled = reference(x);
    const weights = tf.randomNormal(pooled.shape, 0, 1, 'float32', 4);
    const gradient = (pool: (t: tf.Tensor4D) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(pool(t as tf.Tensor4D), weights)))(x);
    const [oursGradient, referenceGradient] = [gradient(ours), gradient(reference)];
    expect(maxAbs(ours(x), pooled)).toBe(0);
    expect(Array.from(oursGradient.dataSync())).toEqual(Array.from(referenceGradient.dataSync()));
    tf.dispose([x, pooled, weights, oursGradient, referenceGradient]);
  });
});

describe('the binary cross-entropy gradient', () => {
  it('equals autodiff through the stable formula', () => {
    const model = buildAutoencoder({ height: 8, width: 8, seed: 6 });
    const x = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 21) as tf.Tensor4D;
    const y = tf.randomUniform([5, 8, 8, 1], 0, 1, 'float32', 22) as tf.Tensor4D;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ours = tf.variableGrads(() => batchLoss(model, 'binaryCrossentropy', x, y), variables);
    const reference = tf.variableGrads(() => bce(forwardLogits(model, x), y), variables);
    expect(ours.value.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 7);
    for (const variable of variables) {
      const scale = tf.tidy(() => tf.max(tf.abs(reference.grads[variable.name])).dataSync()[0]);
      expect(maxAbs(ours.grads[variable.name], reference.grads[variable.name])).toBeLessThan(1e-5 * scale);
    }
    tf.dispose([x, y, ours.value, reference.value, ...Object.values(ours.grads), ...Object.values(reference.grads)]);
    model.dispose();
  });
});
