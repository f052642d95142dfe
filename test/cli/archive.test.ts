/**
 * `losslens archive build` writes the runs a notebook reads from a cache into an archive,
 * `losslens plan` then counts them as needing no training, and `losslens archive compare`
 * sets a reproduction beside them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchiveComparisonOutput, PlanOutput } from '../../src/cli/output.js';
import { ResultsArchive } from '../../src/cache/archive.js';
import { buildLibrary, runCli } from '../helpers/cli.js';

const root = join(__dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'losslens-archive-cli-'));
const cacheDir = join(folder, 'cache');
const archiveDir = join(folder, 'archive');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const losslens = (args: string[], env: NodeJS.ProcessEnv = {}) => runCli(args, { timeout: 180_000, env: { ...process.env, ...env } });

const cell = (source: string, tags?: string[]) => ({ cell_type: 'code', metadata: tags ? { tags } : {}, outputs: [], source });
const path = join(folder, 'tiny.ipynb');
const TINY = 'epochs: 1, trainSamples: 200, testSamples: 50, batchSize: 50';

beforeAll(() => {
  buildLibrary();
  writeFileSync(
    path,
    JSON.stringify({
      cells: [
        cell(`import { normaliseConfig } from ${JSON.stringify(join(root, 'dist'))};`),
        cell('const params = { seeds: [7, 8] };', ['parameters']),
        cell(`const runConfigs = params.seeds.map((seed) => normaliseConfig({ ${TINY}, seed }));`, ['runs']),
      ],
      metadata: {},
      nbformat: 4,
      nbformat_minor: 5,
    }),
  );
  for (const seed of ['7', '8']) {
    const trained = losslens([
      'run',
      '--epochs',
      '1',
      '--samples',
      '200',
      '--test-samples',
      '50',
      '--batch-size',
      '50',
      '--seed',
      seed,
      '--cache-dir',
      cacheDir,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
  }
}, 300_000);

describe('losslens archive', () => {
  it('build archives the runs a notebook reads, and plan then counts them as in the published archive', () => {
    const built = losslens(['archive', 'build', path, '--from', cacheDir, '--output', archiveDir]);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stdout).toMatch(/^archived 2 run\(s\), \d+\.\d MB, identity [0-9a-f]{16}, commit \S+ → /);
    expect(ResultsArchive.open(archiveDir)!.manifest.entries.map((entry) => entry.config.seed)).toEqual([7, 8]);

    const empty = join(folder, 'empty-cache');
    const plan = losslens(['plan', path, '--cache-dir', empty, '--json'], { LOSSLENS_ARCHIVE: archiveDir });
    expect(plan.code, plan.stderr).toBe(0);
    const [planned] = (JSON.parse(plan.stdout) as PlanOutput).notebooks;
    expect(planned.runs!.map((run) => [run.cached, run.origin])).toEqual([
      [true, 'archive'],
      [true, 'archive'],
    ]);
    const text = losslens(['plan', path, '--cache-dir', empty], { LOSSLENS_ARCHIVE: archiveDir });
    expect(text.stdout).toContain('28×28 seed 7: in the published archive');
    expect(text.stdout).toContain('0 training(s) needed for 2 run(s)');
  });

  it('build names the runs the cache lacks, and archives the others only when told', () => {
    const partialCache = join(folder, 'partial');
    const trained = losslens([
      'run',
      '--epochs',
      '1',
      '--samples',
      '200',
      '--test-samples',
      '50',
      '--batch-size',
      '50',
      '--seed',
      '7',
      '--cache-dir',
      partialCache,
    ]);
    expect(trained.code, trained.stderr).toBe(0);
    const output = join(folder, 'partial-archive');
    const refused = losslens(['archive', 'build', path, '--from', partialCache, '--output', output]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /1 of 2 run\(s\) are neither in .* nor in the archive that this build \(identity [0-9a-f]{16}\) vouches for: 28×28 seed 8\./,
    );
    const partial = losslens(['archive', 'build', path, '--from', partialCache, '--output', output, '--allow-missing']);
    expect(partial.code, partial.stderr).toBe(0);
    expect(partial.stdout).toContain('not archived (not computed yet): 28×28 seed 8');
  });

  it('compare sets the cache beside the archive, as JSON', () => {
    const compared = losslens(['archive', 'compare', path, '--cache-dir', cacheDir, '--json'], { LOSSLENS_ARCHIVE: archiveDir });
    expect(compared.code, compared.stderr).toBe(0);
    const output = JSON.parse(compared.stdout) as ArchiveComparisonOutput;
    expect(output.missing).toEqual([]);
    expect(output.rows.map((row) => [row.label, row.differences.archive])).toEqual([
      ['28×28 seed 7', { perPixel: 0, perImage: 0 }],
      ['28×28 seed 8', { perPixel: 0, perImage: 0 }],
    ]);
    expect(output.archive).toMatchObject({ fits: true });
    const table = losslens(['archive', 'compare', path, '--cache-dir', cacheDir], { LOSSLENS_ARCHIVE: archiveDir });
    expect(table.stdout).toMatch(/^28×28 seed 7 +0\.\d+ +0\.\d+ +— /m);
  });
});
