/**
 * Padding of the height and width of NHWC image batches with numpy's `np.pad` semantics,
 * so that `pad(x, 2, 'edge')` is the question's `np.pad(x, ((2, 2), (2, 2), (0, 0)), mode='edge')`,
 * and its inverse `crop`.
 *
 * tf.pad covers 'constant'. tf.mirrorPad covers 'reflect' and 'symmetric' only for widths
 * below (or up to) the image size, where numpy goes on reflecting, and nothing in tfjs
 * does 'edge'. So those three modes are one gather per axis with an index map that says
 * which source row (column) each padded row (column) copies, computed as numpy defines it.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { borderWidths, type BorderWidths } from '@losslens/protocol/border';
import { tf } from '../tf.js';

export type PadMode = 'edge' | 'constant' | 'reflect' | 'symmetric';
export const PAD_MODES: readonly PadMode[] = ['edge', 'constant', 'reflect', 'symmetric'];

export class PadError extends Error {
  override name = 'PadError';
}

function checkRank4(images: tfn.Tensor, operation: string): void {
  if (images.rank !== 4) {
    throw new PadError(`${operation} expects images shaped [n, height, width, channels], got shape [${images.shape.join(', ')}]`);
  }
}

/**
 * For an axis of `size` padded by `before` and `after`, the source index of every output
 * position under numpy's rule for `mode` (wide reflections repeat with period 2(size-1)
 * for 'reflect' and 2·size for 'symmetric').
 */
function sourceIndices(size: number, before: number, after: number, mode: Exclude<PadMode, 'constant'>): Int32Array {
  const indices = new Int32Array(before + size + after);
  const period = mode === 'reflect' ? 2 * (size - 1) : 2 * size;
  for (let out = 0; out < indices.length; out++) {
    const position = out - before;
    if (mode === 'edge' || period === 0) {
      // numpy pads a length-1 axis in 'reflect' mode by repeating its one value, like 'edge'.
      indices[out] = Math.min(Math.max(position, 0), size - 1);
      continue;
    }
    const phase = ((position % period) + period) % period;
    indices[out] = phase < size ? phase : mode === 'reflect' ? period - phase : period - 1 - phase;
  }
  return indices;
}

/** Pad the height and width of NHWC `images` like `np.pad(images, ((0,0), (top,bottom), (left,right), (0,0)), mode)`. */
export function pad(images: tfn.Tensor4D, width: number | BorderWidths, mode: PadMode, constantValue = 0): tfn.Tensor4D {
  checkRank4(images, 'pad');
  if (!PAD_MODES.includes(mode)) {
    throw new PadError(`unknown pad mode '${String(mode)}'; use one of ${PAD_MODES.map((each) => `'${each}'`).join(', ')}`);
  }
  const { top, bottom, left, right } = borderWidths(width, 'pad width');
  const [, height, imageWidth] = images.shape;
  if (mode === 'constant') {
    return tf.pad(
      images,
      [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      constantValue,
    );
  }
  if ((height === 0 && top + bottom > 0) || (imageWidth === 0 && left + right > 0)) {
    throw new PadError(`cannot '${mode}'-pad images of size ${height}×${imageWidth}: there is no pixel to copy from`);
  }
  return tf.tidy(() => {
    const rows = tf.gather(images, tf.tensor1d(sourceIndices(height, top, bottom, mode), 'int32'), 1);
    return tf.gather(rows, tf.tensor1d(sourceIndices(imageWidth, left, right, mode), 'int32'), 2);
  });
}

/** Remove the given border from the height and width of NHWC `images`: `crop(pad(x, w, mode), w)` is `x`. */
export function crop(images: tfn.Tensor4D, width: number | BorderWidths): tfn.Tensor4D {
  checkRank4(images, 'crop');
  const { top, bottom, left, right } = borderWidths(width, 'pad width');
  const [count, height, imageWidth, channels] = images.shape;
  if (top + bottom > height || left + right > imageWidth) {
    throw new PadError(
      `cannot crop top ${top} + bottom ${bottom} rows and left ${left} + right ${right} columns from images of size ${height}×${imageWidth}`,
    );
  }
  return tf.slice(images, [0, top, left, 0], [count, height - top - bottom, imageWidth - left - right, channels]);
}
