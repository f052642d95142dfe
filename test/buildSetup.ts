/**
 * Before any test file: the library's dist/ built from the sources under test, and its results
 * identity computed once. Library code under test runs from src/, and its results are keyed by
 * what dist/ built from the same sources computes (src/experiments/build.ts), so a stale dist/
 * would otherwise stop every test that runs an experiment. Both vitest projects list this; a
 * lock folder keeps their two builds from running at once.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const lock = join(root, 'dist.build-lock');

export default async function setup(): Promise<void> {
  for (let waited = 0; ; waited += 200) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (waited > 600_000) throw new Error(`${lock} has been held for 10 minutes; remove it if no build is running`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
    execFileSync(process.execPath, ['bin/losslens.js', 'identity'], { cwd: root, stdio: ['ignore', 'inherit', 'ignore'] });
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
