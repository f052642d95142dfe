import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expandGrid, sweep, SweepGridError, type SweepEvent } from '../../src/experiments/sweep.js';
import { acceptEntry, inProcessExecutor, type SweepExecutor } from '../../src/experiments/sweepExecutors.js';
import { resultPath } from '../../src/cache/lookup.js';
import { resultsIdentity } from '../../src/identity/identity.js';
import { dilutionBundle } from '../../src/display/dilution.js';
import { dilutionPoints } from '../../src/studies/dilution.js';
import { SweepTracker, sweepTable } from '../../src/display/sweepProgress.js';
import { completed } from '../helpers/results.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-sweep-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const TINY = { epochs: 1, batchSize: 50, trainSamples: 100, testSamples: 50 };

describe('expandGrid', () => {
  it('takes every combination, normalised, with pad width 0 once whatever the mode', () => {
    const configs = expandGrid({ padWidth: [0, 2, 4], padMode: ['edge', 'constant'], seed: [1, 2] }, TINY);
    // (1 unpadded + 2 widths × 2 modes) × 2 seeds
    expect(configs).toHaveLength(10);
    expect(configs.filter((c) => c.pad === null)).toHaveLength(2);
    expect(configs.every((c) => c.epochs === 1 && c.trainSamples === 100)).toBe(true);
    expect(new Set(configs.map((c) => JSON.stringify(c))).size).toBe(10);
  });

  it.each([
    [{ padWidth: [0, 3] }, 'padWidth', /^grid field padWidth value 3 must be even/],
    [{ padMode: ['wrap'] }, 'padMode', /^grid field padMode value "wrap" must be one of/],
    [{ seed: [] }, 'seed', /^grid field seed must be a non-empty list/],
    [{ loss: ['hinge'] }, 'loss', /^grid field loss value "hinge" must be one of/],
    [{ padWidths: [2] }, null, /^the sweep grid has unknown field\(s\) padWidths; the fields are/],
    [{ trainSamples: [70_000] }, 'trainSamples', /^grid field trainSamples value 70000 must be an integer from 1 to 60,000/],
    [{ noisePlacement: ['sideways'] }, 'noisePlacement', /^grid field noisePlacement value "sideways" must be one of/],
    [{ lossRegion: ['inner'] }, 'lossRegion', /^grid field lossRegion value "inner" must be one of/],
    [{ padWidth: [2], padShift: [6] }, 'padShift', /^grid field padShift must be an integer from -2 to 2, got 6/],
    [{ padShift: [2] }, 'padShift', /^grid field padShift means nothing without padding/],
    [
      { seed: Array.from({ length: 200 }, (_, i) => i), padWidth: [0, 2, 4, 6, 8], epochs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] },
      null,
      /has 11,000 points/,
    ],
  ])('%j is refused naming the field', (grid, field, message) => {
    let error: unknown;
    try {
      expandGrid(grid as never, TINY);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SweepGridError);
    expect((error as SweepGridError).setting).toBe(field);
    expect((error as Error).message).toMatch(message);
  });
});

describe('sweep (in this process)', () => {
  it('runs each point once, reports progress per point, then reads every point from the cache', async () => {
    const events: SweepEvent[] = [];
    const tracker = new SweepTracker();
    const first = await sweep({ padWidth: [0, 2] }, { base: TINY, cacheDir, onEvent: (e) => (events.push(e), tracker.update(e)) });
    expect(first.status).toBe('completed');
    expect(first.points.map((p) => p.status)).toEqual(['completed', 'completed']);
    expect(first.rows.map((r) => r.pixels)).toEqual([784, 1024]);
    expect(first.rows[1].perImage).toBeCloseTo(first.rows[1].perPixel! * 1024, 6);
    expect(events.filter((e) => e.type === 'started')).toHaveLength(2);
    expect(events.filter((e) => e.type === 'progress').length).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe('done');
    expect(tracker.text()).toMatch(/2\/2 points done/);
    expect(sweepTable(first)).toMatch(/\| 32×32 edge\+2 \| completed \| 1024 \|/);

    const second: SweepEvent[] = [];
    const again = await sweep({ padWidth: [0, 2] }, { base: TINY, cacheDir, onEvent: (e) => second.push(e) });
    expect(again.points.map((p) => p.status)).toEqual(['cached', 'cached']);
    expect(second.some((e) => e.type === 'started' || e.type === 'progress')).toBe(false);
    expect(again.rows.map((r) => r.perImage)).toEqual(first.rows.map((r) => r.perImage));
  });

  it('reports a failed point with its error and still runs the others', async () => {
    const local = inProcessExecutor();
    const flaky: SweepExecutor = {
      name: 'flaky',
      concurrency: 1,
      runPoint: (task, context) => (task.index === 0 ? Promise.reject(new Error('worker on fire')) : local.runPoint(task, context)),
    };
    const result = await sweep({ padWidth: [0, 4] }, { base: { ...TINY, seed: 5 }, cacheDir, executor: flaky });
    expect(result.status).toBe('failed');
    expect(result.points.map((p) => p.status)).toEqual(['failed', 'completed']);
    expect(result.rows[0]).toMatchObject({ error: 'worker on fire', perImage: null });
    expect(result.results).toHaveLength(1);
  });

  it('an abort cancels the points that have not started and keeps the finished ones', async () => {
    const controller = new AbortController();
    const result = await sweep(
      { seed: [11, 12, 13] },
      {
        base: TINY,
        cacheDir,
        signal: controller.signal,
        onEvent: (event) => {
          if (event.type === 'finished' && event.point.index === 0) controller.abort();
        },
      },
    );
    expect(result.status).toBe('interrupted');
    expect(result.points.map((p) => p.status)).toEqual(['completed', 'cancelled', 'cancelled']);
    // The finished point is in the cache: the same sweep reads it and runs only the others.
    const resumed = await sweep({ seed: [11, 12, 13] }, { base: TINY, cacheDir });
    expect(resumed.points.map((p) => p.status)).toEqual(['cached', 'completed', 'completed']);
  });
});

describe('acceptEntry', () => {
  it('stores an entry whose checksum and results identity check out, and refuses damaged or foreign ones', async () => {
    const { points } = await sweep({ padWidth: [2] }, { base: TINY, cacheDir });
    const point = points[0];
    const { id } = await resultsIdentity();
    const text = readFileSync(resultPath(cacheDir, point.key, id), 'utf8');
    const other = mkdtempSync(join(tmpdir(), 'losslens-accept-'));
    try {
      const task = { index: 0, config: point.config, key: point.key, identity: id, label: point.label };
      expect(completed(acceptEntry(text, task, other)).ledger).toEqual(completed(point.result!).ledger);
      expect(readFileSync(resultPath(other, point.key, id), 'utf8')).toBe(text);
      const damaged = text.replace(/"perImage":(\d)/, (_, digit) => `"perImage":${(Number(digit) + 1) % 10}`);
      expect(() => acceptEntry(damaged, task, other)).toThrow(/checksum mismatch/);
      expect(() => acceptEntry(text, { ...task, identity: 'someone-else' }, other)).toThrow(
        /computed under results identity .* but this caller's is someone-else/,
      );
      expect(() => acceptEntry(text, { ...task, key: 'f'.repeat(24) }, other)).toThrow(/not a result for this key|expected schema/);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});

describe('dilution curve', () => {
  it('averages seeds per pad mode and width, starts each mode at the unpadded run, and renders to SVG', async () => {
    const result = await sweep({ padWidth: [0, 2], padMode: ['edge', 'constant'], seed: [1, 2] }, { base: TINY, cacheDir });
    expect(result.status).toBe('completed');
    const points = dilutionPoints(result);
    expect(points.map((p) => `${p.mode}/${p.padWidth}`)).toEqual(['constant/0', 'constant/2', 'edge/0', 'edge/2']);
    expect(points.every((p) => p.seeds === 2)).toBe(true);
    const edge2 = result.rows.filter((r) => r.padMode === 'edge' && r.padWidth === 2).map((r) => r.perImage!);
    expect(points[3].perImage).toBeCloseTo((edge2[0] + edge2[1]) / 2, 10);
    const bundle = await dilutionBundle(points);
    expect(bundle.data['image/svg+xml']).toMatch(/^<svg/);
    expect(bundle.data['image/svg+xml']).toMatch(/pad width/);
    expect(bundle.data['image/svg+xml']).toMatch(/question: 32×32 edge/);
    expect(bundle.data['text/plain']).toMatch(/edge: pad 0: .* per pixel/);
    const mixed = await sweep({ epochs: [1, 2] }, { base: { ...TINY, trainSamples: 50 }, cacheDir });
    expect(() => dilutionPoints(mixed)).toThrow(/differ in more than pad width/);
  });
});
