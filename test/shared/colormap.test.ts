import { lab, rgb } from 'd3-color';
import { interpolateRdBu, interpolateViridis } from 'd3-scale-chromatic';
import { describe, expect, it } from 'vitest';
import { colorOf, colorTable, NON_FINITE_COLOR, TABLE_SIZE } from '../../src/shared/colormap.js';
import type { Colormap } from '../../src/shared/mime.js';

/** CIE76 colour difference: the Euclidean distance in CIELAB. */
function deltaE76(a: readonly number[], b: readonly number[]): number {
  const [p, q] = [lab(rgb(a[0], a[1], a[2])), lab(rgb(b[0], b[1], b[2]))];
  return Math.hypot(p.l - q.l, p.a - q.a, p.b - q.b);
}

function reference(interpolate: (t: number) => string, t: number): number[] {
  const c = rgb(interpolate(t));
  return [c.r, c.g, c.b];
}

/** The reference maps, oriented as losslens shows them (diverging: blue low, red high). */
const REFERENCES: Record<Exclude<Colormap, 'grey'>, (t: number) => number[]> = {
  viridis: (t) => reference(interpolateViridis, t),
  diverging: (t) => reference(interpolateRdBu, 1 - t),
};

/** 33 points: the ends, eighths, and values between table entries. */
const POINTS = [...Array.from({ length: 17 }, (_, i) => i / 16), ...Array.from({ length: 16 }, (_, i) => (i + 0.37) / 16.2)];

describe('colormaps against their references', () => {
  it.each(Object.keys(REFERENCES) as (keyof typeof REFERENCES)[])('%s is within ΔE76 < 1 of d3-scale-chromatic at 33 points', (name) => {
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
