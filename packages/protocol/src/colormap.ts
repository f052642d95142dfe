/**
 * Colormaps of tensor images: the one definition the kernel's figures and the extension's
 * canvas both draw from. Each map is matplotlib's 256-entry table (viridis, and RdBu_r for
 * the diverging map; generated into colormapTables.ts from d3-scale-chromatic's data), and
 * a value picks the entry of its bin, so a PNG and a canvas show identical colours.
 * Browser-safe: no Node imports.
 */

import { COLORMAP_HEX } from './colormapTables.js';
import type { Colormap } from './mime.js';

export type Rgb = readonly [number, number, number];

/** RGB triples, 256 × 3 bytes. */
export type ColorTable = Uint8ClampedArray;

export const TABLE_SIZE = 256;

/** Magenta is in none of the maps, so a NaN or infinite pixel stands out instead of hiding. */
export const NON_FINITE_COLOR: Rgb = [255, 0, 255];

function hexTable(hex: string): ColorTable {
  if (hex.length !== TABLE_SIZE * 6) throw new Error(`a colormap table holds ${hex.length / 6} entries, not ${TABLE_SIZE}`);
  const table = new Uint8ClampedArray(TABLE_SIZE * 3);
  for (let i = 0; i < table.length; i++) table[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return table;
}

function greyTable(): ColorTable {
  const table = new Uint8ClampedArray(TABLE_SIZE * 3);
  for (let i = 0; i < TABLE_SIZE; i++) table.fill(i, i * 3, i * 3 + 3);
  return table;
}

const tables = new Map<Colormap, ColorTable>();

/** The 256-entry table of `colormap`, built once. */
export function colorTable(colormap: Colormap): ColorTable {
  let table = tables.get(colormap);
  if (table === undefined) {
    table = colormap === 'grey' ? greyTable() : hexTable(COLORMAP_HEX[colormap]);
    tables.set(colormap, table);
  }
  return table;
}

/**
 * The table entry of `value` in `range`: entry i holds [i / 256, (i + 1) / 256) of the range,
 * the binning of matplotlib's ListedColormap and d3's viridis; outside values clamp.
 */
export function tableIndex(value: number, [low, high]: readonly [number, number]): number {
  const t = high > low ? (value - low) / (high - low) : 0.5;
  return Math.min(TABLE_SIZE - 1, Math.floor(Math.min(1, Math.max(0, t)) * TABLE_SIZE));
}

/** The colour of `value` on `colormap` stretched over `range`; out-of-range values clamp. */
export function colorOf(colormap: Colormap, value: number, range: readonly [number, number]): Rgb {
  if (!Number.isFinite(value)) return NON_FINITE_COLOR;
  const i = tableIndex(value, range) * 3;
  const table = colorTable(colormap);
  return [table[i], table[i + 1], table[i + 2]];
}
