import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
export const venvPython = resolve(repoRoot, '.venv', 'bin', 'python');

/** Runs a Python snippet in the project's environment and returns its stdout. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(venvPython, ['-c', code, ...args], { encoding: 'utf8', cwd: repoRoot });
}
