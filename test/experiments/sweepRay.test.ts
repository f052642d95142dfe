/**
 * Sweeps on a real two-node Ray cluster on this machine: a head and a second node, each
 * with one CPU, its own temp dir and free ports, everything on 127.0.0.1, usage stats and
 * dashboard off. Each node runs under `ray start --block` in its own process group, which
 * the test stops by id (never `ray stop`, which would stop every Ray on the machine).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resultPath } from '../../src/cache/lookup.js';
import { isExperimentResult, type ExperimentResult } from '../../src/results/result.js';
import { readEntry } from '../../src/entries.js';
import { normaliseConfig } from '../../src/settings/config.js';
import { runKey } from '../../src/results/key.js';
import { pointEnvironment, RAY_PYTHONPATH, rayExecutor, type DriverMessage } from '../../src/experiments/sweepExecutors.js';
import { repoRoot, venvPython } from '../helpers/python.js';
import { freePort } from '../helpers/jupyterLab.js';
import { buildLibrary } from '../helpers/cli.js';
import type { SweepOutput } from '../../src/cli/output.js';
import { completed } from '../helpers/results.js';

const ray = join(repoRoot, '.venv', 'bin', 'ray');
const bin = join(repoRoot, 'bin', 'losslens.js');
// Short paths: Ray puts unix sockets under its temp dir, and socket paths are limited to 107 bytes.
const scratch = mkdtempSync('/tmp/llray-');
const dir = (name: string) => mkdtempSync(join(scratch, `${name}-`));
const TINY = ['--epochs', '1', '--samples', '200', '--test-samples', '50', '--batch-size', '50'];

const env: NodeJS.ProcessEnv = {
  ...process.env,
  // Spares every Ray process a grammar compile at import (see scripts/ray_env/rfc3987_syntax.py).
  PYTHONPATH: [RAY_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(':'),
  RAY_USAGE_STATS_ENABLED: '0',
};
/**
 * Node addresses. Ray rewrites 127.0.0.1 (and "localhost") as the machine's outward address,
 * and its switch to keep 127.0.0.1 also stops a second node from joining; other loopback
 * addresses it leaves alone. So the head is 127.0.0.2 and the second node 127.0.0.3: both
 * loopback, nothing reachable from outside, and the two nodes told apart by address.
 */
const HEAD_IP = '127.0.0.2';
const NODE_IP = '127.0.0.3';
Object.assign(process.env, { PYTHONPATH: env.PYTHONPATH, RAY_USAGE_STATS_ENABLED: '0' });

interface RayNode {
  child: ChildProcess;
  output: () => string;
}

async function startNodeOnce(args: string[], tempDir: string): Promise<RayNode> {
  const ports = await Promise.all(Array.from({ length: 7 }, freePort));
  const workerPorts = 20_000 + Math.floor(Math.random() * 400) * 100;
  const child = spawn(
    ray,
    [
      'start',
      '--block',
      ...args,
      '--num-cpus=1',
      '--disable-usage-stats',
      `--temp-dir=${tempDir}`,
      '--object-store-memory=80000000',
      `--node-manager-port=${ports[0]}`,
      `--object-manager-port=${ports[1]}`,
      `--metrics-export-port=${ports[2]}`,
      `--dashboard-agent-listen-port=${ports[3]}`,
      `--dashboard-agent-grpc-port=${ports[4]}`,
      `--runtime-env-agent-port=${ports[5]}`,
      ...(args.includes('--head') ? [`--ray-client-server-port=${ports[6]}`, '--include-dashboard=false'] : []),
      `--min-worker-port=${workerPorts}`,
      `--max-worker-port=${workerPorts + 99}`,
    ],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const node = { child, output: () => output };
  const started = new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (/Ray runtime started/.test(output)) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`ray start exited with ${child.exitCode}:\n${output.split('\n').slice(-15).join('\n')}`));
      }
    }, 250);
  });
  try {
    await started;
  } catch (error) {
    // ray start has exited, but what it started (GCS, agents) may not have: stop the whole group.
    await stopNode(node);
    throw error;
  }
  return node;
}

/**
 * Ray's raylet gives its dashboard agent a fixed ~15 s to start; on a 2-core machine busy
 * with other work the agent's Python imports can take longer, and `ray start` fails. A
 * fresh attempt (new temp dir and ports) usually gets through, so try up to three times.
 */
async function startNode(makeArgs: () => Promise<string[]>, name: string): Promise<RayNode> {
  const failures: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    try {
      return await startNodeOnce(await makeArgs(), dir(name));
    } catch (error) {
      failures.push(`attempt ${attempt}: ${(error as Error).message.split('\n').slice(-2).join(' ')}`);
    }
  }
  throw new Error(`could not start the Ray ${name}:\n${failures.join('\n')}`);
}

/** SIGTERM to the node's process group (ray start and everything it started), then SIGKILL what is left. */
async function stopNode(node: RayNode | undefined): Promise<void> {
  if (!node?.child.pid) return;
  const group = -node.child.pid;
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(group, name);
    } catch {
      // Already gone.
    }
  };
  signal('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 5000));
  signal('SIGKILL');
}

let head: RayNode | undefined;
let second: RayNode | undefined;
let address = '';

beforeAll(async () => {
  buildLibrary();
  head = await startNode(async () => {
    const port = await freePort();
    address = `${HEAD_IP}:${port}`;
    return ['--head', `--port=${port}`, `--node-ip-address=${HEAD_IP}`];
  }, 'head');
  second = await startNode(() => Promise.resolve([`--address=${address}`, `--node-ip-address=${NODE_IP}`]), 'node');
}, 900_000);

afterAll(async () => {
  await Promise.all([stopNode(second), stopNode(head)]);
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

function losslens(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const child = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...env, ...extraEnv },
    timeout: 400_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

function entries(cacheDir: string): Map<string, ExperimentResult> {
  const map = new Map<string, ExperimentResult>();
  for (const key of readdirSync(cacheDir).filter((n) => /^[0-9a-f]{24}$/.test(n))) {
    for (const name of readdirSync(join(cacheDir, key)).filter((n) => /^[0-9a-f]{16}\.json$/.test(n))) {
      const entry = readEntry(resultPath(cacheDir, key, name.slice(0, 16)), (v): v is ExperimentResult => isExperimentResult(v, key));
      if (entry) map.set(key, entry);
    }
  }
  return map;
}

describe('sweep on a two-node Ray cluster', () => {
  it('losslens sweep --executor ray runs points on both nodes, and its entries equal local runs', () => {
    const viaRay = dir('cache-ray');
    const grid = ['--pad-width', '0,2', '--seeds', '1,2', ...TINY];
    const remote = losslens([
      'sweep',
      ...grid,
      '--executor',
      'ray',
      '--address',
      address,
      '--driver-ip',
      HEAD_IP,
      '--worker-cache-dir',
      dir('workers'),
      '--cache-dir',
      viaRay,
      '--json',
    ]);
    expect(remote.code, remote.stderr).toBe(0);
    const payload = JSON.parse(remote.stdout) as SweepOutput;
    expect(payload.status).toBe('completed');
    expect(payload.rows.map((r: { status: string }) => r.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    const nodes = new Set(payload.rows.map((r) => r.node));
    expect(nodes.size, `points ran on ${[...nodes].join(', ')}`).toBe(2);

    const local = dir('cache-local');
    // With the Ray tasks' TensorFlow threads (one CPU each): the thread count changes the order of
    // float sums, so runs with another thread count differ in the last digits.
    const here = losslens(['sweep', ...grid, '--executor', 'local', '--cache-dir', local, '--json'], pointEnvironment(1, {}));
    expect(here.code, here.stderr).toBe(0);
    const [fromRay, fromHere] = [entries(viaRay), entries(local)];
    expect([...fromRay.keys()].sort()).toEqual([...fromHere.keys()].sort());
    expect(fromRay.size).toBe(4);
    for (const [key, entry] of fromRay) {
      const twin = fromHere.get(key)!;
      expect(entry.identity).toEqual(twin.identity);
      // Everything but the wall-clock seconds of each epoch.
      const losses = (result: ExperimentResult) => result.history.map(({ epoch, loss }) => ({ epoch, loss }));
      expect(losses(entry)).toEqual(losses(twin));
      expect(completed(entry).ledger).toEqual(completed(twin).ledger);
      expect(completed(entry).testLoss).toBe(completed(twin).testLoss);
    }
  }, 600_000);

  it('the library API: a worker killed mid-point is replaced, its point retried, and the sweep completes', async () => {
    // The compiled library, as a notebook loads it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const library = require(join(repoRoot, 'dist', 'index.js')) as typeof import('../../src/index.js');
    const messages: DriverMessage[] = [];
    let killed: number | undefined;
    const executor = library.rayExecutor({
      address,
      driverIp: HEAD_IP,
      workerCacheDir: dir('workers'),
      onDriverMessage: (message) => {
        messages.push(message);
        if (message.event === 'started' && killed === undefined) {
          killed = message.id;
          process.kill(message.pid, 'SIGKILL');
        }
      },
    });
    const result = await library.sweep(
      { seed: [21, 22, 23] },
      { base: { epochs: 1, trainSamples: 400, testSamples: 50, batchSize: 50 }, cacheDir: dir('cache-kill'), executor },
    );
    expect(killed).toBeDefined();
    expect(result.status, JSON.stringify(result.rows.map((r) => r.error))).toBe('completed');
    expect(result.rows.every((r) => r.perImage !== null)).toBe(true);
    const retried = messages.filter((m) => m.event === 'started' && m.id === killed);
    expect(retried.length).toBeGreaterThanOrEqual(2);
    expect(retried.at(-1)).toMatchObject({ attempt: retried.length - 1 });
  }, 600_000);

  it("refuses a point whose caller's results identity is not the workers'", async () => {
    // A caller whose code computes other numbers: its tasks carry another identity than the workers compute.
    const executor = rayExecutor({ address, driverIp: HEAD_IP, python: venvPython, workerCacheDir: dir('workers') });
    const config = normaliseConfig({ epochs: 1, trainSamples: 100, testSamples: 50, batchSize: 50, pad: { width: 4, mode: 'edge' } });
    const identity = '0123456789abcdef';
    const task = { index: 0, config, key: runKey(config), identity, label: '36×36 edge+4' };
    const report = { started: () => {}, progress: () => {}, stage: () => {} };
    try {
      await expect(
        executor.runPoint(task, { cacheDir: dir('cache-mismatch'), force: false, signal: new AbortController().signal, report }),
      ).rejects.toThrow(/refused the point: .*results identity is \S+ but the caller's is 0123456789abcdef; refusing to run/);
    } finally {
      await executor.close?.();
    }
  }, 300_000);
});
