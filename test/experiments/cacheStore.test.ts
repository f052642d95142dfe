import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEntry, writeEntry } from '../../src/experiments/store.js';
import { canonicalJson, codeTokens, experimentKey, hashCode } from '../../src/experiments/key.js';
import { ConfigError, DEFAULT_CONFIG, normaliseConfig, questionConfigs } from '../../src/experiments/config.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'losslens-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const isNumbers = (value: unknown): value is { numbers: number[] } =>
  typeof value === 'object' && value !== null && Array.isArray((value as { numbers?: unknown }).numbers);

describe('atomic, checksummed entries', () => {
  it('round-trips and leaves no temporary files', () => {
    const dir = tempDir();
    const path = join(dir, 'sub', 'entry.json');
    writeEntry(path, { numbers: [1, 2, 3] });
    expect(readEntry(path, isNumbers)).toEqual({ numbers: [1, 2, 3] });
    expect(readdirSync(join(dir, 'sub'))).toEqual(['entry.json']);
  });

  it('treats absent, truncated, corrupt and wrong-schema entries as misses, warning for damaged ones', () => {
    const dir = tempDir();
    const path = join(dir, 'entry.json');
    const warnings: string[] = [];
    const warn = (message: string) => warnings.push(message);
    expect(readEntry(path, isNumbers, warn)).toBeUndefined();
    expect(warnings).toHaveLength(0);

    writeEntry(path, { numbers: [1, 2, 3, 4, 5, 6, 7, 8] });
    const text = readFileSync(path, 'utf8');
    writeFileSync(path, text.slice(0, text.length - 5));
    expect(readEntry(path, isNumbers, warn)).toBeUndefined();
    expect(warnings.pop()).toMatch(/checksum mismatch/);

    writeFileSync(path, text.replace('[1,2', '[9,2'));
    expect(readEntry(path, isNumbers, warn)).toBeUndefined();
    expect(warnings.pop()).toMatch(/checksum mismatch/);

    writeFileSync(path, text.slice(0, 10));
    expect(readEntry(path, isNumbers, warn)).toBeUndefined();
    expect(warnings.pop()).toMatch(/header/);

    writeEntry(path, { other: true });
    expect(readEntry(path, isNumbers, warn)).toBeUndefined();
    expect(warnings.pop()).toMatch(/schema/);
  });
});

describe('cache keys', () => {
  it('depend on the normalised config, not on how it was written', () => {
    const explicit = normaliseConfig({ ...DEFAULT_CONFIG, pad: { width: 0, mode: 'reflect' } });
    expect(experimentKey(normaliseConfig({}), 'v')).toBe(experimentKey(explicit, 'v'));
    expect(experimentKey(normaliseConfig({ epochs: 2 }), 'v')).not.toBe(experimentKey(normaliseConfig({}), 'v'));
    expect(experimentKey(normaliseConfig({}), 'v1')).not.toBe(experimentKey(normaliseConfig({}), 'v2'));
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
  });

  it('change when any result-deciding code file changes, and only then', () => {
    const root = tempDir();
    mkdirSync(join(root, 'model'));
    mkdirSync(join(root, 'display'));
    writeFileSync(join(root, 'model', 'autoencoder.js'), 'export const a = 1;');
    writeFileSync(join(root, 'model', 'autoencoder.d.ts'), 'types');
    writeFileSync(join(root, 'display', 'plot.js'), 'p');
    const before = hashCode(root, ['model']);
    writeFileSync(join(root, 'display', 'plot.js'), 'p2');
    writeFileSync(join(root, 'model', 'autoencoder.d.ts'), 'types2');
    expect(hashCode(root, ['model'])).toBe(before);
    writeFileSync(join(root, 'model', 'autoencoder.js'), 'export const a = 2;');
    expect(hashCode(root, ['model'])).not.toBe(before);
  });

  it('ignore comments, layout, quote style, trailing commas and semicolons, but not code', () => {
    const original = "const a = { x: 'y', z: [1, 2] };\nfunction f(b) { return `${b} c` && g(b, 'd'); }";
    const restyled =
      '/** Why a. */\nconst a = {\n  x: "y",\n  z: [1, 2,],\n} // trailing\nfunction f(b) {\n  return `${ b } c` && g(\n    b,\n    "d",\n  )\n}';
    expect(codeTokens(restyled)).toBe(codeTokens(original));
    expect(codeTokens(original.replace('&&', '||'))).not.toBe(codeTokens(original));
    expect(codeTokens(original.replace('`${b} c`', '`${b}  c`'))).not.toBe(codeTokens(original));
    expect(codeTokens(original.replace("'y'", "'Y'"))).not.toBe(codeTokens(original));
    expect(codeTokens('x = (a || b) && c')).not.toBe(codeTokens('x = a || b && c'));
  });

  it('count a compiled file only while its source exists', () => {
    const compiled = tempDir();
    const sources = tempDir();
    mkdirSync(join(compiled, 'model'));
    mkdirSync(join(sources, 'model'));
    writeFileSync(join(compiled, 'model', 'autoencoder.js'), 'export const a = 1;');
    writeFileSync(join(sources, 'model', 'autoencoder.ts'), 'export const a: number = 1;');
    const before = hashCode(compiled, ['model'], sources);
    writeFileSync(join(compiled, 'model', 'removed.js'), 'export const stale = 1;');
    expect(hashCode(compiled, ['model'], sources)).toBe(before);
    expect(hashCode(compiled, ['model'])).not.toBe(before);
    expect(() => hashCode(compiled, ['training'], sources)).toThrow(/no compiled library code found .*npm run build/);
  });
});

describe('experiment config', () => {
  it('fills the tutorial defaults and folds pad width 0 into no padding', () => {
    expect(normaliseConfig({})).toEqual({ ...DEFAULT_CONFIG });
    expect(normaliseConfig({ pad: { width: 0, mode: 'edge' } }).pad).toBeNull();
    const [plain, padded] = questionConfigs({ epochs: 1 });
    expect(plain.pad).toBeNull();
    expect(padded.pad).toEqual({ width: 2, mode: 'edge' });
    expect(padded.epochs).toBe(1);
  });

  it.each([
    [{ epochs: 0 }, /epochs must be an integer from 1/],
    [{ noiseFactor: -1 }, /noiseFactor must be a finite number/],
    [{ pad: { width: 3, mode: 'edge' } }, /pad.width must be even/],
    [{ pad: { width: 2, mode: 'wrap' } }, /pad.mode must be one of edge, constant, reflect, symmetric/],
    [{ trainSamples: 70_000 }, /60,000 training images/],
    [{ loss: 'hinge' }, /loss must be one of/],
    [{ epoch: 3 }, /unknown config field\(s\) epoch/],
    [{ seed: 1.5 }, /seed must be an integer/],
  ])('rejects %j', (input, message) => {
    expect(() => normaliseConfig(input as never)).toThrow(ConfigError);
    expect(() => normaliseConfig(input as never)).toThrow(message);
  });
});
