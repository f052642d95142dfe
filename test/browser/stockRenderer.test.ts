/**
 * Loss plots without the losslens extension: JupyterLab's own Vega-Lite 5 renderer draws
 * the bundle's `application/vnd.vegalite.v5+json` interactively (a Vega view, not the
 * <img> of the SVG fallback), and with the extension installed its renderer still wins.
 * The notebook is written here from a bundle made by the kernel-side code.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossPlotBundle } from '../../src/display/lossPlot.js';
import { lossPlotPayload } from '@losslens/protocol';
import { startLab, type LabSession } from '../helpers/jupyterLab.js';
import { twoRunPoints } from '../helpers/lossPoints.js';

const root = resolve(__dirname, '..', '..');
const artifacts = join(root, 'test-artifacts', 'browser');
const ANNOTATION = '28×28: 0.099 · 784 ≈ 77.6';

let workDir: string;
let notebook: string;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  workDir = mkdtempSync(join(tmpdir(), 'losslens-stock-'));
  const bundle = await lossPlotBundle(
    lossPlotPayload({
      title: 'Mean loss per pixel',
      measure: 'perPixel',
      points: twoRunPoints(),
      annotations: [{ run: '28×28', perPixel: 0.099, pixels: 784, perImage: 77.616 }],
    }),
  );
  notebook = join(workDir, 'stock-lossplot.ipynb');
  writeFileSync(
    notebook,
    JSON.stringify({
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
      cells: [
        {
          cell_type: 'code',
          id: 'plot',
          metadata: {},
          execution_count: 1,
          source: ['await showLossPlot(payload);'],
          outputs: [{ output_type: 'display_data', data: bundle.data, metadata: bundle.metadata }],
        },
      ],
    }),
  );
  // The lowest-priority page config level: it disables the losslens extension for this server only.
  mkdirSync(join(workDir, 'app-settings'));
  writeFileSync(join(workDir, 'app-settings', 'page_config.json'), JSON.stringify({ disabledExtensions: { 'losslens-extension': true } }));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('a loss plot in JupyterLab', () => {
  let lab: LabSession | undefined;
  afterAll(async () => {
    await lab?.stop();
  });

  it('is drawn interactively by the stock Vega-Lite renderer when the losslens extension is disabled', async () => {
    lab = await startLab({ notebooks: [notebook], args: [`--LabApp.app_settings_dir=${join(workDir, 'app-settings')}`] });
    const { page } = lab;
    // JupyterLab's Vega 5 renderer marks its output with these classes.
    const output = page.locator('.jp-OutputArea-output.jp-RenderedVegaLite').first();
    const view = output.locator('.vega-embed');
    await view.locator('svg').first().waitFor({ timeout: 90_000 });
    await expect
      .poll(() =>
        view
          .locator('svg')
          .first()
          .evaluate((svg) => svg.textContent ?? ''),
      )
      .toContain(ANNOTATION);
    expect(await page.locator('.losslens-lossplot').count()).toBe(0);
    expect(await output.locator('img').count()).toBe(0);
    // actions: false, from the bundle's metadata: no export/source menu.
    expect(await view.locator('.vega-actions, details').count()).toBe(0);
    // Vega's tooltip answers the pointer: the plot is interactive, not a picture.
    await view.locator('svg .mark-symbol path').first().hover({ force: true });
    await expect.poll(() => page.locator('#vg-tooltip-element').textContent()).toContain('loss per image');
    await output.screenshot({ path: join(artifacts, 'stock-lossplot.png') });
    expect(lab.offsiteRequests).toEqual([]);
  }, 180_000);

  it('is drawn by the losslens renderer when the extension is installed', async () => {
    await lab?.stop();
    lab = await startLab({ notebooks: [notebook] });
    const { page } = lab;
    const plot = page.locator('.losslens-lossplot svg').first();
    await plot.waitFor({ timeout: 90_000 });
    await expect.poll(() => plot.evaluate((svg) => svg.textContent ?? '')).toContain(ANNOTATION);
    expect(await page.locator('.jp-RenderedVegaLite').count()).toBe(0);
    expect(lab.offsiteRequests).toEqual([]);
  }, 180_000);
});
