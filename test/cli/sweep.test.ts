import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary, runCli } from '../helpers/cli.js';
import type { SweepOutput } from '../../src/cli/output.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-sweep-cli-'));
const TINY = ['--epochs', '1', '--samples', '100', '--test-samples', '50', '--batch-size', '50', '--cache-dir', cacheDir];

function losslens(...args: string[]) {
  return runCli(args, { timeout: 300_000 });
}

beforeAll(() => {
  buildLibrary();
}, 300_000);
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

describe('losslens sweep', () => {
  it('--help shows the grid syntax', () => {
    const { code, stdout } = losslens('sweep', '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/Grid syntax: each grid option takes a comma-separated list/);
    expect(stdout).toMatch(/from\.\.to:step/);
    expect(stdout).toMatch(/--pad-width 0\.\.8:2 --pad-mode edge,constant/);
  });

  it.each([
    [['--pad-width', '0,3'], /^error: option '--pad-width <list>' argument '0,3' is invalid\. item '3': must be even/],
    [['--pad-width', '0..x'], /^error: option '--pad-width <list>' argument '0\.\.x' is invalid/],
    [
      ['--pad-mode', 'edge,wrap'],
      /^error: option '--pad-mode <list>' argument 'edge,wrap' is invalid\. item 'wrap': must be one of edge, constant/,
    ],
    [
      ['--noise', '0.3,abc'],
      /^error: option '--noise <list>' argument '0\.3,abc' is invalid\. item 'abc': must be a finite number ≥ 0, got "abc"\.$/,
    ],
    [['--noise', 'abc'], /^error: option '--noise <list>' argument 'abc' is invalid\. must be a finite number ≥ 0, got "abc"\.$/],
    [['--noise', '0x10'], /^error: option '--noise <list>' argument '0x10' is invalid\. must be a finite number ≥ 0, got "0x10"\.$/],
    [['--seeds', '3..1'], /^error: option '--seeds <list>' argument '3\.\.1' is invalid\. range 3\.\.1 must go up/],
    [
      ['--samples', '70000'],
      /^error: option '--samples <list>' argument '70000' is invalid\. must be an integer from 1 to 60,000, got 70000/,
    ],
    [
      ['--pad-width', '2', '--pad-shift', '3'],
      /^error: --pad-shift must be an integer from -2 to 2, got 3 \(the original image must stay inside the padded frame\)$/,
    ],
    [
      ['--seeds', '0..9999', '--pad-width', '0..20:2'],
      /^error: the sweep grid has 110,000 points \(11 padWidth × 10000 seed\); at most 10,000$/,
    ],
    [['--noise', '0.5,'], /^error: option '--noise <list>' argument '0\.5,' is invalid\. expected a comma-separated list/],
    [['--executor', 'ray'], /^error: --executor ray needs --address/],
  ])('%j: a one-line error naming the field, exit code 2', (args, message) => {
    const { code, stdout, stderr } = losslens('sweep', ...TINY, ...args);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    const errors = stderr.split('\n').filter((line) => line.startsWith('error:'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(message);
  });

  it('--processes 2 runs the points in child processes; a second sweep reads them all from the cache', () => {
    const first = losslens('sweep', '--pad-width', '0,2', '--seeds', '1,2', '--processes', '2', ...TINY, '--json');
    expect(first.code, first.stderr).toBe(0);
    const payload = JSON.parse(first.stdout) as SweepOutput;
    expect(payload.status).toBe('completed');
    expect(payload.executor).toBe('2 processes');
    expect(payload.rows).toHaveLength(4);
    expect(payload.rows.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(new Set(payload.rows.map((r) => r.node)).size).toBe(4);
    expect(first.stderr).toMatch(/#4 32×32 edge\+2 seed 2 {2}done: /);

    const second = losslens('sweep', '--pad-width', '0,2', '--seeds', '1,2', ...TINY);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^32×32 edge\+2 seed 2\s+cached\s+1024\s+\d\.\d+/m);
    expect(second.stderr).toMatch(/4\/4 points done \(4 cached\)/);
  });

  it('sweep-point refuses a caller with another results identity', () => {
    const { code, stderr } = losslens('sweep-point', '--config', '{}', '--cache-dir', cacheDir, '--identity', 'elsewhere-1');
    expect(code).toBe(3);
    expect(stderr).toMatch(/this node's results identity is \S+ but the caller's is elsewhere-1; refusing to run/);
  });
});
