/**
 * Inference in batches through the training graph's `evaluate` and `predict` signatures (the
 * same forward pass fit trains), so a 10,000-image test set never needs one giant activation tensor.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import type { BorderWidths } from '@losslens/protocol/border';
import type { Autoencoder } from '../model/autoencoder.js';
import { graphSession, weightInputs } from './session.js';

/** A model with weights: what fit returns, and what evaluation and prediction run. */
export interface TrainedAutoencoder {
  model: Autoencoder;
  /** In the model's weight order (Autoencoder.weights). */
  weights: readonly tfn.Tensor[];
}

function checkBatchSize(batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  }
}

/**
 * Mean of the model's loss over every pixel of every sample, as Keras's `evaluate` reports it
 * (over the pixels inside `lossBorder` only when given, as fit trained with it).
 */
export async function evaluate(
  trained: TrainedAutoencoder,
  inputs: tfn.Tensor4D,
  targets: tfn.Tensor4D,
  batchSize: number,
  lossBorder: BorderWidths | null = null,
): Promise<number> {
  checkBatchSize(batchSize);
  if (inputs.shape[0] !== targets.shape[0] || inputs.shape[0] === 0) {
    throw new RangeError(
      `evaluate: inputs and targets need the same, non-zero number of samples, got ${inputs.shape[0]} and ${targets.shape[0]}`,
    );
  }
  const session = await graphSession(trained.model, lossBorder);
  const weights = weightInputs(session, trained.weights);
  const samples = inputs.shape[0];
  let total = 0;
  for (let start = 0; start < samples; start += batchSize) {
    const size = Math.min(batchSize, samples - start);
    const x = tf.slice(inputs, start, size);
    const y = tf.slice(targets, start, size);
    const { loss } = session.evaluate.predict({ ...weights, x, y }) as tfn.NamedTensorMap;
    total += loss.dataSync()[0] * size;
    tf.dispose([x, y, loss]);
  }
  return total / samples;
}

/** The model's outputs (after the sigmoid) for every input, computed `batchSize` at a time. */
export async function predict(trained: TrainedAutoencoder, inputs: tfn.Tensor4D, batchSize: number): Promise<tfn.Tensor4D> {
  checkBatchSize(batchSize);
  const session = await graphSession(trained.model);
  const weights = weightInputs(session, trained.weights);
  const parts: tfn.Tensor4D[] = [];
  for (let start = 0; start < inputs.shape[0]; start += batchSize) {
    const x = tf.slice(inputs, start, Math.min(batchSize, inputs.shape[0] - start));
    parts.push((session.predict.predict({ ...weights, x }) as tfn.NamedTensorMap).prediction as tfn.Tensor4D);
    x.dispose();
  }
  if (parts.length === 1) return parts[0];
  const whole = tf.concat(parts);
  tf.dispose(parts);
  return whole;
}
