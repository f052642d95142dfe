/**
 * The results archive: the completed full-fidelity runs behind notebooks/published/, kept in
 * the repository so that a fresh clone's notebooks show the published numbers without
 * training. A read-only layer under the user's cache: a run is read from it only when this
 * build computes what the archive's code computed (matchIdentity), otherwise it is trained and
 * the reason is said.
 *
 * Layout: `manifest.json` (ArchiveManifest: the identity the runs were computed under, when
 * and from which commit, and each run's config, file, size and SHA-256) and `runs/<key>.json`,
 * each an entry as the cache writes it (store.ts: its own SHA-256 in its header).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PACKAGE_ROOT } from '../identity/build.js';
import { normaliseConfig, type ExperimentConfig } from '../settings/config.js';
import { isResultsIdentity, matchIdentity, type IdentityMatch, type ResultsIdentity } from '../identity/identity.js';
import { canonicalJson, runKey } from '../results/key.js';
import { isExperimentResult, type ArchiveOrigin, type CompletedResult, type ExperimentResult } from '../results/result.js';
import { decodeEntry, EntryError, type Warn } from '../entries.js';

export const ARCHIVE_FORMAT = 'losslens-archive/1';

export interface ArchiveEntry {
  /** The run's key (runKey). */
  key: string;
  /** Path of its entry, relative to the archive folder. */
  file: string;
  /** SHA-256 of the entry file's bytes. */
  sha256: string;
  bytes: number;
  config: ExperimentConfig;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  /** ISO time the archive was built. */
  createdAt: string;
  /** The commit of the code that computed the runs (as `git describe --always --dirty` said), or null. */
  commit: string | null;
  /** The identity of the build that archived the runs, which vouches for each run's own (matchIdentity). */
  identity: ResultsIdentity;
  entries: ArchiveEntry[];
}

export class ArchiveError extends Error {
  override name = 'ArchiveError';
}

/** The checkout's archive, next to the published notebooks it is behind. */
export const DEFAULT_ARCHIVE_DIR = join(PACKAGE_ROOT, 'notebooks', 'published', 'archive');

/**
 * Where runs are read from besides the user's cache: `$LOSSLENS_ARCHIVE` (a folder, or `off` to
 * use none, as `npm run reproduce` does for its own runs), else the checkout's archive.
 */
export function archiveDirectory(env: NodeJS.ProcessEnv = process.env): string | null {
  const setting = env.LOSSLENS_ARCHIVE;
  if (setting === 'off') return null;
  return setting ? resolve(setting) : DEFAULT_ARCHIVE_DIR;
}

function isManifest(value: unknown): value is ArchiveManifest {
  const manifest = value as Partial<ArchiveManifest> | null;
  return (
    manifest?.format === ARCHIVE_FORMAT &&
    typeof manifest.createdAt === 'string' &&
    isResultsIdentity(manifest.identity) &&
    Array.isArray(manifest.entries) &&
    manifest.entries.every(
      (entry) =>
        typeof entry?.key === 'string' &&
        typeof entry.file === 'string' &&
        !entry.file.includes('..') &&
        typeof entry.sha256 === 'string' &&
        typeof entry.config === 'object',
    )
  );
}

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

export class ResultsArchive {
  private readonly byConfig = new Map<string, ArchiveEntry>();

  private constructor(
    readonly directory: string,
    readonly manifest: ArchiveManifest,
  ) {
    for (const entry of manifest.entries) this.byConfig.set(canonicalJson(normaliseConfig(entry.config)), entry);
  }

  /** The archive in `directory`, or null when there is none; throws ArchiveError when its manifest is unreadable. */
  static open(directory: string): ResultsArchive | null {
    let text: string;
    try {
      text = readFileSync(join(directory, 'manifest.json'), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    let manifest: unknown;
    try {
      manifest = JSON.parse(text);
    } catch {
      throw new ArchiveError(`${join(directory, 'manifest.json')} is not JSON`);
    }
    if (!isManifest(manifest)) throw new ArchiveError(`${join(directory, 'manifest.json')} is not a ${ARCHIVE_FORMAT} manifest`);
    return new ResultsArchive(directory, manifest);
  }

  /** Where the runs came from, as every display of one says. */
  get origin(): ArchiveOrigin {
    const { createdAt, commit, identity } = this.manifest;
    return { createdAt, commit, identity: identity.id };
  }

  /** Whether this archive's runs are what a build of identity `running` computes. */
  fits(running: ResultsIdentity): IdentityMatch {
    return matchIdentity(running, this.manifest.identity);
  }

  /** The archived run of `config` (normalised), if the archive holds one. */
  entryFor(config: ExperimentConfig): ArchiveEntry | undefined {
    return this.byConfig.get(canonicalJson(config));
  }

  /** The archived runs of `config` over every seed the archive holds (damaged ones left out, after a warning). */
  runsOfConfig(config: ExperimentConfig, warn: Warn): CompletedResult[] {
    const unseeded = canonicalJson({ ...config, seed: 0 });
    return this.manifest.entries
      .filter((entry) => canonicalJson({ ...normaliseConfig(entry.config), seed: 0 }) === unseeded)
      .map((entry) => this.read(entry, warn))
      .filter((result): result is CompletedResult => result !== undefined);
  }

  /** The run of `entry`, checked against the manifest's checksum and the result schema; undefined (after a warning) when damaged. */
  read(entry: ArchiveEntry, warn: Warn): CompletedResult | undefined {
    const path = join(this.directory, entry.file);
    try {
      const bytes = readFileSync(path);
      if (sha256(bytes) !== entry.sha256) throw new EntryError('its SHA-256 differs from the manifest’s');
      const result = decodeEntry(bytes.toString('utf8'), (value): value is ExperimentResult => isExperimentResult(value, entry.key));
      if (result.status !== 'completed') throw new EntryError(`it is ${result.status}, not completed`);
      return { ...result, origin: 'archive', archive: this.origin };
    } catch (error) {
      if (!(error instanceof EntryError) && (error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      warn(`ignoring archived run ${path}: ${error instanceof EntryError ? error.message : 'the file is missing'}; it will be trained`);
      return undefined;
    }
  }
}

const archives = new Map<string, ResultsArchive | null>();

/** The archive in `directory` (default archiveDirectory()), opened once per process; null when there is none or it is off. */
export function openArchive(directory: string | null = archiveDirectory()): ResultsArchive | null {
  if (directory === null) return null;
  if (!archives.has(directory)) archives.set(directory, ResultsArchive.open(directory));
  return archives.get(directory)!;
}

export interface BuildArchiveOptions {
  identity: ResultsIdentity;
  commit: string | null;
  createdAt?: string;
}

/**
 * Writes `runs` (completed results computed under `options.identity`, each with the text of its
 * cache entry, kept byte for byte) as the archive in `directory`. The new archive is written
 * beside the old one and moved into place only when complete.
 */
export function buildArchive(
  directory: string,
  runs: readonly { result: ExperimentResult; entryText: string }[],
  options: BuildArchiveOptions,
): ArchiveManifest {
  const staging = `${directory}.${process.pid}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(join(staging, 'runs'), { recursive: true });
  const entries: ArchiveEntry[] = [];
  const seen = new Set<string>();
  for (const { result, entryText } of runs) {
    const key = runKey(normaliseConfig(result.config));
    if (result.key !== key) throw new ArchiveError(`the run ${result.key} is filed under another key than its config's (${key})`);
    const match = matchIdentity(options.identity, result.identity);
    if (match.kind === 'different') throw new ArchiveError(`the run ${result.key} was ${match.reason}`);
    if (result.status !== 'completed')
      throw new ArchiveError(`the run ${result.key} is ${result.status}; only completed runs are archived`);
    if (seen.has(key)) continue;
    seen.add(key);
    const file = `runs/${key}.json`;
    writeFileSync(join(staging, file), entryText);
    entries.push({ key, file, sha256: sha256(entryText), bytes: Buffer.byteLength(entryText), config: result.config });
  }
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    createdAt: options.createdAt ?? new Date().toISOString(),
    commit: options.commit,
    identity: options.identity,
    entries,
  };
  writeFileSync(join(staging, 'manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  mkdirSync(dirname(directory), { recursive: true });
  const previous = `${directory}.${process.pid}.previous`;
  let moved = false;
  try {
    renameSync(directory, previous);
    moved = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  renameSync(staging, directory);
  if (moved) rmSync(previous, { recursive: true, force: true });
  archives.delete(directory);
  return manifest;
}
