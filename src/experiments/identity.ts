/**
 * The results identity: what this build of losslens computes, not how its code is written.
 * Every cached or archived result is keyed by its config plus this identity, so renaming,
 * moving, splitting or reformatting code keeps every result, and a change to the numbers a
 * run produces moves every key, with no version constant to remember.
 *
 * The identity is the hash of the fingerprint (fingerprint.ts: a matrix of tiny runs that
 * touches every setting), with the tfjs and libtensorflow versions. TensorFlow's float32
 * sums depend on its thread count and its CPU kernels, so the fingerprint runs in a process
 * of its own with one thread and oneDNN's kernels capped at AVX2: the same build then gives
 * the same identity on any number of cores and on AVX2 or AVX-512 machines. It is computed
 * once per build (about 10 s, see docs/results-identity.md) and kept under .cache/identity,
 * keyed by the hash of the compiled files.
 *
 * Results computed elsewhere (the published archive) carry the identity they were computed
 * under; matchIdentity says whether this build computes the same numbers.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { arch, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { nativeTensorFlowVersion, tf } from '../tf.js';
import { PACKAGE_ROOT, runningBuild } from './build.js';
import type { Fingerprint } from './fingerprint.js';
import { readEntry, writeEntry } from './store.js';

export interface ResultsIdentity {
  /** 16 hex digits: the hash of the fingerprint's numbers and the tfjs and libtensorflow versions. What keys results. */
  id: string;
  tfjsVersion: string;
  tensorflowVersion: string;
  /** The CPU the fingerprint ran on (model and vector extensions), for comparing identities across machines. */
  cpu: string;
  /** The fingerprint's scalar summary (Fingerprint.summary), for comparing with an identity from another CPU. */
  fingerprint: number[];
  /** ISO time the fingerprint was computed. */
  computedAt: string;
}

/**
 * How far two fingerprints from different CPUs may differ and still count as the same
 * computation: relative to each value (or to 1e-3 for values near 0). oneDNN's AVX and SSE4.1
 * kernels gave fingerprints up to 9.2e-6 from its AVX2 ones on this project's machine
 * (docs/results-identity.md). A code change that moves results by less than this is seen on
 * the CPU it was made on (the hash is exact) but not across CPUs.
 */
export const FINGERPRINT_TOLERANCE = 1e-4;

export type IdentityMatch =
  | { kind: 'same' }
  /** Another CPU, numbers within FINGERPRINT_TOLERANCE: the same computation up to float32 rounding. */
  | { kind: 'equivalent'; largestDifference: number }
  | { kind: 'different'; reason: string };

/** Whether results computed under `other` are what this build (`running`) computes. */
export function matchIdentity(running: ResultsIdentity, other: ResultsIdentity): IdentityMatch {
  if (running.id === other.id) return { kind: 'same' };
  if (running.tfjsVersion !== other.tfjsVersion || running.tensorflowVersion !== other.tensorflowVersion) {
    return {
      kind: 'different',
      reason:
        `computed with tfjs ${other.tfjsVersion} on TensorFlow ${other.tensorflowVersion}, ` +
        `this build runs tfjs ${running.tfjsVersion} on TensorFlow ${running.tensorflowVersion}`,
    };
  }
  if (running.cpu === other.cpu) {
    return {
      kind: 'different',
      reason: `computed by code whose numbers differ from this build's (identity ${other.id}, this build ${running.id})`,
    };
  }
  const a = running.fingerprint;
  const b = other.fingerprint;
  let largest = a.length === b.length ? 0 : Infinity;
  for (let i = 0; i < a.length && largest <= FINGERPRINT_TOLERANCE; i++) {
    const scale = Math.max(Math.abs(a[i]), Math.abs(b[i]), 1e-3);
    const difference = a[i] === b[i] ? 0 : Math.abs(a[i] - b[i]) / scale;
    largest = Math.max(largest, Number.isNaN(difference) ? Infinity : difference);
  }
  if (largest <= FINGERPRINT_TOLERANCE) return { kind: 'equivalent', largestDifference: largest };
  return {
    kind: 'different',
    reason: `computed on another CPU (${other.cpu}) by code whose numbers differ from this build's beyond float32 rounding (identity ${other.id}, this build ${running.id})`,
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
        if (typeof fingerprint.hash !== 'string' || !Array.isArray(fingerprint.summary)) throw new Error('no fingerprint on stdout');
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
  const id = createHash('sha256')
    .update(`${fingerprint.hash}\0tfjs ${tfjsVersion}\0tensorflow ${tensorflowVersion}`)
    .digest('hex')
    .slice(0, 16);
  return {
    id,
    tfjsVersion,
    tensorflowVersion,
    cpu: cpuSignature(),
    fingerprint: fingerprint.summary,
    computedAt: new Date().toISOString(),
  };
}

const isIdentity = (value: unknown): value is ResultsIdentity => {
  const identity = value as Partial<ResultsIdentity> | null;
  return (
    typeof identity?.id === 'string' &&
    typeof identity.tfjsVersion === 'string' &&
    typeof identity.tensorflowVersion === 'string' &&
    typeof identity.cpu === 'string' &&
    Array.isArray(identity.fingerprint) &&
    identity.fingerprint.every((n) => typeof n === 'number')
  );
};

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
    const stored = readEntry(file, isIdentity, quiet);
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
