/**
 * Notebook 03's parameter cell type-checks as a user edits it: its own import, parameter
 * and runs cells, with other values typed in (no casts), run under tslab by the notebook
 * runner; a mistyped pad mode fails with the type's name. Nothing trains: the runs cell only
 * builds configs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTEBOOK_DIR, ROOT } from './quickRun.js';
import { notebookText as text } from '../helpers/notebook.js';

const run = promisify(execFile);

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[] };
  outputs?: { text?: string | string[] }[];
}

const cells = (JSON.parse(readFileSync(join(NOTEBOOK_DIR, '03-what-if.ipynb'), 'utf8')) as { cells: Cell[] }).cells.filter(
  (c) => c.cell_type === 'code',
);
const tagged = (tag: string) => text(cells.find((c) => c.metadata.tags?.includes(tag))!.source);

let folder: string;

/** Runs notebook 03's import, edited parameter and runs cells plus `check`; resolves with the runner's outcome. */
async function execute(name: string, edit: (parameters: string) => string, check: string) {
  const source = (code: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: code });
  const notebook = {
    cells: [source(text(cells[0].source)), source(edit(tagged('parameters'))), source(tagged('runs')), source(check)],
    metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  writeFileSync(join(folder, `${name}.ipynb`), JSON.stringify(notebook));
  return run(
    join(ROOT, '.venv', 'bin', 'python'),
    [join(ROOT, 'scripts', 'run_notebooks.py'), join(folder, `${name}.ipynb`), '--output', join(folder, 'out')],
    {
      cwd: folder,
      maxBuffer: 16 * 1024 * 1024,
    },
  )
    .then(
      ({ stderr }) => ({ ok: true, stderr }),
      (error: { stderr?: string }) => ({ ok: false, stderr: error.stderr ?? '' }),
    )
    .then((outcome) => ({
      ...outcome,
      // The runner keeps the executed notebook when a cell fails, with tslab's message in that cell's output.
      cells: (JSON.parse(readFileSync(join(folder, 'out', `${name}.ipynb`), 'utf8')) as { cells: Cell[] }).cells,
    }));
}

beforeAll(() => {
  folder = mkdtempSync(join(tmpdir(), 'losslens-params-'));
  // As in notebooks/: "losslens" resolves to this checkout.
  mkdirSync(join(folder, 'node_modules'));
  symlinkSync(ROOT, join(folder, 'node_modules', 'losslens'), 'dir');
});
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe("notebook 03's parameter cell", () => {
  it('type-checks with other pad mode, loss, width and seeds typed in', async () => {
    const edited = await execute(
      'edited',
      (cell) =>
        cell
          .replace('padWidth: 4', 'padWidth: 2')
          .replace('padMode: "edge"', 'padMode: "constant"')
          .replace('loss: "binaryCrossentropy"', 'loss: "meanSquaredError"')
          .replace('seeds: [1]', 'seeds: [1, 2]'),
      'console.log(runConfigs.map((c) => `${c.pad ? `${c.pad.mode}+${c.pad.width}` : "none"} ${c.loss} ${c.seed}`).join(", "));',
    );
    expect(edited.ok, edited.stderr).toBe(true);
    expect(text(edited.cells[3].outputs?.[0]?.text).trim()).toBe(
      'none meanSquaredError 1, constant+2 meanSquaredError 1, none meanSquaredError 2, constant+2 meanSquaredError 2',
    );
  }, 180_000);

  it('names the type when a value is mistyped', async () => {
    const typo = await execute('typo', (cell) => cell.replace('padMode: "edge"', 'padMode: "constnt"'), '');
    expect(typo.ok).toBe(false);
    const shown = typo.cells[1].outputs?.map((output) => text(output.text)).join('') ?? '';
    expect(shown, typo.stderr).toMatch(/Type '"constnt"' is not assignable to type 'PadMode'/);
  }, 180_000);
});
