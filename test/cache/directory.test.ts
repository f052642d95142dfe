/**
 * Cache paths that cannot hold a cache: a directory under /proc (where a recursive mkdir
 * never returns), one behind a dangling symlink, a file where a directory should be, and a
 * checkpoint that does not fit the model — each a one-line error naming the path and the fix, raised before any training.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CacheDirectoryError, checkCacheDir, prepareCacheDir } from '../../src/cache/directory.js';
import { runExperiment } from '../../src/experiments/run.js';
import { checkpointPath } from '../../src/cache/lookup.js';
import { normaliseConfig, type ExperimentConfigInput } from '../../src/settings/config.js';
import { runKey } from '../../src/results/key.js';
import { resultsIdentity } from '../../src/identity/identity.js';
import { writeEntry } from '../../src/entries.js';
import { buildAutoencoder, initialWeights } from '../../src/model/autoencoder.js';
import { CheckpointMismatchError, serializeTensor } from '../../src/training/checkpoint.js';
import { tf } from '../../src/tf.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-preflight-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL: ExperimentConfigInput = { epochs: 2, batchSize: 50, trainSamples: 100, testSamples: 50, seed: 5 };

function refusal(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('accepted');
}

describe('prepareCacheDir', () => {
  it('creates a missing directory and its parents, leaving no probe file behind', () => {
    const target = join(dir, 'a', 'b', 'c');
    prepareCacheDir(target);
    expect(readdirSync(target)).toEqual([]);
  });

  it('checkCacheDir, run before a cache lookup, writes nothing (a read-only cache still serves results)', () => {
    const target = join(dir, 'not', 'yet');
    checkCacheDir(target);
    expect(existsSync(join(dir, 'not'))).toBe(false);
    expect(() => checkCacheDir('/proc/x')).toThrow(CacheDirectoryError);
  });

  it('refuses a directory under /proc at once instead of spinning', () => {
    const started = performance.now();
    const error = refusal(() => prepareCacheDir('/proc/x'));
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(CacheDirectoryError);
    expect(error.message).toMatch(
      /^cache directory \/proc\/x is on procfs, a view of the kernel, not storage; choose a writable directory on disk with --cache-dir or LOSSLENS_CACHE_DIR/,
    );
    expect(error.message).not.toContain('\n');
    expect(refusal(() => prepareCacheDir('/proc/self/x/y', 'LOSSLENS_CACHE_DIR')).message).toMatch(
      /^cache directory \/proc\/self\/x\/y \(from LOSSLENS_CACHE_DIR\) is on procfs/,
    );
    expect(refusal(() => prepareCacheDir('/sys/x')).message).toMatch(/is on sysfs/);
  });

  it('refuses a dangling symlink, naming where it points', () => {
    const link = join(dir, 'dangling');
    symlinkSync(join(dir, 'nowhere'), link);
    expect(refusal(() => prepareCacheDir(link)).message).toBe(
      `cache directory ${link} is a symbolic link to ${join(dir, 'nowhere')}, missing; ` +
        'choose a writable directory on disk with --cache-dir or LOSSLENS_CACHE_DIR (the cacheDir option in code)',
    );
    expect(refusal(() => prepareCacheDir(join(link, 'sub'))).message).toContain(`is inside ${link}, which is a symbolic link to`);
  });

  it('refuses a file, or a path through one', () => {
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    expect(refusal(() => prepareCacheDir(file)).message).toContain(`cache directory ${file} is a file, not a directory;`);
    expect(refusal(() => prepareCacheDir(join(file, 'sub'))).message).toContain(`cannot be created: ${file} is a file, not a directory;`);
  });
});

describe('runExperiment checks paths and checkpoints before training', () => {
  it('a /proc cache directory, given or from LOSSLENS_CACHE_DIR, fails before any epoch', async () => {
    let progress = 0;
    await expect(runExperiment(SMALL, { cacheDir: '/proc/x', onProgress: () => progress++ })).rejects.toThrow(
      /^cache directory \/proc\/x is on procfs/,
    );
    const saved = process.env.LOSSLENS_CACHE_DIR;
    process.env.LOSSLENS_CACHE_DIR = '/proc/x';
    try {
      await expect(runExperiment(SMALL, { onProgress: () => progress++ })).rejects.toThrow(
        'cache directory /proc/x (from LOSSLENS_CACHE_DIR) is on procfs',
      );
    } finally {
      if (saved === undefined) delete process.env.LOSSLENS_CACHE_DIR;
      else process.env.LOSSLENS_CACHE_DIR = saved;
    }
    expect(progress).toBe(0);
  });

  it('a checkpoint with a wrong tensor size names the file and the fix, and --force starts over', async () => {
    const cacheDir = join(dir, 'cache');
    mkdirSync(cacheDir);
    const config = normaliseConfig(SMALL);
    const key = runKey(config);
    const { id } = await resultsIdentity();
    const model = buildAutoencoder({ height: 28, width: 28, seed: 5, loss: config.loss });
    const start = initialWeights(model);
    const weights = start.map((tensor, i) => serializeTensor(model.weights[i].name, tensor));
    tf.dispose(start);
    const zeros = model.weights.map(({ name, shape }) => {
      const zero = tf.zeros(shape);
      const serialized = serializeTensor(name, zero);
      zero.dispose();
      return serialized;
    });
    weights[0] = { ...weights[0], base64: weights[0].base64.slice(0, 8) };
    const checkpoint = {
      epoch: 1,
      weights,
      optimizer: { iterations: 2, firstMoment: zeros, secondMoment: zeros },
      history: [{ epoch: 1, loss: 0.3, seconds: 1 }],
    };
    writeEntry(checkpointPath(cacheDir, key, id), { key, checkpoint });

    let progress = 0;
    const error = await runExperiment(SMALL, { cacheDir, onProgress: () => progress++ }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(CheckpointMismatchError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `^checkpoint ${checkpointPath(cacheDir, key, id)} does not fit this configuration's model \\(checkpoint tensor .* expected \\d+ float32 values`,
      ),
    );
    expect((error as Error).message).toMatch(/run again with --force \(force: true in code\) to start over, or delete the file$/);
    expect(progress).toBe(0);

    const forced = await runExperiment(SMALL, { cacheDir, force: true });
    expect(forced.status).toBe('completed');
    expect(existsSync(checkpointPath(cacheDir, key, id))).toBe(false);
  });
});
