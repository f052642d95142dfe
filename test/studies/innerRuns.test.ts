/**
 * One tiny cached run per inner-region knob: each completes, is stored under its own key and
 * read back from the cache, and its ledger measures the inner 28×28 where the original image
 * really is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExperiment } from '../../src/experiments/run.js';
import type { ExperimentConfigInput } from '../../src/settings/config.js';
import { completed } from '../helpers/results.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-inner-runs-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const TINY: ExperimentConfigInput = {
  epochs: 1,
  batchSize: 50,
  trainSamples: 100,
  testSamples: 50,
  seed: 4,
  pad: { width: 2, mode: 'edge' },
};

describe('runExperiment with the inner-region knobs', () => {
  const keys = new Set<string>();

  it.each([
    ['noise on the original only', { noisePlacement: 'originalOnly' }],
    ['noise before padding', { noisePlacement: 'beforePadding' }],
    ['the loss on the original only', { lossRegion: 'original' }],
    ['the digit on the pooling grid', { pad: { width: 2, mode: 'edge', shift: 2 } }],
  ] as [string, ExperimentConfigInput][])('runs and caches %s', async (_, change) => {
    const config = { ...TINY, ...change };
    const result = await runExperiment(config, { cacheDir });
    expect(result.status).toBe('completed');
    expect(result.origin).toBe('computed');
    expect(keys.has(result.key)).toBe(false);
    keys.add(result.key);
    const ledger = completed(result).ledger;
    expect(ledger.regions.inner.pixels).toBe(784);
    expect(ledger.regions.border!.pixels).toBe(240);
    const again = await runExperiment(config, { cacheDir });
    expect(again.origin).toBe('cache');
    expect(completed(again).ledger).toEqual(ledger);
  });

  it('measures the inner region where the shifted image is', async () => {
    const result = await runExperiment({ ...TINY, pad: { width: 2, mode: 'edge', shift: 2 } }, { cacheDir });
    expect(completed(result).ledger.border).toEqual({ top: 4, bottom: 0, left: 4, right: 0 });
    expect(result.config.pad).toEqual({ width: 2, mode: 'edge', shift: 2 });
  });

  it('reports the test loss over the pixels the loss covers, while the ledger keeps every region', async () => {
    const result = await runExperiment({ ...TINY, lossRegion: 'original' }, { cacheDir });
    const ledger = completed(result).ledger;
    // evaluate's loss is the training loss, here the mean over the inner 28×28 only.
    expect(Math.abs(completed(result).testLoss - ledger.regions.inner.perPixel)).toBeLessThan(1e-5);
    expect(Math.abs(completed(result).testLoss - ledger.perPixel)).toBeGreaterThan(1e-4);
    expect(ledger.regions.border!.perImage).toBeGreaterThan(0);
  });
});
