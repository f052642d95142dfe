/**
 * evaluate and predict through the training graph, against the same model in tfjs-layers
 * (toLayersModel) with the same weights.
 */
import { describe, expect, it } from 'vitest';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { buildAutoencoder, initialWeights, type AutoencoderOptions } from '../../src/model/autoencoder.js';
import { toLayersModel } from '../../src/model/layers.js';
import { evaluate, predict } from '../../src/training/evaluate.js';

/** A model with its initial weights, and the same model in tfjs-layers as the reference. */
function withReference(options: AutoencoderOptions) {
  const model = buildAutoencoder(options);
  const weights = initialWeights(model);
  const reference = toLayersModel(model, weights);
  return {
    trained: { model, weights },
    reference,
    dispose: () => {
      tf.dispose(weights);
      reference.dispose();
    },
  };
}

describe('evaluate and predict', () => {
  const inputs = tf.randomUniform<tfn.Rank.R4>([37, 16, 16, 1], 0, 1, 'float32', 1);
  const targets = tf.tidy(() => tf.cast(tf.greater(inputs, 0.5), 'float32')) as tfn.Tensor4D;

  it('predict in batches equals one tfjs-layers predict over everything', async () => {
    const { trained, reference, dispose } = withReference({ height: 16, width: 16, seed: 1 });
    const batched = await predict(trained, inputs, 10);
    const whole = reference.predict(inputs) as tfn.Tensor4D;
    expect(batched.shape).toEqual([37, 16, 16, 1]);
    expect(tf.max(tf.abs(tf.sub(batched, whole))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([batched, whole]);
    dispose();
  });

  it('evaluate is the per-pixel mean binary cross-entropy of the predictions, whatever the batch size', async () => {
    const { trained, reference, dispose } = withReference({ height: 16, width: 16, seed: 2 });
    const expected = tf.tidy(() => {
      const p = reference.predict(inputs) as tfn.Tensor;
      return tf.neg(tf.mean(tf.add(tf.mul(targets, tf.log(p)), tf.mul(tf.sub(1, targets), tf.log(tf.sub(1, p)))))).dataSync()[0];
    });
    expect(await evaluate(trained, inputs, targets, 8)).toBeCloseTo(expected, 5);
    expect(await evaluate(trained, inputs, targets, 37)).toBeCloseTo(expected, 5);
    dispose();
  });

  it("evaluate uses the model's loss: mean squared error when built with it", async () => {
    const { trained, reference, dispose } = withReference({ height: 16, width: 16, seed: 2, loss: 'meanSquaredError' });
    const expected = tf.tidy(() => tf.mean(tf.squaredDifference(reference.predict(inputs) as tfn.Tensor, targets)).dataSync()[0]);
    expect(await evaluate(trained, inputs, targets, 16)).toBeCloseTo(expected, 6);
    dispose();
  });

  it('leaks no tensors', async () => {
    const model = buildAutoencoder({ height: 16, width: 16, seed: 3 });
    const weights = initialWeights(model);
    const before = tf.memory().numTensors;
    await evaluate({ model, weights }, inputs, targets, 8);
    tf.dispose(await predict({ model, weights }, inputs, 8));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(weights);
  });
});
