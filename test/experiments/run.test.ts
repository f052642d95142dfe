import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runExperiment, type RunOptions } from '../../src/experiments/run.js';
import { checkpointPath, resultPath } from '../../src/cache/lookup.js';
import { decodeFloat32 } from '@losslens/protocol';
import { computeSeconds, deserializeLossMaps, trainingSeconds } from '../../src/results/result.js';
import { lossMapTensors } from '../../src/accounting/ledger.js';
import type { ExperimentConfigInput } from '../../src/settings/config.js';
import { tf } from '../../src/tf.js';
import { completed } from '../helpers/results.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'losslens-run-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

const SMALL: ExperimentConfigInput = { epochs: 1, batchSize: 50, trainSamples: 200, testSamples: 100, seed: 3 };

/** Runs with a progress counter: a call that trains reports progress, a cache hit never does. */
async function counted(config: ExperimentConfigInput, options: RunOptions = {}) {
  let progressEvents = 0;
  const warnings: string[] = [];
  const result = await runExperiment(config, {
    cacheDir,
    onProgress: () => progressEvents++,
    warn: (message) => warnings.push(message),
    ...options,
  });
  return { result, progressEvents, warnings };
}

describe('runExperiment', () => {
  it('computes a complete, serialisable result whose ledger mean equals evaluate', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const { result, progressEvents } = await counted({ ...SMALL, pad: { width: 2, mode: 'edge' } });
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(progressEvents).toBeGreaterThan(0);
    expect(result.status).toBe('completed');
    expect(result.origin).toBe('computed');
    expect(result.history).toHaveLength(1);
    const ledger = completed(result).ledger;
    expect(ledger.pixels).toBe(1024);
    expect(ledger.images).toBe(100);
    expect(ledger.regions.border!.pixels).toBe(240);
    expect(Math.abs(ledger.perPixel - completed(result).testLoss)).toBeLessThan(1e-5);
    expect(completed(result).otherLedger.loss).toBe('meanSquaredError');
    expect(completed(result).lossMaps.loss).toHaveLength(1024);
    const maps = lossMapTensors(deserializeLossMaps(completed(result).lossMaps));
    expect(maps.loss.mean().dataSync()[0]).toBeCloseTo(ledger.perPixel, 6);
    tf.dispose(Object.values(maps));
    const samples = completed(result).samples;
    expect(decodeFloat32(samples.reconstructions)).toHaveLength(samples.count * 32 * 32);
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
  });

  it('returns the cached result without training, and misses when the config changes', async () => {
    const first = await counted(SMALL);
    const second = await counted(SMALL);
    expect(second.progressEvents).toBe(0);
    expect(second.result.origin).toBe('cache');
    expect(completed(second.result).ledger).toEqual(completed(first.result).ledger);
    expect(second.result.key).toBe(first.result.key);

    const changed = await counted({ ...SMALL, noiseFactor: 0.4 });
    expect(changed.result.origin).toBe('computed');
    expect(changed.progressEvents).toBeGreaterThan(0);
    expect(changed.result.key).not.toBe(first.result.key);
  });

  it('treats a truncated result as a miss, with a warning, and rewrites it', async () => {
    const { result } = await counted(SMALL);
    const path = resultPath(cacheDir, result.key, result.identity.id);
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, Math.floor(text.length / 2)));
    const rerun = await counted(SMALL);
    expect(rerun.result.origin).toBe('computed');
    expect(rerun.progressEvents).toBeGreaterThan(0);
    expect(rerun.warnings.join('\n')).toMatch(/checksum mismatch/);
    expect(completed(rerun.result).ledger).toEqual(completed(result).ledger);
    expect((await counted(SMALL)).result.origin).toBe('cache');
  });

  it('resumes an interrupted run from its last finished epoch and ends as an uninterrupted run', async () => {
    const config = { ...SMALL, epochs: 2, seed: 5 };
    const controller = new AbortController();
    const interrupted = await counted(config, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.kind === 'epoch' && event.epoch === 1) controller.abort();
      },
    });
    expect(interrupted.result.status).toBe('interrupted');
    expect(interrupted.result.history).toHaveLength(1);
    expect(interrupted.result.status === 'interrupted' && interrupted.result.message).toMatch(/resumes from epoch 2/);
    expect(existsSync(checkpointPath(cacheDir, interrupted.result.key, interrupted.result.identity.id))).toBe(true);

    const resumed = await counted(config);
    expect(resumed.result.status).toBe('completed');
    expect(resumed.result.resumedFromEpoch).toBe(1);
    // Its timings are the completing call's; the first epoch's training came from the interrupted call.
    const first = interrupted.result.history[0].seconds;
    expect(resumed.result.history[0].seconds).toBe(first);
    expect(trainingSeconds(resumed.result)).toBeCloseTo(resumed.result.timings.trainSeconds + first, 9);
    expect(computeSeconds(resumed.result)).toBeCloseTo(resumed.result.timings.totalSeconds + first, 9);
    expect(trainingSeconds(interrupted.result)).toBe(interrupted.result.timings.trainSeconds);
    expect(existsSync(checkpointPath(cacheDir, resumed.result.key, resumed.result.identity.id))).toBe(false);

    const uninterrupted = await counted(config, { cache: false });
    expect(uninterrupted.result.resumedFromEpoch).toBe(0);
    expect(resumed.result.history.map((r) => r.loss)).toEqual(uninterrupted.result.history.map((r) => r.loss));
    expect(completed(resumed.result).testLoss).toBe(completed(uninterrupted.result).testLoss);
    expect(completed(resumed.result).ledger).toEqual(completed(uninterrupted.result).ledger);
  });
});

describe('the learning rate', () => {
  it('reaches the optimiser: a doubled rate trains to other weights and another test loss', async () => {
    const base = completed((await counted(SMALL)).result);
    const faster = completed((await counted({ ...SMALL, learningRate: 0.002 })).result);
    expect(faster.config.learningRate).toBe(0.002);
    expect(faster.key).not.toBe(base.key);
    expect(faster.testLoss).not.toBe(base.testLoss);
    expect(faster.history[0].loss).not.toBe(base.history[0].loss);
  });
});
