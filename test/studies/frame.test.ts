/**
 * imagesTouchingFrame counts the images whose outermost ring is not all zero: exactly the
 * images for which edge padding and zero padding give different inputs.
 */
import { describe, expect, it } from 'vitest';
import { describeFrameCount, imagesTouchingFrame } from '../../src/studies/frame.js';
import { pad } from '../../src/transforms/pad.js';
import { tf } from '../../src/tf.js';

/** 5×5 images, zero but for the pixels listed as [row, column]. */
function images(...lit: [number, number][][]): ReturnType<typeof tf.tensor4d> {
  const data = new Float32Array(lit.length * 25);
  lit.forEach((pixels, i) => pixels.forEach(([row, column]) => (data[i * 25 + row * 5 + column] = 0.5)));
  return tf.tensor4d(data, [lit.length, 5, 5, 1]);
}

describe('imagesTouchingFrame', () => {
  it('counts an image once whichever side of its ring is lit, and never one lit only inside', async () => {
    const batch = images(
      [],
      [[2, 2]],
      [[0, 3]],
      [[4, 1]],
      [[1, 0]],
      [[3, 4]],
      [
        [0, 0],
        [4, 4],
        [2, 2],
      ],
      [
        [1, 1],
        [3, 3],
      ],
    );
    await expect(imagesTouchingFrame(batch)).resolves.toEqual({ touching: 5, images: 8 });
    batch.dispose();
  });

  it('agrees with where edge and zero padding differ', async () => {
    const batch = images([[2, 2]], [[0, 2]], [], [[4, 4]]);
    const differs = tf.tidy(() =>
      pad(batch, 2, 'edge')
        .sub(pad(batch, 2, 'constant'))
        .abs()
        .max([1, 2, 3])
        .greater(0)
        .sum()
        .arraySync(),
    );
    const { touching } = await imagesTouchingFrame(batch);
    expect(touching).toBe(differs);
    expect(touching).toBe(2);
    batch.dispose();
  });

  it('handles an empty batch and keeps the tensor count flat', async () => {
    const before = tf.memory().numTensors;
    const empty = tf.tensor4d([], [0, 5, 5, 1]);
    await expect(imagesTouchingFrame(empty)).resolves.toEqual({ touching: 0, images: 0 });
    empty.dispose();
    const batch = images([[0, 0]]);
    await imagesTouchingFrame(batch);
    batch.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is described as a count and a share', () => {
    expect(describeFrameCount({ touching: 813, images: 60_000 })).toBe('813 of 60,000 (1.4%)');
    expect(describeFrameCount({ touching: 0, images: 0 })).toBe('0 of 0 (0.0%)');
  });
});
