/**
 * vitest globalSetup of the `notebook run` project: executes every notebook once in the quick
 * profile before that project's test files start, and provides the result (or its error, so
 * the other projects' tests still run) as `quickRun`.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { NOTEBOOK_DIR, NOTEBOOKS, ROOT, type QuickRun, type RunnerReport } from './quickRun.js';

const run = promisify(execFile);
/** Outputs of earlier vitest processes older than this are deleted (a concurrent one is younger). */
const STALE_MS = 60 * 60 * 1000;
/** The limit the notebook run had when it was a test file's beforeAll. */
const TIMEOUT_MS = 300_000;

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
  const reportPath = join(outputDir, 'report.json');
  const { stderr } = await run(
    join(ROOT, '.venv', 'bin', 'python'),
    [
      join(ROOT, 'scripts', 'run_notebooks.py'),
      ...NOTEBOOKS.map((n) => join(NOTEBOOK_DIR, n)),
      '--output',
      outputDir,
      '--profile',
      'quick',
      '--html',
      '--report',
      reportPath,
    ],
    // A fresh cache, so the notebooks really train instead of reading an earlier run's results.
    {
      cwd: ROOT,
      env: { ...process.env, LOSSLENS_CACHE_DIR: join(outputDir, 'cache') },
      maxBuffer: 64 * 1024 * 1024,
      timeout: TIMEOUT_MS,
    },
  );
  const report = JSON.parse(readFileSync(reportPath, 'utf8')) as RunnerReport;
  return { outputDir, log: stderr, report, seconds: (performance.now() - started) / 1000 };
}

export default async function setup(project: TestProject): Promise<void> {
  const artifacts = join(ROOT, 'test-artifacts');
  mkdirSync(artifacts, { recursive: true });
  const base = mkdtempSync(join(artifacts, 'notebooks-quick-'));
  removeStaleRuns(artifacts, base);
  process.stderr.write(`[notebook run] executing ${NOTEBOOKS.length} notebooks in the quick profile into ${base}\n`);
  try {
    project.provide('quickRun', await execute(join(base, 'out')));
  } catch (error) {
    const { message, stderr } = error as { message: string; stderr?: string };
    project.provide('quickRun', { error: `running the notebooks failed: ${message}\n${stderr ?? ''}` });
  }
}
