/**
 * The published archive as a read-only layer under the user's cache: a run it holds is read,
 * not trained, and says so; a damaged entry, an archive of other numbers, or a reproduction
 * that asks for its own runs trains. Built here from a tiny run, through the same lookup runs,
 * sweeps and plans use.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ArchiveError, buildArchive, openArchive, ResultsArchive, type ArchiveManifest } from '../../src/cache/archive.js';
import { resultPath } from '../../src/cache/lookup.js';
import { normaliseConfig, type ExperimentConfigInput } from '../../src/settings/config.js';
import { resultsIdentity, type ResultsIdentity } from '../../src/identity/identity.js';
import { compareReproduction } from '../../src/experiments/reproduction.js';
import type { ExperimentResult } from '../../src/results/result.js';
import { runExperiment, type RunOptions } from '../../src/experiments/run.js';
import { writeEntry } from '../../src/entries.js';
import { sweep } from '../../src/experiments/sweep.js';
import { completed } from '../helpers/results.js';

const folder = mkdtempSync(join(tmpdir(), 'losslens-archive-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const TINY: ExperimentConfigInput = { epochs: 1, batchSize: 50, trainSamples: 150, testSamples: 40, seed: 4 };
const trainedCache = join(folder, 'trained');
let identity: ResultsIdentity;
let trained: ExperimentResult;
let seed5: ExperimentResult;

function archiveOf(name: string, runs: readonly ExperimentResult[], as: ResultsIdentity = identity): string {
  const directory = join(folder, name);
  buildArchive(
    directory,
    runs.map((result) => ({ result, entryText: readFileSync(resultPath(trainedCache, result.key, result.identity.id), 'utf8') })),
    { identity: as, commit: 'abc123def456' },
  );
  return directory;
}

/** runExperiment with an empty cache of its own and `archive` as $LOSSLENS_ARCHIVE. */
async function runWith(archive: string, config: ExperimentConfigInput, options: RunOptions = {}) {
  const saved = process.env.LOSSLENS_ARCHIVE;
  process.env.LOSSLENS_ARCHIVE = archive;
  const stages: string[] = [];
  const warnings: string[] = [];
  let progress = 0;
  try {
    const result = await runExperiment(config, {
      cacheDir: mkdtempSync(join(folder, 'cache-')),
      onStage: (stage) => stages.push(stage),
      onProgress: () => progress++,
      warn: (warning) => warnings.push(warning),
      ...options,
    });
    return { result, stages, warnings, progress };
  } finally {
    if (saved === undefined) delete process.env.LOSSLENS_ARCHIVE;
    else process.env.LOSSLENS_ARCHIVE = saved;
  }
}

beforeAll(async () => {
  identity = await resultsIdentity();
  trained = await runExperiment(TINY, { cacheDir: trainedCache });
  seed5 = await runExperiment({ ...TINY, seed: 5 }, { cacheDir: trainedCache });
}, 300_000);

afterEach(() => delete process.env.LOSSLENS_ARCHIVE);

describe('the results archive', () => {
  it('serves a run it holds without training, saying where it came from', async () => {
    const archive = archiveOf('plain', [trained]);
    const manifest = ResultsArchive.open(archive)!.manifest;
    expect(manifest.entries).toHaveLength(1);
    expect(manifest.identity.id).toBe(identity.id);
    const { result, progress, stages } = await runWith(archive, TINY);
    expect(progress).toBe(0);
    expect(result.origin).toBe('archive');
    expect(result.archive).toEqual({ createdAt: manifest.createdAt, commit: 'abc123def456', identity: identity.id });
    expect(completed(result).ledger).toEqual(completed(trained).ledger);
    expect(stages).toContain('from the published archive');
  });

  it('trains a run it does not hold, and a run asked for with archive: false', async () => {
    const archive = archiveOf('plain-2', [trained]);
    const other = await runWith(archive, { ...TINY, seed: 6 });
    expect(other.result.origin).toBe('computed');
    expect(other.progress).toBeGreaterThan(0);
    const own = await runWith(archive, TINY, { archive: false });
    expect(own.result.origin).toBe('computed');
    // The same code trains the same numbers the archive holds.
    expect(completed(own.result).ledger).toEqual(completed(trained).ledger);
  });

  it('trains, with one line saying why, when its runs were computed by code with other numbers', async () => {
    // As if another build had computed it: its manifest names another identity.
    const archive = archiveOf('other-numbers', [trained]);
    const manifest = join(archive, 'manifest.json');
    const text = JSON.parse(readFileSync(manifest, 'utf8')) as ArchiveManifest;
    text.identity = { ...text.identity, id: '0000000000000000', runs: { ...text.identity.runs, tiny: '0'.repeat(64) } };
    writeFileSync(manifest, JSON.stringify(text));
    const { result, stages } = await runWith(archive, TINY);
    expect(result.origin).toBe('computed');
    expect(stages.filter((stage) => stage.startsWith('the published archive holds this run'))).toEqual([
      `the published archive holds this run, but it was computed by code whose numbers differ from this build's (fingerprint runs tiny; identity 0000000000000000, this build ${identity.id}); training it`,
    ]);
  });

  it('trains a damaged entry after a warning naming it', async () => {
    const archive = archiveOf('damaged', [trained]);
    const entry = ResultsArchive.open(archive)!.manifest.entries[0];
    const path = join(archive, entry.file);
    writeFileSync(path, readFileSync(path, 'utf8').replace('"testLoss":0.', '"testLoss":1.'));
    const { result, warnings } = await runWith(archive, TINY);
    expect(result.origin).toBe('computed');
    expect(warnings.join('\n')).toMatch(new RegExp(`ignoring archived run ${path}: its SHA-256 differs from the manifest`));
  });

  it('is one layer for sweeps too', async () => {
    process.env.LOSSLENS_ARCHIVE = archiveOf('for-sweep', [trained, seed5]);
    const result = await sweep({ seed: [4, 5] }, { base: TINY, cacheDir: mkdtempSync(join(folder, 'sweep-')) });
    expect(result.points.map((point) => [point.status, point.result?.origin])).toEqual([
      ['cached', 'archive'],
      ['cached', 'archive'],
    ]);
  });

  it('refuses to archive a run its build does not vouch for, and an unreadable manifest', () => {
    const other = { ...identity, id: 'ffffffffffffffff', runs: { ...identity.runs, tiny: '0'.repeat(64) } };
    expect(() => archiveOf('foreign', [trained], other)).toThrow(/was computed by code whose numbers differ .*fingerprint runs tiny;/);
    const broken = join(folder, 'broken');
    archiveOf('broken', [trained]);
    writeFileSync(join(broken, 'manifest.json'), '{"format": "something else"}');
    expect(() => ResultsArchive.open(broken)).toThrow(ArchiveError);
    expect(openArchive(join(folder, 'nothing-here'))).toBeNull();
  });

  it("reads a result an earlier build computed when this build computes the same on that build's every run", async () => {
    const cacheDir = mkdtempSync(join(folder, 'earlier-'));
    const { tiny, ...rest } = identity.runs;
    const store = (runs: Record<string, string>, id: string) => {
      const earlier = { ...trained, identity: { ...trained.identity, id, runs } };
      writeEntry(resultPath(cacheDir, trained.key, id), earlier);
    };
    // A build before a setting (and its fingerprint run) was added: this build covers it.
    store(rest, '1111111111111111');
    const covered = await runExperiment(TINY, { cacheDir, archive: false });
    expect([covered.origin, covered.identity.id]).toEqual(['cache', '1111111111111111']);
    // A build whose tiny run gave other numbers: not this build's results.
    rmSync(join(cacheDir, trained.key), { recursive: true });
    store({ ...rest, tiny: tiny.replace(/^./, (c) => (c === '0' ? '1' : '0')) }, '2222222222222222');
    const other = await runExperiment(TINY, { cacheDir, archive: false });
    expect([other.origin, other.identity.id]).toEqual(['computed', identity.id]);
  });

  it('compares a reproduction with its run of the same seed and the spread of its seeds', async () => {
    const archive = ResultsArchive.open(archiveOf('compare', [trained, seed5]))!;
    const again = await runExperiment(TINY, { cacheDir: mkdtempSync(join(folder, 'again-')), archive: false });
    const [row] = compareReproduction([again], archive, identity, () => {});
    expect(row.archive).toMatchObject({ perImage: completed(trained).ledger.perImage, fits: true });
    expect(row.differences.archive).toEqual({ perPixel: 0, perImage: 0 });
    expect(row.seedSpread?.seeds).toBe(2);
    expect(row.beyondSpread.archive).toBe(false);
    // Not one of the question's full-fidelity configs: nothing to compare with it.
    expect(row.question).toBeNull();
    expect(normaliseConfig(row.config)).toEqual(trained.config);
  });
});
