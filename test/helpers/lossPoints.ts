import type { LossPoint } from '@losslens/protocol';

/** Two runs (28×28 and 32×32 edge), three training epochs each, for loss-plot tests. */
export function twoRunPoints(): LossPoint[] {
  const rows: LossPoint[] = [];
  for (const [run, pixels, start] of [
    ['28×28', 784, 0.2],
    ['32×32 edge', 1024, 0.15],
  ] as const) {
    for (let epoch = 1; epoch <= 3; epoch++) {
      const perPixel = start / epoch;
      rows.push({ run, epoch, split: 'train', perPixel, pixels, perImage: perPixel * pixels });
    }
  }
  return rows;
}
