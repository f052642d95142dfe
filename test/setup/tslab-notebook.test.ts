import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, venvPython } from '../helpers/python';

interface Output {
  output_type: string;
  text?: string | string[];
  data?: { 'text/plain'?: string | string[] };
}
interface Cell {
  cell_type: string;
  metadata: { tags?: string[] };
  outputs?: Output[];
}

const textOf = (output: Output): string => [output.text ?? '', output.data?.['text/plain'] ?? ''].flat().join('');

describe('a notebook under the tslab kernel', () => {
  it('executes with nbclient and computes a tensor with tfjs-node', () => {
    const outDir = mkdtempSync(join(tmpdir(), 'losslens-nb-'));
    execFileSync(
      venvPython,
      ['scripts/run_notebooks.py', 'test/fixtures/notebooks/tfjs-in-tslab.ipynb', '--output', outDir, '--params', '{"size": 4}'],
      { cwd: repoRoot, stdio: 'pipe' },
    );
    const notebook = JSON.parse(readFileSync(join(outDir, 'tfjs-in-tslab.ipynb'), 'utf8')) as { cells: Cell[] };
    const code = notebook.cells.filter((cell) => cell.cell_type === 'code');
    const outputs = code.flatMap((cell) => cell.outputs ?? []);
    expect(outputs.filter((output) => output.output_type === 'error')).toEqual([]);
    expect(code.some((cell) => cell.metadata.tags?.includes('injected-parameters'))).toBe(true);
    const printed = outputs.map(textOf).join('\n');
    expect(printed).toMatch(/backend=tensorflow tensorflow=\d+\.\d+\.\d+/);
    // ones(4×4)·ones(4×4) is 4 everywhere: proof that the injected size reached the cell.
    expect(printed).toContain(JSON.stringify(Array(16).fill(4)));
  }, 120_000);
});
