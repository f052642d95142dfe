/** The losslens CLI as the tests run it: the compiled library, called through bin/losslens.js in a child process. */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './python.js';

export const cliBin = join(repoRoot, 'bin', 'losslens.js');

/** Compiles src/ to dist/, which the CLI loads, as `npm run build` does; call in beforeAll. */
export function buildLibrary(): void {
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `losslens ...args` to completion. */
export function runCli(args: readonly string[], options: { timeout: number; env?: NodeJS.ProcessEnv }): CliRun {
  const child = spawnSync(process.execPath, [cliBin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: options.timeout,
    env: options.env,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}
