/**
 * Where a sweep's points run: in this process one after another, in N child processes
 * on this machine, or as tasks on an existing Ray cluster. Child processes and Ray
 * workers run the losslens CLI's hidden `sweep-point` command (src/cli/sweep.ts), which
 * refuses to run when its results identity differs from the caller's, so every entry in the
 * cache was computed by the code its key names.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TrainingProgress } from '../training/fit.js';
import { isExperimentResult, type ExperimentResult } from '../results/result.js';
import { runExperiment } from './run.js';
import { resultPath } from '../cache/lookup.js';
import { PACKAGE_ROOT } from '../identity/build.js';
import { decodeEntry, readEntry, writeEntry } from '../entries.js';
import type { ExperimentConfig } from '../settings/config.js';

const CLI = join(PACKAGE_ROOT, 'bin', 'losslens.js');

/** A point as an executor receives it. */
export interface SweepTask {
  index: number;
  config: ExperimentConfig;
  key: string;
  /** The caller's results identity (ResultsIdentity.id): whoever computes the point must compute under the same one. */
  identity: string;
  label: string;
}

/** What an executor reports while a point runs. */
export interface PointReporter {
  /** The point began running, on `node` (a host or Ray node id) when known. */
  started(node?: string): void;
  progress(event: TrainingProgress): void;
  stage(message: string): void;
}

export interface SweepExecutor {
  /** e.g. "this process", "2 processes", "ray 127.0.0.1:6379". */
  readonly name: string;
  /** Points run at once. */
  readonly concurrency: number;
  /**
   * Runs one point and resolves with its result, already stored in `cacheDir`; rejects
   * with an Error whose message says what went wrong. `signal` aborts this point.
   */
  runPoint(
    task: SweepTask,
    context: { cacheDir: string; force: boolean; signal: AbortSignal; report: PointReporter },
  ): Promise<ExperimentResult>;
  /** Releases what the executor holds (child processes, the Ray driver). */
  close?(): Promise<void>;
}

/** Put first on PYTHONPATH of Ray's processes: it spares each a grammar compile at import (scripts/ray_env/rfc3987_syntax.py). */
export const RAY_PYTHONPATH = join(PACKAGE_ROOT, 'scripts', 'ray_env');

/** Exit code of `losslens sweep-point` when its results identity differs from the caller's. */
export const EXIT_CODE_MISMATCH = 3;

/** Points one after another in this process (tfjs runs one model at a time here anyway). */
export function inProcessExecutor(): SweepExecutor {
  return {
    name: 'this process',
    concurrency: 1,
    async runPoint(task, { cacheDir, force, signal, report }) {
      report.started('local');
      const result = await runExperiment(task.config, {
        cacheDir,
        force,
        signal,
        onProgress: (event) => report.progress(event),
        onStage: (message) => report.stage(message),
      });
      if (result.key !== task.key) throw new Error(`point ${task.label}: ran as key ${result.key}, expected ${task.key}`);
      return result;
    },
  };
}

/** What `losslens sweep-point` prints as its last stdout line. */
export interface PointOutcome {
  key: string;
  identity: string;
  status: ExperimentResult['status'];
  message?: string;
  /** The cache entry's path when the result was stored. */
  path: string | null;
}

/** A line of `sweep-point`'s stderr: progress as JSON, anything else is a log line. */
export type PointMessage = { event: 'progress'; progress: TrainingProgress } | { event: 'stage'; message: string };

/** The argv of `losslens sweep-point` for a task. */
export function pointArguments(task: SweepTask, cacheDir: string, force: boolean): string[] {
  return [
    'sweep-point',
    '--config',
    JSON.stringify(task.config),
    '--cache-dir',
    cacheDir,
    '--identity',
    task.identity,
    ...(force ? ['--force'] : []),
  ];
}

/**
 * The environment of a point's process when `share` of this machine's cores are its own.
 * TensorFlow otherwise starts one thread per core in every process, so N processes would
 * oversubscribe the cores N-fold; thread counts already set in the environment win.
 * scripts/ray_sweep.py does the same for a Ray task from its num_cpus.
 */
export function pointEnvironment(share: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const threads = String(Math.max(1, Math.floor(share)));
  return {
    ...env,
    TF_NUM_INTRAOP_THREADS: env.TF_NUM_INTRAOP_THREADS ?? threads,
    TF_NUM_INTEROP_THREADS: env.TF_NUM_INTEROP_THREADS ?? threads,
  };
}

function lastLines(text: string, count = 3): string {
  return text.trim().split('\n').slice(-count).join(' | ');
}

/**
 * Each point in its own `node bin/losslens.js sweep-point` process, `processes` at a time,
 * all writing to the same cache (entries are written atomically, and no two points share
 * a key). An abort sends SIGINT, which stops the child after its current batch.
 */
export function processExecutor(processes: number): SweepExecutor {
  if (!Number.isInteger(processes) || processes < 1) throw new RangeError(`processes must be an integer ≥ 1, got ${processes}`);
  const children = new Set<ChildProcess>();
  return {
    name: `${processes} process${processes === 1 ? '' : 'es'}`,
    concurrency: processes,
    runPoint(task, { cacheDir, force, signal, report }) {
      return new Promise<ExperimentResult>((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, ...pointArguments(task, cacheDir, force)], {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: pointEnvironment(availableParallelism() / processes),
        });
        children.add(child);
        report.started(`local pid ${child.pid}`);
        let stdout = '';
        let log = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        createInterface({ input: child.stderr }).on('line', (line) => {
          const message = parsePointMessage(line);
          if (message?.event === 'progress') report.progress(message.progress);
          else if (message?.event === 'stage') report.stage(message.message);
          else log += `${line}\n`;
        });
        const onAbort = () => child.kill('SIGINT');
        signal.addEventListener('abort', onAbort, { once: true });
        child.on('error', (error) => reject(error));
        child.on('close', (code, killedBy) => {
          children.delete(child);
          signal.removeEventListener('abort', onAbort);
          try {
            const outcome = parseOutcome(stdout);
            if (code === EXIT_CODE_MISMATCH || !outcome) {
              throw new Error(lastLines(log) || `losslens sweep-point exited with ${code ?? killedBy}`);
            }
            if (outcome.status === 'interrupted') throw new Error(outcome.message ?? 'interrupted');
            const result = readEntry(resultPath(cacheDir, task.key, task.identity), (value): value is ExperimentResult =>
              isExperimentResult(value, task.key),
            );
            if (!result) throw new Error(`the point's process finished (${outcome.status}) but left no valid cache entry ${task.key}`);
            resolve({ ...result, origin: 'computed' });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
      });
    },
    close() {
      for (const child of children) child.kill('SIGINT');
      return Promise.resolve();
    },
  };
}

export function parsePointMessage(line: string): PointMessage | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value = JSON.parse(line) as PointMessage;
    return value.event === 'progress' || value.event === 'stage' ? value : undefined;
  } catch {
    return undefined;
  }
}

function parseOutcome(stdout: string): PointOutcome | undefined {
  const line = stdout.trim().split('\n').pop();
  if (!line) return undefined;
  try {
    return JSON.parse(line) as PointOutcome;
  } catch {
    return undefined;
  }
}

/**
 * Checks a cache entry's text as it arrived from elsewhere (a Ray worker) and stores it
 * atomically: the header's SHA-256 must match the body, the body must be a valid result
 * for `task.key`, and its results identity must be the caller's.
 */
export function acceptEntry(text: string, task: SweepTask, cacheDir: string): ExperimentResult {
  let result: ExperimentResult;
  try {
    result = decodeEntry(text, (value): value is ExperimentResult => isExperimentResult(value, task.key));
  } catch (error) {
    throw new Error(`refusing the entry for ${task.label} (${task.key}): ${(error as Error).message}`, { cause: error });
  }
  if (result.identity.id !== task.identity) {
    throw new Error(
      `refusing the entry for ${task.label}: computed under results identity ${result.identity.id}, but this caller's is ${task.identity}; ` +
        'run the same losslens commit on every node',
    );
  }
  writeEntry(resultPath(cacheDir, task.key, task.identity), result);
  return { ...result, origin: 'computed' };
}

export interface RayExecutorOptions {
  /** The cluster's GCS address, e.g. "127.0.0.1:6379". */
  address: string;
  /** CPUs each point reserves on its node (Ray's num_cpus). Default 1. */
  cpusPerPoint?: number;
  /** Retries of a point whose worker or node was lost. Default 3. */
  maxRetries?: number;
  /** This machine's address in the cluster, when Ray cannot tell it (e.g. nodes on 127.0.0.x). */
  driverIp?: string;
  /** Python with ray installed; default $LOSSLENS_PYTHON or <losslens>/.venv/bin/python. */
  python?: string;
  /** The losslens checkout on the worker nodes; default this one's path (the same image everywhere). */
  workerRoot?: string;
  /** Node.js on the workers; default this process's. */
  workerNode?: string;
  /** Cache on the workers; default their $LOSSLENS_CACHE_DIR, else a losslens-ray-cache folder in their temp dir. */
  workerCacheDir?: string;
  /** Lines the driver writes to its stderr (Ray's own log). Default: dropped. */
  onLog?: (line: string) => void;
  /** Every message the driver sends, for tests and diagnostics. */
  onDriverMessage?: (message: DriverMessage) => void;
}

export type DriverMessage =
  | { event: 'ready'; nodes: { id: string; address: string; cpus: number }[]; ray: string }
  | { event: 'started'; id: number; node: string; pid: number; attempt: number }
  | { event: 'result'; id: number; node: string; entry: string }
  | { event: 'error'; id: number; message: string }
  | { event: 'cancelled'; id: number }
  | { event: 'fatal'; message: string };

interface Waiting {
  task: SweepTask;
  cacheDir: string;
  report: Parameters<SweepExecutor['runPoint']>[1]['report'];
  resolve: (result: ExperimentResult) => void;
  reject: (error: Error) => void;
  started: boolean;
}

/**
 * Points as tasks on an existing Ray cluster, through scripts/ray_sweep.py (started here,
 * spoken to in JSON lines on its stdin and stdout). Ray schedules the tasks, so every
 * point is submitted at once; each finished entry comes back as the task's result and is
 * checked and stored here (acceptEntry).
 */
export function rayExecutor(options: RayExecutorOptions): SweepExecutor {
  const python = options.python ?? process.env.LOSSLENS_PYTHON ?? join(PACKAGE_ROOT, '.venv', 'bin', 'python');
  const waiting = new Map<number, Waiting>();
  let driver: ChildProcess | undefined;
  let ready: Promise<void> | undefined;
  let driverError: Error | undefined;
  let log = '';

  const failAll = (error: Error) => {
    driverError = error;
    for (const [id, entry] of waiting) {
      waiting.delete(id);
      entry.reject(error);
    }
  };
  const send = (message: Record<string, unknown>) => {
    if (driver?.stdin?.writable) driver.stdin.write(`${JSON.stringify(message)}\n`);
  };

  const start = (): Promise<void> => {
    ready ??= new Promise<void>((resolve, reject) => {
      const args = [
        join(PACKAGE_ROOT, 'scripts', 'ray_sweep.py'),
        '--address',
        options.address,
        '--cpus-per-point',
        String(options.cpusPerPoint ?? 1),
        '--max-retries',
        String(options.maxRetries ?? 3),
        '--worker-root',
        options.workerRoot ?? PACKAGE_ROOT,
        '--worker-node',
        options.workerNode ?? process.execPath,
        ...(options.workerCacheDir ? ['--worker-cache-dir', options.workerCacheDir] : []),
        ...(options.driverIp ? ['--node-ip-address', options.driverIp] : []),
      ];
      const child = spawn(python, args, {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: {
          ...process.env,
          PYTHONPATH: [RAY_PYTHONPATH, process.env.PYTHONPATH].filter(Boolean).join(':'),
          RAY_USAGE_STATS_ENABLED: '0',
        },
      });
      driver = child;
      child.on('error', (error) => {
        const wrapped = new Error(
          `could not start the Ray driver with ${python}: ${error.message} (set LOSSLENS_PYTHON to a Python with ray)`,
        );
        reject(wrapped);
        failAll(wrapped);
      });
      createInterface({ input: child.stderr }).on('line', (line) => {
        log = `${log}${line}\n`.slice(-4000);
        options.onLog?.(line);
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        let message: DriverMessage;
        try {
          message = JSON.parse(line) as DriverMessage;
        } catch {
          options.onLog?.(line);
          return;
        }
        options.onDriverMessage?.(message);
        if (message.event === 'ready') return resolve();
        if (message.event === 'fatal') {
          const error = new Error(`Ray driver: ${message.message}`);
          reject(error);
          return failAll(error);
        }
        const entry = waiting.get(message.id);
        if (!entry) return;
        if (message.event === 'started') {
          entry.started = true;
          entry.report.started(message.node);
          if (message.attempt > 0) entry.report.stage(`retry ${message.attempt} after a lost worker`);
          return;
        }
        waiting.delete(message.id);
        if (message.event === 'result') {
          try {
            entry.resolve(acceptEntry(message.entry, entry.task, entry.cacheDir));
          } catch (error) {
            entry.reject(error as Error);
          }
        } else if (message.event === 'cancelled') {
          entry.reject(new Error(entry.started ? 'interrupted on its Ray worker' : 'cancelled before it started'));
        } else {
          entry.reject(new Error(message.message));
        }
      });
      child.on('close', (code) => {
        const error = new Error(`the Ray driver exited (${code}) before the sweep finished: ${lastLines(log, 4) || 'no output'}`);
        reject(error);
        if (waiting.size > 0) failAll(error);
      });
    });
    return ready;
  };

  return {
    name: `ray ${options.address}`,
    // Ray queues tasks itself; holding points back here would only hide them from its scheduler.
    concurrency: Number.MAX_SAFE_INTEGER,
    async runPoint(task, { cacheDir, force, signal, report }) {
      await start();
      if (driverError) throw driverError;
      return new Promise<ExperimentResult>((resolve, reject) => {
        waiting.set(task.index, { task, cacheDir, report, resolve, reject, started: false });
        signal.addEventListener('abort', () => send({ op: 'cancel', id: task.index }), { once: true });
        send({ op: 'submit', id: task.index, config: task.config, key: task.key, identity: task.identity, force });
      });
    },
    async close() {
      const child = driver;
      if (!child || child.exitCode !== null) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGTERM'), 15_000);
        child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
        child.stdin!.end();
      });
    },
  };
}
