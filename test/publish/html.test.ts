import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOKS, quickRun, type QuickRun } from '../notebooks/quickRun.js';

const NOT_REPRESENTED = 'not able to be represented';
const STATIC_FIGURES = ['image/svg+xml', 'image/png'];

let run: QuickRun;
let browser: Browser;

beforeAll(async () => {
  run = await quickRun();
  // launch() (not launchPersistentContext) starts Chromium on a fresh temporary profile.
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

/** Outputs the HTML should draw as a figure: those carrying a PNG or SVG. */
function expectedFigures(name: string): number {
  const notebook = JSON.parse(readFileSync(join(run.outputDir, name), 'utf8')) as {
    cells: { outputs?: { data?: Record<string, unknown> }[] }[];
  };
  return notebook.cells
    .flatMap((cell) => cell.outputs ?? [])
    .filter((output) => STATIC_FIGURES.some((type) => output.data?.[type] !== undefined)).length;
}

describe('the published HTML, opened offline in Chromium', () => {
  it('was exported without outputs nbconvert could not represent', () => {
    expect(run.log).not.toContain(NOT_REPRESENTED);
  });

  it.each(NOTEBOOKS)('%s shows every figure with no network', async (name) => {
    const html = join(run.outputDir, name.replace(/\.ipynb$/, '.html'));
    const context = await browser.newContext();
    await context.setOffline(true);
    const attempted: string[] = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
      attempted.push(url);
      return route.abort();
    });
    try {
      const page = await context.newPage();
      await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
      const figures = await page.$$eval('.jp-OutputArea-output img', (images) =>
        images.map((image) => ({ complete: (image as HTMLImageElement).complete, width: (image as HTMLImageElement).naturalWidth })),
      );
      const text = await page.evaluate(() => document.body.innerText);

      const expected = expectedFigures(name);
      expect(expected).toBeGreaterThan(0);
      expect(figures).toHaveLength(expected);
      for (const figure of figures) {
        expect(figure.complete).toBe(true);
        expect(figure.width).toBeGreaterThan(0);
      }
      expect(text).not.toContain(NOT_REPRESENTED);
      expect(attempted).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
