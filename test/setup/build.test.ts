import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/python';

const versionIn = (file: string) => (JSON.parse(readFileSync(join(repoRoot, file), 'utf8')) as { version: string }).version;

describe('the library build in setup', () => {
  it("compiles src/ to dist/ with package.json's TypeScript, not the older tsc that tslab puts in node_modules/.bin", () => {
    const result = spawnSync('bash', ['scripts/setup.sh'], { cwd: repoRoot, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    expect(existsSync(join(repoRoot, 'dist', 'training', 'fit.js'))).toBe(true);
    // tsc records its version in dist/.tsbuildinfo, so a build from scratch by the wrong tsc shows here
    // (TypeScript 5.0's tsc -b leaves an up-to-date build by a newer tsc alone).
    expect(versionIn('dist/.tsbuildinfo')).toBe(versionIn('node_modules/typescript/package.json'));
  });
});
