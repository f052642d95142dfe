import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiments/run.js';
import { compare } from '../../src/experiments/compare.js';
import { runSeeds, spread } from '../../src/experiments/seeds.js';

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
    expect(comparison.total.perPixel!.a).toBe(plain.ledger!.perPixel);
    expect(comparison.total.perImage.b).toBe(padded.ledger!.perImage);
    expect(comparison.regions.border.perPixel).toBeNull();
    expect(comparison.regions.border.perImage.a).toBe(0);
    const { inner, border } = comparison.regions;
    expect(inner.perImage.b + border.perImage.b).toBeCloseTo(comparison.total.perImage.b, 10);
    expect(comparison.testLoss.difference).toBeCloseTo(padded.testLoss! - plain.testLoss!, 12);
    expect(() => compare(plain, { ...padded, status: 'interrupted', ledger: null })).toThrow(/not completed/);
  });
});

describe('runSeeds', () => {
  it('runs each seed and summarises mean and sample standard deviation', async () => {
    const { results, summary, status } = await runSeeds(SMALL, [1, 2], { cacheDir });
    expect(status).toBe('completed');
    expect(results.map((r) => r.config.seed)).toEqual([1, 2]);
    const values = results.map((r) => r.ledger!.perPixel);
    expect(values[0]).not.toBe(values[1]);
    expect(summary.perPixel!.mean).toBeCloseTo((values[0] + values[1]) / 2, 12);
    expect(summary.perPixel!.std).toBeCloseTo(Math.abs(values[0] - values[1]) / Math.SQRT2, 12);
    expect(summary.borderPerPixel).toBeUndefined();
    await expect(runSeeds(SMALL, [1, 1], { cacheDir })).rejects.toThrow(/seeds repeat/);
  });

  it('spread: null std for one value', () => {
    expect(spread([3])).toEqual({ mean: 3, std: null, min: 3, max: 3, n: 1 });
    expect(spread([1, 3]).std).toBeCloseTo(Math.SQRT2, 12);
  });
});
