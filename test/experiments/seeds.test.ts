import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiments/run.js';
import { compare } from '../../src/experiments/compare.js';
import { pairedDifferences, runSeeds, withSeeds } from '../../src/experiments/seeds.js';
import { confidenceInterval, spread, summariseValues } from '../../src/statistics.js';
import { completed } from '../helpers/results.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-compare-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));
const SMALL = { epochs: 1, batchSize: 50, trainSamples: 200, testSamples: 100 };

describe('compare', () => {
  it('lines up the unpadded and padded ledgers; an absent border counts 0 per image', async () => {
    const plain = await runExperiment({ ...SMALL, seed: 2 }, { cacheDir });
    const padded = await runExperiment({ ...SMALL, seed: 2, pad: { width: 2, mode: 'edge' } }, { cacheDir });
    const comparison = compare(plain, padded);
    expect(comparison.a.label).toBe('28×28');
    expect(comparison.b.label).toBe('32×32 edge+2');
    expect(comparison.pixels).toMatchObject({ a: 784, b: 1024, difference: 240 });
    expect(comparison.total.perPixel!.a).toBe(completed(plain).ledger.perPixel);
    expect(comparison.total.perImage.b).toBe(completed(padded).ledger.perImage);
    expect(comparison.regions.border.perPixel).toBeNull();
    expect(comparison.regions.border.perImage.a).toBe(0);
    const { inner, border } = comparison.regions;
    expect(inner.perImage.b + border.perImage.b).toBeCloseTo(comparison.total.perImage.b, 10);
    expect(comparison.testLoss.difference).toBeCloseTo(completed(padded).testLoss - completed(plain).testLoss, 12);
    expect(() => compare(plain, { ...padded, status: 'interrupted', message: 'stopped' })).toThrow(
      /is interrupted \(stopped\); only completed runs/,
    );
  });
});

describe('runSeeds', () => {
  it('runs each seed and summarises mean and sample standard deviation', async () => {
    const {
      runs: [{ results, summary }],
      status,
    } = await runSeeds(SMALL, [1, 2], { cacheDir });
    expect(status).toBe('completed');
    expect(results.map((r) => r.config.seed)).toEqual([1, 2]);
    const values = results.map((r) => completed(r).ledger.perPixel);
    expect(values[0]).not.toBe(values[1]);
    expect(summary.perPixel!.mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
    expect(summary.perPixel!.std).toBeCloseTo(Math.abs(values[0] - values[1]) / Math.SQRT2, 12);
    expect(summary.borderPerPixel).toBeUndefined();
    await expect(runSeeds(SMALL, [1, 1], { cacheDir })).rejects.toThrow(/seeds repeat/);
  });

  it('runs several configs seed-major through the given runner, stops at the first incomplete run, and pairs them by seed', async () => {
    const order: string[] = [];
    const configs = [SMALL, { ...SMALL, pad: { width: 2, mode: 'edge' as const } }];
    const set = await runSeeds(configs, [1, 2], {
      run: async (config) => {
        order.push(`${config.pad ? 'padded' : 'plain'} ${config.seed}`);
        return runExperiment(config, { cacheDir });
      },
    });
    expect(order).toEqual(['plain 1', 'padded 1', 'plain 2', 'padded 2']);
    expect(set.seeds).toEqual([1, 2]);
    expect(set.runs.map((run) => run.results.map((r) => `${r.config.pad?.width ?? 0} ${r.config.seed}`))).toEqual([
      ['0 1', '0 2'],
      ['2 1', '2 2'],
    ]);
    expect(set.runs[1].config).toEqual(withSeeds(configs, [1, 2])[1]);

    const [plain, padded] = set.runs.map((run) => run.results);
    const paired = pairedDifferences(plain, padded, 'innerPerImage');
    const expected = plain.map((r, i) => completed(padded[i]).ledger.regions.inner.perImage - completed(r).ledger.regions.inner.perImage);
    expect(paired.seeds).toEqual([1, 2]);
    expect(paired.values).toEqual(expected);
    expect(paired.mean).toBeCloseTo((expected[0] + expected[1]) / 2, 12);
    // Two values: t(0.975, 1 degree of freedom) = 12.706…, the first entry of every t table.
    expect(paired.interval!.halfWidth).toBeCloseTo((12.706204736 * paired.std!) / Math.SQRT2, 6);
    expect(() => pairedDifferences(plain, [...padded].reverse(), 'perImage')).toThrow(/same seeds in the same order/);

    const stopped = await runSeeds(configs, [1, 2], {
      run: async (config) => {
        const result = await runExperiment(config, { cacheDir });
        return config.pad ? { ...result, status: 'interrupted', message: 'stopped' } : result;
      },
    });
    expect(stopped.status).toBe('interrupted');
    expect(stopped.runs.map((run) => run.results.length)).toEqual([1, 1]);
    expect(stopped.runs[1].summary).toEqual({});
  });

  it('spread: null std for one value', () => {
    expect(spread([3])).toEqual({ mean: 3, std: null, min: 3, max: 3, n: 1 });
    expect(spread([1, 3]).std).toBeCloseTo(Math.SQRT2, 12);
  });

  it("confidenceInterval: Student's t quantiles of the two-sided 95% interval; none for one value", () => {
    // Published two-sided 95% critical values for 2, 4 and 29 degrees of freedom.
    for (const [n, t] of [
      [3, 4.303],
      [5, 2.776],
      [30, 2.045],
    ]) {
      const interval = confidenceInterval({ mean: 10, std: Math.sqrt(n), min: 0, max: 20, n })!;
      expect(interval.halfWidth).toBeCloseTo(t, 3);
      expect([interval.low, interval.high, interval.level]).toEqual([10 - interval.halfWidth, 10 + interval.halfWidth, 0.95]);
    }
    expect(confidenceInterval(spread([3]))).toBeNull();
    expect(summariseValues([1, 2, 3]).interval!.halfWidth).toBeCloseTo((4.302652729 * 1) / Math.sqrt(3), 8);
    expect(() => confidenceInterval(spread([1, 2]), 95)).toThrow(/between 0 and 1/);
  });
});
