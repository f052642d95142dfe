import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readEntry, writeEntry } from '../src/entries.js';
import { canonicalJson, changedSettings, runKey } from '../src/results/key.js';
import { ConfigError, DEFAULT_CONFIG, normaliseConfig, questionConfigs } from '../src/settings/config.js';

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
    expect(runKey(normaliseConfig({}))).toBe(runKey(explicit));
    expect(runKey(normaliseConfig({ epochs: 2 }))).not.toBe(runKey(normaliseConfig({})));
    // A key names how the config differs from the tutorial, so a setting added at its default keeps every key.
    expect(changedSettings(normaliseConfig({ epochs: 2, seed: 1, pad: { width: 2, mode: 'edge' } }))).toEqual({
      epochs: 2,
      pad: { width: 2, mode: 'edge' },
    });
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe('{"a":{"c":3,"d":2},"b":1}');
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
    [{ epoch: 3 }, /^config has unknown field\(s\) epoch; the fields are pad, /],
    [{ seed: 1.5 }, /seed must be an integer/],
  ])('rejects %j', (input, message) => {
    expect(() => normaliseConfig(input as never)).toThrow(ConfigError);
    expect(() => normaliseConfig(input as never)).toThrow(message);
  });
});
