/**
 * Colormaps as 256-entry lookup tables, so drawing a pixel is one clamp and one index.
 */

import type { Colormap } from '../../src/shared/mime.js';

/** RGB triples, 256 × 3 bytes. */
export type ColorTable = Uint8ClampedArray;

export const TABLE_SIZE = 256;

/** Shown for NaN, so a broken value never passes for a dark or light pixel. */
export const NAN_COLOR: readonly [number, number, number] = [255, 0, 255];

/** Evenly spaced anchors of matplotlib's viridis, interpolated linearly between. */
const VIRIDIS_ANCHORS = ['#440154', '#482878', '#3e4989', '#31688e', '#26828e', '#1f9e89', '#35b779', '#6ece58', '#b5de2b', '#fde725'];

/** Blue below the middle of the range, white at it, red above (for signed differences). */
const DIVERGING_ANCHORS = ['#2166ac', '#67a9cf', '#d1e5f0', '#f7f7f7', '#fddbc7', '#ef8a62', '#b2182b'];

function rgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

function interpolated(anchors: string[]): ColorTable {
  const stops = anchors.map(rgb);
  const table = new Uint8ClampedArray(TABLE_SIZE * 3);
  for (let i = 0; i < TABLE_SIZE; i++) {
    const position = (i / (TABLE_SIZE - 1)) * (stops.length - 1);
    const lower = Math.min(Math.floor(position), stops.length - 2);
    const fraction = position - lower;
    for (let c = 0; c < 3; c++) {
      table[i * 3 + c] = stops[lower][c] + (stops[lower + 1][c] - stops[lower][c]) * fraction;
    }
  }
  return table;
}

function grey(): ColorTable {
  const table = new Uint8ClampedArray(TABLE_SIZE * 3);
  for (let i = 0; i < TABLE_SIZE; i++) table.fill(i, i * 3, i * 3 + 3);
  return table;
}

const tables = new Map<Colormap, ColorTable>();

export function colorTable(colormap: Colormap): ColorTable {
  let table = tables.get(colormap);
  if (table === undefined) {
    table = colormap === 'grey' ? grey() : interpolated(colormap === 'viridis' ? VIRIDIS_ANCHORS : DIVERGING_ANCHORS);
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
      if (Number.isNaN(value)) {
        target.set(NAN_COLOR, out);
      } else {
        const i = tableIndex(value, range) * 3;
        target[out] = table[i];
        target[out + 1] = table[i + 1];
        target[out + 2] = table[i + 2];
      }
      target[out + 3] = 255;
    }
  }
}
