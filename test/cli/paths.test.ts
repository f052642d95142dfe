/**
 * `losslens run … --cache-dir /proc/x` (or LOSSLENS_CACHE_DIR=/proc/x), a cache no mkdir can
 * create: the CLI exits at once, before training, with one line naming the directory and the fix.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary, runCli } from '../helpers/cli.js';

const RUN = ['run', '--samples', '256', '--test-samples', '64', '--epochs', '1'];

function losslens(args: string[], env: Record<string, string> = {}) {
  const started = performance.now();
  const child = runCli(args, { timeout: 60_000, env: { ...process.env, ...env } });
  return { code: child.code, stderr: child.stderr, seconds: (performance.now() - started) / 1000 };
}

beforeAll(() => {
  buildLibrary();
}, 300_000);

describe('losslens with an unusable cache directory', () => {
  it.each([
    ['--cache-dir /proc/x', [...RUN, '--cache-dir', '/proc/x'], {}, 'cache directory /proc/x is on procfs'],
    [
      'LOSSLENS_CACHE_DIR=/proc/x',
      RUN,
      { LOSSLENS_CACHE_DIR: '/proc/x' },
      'cache directory /proc/x (from LOSSLENS_CACHE_DIR) is on procfs',
    ],
  ])('%s: exits 1 before training, with one line naming the directory and the fix', (_name, args, env, message) => {
    const { code, stderr } = losslens(args, env);
    expect(code).toBe(1);
    const lines = stderr.split('\n').filter((line) => line.startsWith('losslens:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
    expect(lines[0]).toContain('--cache-dir or LOSSLENS_CACHE_DIR');
    expect(stderr).not.toContain('loading MNIST');
  });
});
