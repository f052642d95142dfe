/**
 * A new user's what-if in a real JupyterLab and Chromium: a folder of their own with
 * losslens installed the README's way, a cell comparing a BCE and an MSE run (tiny sizes),
 * and a training whose progress line moves while it runs and that the interrupt button
 * stops with its message alone (the kernel-level check is test/notebooks/interrupt.test.ts).
 * Screenshots go to test-artifacts/browser/.
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

/**
 * Starts a command without waiting for it: run commands resolve only when their cells
 * have finished, and a test that awaited one would look at the outputs after the fact.
 */
const command = (id: string) =>
  page.evaluate((name) => {
    void window.jupyterapp!.commands.execute(name);
  }, id);
/** The notebook in front, set when a test brings one to the front. */
let notebookInFront: Locator;
/**
 * Runs cell `index` (counting every cell, markdown too) of the notebook in front as a user
 * does: click it, press Ctrl+Enter. (A command started from the page acts on the notebook
 * last focused, which after opening a second notebook was at times the first one.)
 */
const runCellAt = async (index: number) => {
  await notebookInFront.locator('.jp-Cell').nth(index).locator('.jp-InputPrompt').click();
  await page.keyboard.press('Control+Enter');
};
const kernelStatus = () => page.evaluate(() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status ?? 'none');
/** Code cell `index` of the notebook in front. */
const cell = (index: number): Locator => notebookInFront.locator('.jp-CodeCell').nth(index);
const outputText = async (locator: Locator) => (await locator.locator('.jp-OutputArea-output').allTextContents()).join('\n');
const kernelStates = async () =>
  ((await (await fetch(`${lab!.base}/api/kernels?token=${lab!.token}`)).json()) as { execution_state: string }[]).map(
    (k) => k.execution_state,
  );

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const previous = process.env.LOSSLENS_CACHE_DIR;
  process.env.LOSSLENS_CACHE_DIR = cacheDir;
  try {
    lab = await startLab({
      notebooks: [join(fixtures, 'own-what-if.ipynb'), join(fixtures, 'interrupt-training.ipynb')],
    });
  } finally {
    if (previous === undefined) delete process.env.LOSSLENS_CACHE_DIR;
    else process.env.LOSSLENS_CACHE_DIR = previous;
  }
  page = lab.page;
  // The README's install step, in the served folder (no cell has run yet).
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund', root], { cwd: lab.notebookDir, stdio: 'ignore' });
  await page.locator('.jp-NotebookPanel .jp-CodeCell').first().waitFor({ timeout: 90_000 });
  notebookInFront = await lab.panel('own-what-if.ipynb');
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
    await expect
      .poll(() => legend().then((labels) => labels.filter((label) => label.startsWith('32×32')).length), {
        timeout: 240_000,
        interval: 1000,
      })
      .toBe(2);
    await expect.poll(() => runCell.locator('.jp-RenderedMarkdown table tbody tr').count(), { timeout: 30_000 }).toBe(2);
    const runs = (await legend()).filter((label) => label.startsWith('32×32'));
    expect(runs).toEqual(['32×32 edge+2 bce', '32×32 edge+2 mse']);
    const rows = await runCell.locator('.jp-RenderedMarkdown table tbody tr td:first-child').allTextContents();
    expect(rows).toEqual(['32×32 edge+2 bce', '32×32 edge+2 mse']);
    expect(await runCell.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').count()).toBe(0);
    await runCell.screenshot({ path: join(artifacts, 'whatif-bce-mse.png') });
  }, 300_000);
});

describe('interrupting a training in JupyterLab', () => {
  it('shows the progress line moving while the cell runs, then only the message, and the kernel lives on', async () => {
    notebookInFront = await lab!.open('interrupt-training.ipynb');
    await cell(2).waitFor({ timeout: 60_000 });
    await expect.poll(kernelStatus, { timeout: 120_000, interval: 1000 }).toBe('idle');
    await runCellAt(1);
    await expect.poll(() => cell(0).locator('.jp-InputPrompt').textContent(), { timeout: 120_000, interval: 500 }).toMatch(/\[\d+\]/);
    await runCellAt(2);
    const training = cell(1);
    const batch = async () => Number(/epoch 1\/2 · batch (\d+)\/200/.exec(await outputText(training))?.[1] ?? 0);
    const first = await expect.poll(batch, { timeout: 180_000, interval: 250 }).toBeGreaterThan(0).then(batch);
    // An in-place update: the same single output now shows a later batch, and the cell is still running.
    await expect.poll(batch, { timeout: 60_000, interval: 250 }).toBeGreaterThan(first);
    expect(await training.locator('.jp-OutputArea-output').count()).toBe(1);
    expect(await training.locator('.jp-InputPrompt').textContent()).toContain('*');
    // The interrupt button of this notebook's toolbar.
    await notebookInFront.locator('.jp-Toolbar [data-command="notebook:interrupt-kernel"]').click({ timeout: 10_000 });
    await expect
      .poll(() => outputText(training), { timeout: 60_000, interval: 500 })
      .toMatch(/interrupted in epoch \d+ after \d+ of 200 batches/);
    await expect.poll(kernelStatus, { timeout: 60_000, interval: 500 }).toBe('idle');
    // Nothing may follow the message: no stderr output, no error output, no stack frames.
    await page.waitForTimeout(2000);
    expect(await training.locator('.jp-OutputArea-output').count()).toBe(1);
    expect(await outputText(training)).not.toMatch(/Error|\n\s+at /);
    await training.screenshot({ path: join(artifacts, 'interrupted-training.png') });
    await runCellAt(3);
    await expect.poll(() => outputText(cell(2)), { timeout: 60_000 }).toContain('still here');
  }, 420_000);
});
