/**
 * Edge padding copies an image's outermost pixels outwards; constant padding adds zeros. The
 * two give the very same input wherever that outermost ring is already zero, which on MNIST is
 * almost every image. So an edge-versus-zero comparison (the dilution curve's two modes,
 * notebook 05's constant-padding family) can only differ through the images counted here.
 */
import type { Tensor4D } from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';

export interface FrameCount {
  /** Images with at least one non-zero pixel on their outermost ring. */
  touching: number;
  images: number;
}

/** How many of `images` ([n, height, width, channels]) have a non-zero pixel on their outermost ring. */
export async function imagesTouchingFrame(images: Tensor4D): Promise<FrameCount> {
  const [n, height, width] = images.shape;
  if (n === 0) return { touching: 0, images: 0 };
  const touching = tf.tidy(() => {
    const ring = [
      images.slice([0, 0, 0, 0], [n, 1, width, -1]),
      images.slice([0, height - 1, 0, 0], [n, 1, width, -1]),
      images.slice([0, 0, 0, 0], [n, height, 1, -1]),
      images.slice([0, 0, width - 1, 0], [n, height, 1, -1]),
    ].map((side) => side.abs().max([1, 2, 3]));
    return tf.stack(ring).max(0).greater(0).sum();
  });
  const [count] = await touching.data();
  touching.dispose();
  return { touching: count, images: n };
}

/** "813 of 60,000 (1.4%)". */
export function describeFrameCount({ touching, images }: FrameCount): string {
  const share = images === 0 ? 0 : (100 * touching) / images;
  return `${touching.toLocaleString('en-US')} of ${images.toLocaleString('en-US')} (${share.toFixed(1)}%)`;
}
