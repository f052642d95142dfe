/**
 * Every notebook executed once per vitest run, in the quick profile, with HTML export; the
 * notebook checks and the published-HTML checks all read that one run. It is made by the
 * `notebook run` project's globalSetup (quickRun.setup.ts), which vitest starts only when a test
 * file of that project is selected, and handed to the test files with provide/inject.
 */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';
import type { PlanOutput } from '../../src/cli/output.js';

export const ROOT = resolve(__dirname, '..', '..');
export const NOTEBOOK_DIR = join(ROOT, 'notebooks');
export const NOTEBOOKS = readdirSync(NOTEBOOK_DIR)
  .filter((name) => name.endsWith('.ipynb'))
  .sort();

/** What `scripts/run_notebooks.py --report` writes (its `write_report`). */
export interface RunnerReport {
  /** `losslens plan --json` for the job, or null when it could not be counted. */
  plan: PlanOutput | null;
  /** The notebooks that ran, in order, with their runs counted by origin. */
  notebooks: { notebook: string; seconds: number; trained: number; cache: number; archive: number }[];
}

export interface QuickRun {
  outputDir: string;
  /** The runner's stderr: what a person watching the job reads. */
  log: string;
  report: RunnerReport;
  seconds: number;
}

declare module 'vitest' {
  export interface ProvidedContext {
    quickRun: QuickRun | { error: string };
  }
}

/** The shared notebook run; throws its error when it failed, so each test that reads it fails with the reason. */
export function quickRun(): QuickRun {
  const provided = inject('quickRun');
  if (provided === undefined) {
    throw new Error('no notebook run was provided: list this test file in vitest.config.ts NOTEBOOK_RUN_TESTS');
  }
  if ('error' in provided) throw new Error(`the shared notebook run failed: ${provided.error}`);
  return provided;
}
