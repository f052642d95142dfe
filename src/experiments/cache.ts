/**
 * The result cache as every reader sees it: the user's cache folder first, then the published
 * archive (archive.ts) as a read-only layer under it. One lookup for runs, sweeps and plans,
 * so each says the same thing about where a result comes from.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from './build.js';
import type { ExperimentConfig } from './config.js';
import type { ResultsArchive } from './archive.js';
import type { ResultsIdentity } from './identity.js';
import { isExperimentResult, type ExperimentResult } from './result.js';
import { readEntry, type Warn } from './store.js';

/** $LOSSLENS_CACHE_DIR, else the checkout's (or package's) .cache/experiments. */
export function defaultCacheDir(): string {
  return process.env.LOSSLENS_CACHE_DIR || join(PACKAGE_ROOT, '.cache', 'experiments');
}

export function resultPath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.json`);
}

export function checkpointPath(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.checkpoint.json`);
}

/** The result stored under `key` in `cacheDir`, if any (a damaged entry is a miss, after a warning). */
export function readCachedResult(cacheDir: string, key: string, warn: Warn): ExperimentResult | undefined {
  const cached = readEntry(resultPath(cacheDir, key), (value): value is ExperimentResult => isExperimentResult(value, key), warn);
  return cached && { ...cached, origin: 'cache' };
}

export interface Lookup {
  /** The stored result, from the user's cache or the archive. */
  result?: ExperimentResult;
  /** Why an archived run of this config was not used (the archive's code computes other numbers), to say before training it. */
  archiveMismatch?: string;
}

export interface LookupOptions {
  cacheDir: string;
  identity: ResultsIdentity;
  /** null: the user's cache only. */
  archive: ResultsArchive | null;
  warn: Warn;
}

/** The stored result of `config` (key `key` under `options.identity`): the user's cache, then the archive. */
export function lookupResult(config: ExperimentConfig, key: string, options: LookupOptions): Lookup {
  const cached = readCachedResult(options.cacheDir, key, options.warn);
  if (cached) return { result: cached };
  const archive = options.archive;
  const entry = archive?.entryFor(config);
  if (!archive || !entry) return {};
  const fit = archive.fits(options.identity);
  if (fit.kind === 'different') return { archiveMismatch: `the published archive holds this run, but it was ${fit.reason}` };
  const result = archive.read(entry, options.warn);
  return result ? { result } : {};
}
