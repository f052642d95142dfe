/**
 * The loss ledger: where a reconstruction loss lives. The question's puzzle (per-pixel BCE
 * 0.099 at 28×28 but 0.075 at 32×32, per-image total ≈ 77 in both) is a statement about
 * means versus totals; the ledger reports both, splits the total into the inner 28×28
 * and the padded border ring, and splits each part into the irreducible floor and the
 * learnable excess (see pixelLoss.ts). Every part is summed in float64 from per-pixel
 * values, so the parts add up to the totals to float64 rounding.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { borderWidths, hasInnerRegion, type BorderWidths } from '@losslens/protocol/border';
import { isLossName, lossNameMessage, type LossName } from '../model/autoencoder.js';
import { predict, type TrainedAutoencoder } from '../training/evaluate.js';
import { PIXEL_LOSSES, KERAS_EPSILON } from './pixelLoss.js';

/** One amount of loss, as a mean per pixel and as a contribution to one image's total. */
export interface LossAmount {
  /** Mean over the part's pixels and over all images. */
  perPixel: number;
  /** Sum over the part's pixels, mean over images (= perPixel × pixels). */
  perImage: number;
}

/** The loss of some set of pixels, with its floor + excess split. */
export interface LedgerPart extends LossAmount {
  /** Pixels of one image in this part. */
  pixels: number;
  /** What no prediction can remove: the targets' binary entropy for BCE, 0 for MSE. */
  floor: LossAmount;
  /** What training could still remove: KL(y‖ŷ) for BCE, all of it for MSE. */
  excess: LossAmount;
}

export interface RegionLedger extends LedgerPart {
  /** This region's fraction of the per-image total (inner + border shares = 1). */
  share: number;
}

export interface LossLedger extends LedgerPart {
  loss: LossName;
  /** The probability clip applied before logs (Keras's ε) or null when the loss takes no logs. */
  clip: number | null;
  images: number;
  height: number;
  width: number;
  /** Padding added around the original image, or null when there is none. */
  border: BorderWidths | null;
  regions: {
    /** The original image (the whole image when unpadded). */
    inner: RegionLedger;
    /** The padded ring, or null when the image is not padded. */
    border: RegionLedger | null;
  };
}

/** Per-pixel loss averaged over images, row-major [height × width]. */
export interface LossMaps {
  height: number;
  width: number;
  loss: Float64Array;
  floor: Float64Array;
  excess: Float64Array;
}

export interface LedgerOptions {
  loss: LossName;
  /** Widths of the padding ring (as from borderWidths), or null/absent for unpadded images. */
  border?: BorderWidths | null;
}

export interface LedgerResult {
  ledger: LossLedger;
  maps: LossMaps;
}

function validateBorder(border: BorderWidths, height: number, width: number): void {
  borderWidths(border, 'border');
  if (!hasInnerRegion(border, height, width)) {
    throw new RangeError(
      `border ${JSON.stringify(border)} leaves no inner region in a ${height}×${width} image; ` +
        'pass the widths the images were padded with',
    );
  }
}

function hasBorder(border: BorderWidths | null | undefined): border is BorderWidths {
  return border != null && border.top + border.bottom + border.left + border.right > 0;
}

/** 1 for pixels of the original image, 0 for the padded ring. */
function innerMask(height: number, width: number, border: BorderWidths | null): Uint8Array {
  const mask = new Uint8Array(height * width);
  const top = border?.top ?? 0;
  const left = border?.left ?? 0;
  const bottom = height - (border?.bottom ?? 0);
  const right = width - (border?.right ?? 0);
  for (let row = top; row < bottom; row++) mask.fill(1, row * width + left, row * width + right);
  return mask;
}

/**
 * Accumulates the ledger batch by batch, so a test set of any size passes through in
 * slices without holding every prediction at once.
 */
export class LedgerAccumulator {
  readonly loss: LossName;
  readonly height: number;
  readonly width: number;
  readonly border: BorderWidths | null;
  private readonly lossSum: Float64Array;
  private readonly floorSum: Float64Array;
  private readonly excessSum: Float64Array;
  private images = 0;

  constructor(height: number, width: number, options: LedgerOptions) {
    if (!isLossName(options.loss)) throw new RangeError(lossNameMessage(options.loss));
    if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
      throw new RangeError(`image size must be positive integers, got ${height}×${width}`);
    }
    const border = hasBorder(options.border) ? options.border : null;
    if (border) validateBorder(border, height, width);
    this.loss = options.loss;
    this.height = height;
    this.width = width;
    this.border = border ? { ...border } : null;
    this.lossSum = new Float64Array(height * width);
    this.floorSum = new Float64Array(height * width);
    this.excessSum = new Float64Array(height * width);
  }

  /** Adds `images` single-channel images given as row-major [images × height × width] values. */
  addValues(targets: ArrayLike<number>, predictions: ArrayLike<number>): void {
    const pixels = this.height * this.width;
    if (targets.length !== predictions.length || targets.length % pixels !== 0) {
      throw new RangeError(
        `expected targets and predictions of equal length, a multiple of ${this.height}×${this.width}; ` +
          `got ${targets.length} and ${predictions.length}`,
      );
    }
    const pixel = PIXEL_LOSSES[this.loss];
    const count = targets.length / pixels;
    for (let image = 0; image < count; image++) {
      const offset = image * pixels;
      for (let i = 0; i < pixels; i++) {
        const y = targets[offset + i];
        const p = predictions[offset + i];
        if (!(y >= 0 && y <= 1) || !(p >= 0 && p <= 1)) {
          throw new RangeError(
            `image ${this.images + image}, pixel ${i}: target ${y}, prediction ${p}; both must be in [0, 1] ` +
              '(scale images to [0, 1]; a NaN prediction means the model diverged)',
          );
        }
        this.lossSum[i] += pixel.loss(y, p);
        this.floorSum[i] += pixel.floor(y);
        this.excessSum[i] += pixel.excess(y, p);
      }
    }
    this.images += count;
  }

  /** Adds a batch of NHWC tensors with one channel. */
  add(targets: tfn.Tensor, predictions: tfn.Tensor): void {
    checkImageTensor('targets', targets, this.height, this.width);
    checkImageTensor('predictions', predictions, this.height, this.width);
    if (targets.shape[0] !== predictions.shape[0]) {
      throw new RangeError(`targets hold ${targets.shape[0]} images but predictions ${predictions.shape[0]}`);
    }
    this.addValues(targets.dataSync(), predictions.dataSync());
  }

  finish(): LedgerResult {
    if (this.images === 0) throw new RangeError('the ledger has no images; add at least one batch');
    const { height, width, images } = this;
    const mask = innerMask(height, width, this.border);
    const part = (select: (i: number) => boolean): LedgerPart => {
      let pixels = 0;
      let loss = 0;
      let floor = 0;
      let excess = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!select(i)) continue;
        pixels++;
        loss += this.lossSum[i];
        floor += this.floorSum[i];
        excess += this.excessSum[i];
      }
      const amount = (sum: number): LossAmount => ({ perPixel: sum / (images * pixels), perImage: sum / images });
      return { pixels, ...amount(loss), floor: amount(floor), excess: amount(excess) };
    };
    const total = part(() => true);
    const region = (select: (i: number) => boolean): RegionLedger => {
      const values = part(select);
      return { ...values, share: values.perImage / total.perImage };
    };
    const ledger: LossLedger = {
      loss: this.loss,
      clip: this.loss === 'binaryCrossentropy' ? KERAS_EPSILON : null,
      images,
      height,
      width,
      border: this.border,
      ...total,
      regions: {
        inner: region((i) => mask[i] === 1),
        border: this.border ? region((i) => mask[i] === 0) : null,
      },
    };
    const mean = (sums: Float64Array): Float64Array => sums.map((sum) => sum / images);
    const maps: LossMaps = {
      height,
      width,
      loss: mean(this.lossSum),
      floor: mean(this.floorSum),
      excess: mean(this.excessSum),
    };
    return { ledger, maps };
  }
}

function checkImageTensor(name: string, tensor: tfn.Tensor, height: number, width: number): void {
  const [, h, w, c] = tensor.shape;
  if (tensor.rank !== 4 || h !== height || w !== width || c !== 1) {
    throw new RangeError(`${name} must be [n, ${height}, ${width}, 1] (NHWC, one channel); got [${tensor.shape.join(', ')}]`);
  }
}

function imageSize(name: string, tensor: tfn.Tensor): [number, number] {
  if (tensor.rank !== 4 || tensor.shape[3] !== 1) {
    throw new RangeError(`${name} must be an NHWC tensor [n, height, width, 1]; got [${tensor.shape.join(', ')}]`);
  }
  return [tensor.shape[1] as number, tensor.shape[2] as number];
}

/** Images per slice when walking a test set; 1000 × 32×32 floats is 4 MB per tensor. */
const DEFAULT_SLICE = 1000;

/** The ledger of predictions already in memory (targets first, as in Keras losses). */
export function lossLedger(targets: tfn.Tensor, predictions: tfn.Tensor, options: LedgerOptions & { sliceSize?: number }): LedgerResult {
  const [height, width] = imageSize('targets', targets);
  const accumulator = new LedgerAccumulator(height, width, options);
  const count = targets.shape[0];
  if (predictions.shape[0] !== count) {
    throw new RangeError(`targets hold ${count} images but predictions ${predictions.shape[0]}`);
  }
  const sliceSize = options.sliceSize ?? DEFAULT_SLICE;
  for (let start = 0; start < count; start += sliceSize) {
    const size = Math.min(sliceSize, count - start);
    const targetSlice = targets.slice(start, size);
    const predictionSlice = predictions.slice(start, size);
    try {
      accumulator.add(targetSlice, predictionSlice);
    } finally {
      targetSlice.dispose();
      predictionSlice.dispose();
    }
  }
  return accumulator.finish();
}

export interface ModelLedgerOptions {
  border?: BorderWidths | null;
  /** Images per model call (default 128, Keras's predict default is 32). */
  batchSize?: number;
  /** Images per slice of predictions held at once (default 1000). */
  sliceSize?: number;
}

/**
 * Ledgers of several losses for a model on a data set, from one pass of predictions, one
 * slice at a time so that only one slice of predictions is ever in memory.
 */
export async function modelLossLedgers<L extends LossName>(
  trained: TrainedAutoencoder,
  inputs: tfn.Tensor,
  targets: tfn.Tensor,
  options: ModelLedgerOptions & { losses: readonly L[] },
): Promise<Record<L, LedgerResult>> {
  const [height, width] = imageSize('targets', targets);
  const accumulators = options.losses.map((loss) => new LedgerAccumulator(height, width, { loss, border: options.border }));
  const count = targets.shape[0];
  if (inputs.shape[0] !== count) {
    throw new RangeError(`inputs hold ${inputs.shape[0]} images but targets ${count}`);
  }
  const sliceSize = options.sliceSize ?? DEFAULT_SLICE;
  for (let start = 0; start < count; start += sliceSize) {
    const size = Math.min(sliceSize, count - start);
    const inputSlice = inputs.slice(start, size) as tfn.Tensor4D;
    const targetSlice = targets.slice(start, size);
    const predictionSlice = await predict(trained, inputSlice, options.batchSize ?? 128);
    inputSlice.dispose();
    try {
      for (const accumulator of accumulators) accumulator.add(targetSlice, predictionSlice);
    } finally {
      targetSlice.dispose();
      predictionSlice.dispose();
    }
  }
  return Object.fromEntries(accumulators.map((accumulator) => [accumulator.loss, accumulator.finish()])) as Record<L, LedgerResult>;
}

/** The ledger of one loss for a model on a data set (see modelLossLedgers). */
export async function modelLossLedger(
  trained: TrainedAutoencoder,
  inputs: tfn.Tensor,
  targets: tfn.Tensor,
  options: ModelLedgerOptions & { loss: LossName },
): Promise<LedgerResult> {
  return (await modelLossLedgers(trained, inputs, targets, { ...options, losses: [options.loss] }))[options.loss];
}

/** The maps as [height, width] float32 tensors (the caller disposes them). */
export function lossMapTensors(maps: LossMaps): { loss: tfn.Tensor2D; floor: tfn.Tensor2D; excess: tfn.Tensor2D } {
  const shape: [number, number] = [maps.height, maps.width];
  return {
    loss: tf.tensor2d(Float32Array.from(maps.loss), shape),
    floor: tf.tensor2d(Float32Array.from(maps.floor), shape),
    excess: tf.tensor2d(Float32Array.from(maps.excess), shape),
  };
}
