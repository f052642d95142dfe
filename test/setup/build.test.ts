import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/python';

describe('the library build in setup', () => {
  it('removes compiled modules whose source is gone, and keeps the rest', () => {
    const ghost = join(repoRoot, 'dist', 'training', 'removedModule');
    for (const suffix of ['.js', '.d.ts', '.js.map']) writeFileSync(ghost + suffix, '');
    const result = spawnSync('bash', ['scripts/setup.sh'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    for (const suffix of ['.js', '.d.ts', '.js.map']) expect(existsSync(ghost + suffix)).toBe(false);
    expect(existsSync(join(repoRoot, 'dist', 'training', 'fit.js'))).toBe(true);
  });
});
