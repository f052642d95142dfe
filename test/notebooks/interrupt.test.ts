import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ROOT } from './quickRun.js';

const run = promisify(execFile);

describe("losslens's patch of tslab", () => {
  it('is applied to the tslab version it was written for', () => {
    const tslab = join(ROOT, 'node_modules', 'tslab');
    const version = (JSON.parse(readFileSync(join(tslab, 'package.json'), 'utf8')) as { version: string }).version;
    expect(
      existsSync(join(ROOT, 'patches', `tslab+${version}.patch`)),
      `patches/ has no patch for tslab ${version}; port patches/tslab+*.patch`,
    ).toBe(true);
    expect(readFileSync(join(tslab, 'dist', 'executor.js'), 'utf8'), 'run scripts/setup.sh to apply patches/').toContain('losslens patch');
  });
});

describe('interrupting the kernel while runWithProgress trains', () => {
  it('stops the training, keeps the kernel and leaves no finished result', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'losslens-interrupt-'));
    try {
      const { stdout } = await run(join(ROOT, '.venv', 'bin', 'python'), [join(__dirname, 'interrupt_kernel.py'), ROOT, cache], {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      });
      const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        progress: string[];
        alive: string[];
        streams: string[];
        checkpoints: string[];
        results: string[];
      };
      expect(report.progress.some((text) => /epoch 1\/2 · batch \d+\/200/.test(text))).toBe(true);
      expect(report.progress.at(-1)).toMatch(/interrupted/);
      // The progress line's message is all the cell shows: no tslab stack (patches/tslab+1.0.22.patch).
      expect(report.streams).toEqual([]);
      expect(report.alive.join('')).toContain('still here');
      expect(report.results).toEqual([]);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  }, 240_000);
});
