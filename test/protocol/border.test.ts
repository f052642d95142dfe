import { describe, expect, it } from 'vitest';
import { borderWidths, hasInnerRegion } from '@losslens/protocol';

describe('border widths', () => {
  it('builds four equal sides from one width and copies per-side widths', () => {
    expect(borderWidths(2)).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
    const given = { top: 1, bottom: 0, left: 3, right: 2 };
    const widths = borderWidths(given);
    expect(widths).toEqual(given);
    expect(widths).not.toBe(given);
  });

  it("refuses a side that is not a non-negative integer, naming it with the caller's word", () => {
    expect(() => borderWidths(-1)).toThrow(new RangeError('border width top must be a non-negative integer, got -1'));
    expect(() => borderWidths({ top: 0, bottom: 0, left: 0, right: 0.5 }, 'pad width')).toThrow(
      'pad width right must be a non-negative integer, got 0.5',
    );
  });

  it('has an inner region while at least one pixel is left inside the border', () => {
    expect(hasInnerRegion(borderWidths(2), 5, 5)).toBe(true);
    expect(hasInnerRegion(borderWidths(2), 4, 5)).toBe(false);
    expect(hasInnerRegion({ top: 0, bottom: 0, left: 1, right: 1 }, 1, 3)).toBe(true);
    expect(hasInnerRegion({ top: 0, bottom: 0, left: 1, right: 2 }, 1, 3)).toBe(false);
  });
});
