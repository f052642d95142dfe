import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../helpers/jupyterLab.js';
import { NOTEBOOKS, quickRun, type QuickRun } from '../notebooks/quickRun.js';

const NOT_REPRESENTED = 'not able to be represented';
const STATIC_FIGURES = ['image/svg+xml', 'image/png'];
const SCREENSHOTS = join(__dirname, '..', '..', 'test-artifacts', 'publish');

let run: QuickRun;
let browser: Browser;

beforeAll(async () => {
  run = quickRun();
  // launch() (not launchPersistentContext) starts Chromium on a fresh temporary profile.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
  });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

interface SavedNotebook {
  metadata: { title?: string };
  cells: { metadata?: { jupyter?: { source_hidden?: boolean } }; outputs?: { data?: Record<string, unknown> }[] }[];
}

function savedNotebook(name: string): SavedNotebook {
  return JSON.parse(readFileSync(join(run.outputDir, name), 'utf8')) as SavedNotebook;
}

const joined = (text: unknown) => (Array.isArray(text) ? text.join('') : String(text));

/** The text/plain of every output the HTML should draw as a figure (those carrying a PNG or SVG), in order. */
function expectedFigures(name: string): string[] {
  return savedNotebook(name)
    .cells.flatMap((cell) => cell.outputs ?? [])
    .filter((output) => STATIC_FIGURES.some((type) => output.data?.[type] !== undefined))
    .map((output) => joined(output.data!['text/plain']));
}

describe('the published HTML, opened offline in Chromium', () => {
  it('was exported without outputs nbconvert could not represent', () => {
    expect(run.log).not.toContain(NOT_REPRESENTED);
  });

  it.each(NOTEBOOKS)('%s shows every figure with alt text, a title and contents, with no network', async (name) => {
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
        images.map((image) => ({
          complete: (image as HTMLImageElement).complete,
          width: (image as HTMLImageElement).naturalWidth,
          alt: (image as HTMLImageElement).alt,
        })),
      );
      const text = await page.evaluate(() => document.body.innerText);

      const expected = expectedFigures(name);
      expect(expected.length).toBeGreaterThan(0);
      expect(figures).toHaveLength(expected.length);
      for (const [i, figure] of figures.entries()) {
        expect(figure.complete).toBe(true);
        expect(figure.width).toBeGreaterThan(0);
        expect(figure.alt).toBe(expected[i]);
      }
      expect(text).not.toContain(NOT_REPRESENTED);

      // A title, and a table of contents whose links all land on a heading of the page.
      const saved = savedNotebook(name);
      expect(await page.title()).toBe(saved.metadata.title);
      const links = await page.$$eval('nav.losslens-contents a', (as) =>
        as.map((a) => {
          // As a browser follows a fragment: the raw id first (nbconvert writes ids percent-encoded), then decoded.
          const fragment = a.getAttribute('href')!.slice(1);
          const target = document.getElementById(fragment) ?? document.getElementById(decodeURIComponent(fragment));
          return { text: a.textContent, target: target?.tagName };
        }),
      );
      expect(links.length).toBeGreaterThanOrEqual(3);
      for (const link of links) expect(link.target, link.text ?? '').toMatch(/^H[23]$/);

      // Cells that only compute prose show their output with the code folded away, one click from view.
      const hidden = saved.cells.filter((cell) => cell.metadata?.jupyter?.source_hidden).length;
      const folds = page.locator('details.losslens-hidden-source');
      expect(await folds.count()).toBe(hidden);
      if (hidden > 0) {
        const code = folds.first().locator('.jp-InputArea-editor');
        expect(await code.isVisible()).toBe(false);
        await folds.first().locator('summary').click();
        expect(await code.isVisible()).toBe(true);
      }

      // Screenshots of every figure, for a person to look at.
      mkdirSync(SCREENSHOTS, { recursive: true });
      const images = page.locator('.jp-OutputArea-output img');
      for (let i = 0; i < figures.length; i++) {
        await images.nth(i).screenshot({ path: join(SCREENSHOTS, `${name.replace(/\.ipynb$/, '')}-figure-${i}.png`) });
      }
      expect(attempted).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
