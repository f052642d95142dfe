/**
 * The loss of one pixel, split into the part no prediction can remove (the floor) and
 * the part a better model could remove (the excess). Scalar float64 functions: the
 * ledger sums millions of them, and float32 tensors would blur the identities
 * loss = floor + excess that the ledger is there to show.
 */

import type { LossName } from '../model/autoencoder.js';

/**
 * Keras's fuzz factor (`keras.backend.epsilon()`, tfjs-layers `epsilon()`): both clip
 * predictions to [ε, 1 − ε] before taking logs, so a saturated sigmoid costs
 * −log(ε) ≈ 16.1 rather than infinity. Using the same clip makes the ledger's mean
 * equal to `model.evaluate`.
 */
export const KERAS_EPSILON = 1e-7;

export interface PixelLoss {
  /** The loss of predicting `p` for target `y`, as the training loss computes it. */
  loss(y: number, p: number): number;
  /** The smallest loss any prediction can reach for target `y`. */
  floor(y: number): number;
  /** loss − floor, computed on its own so that the identity can be checked. */
  excess(y: number, p: number): number;
}

function clipProbability(p: number): number {
  return p < KERAS_EPSILON ? KERAS_EPSILON : p > 1 - KERAS_EPSILON ? 1 - KERAS_EPSILON : p;
}

/** a·log(a/b) with the limit 0 at a = 0 (a pixel that is exactly black or white). */
function relativeEntropyTerm(a: number, b: number): number {
  return a === 0 ? 0 : a * Math.log(a / b);
}

/**
 * Binary cross-entropy of a grey target y against a clipped prediction q:
 *   BCE(y, q) = −y·log q − (1−y)·log(1−q) = H(y) + KL(y ‖ q).
 * H(y), the target's own binary entropy, is positive for every grey y (MNIST strokes have
 * anti-aliased edges), so BCE cannot reach 0 even for a perfect reconstruction: that is
 * the floor. KL(y ‖ q) ≥ 0 is what training can still remove. tfjs evaluates the same
 * quantity through logits (log(q/(1−q)) fed to sigmoidCrossEntropyWithLogits); the two
 * agree up to float32 rounding. Keras in Python skips the clip when it can reach the
 * sigmoid's logits; that changes a pixel's loss only where the prediction is within 1e-7
 * of 0 or 1, by at most about 1e-7 on a background pixel.
 */
const binaryCrossentropy: PixelLoss = {
  loss(y, p) {
    const q = clipProbability(p);
    return -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
  },
  floor(y) {
    return -(relativeEntropyTerm(y, 1) + relativeEntropyTerm(1 - y, 1));
  },
  excess(y, p) {
    const q = clipProbability(p);
    return relativeEntropyTerm(y, q) + relativeEntropyTerm(1 - y, 1 - q);
  },
};

/**
 * Squared error is a distance, not a cross-entropy: predicting p = y costs exactly 0 for
 * any grey y, so its floor is 0 and all of it is excess. (A denoiser cannot know y from
 * the noisy input alone, so some error is unavoidable in practice, but that Bayes error
 * depends on the unknown posterior of y given the input and cannot be read off the
 * targets; the ledger reports only what it can compute exactly.) Keras does not clip
 * predictions for MSE, and neither does this.
 */
const meanSquaredError: PixelLoss = {
  loss(y, p) {
    return (y - p) * (y - p);
  },
  floor() {
    return 0;
  },
  excess(y, p) {
    return (y - p) * (y - p);
  },
};

export const PIXEL_LOSSES: Readonly<Record<LossName, PixelLoss>> = { binaryCrossentropy, meanSquaredError };

/** Per-pixel loss of whole images (same layout as the inputs), e.g. for a loss-map panel. */
export function pixelLosses(loss: LossName, targets: ArrayLike<number>, predictions: ArrayLike<number>): Float32Array {
  if (targets.length !== predictions.length) {
    throw new RangeError(`targets have ${targets.length} values but predictions ${predictions.length}; pass matching images`);
  }
  const pixel = PIXEL_LOSSES[loss];
  const out = new Float32Array(targets.length);
  for (let i = 0; i < out.length; i++) out[i] = pixel.loss(targets[i], predictions[i]);
  return out;
}
