/**
 * The output limits in a real JupyterLab: a notebook (written here) with the largest
 * payloads the limits accept, which must render, and payloads just over each limit, which
 * must show an error box naming the field. The longest main-thread block (long tasks, from
 * a PerformanceObserver installed before JupyterLab loads) while the largest ones render,
 * page and toggle is written to test-artifacts/browser/limits-render.json: a measurement
 * for the README, not an assertion.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  encodeFloat32,
  LOSSPLOT_MIME,
  PAYLOAD_LIMITS as L,
  TENSOR_MIME,
  type LossAnnotation,
  type LossPoint,
  type TensorPanel,
} from '@losslens/protocol';
import { MAX_CANVASES_PER_PAGE } from '../../extension/src/tensorLayout.js';
import { startLab, type LabSession } from '../helpers/jupyterLab.js';

const root = resolve(__dirname, '..', '..');
const artifacts = join(root, 'test-artifacts', 'browser');
const work = mkdtempSync(join(tmpdir(), 'losslens-limits-'));

function base64(count: number, seed: number): string {
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = 0.5 + 0.5 * Math.sin(i * 0.37 + seed);
  return encodeFloat32(values);
}

function panel(index: number, [images, height, width]: [number, number, number], withLoss = false): TensorPanel {
  const n = images * height * width;
  const p: TensorPanel = {
    title: `panel ${index}`,
    shape: [images, height, width],
    values: base64(n, index),
    range: [0, 1],
    colormap: index % 2 ? 'viridis' : 'grey',
  };
  if (withLoss) p.loss = base64(n, index + 100);
  return p;
}

function tensor(panels: TensorPanel[], captionLength = 8): Record<string, unknown> {
  const images = panels[0].shape[0];
  return { version: 1, captions: Array.from({ length: images }, (_, i) => `#${i} `.padEnd(captionLength, '·')), panels };
}

/** `runs` runs × train/test × epochs points, and an annotation per run, with run names `nameLength` long. */
function lossPlot(
  runs: number,
  epochs: number,
  annotations: number,
  nameLength = 40,
  title = 'Largest accepted loss plot',
): Record<string, unknown> {
  const name = (r: number) => `run ${r} `.padEnd(nameLength, '─');
  const points: LossPoint[] = [];
  for (let r = 0; r < runs; r++) {
    for (const split of ['train', 'test'] as const) {
      for (let epoch = 1; epoch <= epochs; epoch++) {
        const perPixel = 0.07 + 0.05 / epoch + r * 0.001 + (split === 'test' ? 0.002 : 0);
        const pixels = r % 2 ? 1024 : 784;
        points.push({ run: name(r), epoch, split, perPixel, pixels, perImage: perPixel * pixels });
      }
    }
  }
  const notes: LossAnnotation[] = Array.from({ length: annotations }, (_, r) => {
    const last = points[(r % runs) * 2 * epochs + 2 * epochs - 1];
    return { run: last.run, perPixel: last.perPixel, pixels: last.pixels, perImage: last.perImage };
  });
  return { version: 1, title, measure: 'perPixel', points, annotations: notes, spec: {} };
}

const LARGEST_SIDE = Math.floor(Math.sqrt(L.tensorValues));
/** Each largest payload: its cell's code, the payload, and what must be drawn. */
const largest = {
  panels: tensor(Array.from({ length: L.tensorPanels }, (_, i) => panel(i, [100, 35, 35]))),
  images: tensor([panel(0, [L.tensorImages, 14, 14])]),
  side: tensor([panel(0, [1, LARGEST_SIDE, LARGEST_SIDE])]),
  loss: tensor(
    Array.from({ length: L.tensorPanels }, (_, i) => panel(i, [100, 25, 25], true)),
    L.textLength,
  ),
  plot: lossPlot(L.lossRuns, Math.floor(L.lossPoints / (2 * L.lossRuns)), L.lossAnnotations),
  plotText: lossPlot(L.lossRuns, 20, L.lossAnnotations, L.textLength, 'T'.repeat(L.textLength)),
};

/** Payloads just over one limit each, and the field their error box must name. */
const overLimit: [string, string, Record<string, unknown>, string][] = [
  [
    'panels',
    TENSOR_MIME,
    tensor(Array.from({ length: L.tensorPanels + 1 }, (_, i) => panel(i, [1, 2, 2]))),
    `panels holds ${L.tensorPanels + 1} panels`,
  ],
  [
    'images',
    TENSOR_MIME,
    tensor([{ ...panel(0, [1, 1, 1]), shape: [L.tensorImages + 1, 1, 1] }]),
    'panels[0].shape[0] holds 10,001 images',
  ],
  ['values', TENSOR_MIME, tensor([{ ...panel(0, [1, 1, 1]), shape: [1, 1, L.tensorValues + 1] }]), 'panels holds 2,000,001 Float32 values'],
  ['caption', TENSOR_MIME, tensor([panel(0, [1, 2, 2])], L.textLength + 1), 'captions[0] holds 501 characters'],
  [
    'range',
    TENSOR_MIME,
    tensor([{ ...panel(0, [1, 2, 2]), range: [-1.7e308, 1.7e308] }]),
    'panels[0].range spans more than the largest number',
  ],
  ['points', LOSSPLOT_MIME, lossPlot(1, L.lossPoints / 2 + 1, 0), `points holds ${(L.lossPoints + 2).toLocaleString('en-US')} loss values`],
  ['runs', LOSSPLOT_MIME, lossPlot(L.lossRuns + 1, 1, 0), `names run number ${L.lossRuns + 1}`],
  ['annotations', LOSSPLOT_MIME, lossPlot(L.lossRuns, 1, L.lossAnnotations + 1), `annotations holds ${L.lossAnnotations + 1} annotations`],
];

function cell(source: string, mime: string, payload: Record<string, unknown>) {
  return {
    cell_type: 'code',
    execution_count: null,
    id: `cell-${source.replace(/\W+/g, '-')}`,
    metadata: {},
    source,
    outputs: [{ output_type: 'display_data', data: { [mime]: payload, 'text/plain': source }, metadata: {} }],
  };
}

function notebook(cells: object[]): object {
  return {
    cells,
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' }, language_info: { name: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
}

/**
 * Two notebooks: the largest tensors (42 MB of values) with every over-limit payload, and
 * the largest loss plots on their own, so that toggling a plot is not timed together with
 * the browser laying out a page of 900 canvases.
 */
const TENSOR_CELLS = [
  cell('largest: panels', TENSOR_MIME, largest.panels),
  cell('largest: images', TENSOR_MIME, largest.images),
  cell('largest: side', TENSOR_MIME, largest.side),
  cell('largest: loss', TENSOR_MIME, largest.loss),
  ...overLimit.map(([name, mime, payload]) => cell(`over: ${name}`, mime, payload)),
];
const PLOT_CELLS = [cell('largest: plot', LOSSPLOT_MIME, largest.plot), cell('largest: plot text', LOSSPLOT_MIME, largest.plotText)];

let lab: LabSession | undefined;
let page: Page;
let cells = TENSOR_CELLS;
/** The notebook in front (JupyterLab keeps the one opened before in a hidden tab). */
let notebookInFront: Locator;
const outputCell = (source: string): Locator =>
  notebookInFront.locator('.jp-Notebook .jp-CodeCell').nth(cells.findIndex((c) => c.source === source));

interface LongTask {
  start: number;
  duration: number;
}
interface Measure {
  name: string;
  start: number;
  duration: number;
  detail: Record<string, unknown>;
}

async function timeline(): Promise<{ tasks: LongTask[]; measures: Measure[] }> {
  return page.evaluate(() => ({
    tasks: (window as unknown as { __longTasks: LongTask[] }).__longTasks,
    measures: performance
      .getEntriesByType('measure')
      .filter((m) => m.name.startsWith('losslens:'))
      .map((m) => ({
        name: m.name,
        start: m.startTime,
        duration: m.duration,
        detail: (m as PerformanceMeasure).detail as Record<string, unknown>,
      })),
  }));
}

/** The longest long task that overlaps [start, end]; 0 when none did (no block over 50 ms). */
function longestIn(tasks: LongTask[], start: number, end: number): number {
  return Math.max(0, ...tasks.filter((t) => t.start < end && t.start + t.duration > start).map((t) => t.duration));
}

/** Runs `action` on an otherwise idle page and returns the longest block until `done` holds. */
async function blockDuring(
  action: () => Promise<void>,
  done: () => Promise<unknown>,
): Promise<{ longestTaskMs: number; renderMs: number[] }> {
  await page.waitForTimeout(1000);
  const start = await page.evaluate(() => performance.now());
  await action();
  await done();
  // A long task is reported when it ends; give the observer a moment.
  await page.waitForTimeout(500);
  const end = await page.evaluate(() => performance.now());
  const { tasks, measures } = await timeline();
  const renderMs = measures.filter((m) => m.start >= start).map((m) => Math.round(m.duration));
  return { longestTaskMs: longestIn(tasks, start, end), renderMs };
}

const results: Record<string, unknown> = {};

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const blank = join(work, 'blank.ipynb');
  const limits = join(work, 'limits.ipynb');
  writeFileSync(blank, JSON.stringify(notebook([])));
  writeFileSync(limits, JSON.stringify(notebook(TENSOR_CELLS)));
  writeFileSync(join(work, 'limits-plots.ipynb'), JSON.stringify(notebook(PLOT_CELLS)));
  lab = await startLab({ notebooks: [blank, limits, join(work, 'limits-plots.ipynb')] });
  page = lab.page;
  await page.addInitScript(() => {
    const tasks: { start: number; duration: number }[] = [];
    (window as unknown as { __longTasks: typeof tasks }).__longTasks = tasks;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
    }).observe({ type: 'longtask' });
  });
  notebookInFront = await lab.open(limits);
  await outputCell('over: annotations').locator('.losslens-error').waitFor({ timeout: 180_000 });
}, 300_000);

afterAll(async () => {
  writeFileSync(join(artifacts, 'limits-render.json'), `${JSON.stringify(results, null, 1)}\n`);
  await lab?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('the largest accepted tensors', () => {
  it('render every canvas of their first page', async () => {
    const canvases = (source: string) => outputCell(source).locator('canvas.losslens-image').count();
    const perPage = Math.floor(MAX_CANVASES_PER_PAGE / L.tensorPanels) * L.tensorPanels;
    await expect.poll(() => canvases('largest: panels'), { timeout: 60_000 }).toBe(perPage);
    await expect.poll(() => canvases('largest: images'), { timeout: 60_000 }).toBe(100);
    await expect.poll(() => canvases('largest: side'), { timeout: 60_000 }).toBe(1);
    await expect.poll(() => canvases('largest: loss'), { timeout: 60_000 }).toBe(perPage);
    expect(await outputCell('largest: side').locator('.losslens-notice').allTextContents()).toContain(
      'Downsampled: 1 of every 6 pixels along each side is drawn; hover reads that pixel.',
    );
    expect(await page.locator('.losslens-error').count()).toBe(overLimit.length);
  });

  it('record how long each render blocked the page (a measurement)', async () => {
    await page.waitForTimeout(1000);
    const { tasks, measures } = await timeline();
    const renders = measures.map((m) => ({ ...m, longestTaskMs: longestIn(tasks, m.start, m.start + m.duration) }));
    results.tensorRenders = renders;
    results.tensorNotebookLongTasks = tasks;
    for (const r of renders)
      console.log(
        `[limits] ${r.name} ${JSON.stringify(r.detail)}: ${r.duration.toFixed(0)} ms; the task around it (opening the 42 MB notebook) ${r.longestTaskMs.toFixed(0)} ms`,
      );
    expect(renders.filter((r) => r.name === 'losslens:render-tensor').length).toBeGreaterThanOrEqual(4);
  });

  it('page the largest image stack (measured on an idle page)', async () => {
    const images = outputCell('largest: images').locator('.losslens-tensor');
    results.nextPage = await blockDuring(
      () => images.locator('button', { hasText: 'next' }).click(),
      () => expect.poll(() => images.locator('canvas.losslens-image').first().getAttribute('data-image')).toBe('100'),
    );
    console.log(`[limits] next page of 10,000 images: ${JSON.stringify(results.nextPage)}`);
  });
});

describe('payloads just over each limit', () => {
  it.each(overLimit.map(([name, , , message]) => [name, message]))('%s: an error box naming the field', async (name, message) => {
    const box = outputCell(`over: ${name}`).locator('.losslens-error');
    await expect.poll(() => box.textContent()).toContain('losslens could not draw this');
    expect(await box.textContent()).toContain(message);
  });
});

describe('the largest accepted loss plots', () => {
  it('render with every annotation, and toggle (measured on an idle page)', async () => {
    cells = PLOT_CELLS;
    // ?reset starts from an empty workspace, so the 42 MB notebook is not restored (and re-rendered) beside it.
    await page.goto(`${lab!.base}/lab/tree/limits-plots.ipynb?reset&token=${lab!.token}`);
    notebookInFront = await lab!.panel('limits-plots.ipynb');
    for (const source of ['largest: plot', 'largest: plot text']) {
      const svg = outputCell(source).locator('.losslens-lossplot svg').first();
      await svg.waitFor({ timeout: 120_000 });
      await expect
        .poll(() => svg.evaluate((s) => (s.textContent ?? '').split('≈').length - 1), { timeout: 60_000 })
        .toBe(L.lossAnnotations);
    }
    await outputCell('largest: plot').screenshot({ path: join(artifacts, 'limits-largest-plot.png') });
    await page.waitForTimeout(1000);
    const { tasks, measures } = await timeline();
    results.plotRenders = measures.map((m) => ({ ...m, longestTaskMs: longestIn(tasks, m.start, m.start + m.duration) }));
    for (const [key, source] of [
      ['toggle', 'largest: plot'],
      ['toggleLongText', 'largest: plot text'],
    ] as const) {
      const plot = outputCell(source).locator('.losslens-lossplot');
      results[key] = await blockDuring(
        () => plot.locator('button[data-measure="perImage"]').click(),
        () => expect.poll(() => plot.getAttribute('data-measure'), { timeout: 30_000 }).toBe('perImage'),
      );
    }
    console.log(
      `[limits] first renders ${JSON.stringify((results.plotRenders as Measure[]).map((m) => Math.round(m.duration)))} ms; toggle ${JSON.stringify(results.toggle)}; toggle (500-character names) ${JSON.stringify(results.toggleLongText)}`,
    );
  }, 300_000);

  it('made no request beyond the local server', () => {
    expect(lab!.offsiteRequests).toEqual([]);
  });
});
