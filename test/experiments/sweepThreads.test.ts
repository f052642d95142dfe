/**
 * A point's process gets TensorFlow threads for its share of the cores (`--processes N`, a Ray
 * task's num_cpus), so N processes do not each start one thread per core. The second test
 * checks that libtensorflow honours the variables, by the thread pools it starts: its
 * "tf_Compute" threads (intra-op plus inter-op pool) are a TensorFlow internal, so if a new
 * TensorFlow names them otherwise this test fails loudly rather than passing blind.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { pointEnvironment } from '../../src/experiments/sweepExecutors.js';
import { buildLibrary } from '../helpers/cli.js';
import { repoRoot } from '../helpers/python.js';

describe('pointEnvironment', () => {
  it('gives each point the whole cores of its share, at least one, and keeps what the environment already sets', () => {
    expect(pointEnvironment(1, {})).toMatchObject({ TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' });
    expect(pointEnvironment(2.5, { PATH: '/bin' })).toEqual({ PATH: '/bin', TF_NUM_INTRAOP_THREADS: '2', TF_NUM_INTEROP_THREADS: '2' });
    expect(pointEnvironment(0.5, {}).TF_NUM_INTRAOP_THREADS).toBe('1');
    expect(pointEnvironment(1, { TF_NUM_INTRAOP_THREADS: '3' })).toMatchObject({
      TF_NUM_INTRAOP_THREADS: '3',
      TF_NUM_INTEROP_THREADS: '1',
    });
  });
});

/** The number of threads TensorFlow names tf_Compute in a process that trained one tiny run with `env`. */
function computeThreads(env: NodeJS.ProcessEnv): number {
  const script = `
    const losslens = require(${JSON.stringify(`${repoRoot}/dist/index.js`)});
    const { readdirSync, readFileSync } = require('node:fs');
    losslens.runExperiment(losslens.normaliseConfig({ epochs: 1, trainSamples: 64, testSamples: 32, batchSize: 32, seed: 1 }), { cache: false })
      .then(() => {
        const names = readdirSync('/proc/self/task').map((task) => readFileSync('/proc/self/task/' + task + '/comm', 'utf8').trim());
        console.log(names.filter((name) => name === 'tf_Compute').length);
      });`;
  return Number(execFileSync(process.execPath, ['-e', script], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
}

describe('TensorFlow threads of a point process', () => {
  it('one intra-op and one inter-op thread for a share of one core, however many cores the machine has', () => {
    buildLibrary();
    const { TF_NUM_INTRAOP_THREADS: _intra, TF_NUM_INTEROP_THREADS: _inter, ...clean } = process.env;
    expect(computeThreads(pointEnvironment(1, clean))).toBe(2);
    expect(computeThreads(pointEnvironment(2, clean))).toBe(4);
  }, 120_000);
});
