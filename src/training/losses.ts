/**
 * The training loss as Keras computes it for this model: binary cross-entropy from the
 * logits under the final sigmoid (Keras detects the sigmoid and does the same), or mean
 * squared error on the sigmoid's output. Both are means over every pixel of the batch.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { LOSS_NAMES, type LossName } from '../model/autoencoder.js';
import { forwardLogits } from './forward.js';

/** The loss the model was compiled with, checked to be one losslens trains with. */
export function compiledLoss(model: tfn.LayersModel): LossName {
  const loss = model.loss as unknown;
  if (typeof loss !== 'string' || !(LOSS_NAMES as readonly string[]).includes(loss)) {
    throw new TypeError(
      `the model must be compiled with one of ${LOSS_NAMES.join(', ')} (as buildAutoencoder does), got ${String(loss)}`,
    );
  }
  return loss as LossName;
}

/**
 * max(z, 0) − z·y + log(1 + e^−|z|), the stable form of −y·log σ(z) − (1−y)·log(1−σ(z)),
 * averaged. Its gradient is written out as (σ(z) − y)/n: autodiff through the stable form
 * takes a dozen full-size ops (abs, step, select, …) for the same number.
 */
function binaryCrossentropyFromLogits(targets: tfn.Tensor, logits: tfn.Tensor): tfn.Scalar {
  const op = tf.customGrad(((z: tfn.Tensor, save: tfn.GradSaveFunc) => {
    save([z]);
    return {
      value: tf.mean(tf.add(tf.sub(tf.relu(z), tf.mul(z, targets)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))))),
      gradFunc: (dy: tfn.Tensor, [saved]: tfn.Tensor[]) => tf.mul(tf.sub(tf.sigmoid(saved), targets), tf.div(dy, saved.size)),
    };
  }) as Parameters<typeof tf.customGrad>[0]);
  return op(logits) as tfn.Scalar;
}

export function batchLoss(model: tfn.LayersModel, loss: LossName, inputs: tfn.Tensor4D, targets: tfn.Tensor4D): tfn.Scalar {
  return tf.tidy(() => {
    const logits = forwardLogits(model, inputs);
    return loss === 'binaryCrossentropy'
      ? binaryCrossentropyFromLogits(targets, logits)
      : tf.mean(tf.squaredDifference(tf.sigmoid(logits), targets));
  });
}
