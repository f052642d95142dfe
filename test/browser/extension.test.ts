/**
 * The extension in a real JupyterLab and a real browser: a server started here (loopback,
 * random port, token) serves the fixture notebook of saved losslens outputs, Debian's
 * Chromium opens it, and the rendered outputs are checked against the payloads' numbers.
 * Screenshots go to test-artifacts/browser/.
 */

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { colorOf, decodePanel, LOSSPLOT_MIME, type LossPlotPayload, TENSOR_MIME, type TensorPayload } from '@losslens/protocol';
import { formatValue } from '../../extension/src/readout.js';
import { startLab, type LabSession } from '../helpers/jupyterLab.js';

const root = resolve(__dirname, '..', '..');
const fixture = join(root, 'test', 'fixtures', 'extension', 'losslens-outputs.ipynb');
const artifacts = join(root, 'test-artifacts', 'browser');
/** The fixture's code cells, in order (see make-notebook.mjs). */
const CELL = { grid: 0, plot: 1, sizes: 2, paged: 3, malformed: 4, hostile: 5, tampered: 6 } as const;

interface NotebookCell {
  cell_type: string;
  outputs?: { data: Record<string, unknown> }[];
}
const codeCells = (JSON.parse(readFileSync(fixture, 'utf8')) as { cells: NotebookCell[] }).cells.filter((c) => c.cell_type === 'code');
const payloadOf = <T>(cell: number, mime: string): T => codeCells[cell].outputs![0].data[mime] as T;

let lab: LabSession | undefined;
let page: Page;
/** Requests for anything but the local server; blocked, and expected to stay empty. */
let offsiteRequests: string[] = [];

function cell(index: number): Locator {
  return page.locator('.jp-Notebook .jp-CodeCell').nth(index);
}

async function screenshot(target: Locator | Page, name: string): Promise<void> {
  await target.screenshot({ path: join(artifacts, `${name}.png`) });
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  lab = await startLab({ notebooks: [fixture] });
  ({ page, offsiteRequests } = lab);
  await page.locator('.losslens-tensor canvas').first().waitFor({ timeout: 90_000 });
  await page.locator('.losslens-lossplot svg text').first().waitFor({ timeout: 30_000 });
});

afterAll(async () => {
  await lab?.stop();
});

describe('tensor renderer', () => {
  const payload = () => payloadOf<TensorPayload>(CELL.grid, TENSOR_MIME);

  it('draws each image at its tensor size, zoomed by a whole factor without smoothing', async () => {
    const [, height, width] = payload().panels[0].shape;
    const canvas = cell(CELL.grid).locator('canvas.losslens-image').first();
    const size = await canvas.evaluate((c: HTMLCanvasElement) => ({
      width: c.width,
      height: c.height,
      cssWidth: c.getBoundingClientRect().width - 2,
      rendering: getComputedStyle(c).imageRendering,
    }));
    expect(size).toEqual({ width, height, cssWidth: 3 * width, rendering: 'pixelated' });
    await expect
      .poll(() => cell(CELL.grid).locator('canvas.losslens-image').count())
      .toBe(payload().captions.length * payload().panels.length);
    await screenshot(cell(CELL.grid).locator('.losslens-tensor'), 'tensor-grid');
  });

  it('puts the payload values into the canvas pixels (grey and viridis)', async () => {
    const panels = payload().panels;
    const image = 3;
    for (const p of [0, 3]) {
      const panel = panels[p];
      const [, height, width] = panel.shape;
      const values = decodePanel(panel, p).values.subarray(image * height * width, (image + 1) * height * width);
      const canvas = cell(CELL.grid).locator(`canvas[data-image="${image}"][data-panel="${p}"]`);
      const rgba = await canvas.evaluate((c: HTMLCanvasElement) =>
        Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
      );
      expect(rgba.length).toBe(height * width * 4);
      let worst = 0;
      values.forEach((v, i) => {
        const expected = colorOf(panel.colormap, v, panel.range);
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(rgba[i * 4 + c] - expected[c]));
      });
      // Grey is exact; other maps come from a 256-entry table, within one step of the PNG's colours.
      expect(worst).toBeLessThanOrEqual(panel.colormap === 'grey' ? 0 : 2);
    }
  });

  it('reads out image, row, column, value and loss under the pointer', async () => {
    const p = payload().panels.findIndex((panel) => panel.loss !== undefined);
    const panel = payload().panels[p];
    const [, height, width] = panel.shape;
    const [image, row, column] = [2, 10, 17];
    const canvas = cell(CELL.grid).locator(`canvas[data-image="${image}"][data-panel="${p}"]`);
    // The middle of the zoomed tensor pixel, past the canvas' 1px frame.
    await canvas.hover({ position: { x: 1 + column * 3 + 1.5, y: 1 + row * 3 + 1.5 } });
    const decoded = decodePanel(panel, p);
    const index = (image * height + row) * width + column;
    const readout = cell(CELL.grid).locator('.losslens-readout');
    await expect
      .poll(() => readout.textContent())
      .toBe(
        `image ${image} (${payload().captions[image]}) · ${panel.title} · row ${row}, column ${column} · ` +
          `value ${formatValue(decoded.values[index])} · loss ${formatValue(decoded.loss![index])}`,
      );
    await screenshot(cell(CELL.grid).locator('.losslens-tensor'), 'tensor-hover');
  });

  it('outlines the padded border and keeps panels of different sizes at one zoom', async () => {
    const outline = await cell(CELL.grid)
      .locator('.losslens-border')
      .first()
      .evaluate((o: HTMLElement) => [o.style.left, o.style.width]);
    const border = payload().panels[0].border!;
    expect(outline).toEqual([`${border.left * 3}px`, `${(payload().panels[0].shape[2] - border.left - border.right) * 3}px`]);
    const sizes = await cell(CELL.sizes)
      .locator('canvas.losslens-image')
      .evaluateAll((cs: HTMLCanvasElement[]) => cs.slice(0, 2).map((c) => [c.width, c.style.width]));
    expect(sizes).toEqual([
      [28, '84px'],
      [32, '96px'],
    ]);
    await screenshot(cell(CELL.sizes).locator('.losslens-tensor'), 'tensor-sizes');
  });

  it('draws a 100-image 32×32 page (render time reported, not asserted)', async () => {
    const images = payloadOf<TensorPayload>(CELL.paged, TENSOR_MIME).captions.length;
    await expect.poll(() => cell(CELL.paged).locator('canvas.losslens-image').count()).toBe(100);
    const measures = await page.evaluate(() =>
      performance
        .getEntriesByName('losslens:render-tensor')
        .map((m) => ({ ms: m.duration, ...((m as PerformanceMeasure).detail as { images?: number; drawn?: number }) })),
    );
    const paged = measures.find((m) => m.images === images && m.drawn === 100);
    expect(paged).toBeDefined();
    console.log(`[browser] ${images}-image 32×32 payload decoded and its first 100 images drawn in ${paged!.ms.toFixed(1)} ms`);
    writeFileSync(join(artifacts, 'render-times.json'), JSON.stringify(measures, null, 1));
  });

  it('pages a long stack with a visible notice', async () => {
    const images = payloadOf<TensorPayload>(CELL.paged, TENSOR_MIME).captions.length;
    const output = cell(CELL.paged).locator('.losslens-tensor');
    expect(await output.locator('.losslens-notice').allTextContents()).toContain('Paged: 100 images per page, 2 pages.');
    await output.locator('button', { hasText: 'next' }).click();
    await expect.poll(() => output.locator('canvas.losslens-image').count()).toBe(images - 100);
    expect(await output.locator('.losslens-page-label').textContent()).toBe(`images 100–${images - 1} of ${images} (page 2 of 2)`);
    expect(await output.locator('canvas.losslens-image').first().getAttribute('data-image')).toBe('100');
    expect(await output.locator('button', { hasText: 'next' }).isDisabled()).toBe(true);
  });

  it('shows a malformed payload as a readable error box and keeps rendering the next outputs', async () => {
    const box = cell(CELL.malformed).locator('.losslens-error');
    await expect.poll(() => box.textContent()).toContain('losslens could not draw this tensor');
    expect(await box.textContent()).toMatch(/panels\[0\]\.values holds \d+ bytes but the shape needs \d+ Float32 values/);
    expect(await cell(CELL.hostile).locator('canvas.losslens-image').count()).toBe(2);
    await screenshot(cell(CELL.malformed), 'error-box');
  });

  it('shows markup in captions and titles as text', async () => {
    const hostile = payloadOf<TensorPayload>(CELL.hostile, TENSOR_MIME);
    const output = cell(CELL.hostile).locator('.losslens-tensor');
    expect(await output.locator('.losslens-caption').allTextContents()).toEqual(hostile.captions);
    expect(await output.locator('.losslens-panel-title').textContent()).toBe(hostile.panels[0].title);
    expect(await output.locator('img, b, i').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __losslensInjected?: boolean }).__losslensInjected)).toBeUndefined();
  });
});

describe('loss-plot renderer', () => {
  const payload = () => payloadOf<LossPlotPayload>(CELL.plot, LOSSPLOT_MIME);
  const plot = () => cell(CELL.plot).locator('.losslens-lossplot');
  const svgText = () =>
    plot()
      .locator('svg')
      .first()
      .evaluate((svg) => svg.textContent ?? '');

  it('draws the runs with each run’s "per pixel · pixels ≈ per image" annotation', async () => {
    const text = await svgText();
    expect(payload().annotations).toHaveLength(2);
    for (const a of payload().annotations) {
      expect(text).toContain(`${a.run}: ${a.perPixel.toFixed(3)} · ${a.pixels} ≈ ${(a.perPixel * a.pixels).toFixed(1)}`);
    }
    expect(text).toContain('loss per pixel (mean)');
    expect(await plot().getAttribute('data-measure')).toBe('perPixel');
    await screenshot(plot(), 'lossplot-per-pixel');
  });

  it('shows a tooltip over a point', async () => {
    const point = plot().locator('svg .mark-symbol path').first();
    await point.hover({ force: true });
    const tooltip = page.locator('#vg-tooltip-element');
    await expect.poll(() => tooltip.textContent()).toContain('loss per image');
    await screenshot(plot(), 'lossplot-tooltip');
    await page.mouse.move(0, 0);
  });

  it('switches to the total per image and back', async () => {
    await plot().locator('button[data-measure="perImage"]').click();
    await expect.poll(() => plot().getAttribute('data-measure')).toBe('perImage');
    await expect.poll(svgText).toContain('loss per image (total)');
    expect(await svgText()).not.toContain('loss per pixel (mean)');
    expect(await plot().locator('button[data-measure="perImage"]').getAttribute('aria-pressed')).toBe('true');
    await screenshot(plot(), 'lossplot-per-image');
    await plot().locator('button[data-measure="perPixel"]').click();
    await expect.poll(svgText).toContain('loss per pixel (mean)');
  });

  it('draws a plot whose saved spec asks for remote data from its numbers, fetching nothing', async () => {
    const tampered = cell(CELL.tampered).locator('.losslens-lossplot svg').first();
    await tampered.waitFor();
    const annotation = payload().annotations[0];
    expect(await tampered.evaluate((svg) => svg.textContent ?? '')).toContain(`${annotation.run}: ${annotation.perPixel.toFixed(3)}`);
    expect(offsiteRequests).toEqual([]);
  });
});

describe('the page as a whole', () => {
  it('follows a switch to the dark theme', async () => {
    const background = () =>
      cell(CELL.plot)
        .locator('.losslens-lossplot svg')
        .first()
        .evaluate((svg) => getComputedStyle(svg).backgroundColor);
    const light = await background();
    await page.locator('.lm-MenuBar-itemLabel', { hasText: 'Settings' }).click();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^Theme$/ }).hover();
    await page.locator('.lm-Menu-itemLabel', { hasText: /^JupyterLab Dark$/ }).click();
    await page.locator('body[data-jp-theme-light="false"]').waitFor({ state: 'attached' });
    await expect.poll(background).not.toBe(light);
    const readout = await cell(CELL.grid)
      .locator('.losslens-readout')
      .evaluate((r) => getComputedStyle(r).color);
    expect(readout).not.toBe('rgba(0, 0, 0, 0.87)');
    await screenshot(cell(CELL.plot), 'lossplot-dark');
    await screenshot(cell(CELL.grid), 'tensor-grid-dark');
  });

  it('made no request beyond the local server', async () => {
    await screenshot(page, 'notebook');
    expect(offsiteRequests).toEqual([]);
  });
});
