/**
 * The README's "your own what-if" path: a notebook in a folder outside the checkout,
 * `npm install <losslens>` there, then `import … from "losslens"` type-checks and runs
 * under tslab, executed headless by the same runner the main job uses.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOSSPLOT_MIME, type LossPlotPayload } from '@losslens/protocol';
import { ROOT } from './quickRun.js';

const run = promisify(execFile);
const FIXTURE = join(ROOT, 'test', 'fixtures', 'notebooks', 'own-what-if.ipynb');

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
}

let folder: string;
let log: string;
let outputs: Output[];

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'losslens-own-'));
  copyFileSync(FIXTURE, join(folder, 'own-what-if.ipynb'));
  // The install step the README shows; --offline proves it needs no registry.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', ROOT], { cwd: folder });
  const executed = await run(
    join(ROOT, '.venv', 'bin', 'python'),
    [join(ROOT, 'scripts', 'run_notebooks.py'), join(folder, 'own-what-if.ipynb'), '--output', join(folder, 'out')],
    { cwd: folder, env: { ...process.env, LOSSLENS_CACHE_DIR: join(folder, 'cache') }, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`running the notebook failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  log = executed.stderr;
  const notebook = JSON.parse(readFileSync(join(folder, 'out', 'own-what-if.ipynb'), 'utf8')) as { cells: { outputs?: Output[] }[] };
  outputs = notebook.cells.flatMap((cell) => cell.outputs ?? []);
}, 300_000);

afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('a what-if notebook outside the repository', () => {
  it('imports "losslens" and runs every cell without an error or stderr output', () => {
    const problems = outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'));
    expect(problems).toEqual([]);
  });

  it('names the BCE and the MSE run apart, each loss on its own plot and its own ledger row', () => {
    const plots = outputs.filter((o) => o.data?.[LOSSPLOT_MIME]).map((o) => o.data![LOSSPLOT_MIME] as LossPlotPayload);
    expect(plots.map((p) => [...new Set(p.points.map((point) => point.run))])).toEqual([['32×32 edge+2 bce'], ['32×32 edge+2 mse']]);
    const markdown = (value: string | string[] | undefined) => (Array.isArray(value) ? value.join('') : (value ?? ''));
    const table = outputs
      .map((o) => markdown(o.data?.['text/markdown'] as string | string[] | undefined))
      .find((t) => t.includes('| run |'))!;
    expect(
      table
        .split('\n')
        .slice(2)
        .map((row) => row.split(' | ')[0]),
    ).toEqual(['| 32×32 edge+2 bce', '| 32×32 edge+2 mse']);
  });

  it("mirrors each training's progress to the runner's terminal", () => {
    expect(log).toMatch(/^\[1\/1\] running .*own-what-if\.ipynb$/m);
    expect(log).toMatch(/^ {2}run 1 of own-what-if\.ipynb: 32×32 edge\+2 seed 1/m);
    expect(log).toMatch(/^ {2}run 2 of own-what-if\.ipynb: 32×32 edge\+2 mse seed 1/m);
    expect(log.match(/^ {2}32×32 edge\+2 (mse )?seed 1 {2}\[#{24}\] 100% .* samples\/s · done in/gm)).toHaveLength(2);
    expect(log).toMatch(/\(2 training\(s\) run, 0 from the cache, 0 from the published archive\)/);
  });
});
