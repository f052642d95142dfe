import { lab, rgb } from 'd3-color';
import { interpolateViridis } from 'd3-scale-chromatic';
import { describe, expect, it } from 'vitest';
import { type Colormap, colorOf, colorTable, NON_FINITE_COLOR, TABLE_SIZE } from '@losslens/protocol';

/** CIE76 colour difference: the Euclidean distance in CIELAB. */
function deltaE76(a: readonly number[], b: readonly number[]): number {
  const [p, q] = [lab(rgb(a[0], a[1], a[2])), lab(rgb(b[0], b[1], b[2]))];
  return Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b);
}

/**
 * ColorBrewer's RdBu, 11 classes, red to blue, written out here (matplotlib's _RdBu_data
 * holds the same colours as fractions of 255) rather than read from d3.
 */
const COLORBREWER_RDBU_11 = [
  [103, 0, 31],
  [178, 24, 43],
  [214, 96, 77],
  [244, 165, 130],
  [253, 219, 199],
  [247, 247, 247],
  [209, 229, 240],
  [146, 197, 222],
  [67, 147, 195],
  [33, 102, 172],
  [5, 48, 97],
];

/**
 * matplotlib's colour of `t` on a LinearSegmentedColormap.from_list(colors, N=256): the value
 * falls in bin floor(256 t), whose entry lies at bin / 255 on straight lines between the colours.
 */
function matplotlibListed(colors: number[][], t: number): number[] {
  const bin = Math.min(255, Math.floor(Math.min(1, Math.max(0, t)) * 256));
  const x = (bin / 255) * (colors.length - 1);
  const k = Math.min(colors.length - 2, Math.floor(x));
  return [0, 1, 2].map((c) => colors[k][c] + (colors[k + 1][c] - colors[k][c]) * (x - k));
}

/** The reference maps, oriented as losslens shows them (diverging: blue low, red high, matplotlib's RdBu_r). */
const REFERENCES: Record<Exclude<Colormap, 'grey'>, (t: number) => number[]> = {
  viridis: (t) => {
    const c = rgb(interpolateViridis(t));
    return [c.r, c.g, c.b];
  },
  diverging: (t) => matplotlibListed([...COLORBREWER_RDBU_11].reverse(), t),
};

/** 1,001 evenly spaced points, so bin edges and the ends are all crossed. */
const POINTS = Array.from({ length: 1001 }, (_, i) => i / 1000);

describe('colormaps against their references', () => {
  it.each(Object.keys(REFERENCES) as (keyof typeof REFERENCES)[])('%s is within ΔE76 < 1 of its reference at 1,001 points', (name) => {
    let worst = 0;
    for (const t of POINTS) worst = Math.max(worst, deltaE76(colorOf(name, t, [0, 1]), REFERENCES[name](t)));
    expect(worst).toBeLessThan(1);
    // The same for a data range other than [0, 1], as the loss maps use.
    for (const t of POINTS) expect(deltaE76(colorOf(name, -2 + 5 * t, [-2, 3]), REFERENCES[name](t))).toBeLessThan(1);
  });

  it('viridis has matplotlib’s end colours', () => {
    const matplotlib = [
      [0.267004, 0.004874, 0.329415],
      [0.993248, 0.906157, 0.143936],
    ].map((c) => c.map((v) => v * 255));
    expect(deltaE76(colorOf('viridis', 0, [0, 1]), matplotlib[0])).toBeLessThan(1);
    expect(deltaE76(colorOf('viridis', 1, [0, 1]), matplotlib[1])).toBeLessThan(1);
  });

  it('diverging runs from blue through a light middle to red', () => {
    const [low, middle, high] = [0, 0.5, 1].map((t) => colorOf('diverging', t, [0, 1]));
    expect(low[2]).toBeGreaterThan(low[0]);
    expect(high[0]).toBeGreaterThan(high[2]);
    expect(Math.min(...middle)).toBeGreaterThan(230);
  });

  it('grey is exact and every table holds 256 entries; non-finite values are magenta', () => {
    for (const v of [0, 0.25, 0.5, 1]) expect(colorOf('grey', v, [0, 1])).toEqual(Array(3).fill(Math.round(v * 255)));
    for (const name of ['grey', 'viridis', 'diverging'] as const) expect(colorTable(name).length).toBe(TABLE_SIZE * 3);
    expect(colorOf('viridis', Number.NaN, [0, 1])).toEqual(NON_FINITE_COLOR);
  });
});
