/**
 * The result cache as every reader sees it: the user's cache folder first, then the published
 * archive (archive.ts) as a read-only layer under it. One lookup for runs, sweeps and plans,
 * so each says the same thing about where a result comes from.
 *
 * A run's results live in `<cache>/<key>/<identity>.json` (key.ts; the results identity they
 * were computed under), its checkpoint beside them. A result is used when its normalised config
 * is the one asked for and this build vouches for its identity (matchIdentity): its own, or an
 * earlier build's whose every fingerprint run it computes the same.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../identity/build.js';
import { normaliseConfig, type ExperimentConfig } from '../settings/config.js';
import type { ResultsArchive } from './archive.js';
import { matchIdentity, type IdentityMatch, type ResultsIdentity } from '../identity/identity.js';
import { canonicalJson, runKey } from '../results/key.js';
import { isExperimentResult, type ExperimentResult } from '../results/result.js';
import { readEntry, type Warn } from '../entries.js';

/** $LOSSLENS_CACHE_DIR, else the checkout's (or package's) .cache/experiments. */
export function defaultCacheDir(): string {
  return process.env.LOSSLENS_CACHE_DIR || join(PACKAGE_ROOT, '.cache', 'experiments');
}

/** Where the result of the run with `key` computed under `identity` (its id) is stored. */
export function resultPath(cacheDir: string, key: string, identity: string): string {
  return join(cacheDir, key, `${identity}.json`);
}

/** Where an interrupted run's checkpoint is kept, beside its result. */
export function checkpointPath(cacheDir: string, key: string, identity: string): string {
  return join(cacheDir, key, `${identity}.checkpoint.json`);
}

/**
 * Why `result` (read from a file) cannot stand for `config` in this build, or undefined when it can:
 * its normalised config must be `config` and its identity one `running` vouches for.
 */
export function unusable(result: ExperimentResult, config: ExperimentConfig, running: ResultsIdentity): string | undefined {
  let stored: ExperimentConfig;
  try {
    stored = normaliseConfig(result.config);
  } catch (error) {
    return `its config is not one this build runs (${(error as Error).message})`;
  }
  if (canonicalJson(stored) !== canonicalJson(config)) return 'it holds another config';
  const match: IdentityMatch = matchIdentity(running, result.identity);
  return match.kind === 'different' ? `it was ${match.reason}` : undefined;
}

/** The stored results of `config` in `cacheDir` computed under other identities than `running`'s, newest first. */
function otherEntries(cacheDir: string, key: string, running: ResultsIdentity): string[] {
  let names: string[];
  try {
    names = readdirSync(join(cacheDir, key));
  } catch {
    return [];
  }
  return names
    .filter((name) => /^[0-9a-f]{16}\.json$/.test(name) && name !== `${running.id}.json`)
    .map((name) => join(cacheDir, key, name));
}

/**
 * The entry of `config` in the user's cache at `cacheDir` that this build vouches for, and its
 * path: this build's own, else one of an earlier build it covers. A damaged entry of this build is
 * a miss, after a warning.
 */
export function findCachedEntry(
  cacheDir: string,
  config: ExperimentConfig,
  running: ResultsIdentity,
  warn: Warn,
): { path: string; result: ExperimentResult } | undefined {
  const key = runKey(config);
  const quiet = () => {};
  const own = resultPath(cacheDir, key, running.id);
  for (const path of [own, ...otherEntries(cacheDir, key, running)]) {
    // Entries of other builds are only candidates: one that does not fit is not damage worth a warning.
    const cached = readEntry(path, (value): value is ExperimentResult => isExperimentResult(value, key), path === own ? warn : quiet);
    if (cached && unusable(cached, config, running) === undefined) return { path, result: { ...cached, config, origin: 'cache' } };
  }
  return undefined;
}

/** The result of `config` in the user's cache at `cacheDir`, if one this build vouches for is there. */
export function readCachedResult(
  cacheDir: string,
  config: ExperimentConfig,
  running: ResultsIdentity,
  warn: Warn,
): ExperimentResult | undefined {
  return findCachedEntry(cacheDir, config, running, warn)?.result;
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

/** The stored result of `config` (normalised): the user's cache, then the archive. */
export function lookupResult(config: ExperimentConfig, options: LookupOptions): Lookup {
  const cached = readCachedResult(options.cacheDir, config, options.identity, options.warn);
  if (cached) return { result: cached };
  const archive = options.archive;
  const entry = archive?.entryFor(config);
  if (!archive || !entry) return {};
  const fit = archive.fits(options.identity);
  if (fit.kind === 'different') return { archiveMismatch: `the published archive holds this run, but it was ${fit.reason}` };
  const result = archive.read(entry, options.warn);
  return result ? { result: { ...result, config } } : {};
}
