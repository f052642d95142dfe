/**
 * A new user's what-if in a real JupyterLab and Chromium: a folder of their own with
 * losslens installed the README's way, and a cell comparing a BCE and an MSE run (tiny sizes).
 * (Interrupting a training is checked against a real tslab kernel in test/notebooks/interrupt.test.ts.) Screenshots go to test-artifacts/browser/.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabSession } from '../helpers/jupyterLab.js';

const root = resolve(__dirname, '..', '..');
const fixtures = join(root, 'test', 'fixtures', 'notebooks');
const artifacts = join(root, 'test-artifacts', 'browser');
const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-whatif-cache-'));

let lab: LabSession | undefined;
let page: Page;

declare global {
  interface Window {
    jupyterapp: { commands: { execute(id: string, args?: object): Promise<unknown> } };
  }
}
const command = (id: string) => page.evaluate((name) => window.jupyterapp.commands.execute(name), id);
const cell = (index: number): Locator => page.locator('.jp-NotebookPanel .jp-CodeCell').nth(index);
const kernelStates = async () =>
  ((await (await fetch(`${lab!.base}/api/kernels?token=${lab!.token}`)).json()) as { execution_state: string }[]).map((k) => k.execution_state);

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const previous = process.env.LOSSLENS_CACHE_DIR;
  process.env.LOSSLENS_CACHE_DIR = cacheDir;
  try {
    lab = await startLab({
      notebooks: [join(fixtures, 'own-what-if.ipynb')],
      args: ['--LabApp.expose_app_in_browser=True'],
    });
  } finally {
    if (previous === undefined) delete process.env.LOSSLENS_CACHE_DIR;
    else process.env.LOSSLENS_CACHE_DIR = previous;
  }
  page = lab.page;
  // The README's install step, in the served folder (no cell has run yet).
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', root], { cwd: lab.notebookDir, stdio: 'ignore' });
  await page.locator('.jp-NotebookPanel .jp-CodeCell').first().waitFor({ timeout: 90_000 });
  await page.waitForFunction(() => 'jupyterapp' in window);
  // Run All before the kernel is up would do nothing (expect.poll is for tests, not hooks).
  const deadline = Date.now() + 120_000;
  while (!(await kernelStates()).includes('idle')) {
    if (Date.now() > deadline) throw new Error(`the tslab kernel did not become idle:\n${lab.serverLog().slice(-2000)}`);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  // The page connects to the kernel a moment after the server reports it idle.
  await page.waitForTimeout(5000);
}, 240_000);

afterAll(async () => {
  await lab?.stop();
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('your own what-if in JupyterLab', () => {
  it('compares a BCE and an MSE run: two legend entries, two ledger rows', async () => {
    await command('notebook:run-all-cells');
    const runCell = cell(2);
    const legend = () => runCell.locator('.losslens-lossplot svg .role-legend-label text').allTextContents();
    await expect.poll(() => legend().then((labels) => labels.filter((label) => label.startsWith('32×32')).length), { timeout: 240_000, interval: 1000 }).toBe(2);
    await expect.poll(() => runCell.locator('.jp-RenderedMarkdown table tbody tr').count(), { timeout: 30_000 }).toBe(2);
    const runs = (await legend()).filter((label) => label.startsWith('32×32'));
    expect(runs).toEqual(['32×32 edge+2 bce', '32×32 edge+2 mse']);
    const rows = await runCell.locator('.jp-RenderedMarkdown table tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(['32×32 edge+2 bce', '32×32 edge+2 mse']);
    expect(await runCell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()).toBe(0);
    await runCell.screenshot({ path: join(artifacts, 'whatif-bce-mse.png') });
  }, 300_000);
});
