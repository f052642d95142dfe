/**
 * The results identity: what this build of losslens computes, not how its code is written.
 * Every cached or archived result is keyed by its config plus this identity, so renaming,
 * moving, splitting or reformatting code keeps every result, and a change to the numbers a
 * run produces moves every key, with no version constant to remember.
 *
 * The identity is the hash of every run of the fingerprint (fingerprint.ts: a matrix of tiny runs
 * that touches every setting) with the tfjs and libtensorflow versions, and each run's own hash,
 * so that a build which only adds runs (for a new setting) still vouches for the results of the
 * build before it. TensorFlow's float32
 * sums depend on its thread count and its CPU kernels, so the fingerprint runs in a process
 * of its own with one thread and oneDNN's kernels capped at AVX2: the same build then gives
 * the same identity on any number of cores and on AVX2 or AVX-512 machines. It is computed
 * once per build (about 10 s, see docs/results-identity.md) and kept under .cache/identity,
 * keyed by the hash of the compiled files.
 *
 * Every stored result carries the identity it was computed under (an IdentityStamp);
 * matchIdentity says whether this build computes the same numbers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeTensorFlowVersion, tf } from '../tf.js';
import { PACKAGE_ROOT, runningBuild } from './build.js';
import { readEntry, writeEntry } from '../entries.js';

/** One fingerprint run's numbers (experiments/fingerprint.ts computes them): their hash, and a scalar summary of them for comparing across CPUs. */
export interface FingerprintRunResult {
  /** SHA-256 of the run's config and every number it produced, exactly. */
  hash: string;
  /** Losses, ledger values, sums of the loss maps and sample images. */
  summary: number[];
}

export interface Fingerprint {
  /** By run name (FingerprintRun.name), the probe of saturated predictions under `ledger on saturated predictions`. */
  runs: Record<string, FingerprintRunResult>;
  seconds: number;
}

/** An identity as each stored result carries it: which build computed it, and each fingerprint run's hash. */
export interface IdentityStamp {
  /** 16 hex digits: the hash of every fingerprint run's hash and the tfjs and libtensorflow versions. */
  id: string;
  tfjsVersion: string;
  tensorflowVersion: string;
  /** The CPU the fingerprint ran on (model and vector extensions), for comparing identities across machines. */
  cpu: string;
  /** Each fingerprint run's hash, by run name (FingerprintRun.name). */
  runs: Record<string, string>;
}

/** This build's identity in full: with each run's scalar summary, for comparing with a build on another CPU. */
export interface ResultsIdentity extends IdentityStamp {
  summaries: Record<string, number[]>;
  /** ISO time the fingerprint was computed. */
  computedAt: string;
}

/**
 * How far a fingerprint run's summary from another CPU may differ and still count as the same
 * computation: relative to each value (or to 1e-3 for values near 0). oneDNN's AVX and SSE4.1
 * kernels gave fingerprints up to 9.2e-6 from its AVX2 ones on this project's machine
 * (docs/results-identity.md). A code change that moves results by less than this is seen on
 * the CPU it was made on (the hashes are exact) but not across CPUs.
 */
export const FINGERPRINT_TOLERANCE = 1e-4;

export type IdentityMatch =
  | { kind: 'same' }
  /**
   * Every fingerprint run of the stored identity has the same numbers here; this build has runs
   * of its own (`added`, e.g. for a setting added since): what was computed then is what this computes.
   */
  | { kind: 'covers'; added: string[] }
  /** Another CPU, every shared run within FINGERPRINT_TOLERANCE: the same computation up to float32 rounding. */
  | { kind: 'equivalent'; largestDifference: number }
  | { kind: 'different'; reason: string };

/** The stamp results computed under `identity` carry. */
export function stampOf(identity: ResultsIdentity): IdentityStamp {
  const { id, tfjsVersion, tensorflowVersion, cpu, runs } = identity;
  return { id, tfjsVersion, tensorflowVersion, cpu, runs };
}

function largestDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let largest = 0;
  for (let i = 0; i < a.length; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-3);
    const difference = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]) / scale;
    largest = Math.max(largest, Number.isNaN(difference) ? Infinity : difference);
  }
  return largest;
}

/**
 * Whether results computed under `stored` are what this build (`running`) computes: the same
 * identity; or every run `stored` has gives the same hash here (the same CPU) or, from another
 * CPU, a summary within FINGERPRINT_TOLERANCE (when `stored` carries summaries).
 */
export function matchIdentity(running: ResultsIdentity, stored: IdentityStamp | ResultsIdentity): IdentityMatch {
  if (running.id === stored.id) return { kind: 'same' };
  if (running.tfjsVersion !== stored.tfjsVersion || running.tensorflowVersion !== stored.tensorflowVersion) {
    return {
      kind: 'different',
      reason:
        `computed with tfjs ${stored.tfjsVersion} on TensorFlow ${stored.tensorflowVersion}, ` +
        `this build runs tfjs ${running.tfjsVersion} on TensorFlow ${running.tensorflowVersion}`,
    };
  }
  const names = Object.keys(stored.runs);
  const missing = names.filter((name) => running.runs[name] === undefined);
  const changed = names.filter((name) => running.runs[name] !== undefined && running.runs[name] !== stored.runs[name]);
  const added = Object.keys(running.runs).filter((name) => stored.runs[name] === undefined);
  const differ = (what: string) =>
    `computed by code whose numbers differ from this build's (${what}; identity ${stored.id}, this build ${running.id})`;
  if (missing.length > 0) return { kind: 'different', reason: differ(`this build has no fingerprint run ${missing.join(', ')}`) };
  if (changed.length === 0) return { kind: 'covers', added };
  const summaries = 'summaries' in stored ? stored.summaries : undefined;
  if (running.cpu === stored.cpu || summaries === undefined)
    return { kind: 'different', reason: differ(`fingerprint runs ${changed.join(', ')}`) };
  const largest = Math.max(...changed.map((name) => largestDifference(running.summaries[name] ?? [], summaries[name] ?? [])));
  if (largest <= FINGERPRINT_TOLERANCE) return { kind: 'equivalent', largestDifference: largest };
  return {
    kind: 'different',
    reason: `computed on another CPU (${stored.cpu}) by code whose numbers differ from this build's beyond float32 rounding (identity ${stored.id}, this build ${running.id})`,
  };
}

/** The CPU as the fingerprint's numbers depend on it: model name and the vector extensions oneDNN chooses kernels by. */
export function cpuSignature(): string {
  const model = cpus()[0]?.model.trim() ?? 'unknown CPU';
  let extensions: string[] = [];
  try {
    const flags = /^flags\s*:\s*(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1].split(/\s+/) ?? [];
    extensions = ['avx512f', 'avx2', 'fma', 'avx'].filter((flag) => flags.includes(flag));
  } catch {
    // Not Linux: the model name and architecture are what there is.
  }
  return [arch(), model, ...extensions].join(' ');
}

/** The environment of the fingerprint's process: one TensorFlow thread, oneDNN's kernels at most AVX2. */
export function fingerprintEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...env,
    TF_NUM_INTRAOP_THREADS: '1',
    TF_NUM_INTEROP_THREADS: '1',
    ONEDNN_MAX_CPU_ISA: 'AVX2',
    TF_ENABLE_ONEDNN_OPTS: env.TF_ENABLE_ONEDNN_OPTS ?? '1',
  };
}

export class IdentityError extends Error {
  override name = 'IdentityError';
}

/** Runs the fingerprint of the compiled library in `dist` in its own process. */
export function runFingerprint(dist: string, env: NodeJS.ProcessEnv = process.env): Promise<Fingerprint> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(dist, 'experiments', 'fingerprintMain.js')], {
      env: fingerprintEnvironment(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        if (code !== 0) throw new Error(`exit code ${code}`);
        const fingerprint = JSON.parse(line) as Fingerprint;
        if (typeof fingerprint.runs !== 'object' || fingerprint.runs === null) throw new Error('no fingerprint on stdout');
        resolve(fingerprint);
      } catch (error) {
        const why = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new IdentityError(`computing the results identity failed (${(error as Error).message}): ${why}`));
      }
    });
  });
}

/** The identity of `fingerprint` computed under this process's tfjs and libtensorflow. */
export function identityOf(fingerprint: Fingerprint): ResultsIdentity {
  const tfjsVersion = tf.version.tfjs;
  const tensorflowVersion = nativeTensorFlowVersion();
  const names = Object.keys(fingerprint.runs).sort();
  const runs = Object.fromEntries(names.map((name) => [name, fingerprint.runs[name].hash]));
  const summaries = Object.fromEntries(names.map((name) => [name, fingerprint.runs[name].summary]));
  const id = createHash('sha256')
    .update([`tfjs ${tfjsVersion}`, `tensorflow ${tensorflowVersion}`, ...names.map((name) => `${name}\0${runs[name]}`)].join('\n'))
    .digest('hex')
    .slice(0, 16);
  return { id, tfjsVersion, tensorflowVersion, cpu: cpuSignature(), runs, summaries, computedAt: new Date().toISOString() };
}

const isRecordOf = (value: unknown, isItem: (item: unknown) => boolean) =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every(isItem);

/** Schema check of a stamp read from a file. */
export function isIdentityStamp(value: unknown): value is IdentityStamp {
  const stamp = value as Partial<IdentityStamp> | null;
  return (
    typeof stamp?.id === 'string' &&
    typeof stamp.tfjsVersion === 'string' &&
    typeof stamp.tensorflowVersion === 'string' &&
    typeof stamp.cpu === 'string' &&
    isRecordOf(stamp.runs, (hash) => typeof hash === 'string')
  );
}

/** Schema check of a full identity read from a file. */
export function isResultsIdentity(value: unknown): value is ResultsIdentity {
  const identity = value as Partial<ResultsIdentity> | null;
  return (
    isIdentityStamp(value) &&
    typeof identity?.computedAt === 'string' &&
    isRecordOf(identity.summaries, (summary) => Array.isArray(summary) && summary.every((n) => typeof n === 'number'))
  );
}

/** Where identities are kept: the checkout's (or package's) .cache/identity, else the OS temp folder. */
function identityDirectories(): string[] {
  return [join(PACKAGE_ROOT, '.cache', 'identity'), join(tmpdir(), 'losslens-identity')];
}

const processAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to wait for another process computing the same identity. */
const WAIT_LIMIT_MS = 15 * 60 * 1000;

/**
 * The identity stored at `file`, computing it (under a lock file, so concurrent processes
 * compute it once) when it is missing.
 */
async function storedOrComputed(file: string, compute: () => Promise<ResultsIdentity>): Promise<ResultsIdentity> {
  const lock = `${file}.lock`;
  const quiet = () => {};
  const waited = performance.now();
  for (;;) {
    const stored = readEntry(file, isResultsIdentity, quiet);
    if (stored) return stored;
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
        closeSync(fd);
        const identity = await compute();
        writeEntry(file, identity);
        return identity;
      } finally {
        rmSync(lock, { force: true });
      }
    }
    let holder: number;
    try {
      holder = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    } catch {
      continue; // released meanwhile
    }
    if (Number.isInteger(holder) && !processAlive(holder)) rmSync(lock, { force: true });
    else if (performance.now() - waited > WAIT_LIMIT_MS) {
      throw new IdentityError(`waited ${WAIT_LIMIT_MS / 60000} min for process ${holder} to compute the results identity (${lock})`);
    } else await sleep(250);
  }
}

export interface IdentityOptions {
  /** Told once when the identity has to be computed (about 10 s). */
  onStage?: (message: string) => void;
}

/** Computes this build's identity now, ignoring the one stored (what `losslens identity --fresh` shows). */
export async function computeIdentity(): Promise<ResultsIdentity> {
  return identityOf(await runFingerprint(runningBuild().dist));
}

let running: Promise<ResultsIdentity> | undefined;

/** This build's results identity: read from .cache/identity, or computed there once per build. */
export function resultsIdentity(options: IdentityOptions = {}): Promise<ResultsIdentity> {
  running ??= (async () => {
    const build = runningBuild();
    const key = createHash('sha256')
      .update(
        [build.hash, tf.version.tfjs, nativeTensorFlowVersion(), cpuSignature(), fingerprintEnvironment().TF_ENABLE_ONEDNN_OPTS].join('\0'),
      )
      .digest('hex')
      .slice(0, 24);
    const compute = async () => {
      options.onStage?.('computing the results identity of this build (a matrix of tiny runs, once per build)');
      return computeIdentity();
    };
    let lastError: unknown;
    for (const directory of identityDirectories()) {
      try {
        mkdirSync(directory, { recursive: true });
        return await storedOrComputed(join(directory, `${key}.json`), compute);
      } catch (error) {
        if (error instanceof IdentityError) throw error;
        lastError = error;
      }
    }
    throw lastError;
  })();
  running.catch(() => (running = undefined));
  return running;
}
