import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOSSPLOT_MIME, TENSOR_MIME } from '@losslens/protocol';
import { NOTEBOOKS, quickRun, type QuickRun } from './quickRun.js';
import { notebookText as text, type NotebookText } from '../helpers/notebook.js';

interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  data?: Record<string, unknown>;
  ename?: string;
  evalue?: string;
}
interface Cell {
  cell_type: string;
  source: string | string[];
  metadata: { tags?: string[] };
  outputs?: Output[];
}

const FALLBACK: Record<string, string> = { [TENSOR_MIME]: 'image/png', [LOSSPLOT_MIME]: 'image/svg+xml' };

let run: QuickRun;
beforeAll(() => {
  run = quickRun();
});

function cells(name: string): Cell[] {
  return (JSON.parse(readFileSync(join(run.outputDir, name), 'utf8')) as { cells: Cell[] }).cells;
}

describe.each(NOTEBOOKS)('%s in the quick profile', (name) => {
  it('runs every code cell without an error or stderr output', () => {
    const code = cells(name).filter((c) => c.cell_type === 'code');
    expect(code.length).toBeGreaterThan(0);
    const problems = code.flatMap((c) =>
      (c.outputs ?? [])
        .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
        .map((o) => `${text(c.source).slice(0, 60)}: ${o.ename ?? ''} ${o.evalue ?? text(o.text)}`),
    );
    expect(problems).toEqual([]);
  });

  it('got the quick parameters injected after its parameters cell', () => {
    const all = cells(name);
    const index = all.findIndex((c) => c.metadata.tags?.includes('parameters'));
    // Leading comments, then the object, typed or not (notebook 03's is a WhatIfParams).
    expect(text(all[index].source)).toMatch(/^(\/\/.*\n)*const params(: \w+)? = \{/);
    expect(all[index + 1].metadata.tags).toContain('injected-parameters');
  });

  it('sends each rich output as its custom type (an object) with a static fallback and text', () => {
    const rich = cells(name)
      .flatMap((c) => c.outputs ?? [])
      .filter((o) => o.data && Object.keys(o.data).some((t) => t in FALLBACK));
    expect(rich.length).toBeGreaterThan(0);
    for (const output of rich) {
      const custom = Object.keys(output.data!).find((t) => t in FALLBACK)!;
      const value = output.data![custom];
      expect(typeof value === 'object' && value !== null && !Array.isArray(value), `${custom} is an object`).toBe(true);
      // nbformat stores multi-line strings as lists of lines.
      const fallback = text(output.data![FALLBACK[custom]] as NotebookText | undefined);
      expect(fallback.length, `${FALLBACK[custom]} fallback present`).toBeGreaterThan(100);
      expect(text(output.data!['text/plain'] as NotebookText | undefined).length, 'text/plain present').toBeGreaterThan(0);
    }
  });
});

describe('the notebooks together', () => {
  it('show both kinds of rich output and every prose number comes from a cell', () => {
    const outputs = NOTEBOOKS.flatMap((name) => cells(name)).flatMap((c) => c.outputs ?? []);
    expect(outputs.some((o) => o.data?.[TENSOR_MIME])).toBe(true);
    expect(outputs.some((o) => o.data?.[LOSSPLOT_MIME])).toBe(true);
    expect(outputs.filter((o) => o.data?.['text/markdown']).length).toBeGreaterThan(5);
  });

  it('leave one final progress line per training run', () => {
    const progress = NOTEBOOKS.flatMap((name) => cells(name))
      .flatMap((c) => c.outputs ?? [])
      .map((o) => text(o.data?.['text/plain'] as NotebookText | undefined))
      .filter((t) => /seed \d+ {2}/.test(t));
    expect(progress.length).toBeGreaterThan(0);
    for (const line of progress) expect(line).toMatch(/ {2}(done: .+; test loss \d|from the cache \(computed .+\): test loss \d)/);
  });
});
