/**
 * Cache keys. A key hashes the normalised config together with a code version, which is
 * a hash of the source files that decide a result (data, transforms, model, training,
 * accounting and the experiment runner) plus the tfjs and libtensorflow versions. Hashing
 * the code that actually runs, rather than a version constant someone must remember to
 * bump, means any edit to those modules invalidates old results. It over-invalidates on
 * comment-only edits, which costs a rerun, never a wrong answer.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { nativeTensorFlowVersion, tf } from '../tf.js';
import type { ExperimentConfig } from './config.js';

/** Paths, relative to the library root (src/ or dist/), whose code decides a result. */
export const RESULT_MODULES: readonly string[] = [
  'data',
  'transforms',
  'model',
  'training',
  'accounting',
  'random',
  'tf',
  'experiments/run',
];

function isCode(name: string): boolean {
  return (name.endsWith('.js') || name.endsWith('.ts')) && !name.endsWith('.d.ts');
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

/**
 * Hash of the code files under `root` selected by `modules` (a module is a directory or a
 * file name without extension). The file list is sorted so the hash does not depend on
 * directory order.
 */
export function hashCode(root: string, modules: readonly string[] = RESULT_MODULES): string {
  const selected = listFiles(root)
    .map((path) => relative(root, path).split(sep).join('/'))
    .filter((path) => isCode(path) && modules.some((module) => path.startsWith(`${module}/`) || path.replace(/\.(js|ts)$/, '') === module))
    .sort();
  if (selected.length === 0) throw new Error(`no library code found under ${root} to version the cache with`);
  const hash = createHash('sha256');
  for (const path of selected) {
    hash.update(`${path}\0`);
    hash.update(readFileSync(join(root, path)));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

let cachedCodeVersion: string | undefined;

/** This installation's code version: library code hash + tfjs + libtensorflow versions. */
export function codeVersion(): string {
  cachedCodeVersion ??= `${hashCode(join(__dirname, '..'))}-tfjs${tf.version.tfjs}-tf${nativeTensorFlowVersion()}`;
  return cachedCodeVersion;
}

/** JSON with object keys sorted, so equal configs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export function experimentKey(config: ExperimentConfig, version: string = codeVersion()): string {
  return createHash('sha256').update(canonicalJson({ config, version })).digest('hex').slice(0, 24);
}
