/** Inference in batches, so a 10,000-image test set never needs one giant activation tensor. */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { batchLoss, compiledLoss } from './losses.js';

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}

/** Mean of the model's compiled loss over every pixel of every sample, as Keras's `evaluate` reports it. */
export async function evaluate(model: tfn.LayersModel, inputs: tfn.Tensor4D, targets: tfn.Tensor4D, batchSize: number): Promise<number> {
  checkBatchSize(batchSize);
  if (inputs.shape[0] !== targets.shape[0] || inputs.shape[0] === 0) {
    throw new RangeError(`evaluate: inputs and targets need the same, non-zero number of samples, got ${inputs.shape[0]} and ${targets.shape[0]}`);
  }
  const loss = compiledLoss(model);
  const samples = inputs.shape[0];
  let total = tf.scalar(0);
  for (let start = 0; start < samples; start += batchSize) {
    const size = Math.min(batchSize, samples - start);
    const next = tf.tidy(() => {
      const x = tf.slice(inputs, start, size);
      const y = tf.slice(targets, start, size);
      return tf.add(total, tf.mul(batchLoss(model, loss, x, y), size)) as tfn.Scalar;
    });
    total.dispose();
    total = next;
  }
  const sum = (await total.data())[0];
  total.dispose();
  return sum / samples;
}

/** The model's outputs (after the sigmoid) for every input, computed `batchSize` at a time. */
export function predict(model: tfn.LayersModel, inputs: tfn.Tensor4D, batchSize: number): tfn.Tensor4D {
  checkBatchSize(batchSize);
  return tf.tidy(() => {
    const parts: tfn.Tensor4D[] = [];
    for (let start = 0; start < inputs.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, inputs.shape[0] - start);
      parts.push(model.apply(tf.slice(inputs, start, size), { training: false }) as tfn.Tensor4D);
    }
    return parts.length === 1 ? parts[0] : tf.concat(parts);
  });
}
