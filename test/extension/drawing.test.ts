import { describe, expect, it } from 'vitest';
import { colorOf, NON_FINITE_COLOR } from '@losslens/protocol';
import { colorTable, paintRgba, tableIndex } from '../../extension/src/colormap.js';
import { formatValue, readoutText } from '../../extension/src/readout.js';
import { gridLayout, layoutNotices, MAX_CANVASES_PER_PAGE, pageRange, pixelAt } from '../../extension/src/tensorLayout.js';

describe('colour tables', () => {
  it('map grey values one to one, as the PNG fallback does', () => {
    const table = colorTable('grey');
    for (const i of [0, 1, 127, 254, 255]) expect([...table.slice(i * 3, i * 3 + 3)]).toEqual([i, i, i]);
  });

  it('agree with the kernel colormap at every table entry', () => {
    for (const colormap of ['viridis', 'diverging'] as const) {
      const table = colorTable(colormap);
      for (const i of [0, 64, 200, 255]) expect([...table.slice(i * 3, i * 3 + 3)]).toEqual([...colorOf(colormap, i / 255, [0, 1])]);
    }
  });

  it('clamp values outside the range to its ends', () => {
    expect(tableIndex(-3, [0, 1])).toBe(0);
    expect(tableIndex(7, [0, 1])).toBe(255);
    expect(tableIndex(0.5, [-1, 1])).toBe(192);
  });
});

describe('paintRgba', () => {
  it('draws the chosen image of a stack, every stride-th pixel, non-finite values in magenta', () => {
    // Two 4×4 images; the second holds 0..15 / 15 with a NaN at (0, 2).
    const values = new Float32Array(32);
    for (let i = 0; i < 16; i++) values[16 + i] = i / 15;
    values[16 + 2] = Number.NaN;
    const rgba = new Uint8ClampedArray(2 * 2 * 4);
    paintRgba(rgba, values, 16, 4, 4, [0, 1], 'grey', 2);
    // Kept pixels: (0,0)=0, (0,2)=NaN, (2,0)=8/15, (2,2)=10/15.
    expect([...rgba]).toEqual([0, 0, 0, 255, ...NON_FINITE_COLOR, 255, 136, 136, 136, 255, 170, 170, 170, 255]);
  });
});

describe('gridLayout', () => {
  it('draws 100 MNIST-sized images on one page, zoomed by a whole factor', () => {
    const layout = gridLayout(100, [
      [28, 28],
      [32, 32],
    ]);
    expect(layout.zoom).toBe(3);
    expect(layout.panels.map((p) => p.stride)).toEqual([1, 1]);
    expect(layout.pageCount).toBe(1);
    expect(layoutNotices(layout, 100)).toEqual([]);
  });

  it('pages long stacks and says so', () => {
    const layout = gridLayout(250, [[32, 32]]);
    expect(layout.pageSize).toBe(100);
    expect(layout.pageCount).toBe(3);
    expect(pageRange(layout, 250, 2)).toEqual({ first: 200, end: 250 });
    expect(layoutNotices(layout, 250, 6000)).toEqual(['The kernel sent 250 of 6000 images.', 'Paged: 100 images per page, 3 pages.']);
  });

  it('downsamples images too large to draw and bounds the pixels drawn per page', () => {
    const layout = gridLayout(40, [[1024, 1000]]);
    expect(layout.panels[0]).toMatchObject({ stride: 4, drawnHeight: 256, drawnWidth: 250 });
    expect(layout.zoom).toBe(1);
    expect(layout.pageSize * 256 * 250).toBeLessThanOrEqual(1 << 21);
    expect(layoutNotices(layout, 40)[0]).toMatch(/^Downsampled: 1 of every 4 pixels/);
  });

  it('bounds the canvases per page when there are many panels', () => {
    const layout = gridLayout(
      100,
      Array.from({ length: 16 }, () => [4, 4] as const),
    );
    expect(layout.pageSize).toBe(Math.floor(MAX_CANVASES_PER_PAGE / 16));
    expect(layout.pageSize * 16).toBeLessThanOrEqual(MAX_CANVASES_PER_PAGE);
    expect(
      gridLayout(100, [
        [28, 28],
        [28, 28],
        [28, 28],
        [28, 28],
      ]).pageSize,
    ).toBe(100);
  });
});

describe('pixelAt', () => {
  it('turns a CSS offset into the tensor row and column under it', () => {
    const layout = gridLayout(1, [[32, 32]]);
    expect(pixelAt(layout.panels[0], layout.zoom, 0, 0)).toEqual({ row: 0, column: 0 });
    expect(pixelAt(layout.panels[0], layout.zoom, 3 * 7 + 2, 3 * 5 + 1)).toEqual({ row: 5, column: 7 });
    expect(pixelAt(layout.panels[0], layout.zoom, 96, 10)).toBeNull();
  });

  it('maps back through a stride', () => {
    const layout = gridLayout(1, [[1024, 1024]]);
    expect(pixelAt(layout.panels[0], layout.zoom, 10, 3)).toEqual({ row: 12, column: 40 });
  });
});

describe('readout', () => {
  it('shows index, position, value and loss as plain words', () => {
    expect(readoutText({ image: 3, caption: 'digit 7', panel: 'target', row: 5, column: 7, value: 0.25, loss: 0.0123456 })).toBe(
      'image 3 (digit 7) · target · row 5, column 7 · value 0.2500 · loss 0.0123',
    );
    expect(formatValue(Number.NaN)).toBe('NaN');
    expect(formatValue(2.5e-5)).toBe('2.500e-5');
  });
});
