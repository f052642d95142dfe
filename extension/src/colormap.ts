/**
 * Drawing tensor values on a canvas with the shared colormap tables (@losslens/protocol's colormap.ts,
 * which also colours the kernel's figures), so the canvas shows the same colours as the PNG.
 */

import { type Colormap, colorTable, NON_FINITE_COLOR, tableIndex } from '@losslens/protocol';

export { colorTable, tableIndex, TABLE_SIZE, type ColorTable } from '@losslens/protocol';

/**
 * Paints the `height × width` image starting at `values[offset]` into the RGBA pixels of
 * `target`, keeping every `stride`-th pixel along each side.
 */
export function paintRgba(
  target: Uint8ClampedArray,
  values: Float32Array,
  offset: number,
  height: number,
  width: number,
  range: readonly [number, number],
  colormap: Colormap,
  stride = 1,
): void {
  const table = colorTable(colormap);
  const outWidth = Math.ceil(width / stride);
  const outHeight = Math.ceil(height / stride);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const value = values[offset + y * stride * width + x * stride];
      const out = (y * outWidth + x) * 4;
      if (Number.isFinite(value)) {
        const i = tableIndex(value, range) * 3;
        target[out] = table[i];
        target[out + 1] = table[i + 1];
        target[out + 2] = table[i + 2];
      } else {
        target.set(NON_FINITE_COLOR, out);
      }
      target[out + 3] = 255;
    }
  }
}
