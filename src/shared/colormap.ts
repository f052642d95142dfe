/**
 * Colormaps of tensor images, shared by the kernel's PNG fallback and the extension's
 * canvas so both show the same colours. Browser-safe: no Node imports.
 */

import type { Colormap } from './mime.js';

export type Rgb = readonly [number, number, number];

/** Evenly spaced stops, linearly interpolated. Viridis: matplotlib's, sampled at ninths. */
const STOPS: Record<Colormap, Rgb[]> = {
  grey: [
    [0, 0, 0],
    [255, 255, 255],
  ],
  viridis: [
    [68, 1, 84],
    [72, 40, 120],
    [62, 73, 137],
    [49, 104, 142],
    [38, 130, 142],
    [31, 158, 137],
    [53, 183, 121],
    [110, 206, 88],
    [253, 231, 37],
  ],
  // ColorBrewer RdBu ends around a light grey middle: blue below, red above the midpoint.
  diverging: [
    [33, 102, 172],
    [247, 247, 247],
    [178, 24, 43],
  ],
};

/** Magenta is in none of the maps, so a NaN or infinite pixel stands out instead of hiding. */
export const NON_FINITE_COLOR: Rgb = [255, 0, 255];

/** The colour of `value` on `colormap` stretched over `range`; out-of-range values clamp. */
export function colorOf(colormap: Colormap, value: number, range: readonly [number, number]): Rgb {
  if (!Number.isFinite(value)) return NON_FINITE_COLOR;
  const [low, high] = range;
  const t = high > low ? Math.min(1, Math.max(0, (value - low) / (high - low))) : 0.5;
  const stops = STOPS[colormap];
  const position = t * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(position));
  const fraction = position - index;
  const [a, b] = [stops[index], stops[index + 1]];
  return [0, 1, 2].map((c) => Math.round(a[c] + (b[c] - a[c]) * fraction)) as unknown as Rgb;
}
