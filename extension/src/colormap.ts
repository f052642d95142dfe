/**
 * The kernel's colormaps (src/shared/colormap.ts, which also colours the PNG fallback)
 * sampled into 256-entry lookup tables, so drawing a pixel is one clamp and one index and
 * the canvas shows the same colours as the PNG.
 */

import { colorOf, NON_FINITE_COLOR } from '../../src/shared/colormap.js';
import type { Colormap } from '../../src/shared/mime.js';

/** RGB triples, 256 × 3 bytes. */
export type ColorTable = Uint8ClampedArray;

export const TABLE_SIZE = 256;

const tables = new Map<Colormap, ColorTable>();

export function colorTable(colormap: Colormap): ColorTable {
  let table = tables.get(colormap);
  if (table === undefined) {
    table = new Uint8ClampedArray(TABLE_SIZE * 3);
    for (let i = 0; i < TABLE_SIZE; i++) table.set(colorOf(colormap, i, [0, TABLE_SIZE - 1]), i * 3);
    tables.set(colormap, table);
  }
  return table;
}

/** The table index of `value` in `range`: the ends map to 0 and 255, outside values clamp. */
export function tableIndex(value: number, [low, high]: readonly [number, number]): number {
  const t = (value - low) / (high - low);
  return Math.round(Math.min(1, Math.max(0, t)) * (TABLE_SIZE - 1));
}

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
