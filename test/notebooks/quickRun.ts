/**
 * Executes every notebook once per vitest run, in the quick profile, with HTML export;
 * the notebook checks and the published-HTML checks both read the result. Test files run
 * in parallel forks of one vitest process, so the run is keyed by that process (the
 * forks' parent) and guarded by an atomic mkdir: the first fork executes, the others wait.
 */

import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = resolve(__dirname, '..', '..');
export const NOTEBOOK_DIR = join(ROOT, 'notebooks');
export const NOTEBOOKS = readdirSync(NOTEBOOK_DIR).filter((name) => name.endsWith('.ipynb')).sort();

export interface QuickRun {
  outputDir: string;
  /** The runner's stderr: per-notebook timings. */
  log: string;
  seconds: number;
}

const run = promisify(execFile);
const WAIT_STEP_MS = 1000;
/** Runs of earlier vitest processes older than this are deleted (a concurrent one is younger). */
const STALE_MS = 60 * 60 * 1000;

function removeStaleRuns(artifacts: string, keep: string): void {
  for (const name of readdirSync(artifacts)) {
    const path = join(artifacts, name);
    if (name.startsWith('notebooks-quick-') && path !== keep && Date.now() - statSync(path).mtimeMs > STALE_MS) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

async function execute(outputDir: string): Promise<QuickRun> {
  const started = performance.now();
  const { stderr } = await run(
    join(ROOT, '.venv', 'bin', 'python'),
    [join(ROOT, 'scripts', 'run_notebooks.py'), ...NOTEBOOKS.map((n) => join(NOTEBOOK_DIR, n)), '--output', outputDir, '--profile', 'quick', '--html'],
    // A fresh cache, so the notebooks really train instead of reading an earlier run's results.
    { cwd: ROOT, env: { ...process.env, LOSSLENS_CACHE_DIR: join(outputDir, 'cache') }, maxBuffer: 64 * 1024 * 1024 },
  ).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`running the notebooks failed: ${error.message}\n${error.stderr ?? ''}`);
  });
  return { outputDir, log: stderr, seconds: (performance.now() - started) / 1000 };
}

export async function quickRun(timeoutMs = 280_000): Promise<QuickRun> {
  const base = join(ROOT, 'test-artifacts', `notebooks-quick-${process.ppid}`);
  const marker = join(base, 'done.json');
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  let owner = true;
  try {
    mkdirSync(base);
  } catch {
    owner = false;
  }
  if (owner) {
    removeStaleRuns(join(ROOT, 'test-artifacts'), base);
    try {
      const result = await execute(join(base, 'out'));
      writeFileSync(marker, JSON.stringify(result));
      return result;
    } catch (error) {
      writeFileSync(marker, JSON.stringify({ error: String(error) }));
      throw error;
    }
  }
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(marker)) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for another test file's notebook run (${base})`);
    await new Promise((resolve) => setTimeout(resolve, WAIT_STEP_MS));
  }
  const stored = JSON.parse(readFileSync(marker, 'utf8')) as QuickRun & { error?: string };
  if (stored.error) throw new Error(`the notebook run in another test file failed: ${stored.error}`);
  return stored;
}
