/**
 * `losslens archive build`: the published results archive, rebuilt from a cache: every run the
 * given notebooks read at full fidelity. `losslens archive compare`: those runs as this machine's
 * cache holds them (a reproduction) next to the archive's and the question's numbers.
 * `losslens identity`: this build's results identity.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { archiveDirectory, buildArchive, DEFAULT_ARCHIVE_DIR, openArchive, ResultsArchive } from '../cache/archive.js';
import { PACKAGE_ROOT } from '../identity/build.js';
import { defaultCacheDir, findCachedEntry, readCachedResult } from '../cache/lookup.js';
import { computeIdentity, resultsIdentity, type ResultsIdentity } from '../identity/identity.js';
import { isExperimentResult, type ExperimentResult } from '../results/result.js';
import { compareReproduction, type ReproductionRow } from '../experiments/reproduction.js';
import type { ArchiveComparisonOutput } from './output.js';
import { decodeEntry, EntryError, warnOnStderr } from '../entries.js';
import { formatPerPixel } from '@losslens/protocol';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './args.js';
import { planNotebook, PlanInputError, readProfiles, type PlannedRun } from './plan.js';
import { formatSigned, textTable } from '../format.js';

/** `git describe` of the checkout, or null outside one. */
function checkoutCommit(): string | null {
  const done = spawnSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
  return done.status === 0 ? done.stdout.trim() : null;
}

async function plannedRuns(notebooks: readonly string[], cacheDir: string, params: Record<string, unknown> = {}): Promise<PlannedRun[]> {
  const runs: PlannedRun[] = [];
  const seen = new Set<string>();
  for (const notebook of notebooks) {
    for (const run of (await planNotebook(notebook, params, cacheDir)).runs ?? []) {
      if (seen.has(run.key)) continue;
      seen.add(run.key);
      runs.push(run);
    }
  }
  return runs;
}

/** An entry's text, exactly as stored, when it is a completed result of `key`. */
function completedEntryText(path: string, key: string): { text: string; result: ExperimentResult } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const result = decodeEntry(text, (value): value is ExperimentResult => isExperimentResult(value, key));
    return result.status === 'completed' ? { text, result } : undefined;
  } catch (error) {
    if (error instanceof EntryError) return undefined;
    throw error;
  }
}

/** The text of the completed entry of `run` in the cache at `cacheDir` that `identity` vouches for. */
function cachedEntryText(cacheDir: string, run: PlannedRun, identity: ResultsIdentity) {
  const found = findCachedEntry(cacheDir, run.config, identity, () => {});
  return found && completedEntryText(found.path, run.key);
}

interface BuildOptions {
  from: string;
  output: string;
  allowMissing?: boolean;
}

async function buildCommand(notebooks: string[], options: BuildOptions, io: Io): Promise<number> {
  const identity = await resultsIdentity({ onStage: (message) => io.stderr.write(`${message}\n`) });
  const output = resolve(options.output);
  const previous = ResultsArchive.open(output);
  const reusable = previous && previous.fits(identity).kind !== 'different' ? previous : null;
  const runs = await plannedRuns(notebooks, options.from);
  const found: { result: ExperimentResult; entryText: string }[] = [];
  const missing: string[] = [];
  for (const run of runs) {
    let entry = cachedEntryText(options.from, run, identity);
    const archived = reusable?.entryFor(run.config);
    if (!entry && archived) entry = completedEntryText(resolve(output, archived.file), run.key);
    if (entry) found.push({ result: entry.result, entryText: entry.text });
    else missing.push(run.label);
  }
  if (missing.length > 0 && !options.allowMissing) {
    io.stderr.write(
      `losslens archive build: ${missing.length} of ${runs.length} run(s) are neither in ${options.from} nor in the archive ` +
        `that this build (identity ${identity.id}) vouches for: ${missing.join('; ')}. Train them (run the notebooks at full fidelity ` +
        'with that cache) or pass --allow-missing to archive the others\n',
    );
    return EXIT_FAILED;
  }
  const manifest = buildArchive(output, found, { identity, commit: checkoutCommit() });
  const bytes = manifest.entries.reduce((sum, entry) => sum + entry.bytes, 0);
  io.stdout.write(
    `archived ${manifest.entries.length} run(s), ${(bytes / 1e6).toFixed(1)} MB, identity ${identity.id}, ` +
      `commit ${manifest.commit ?? 'unknown'} → ${output}` +
      (missing.length > 0 ? `\nnot archived (not computed yet): ${missing.join('; ')}` : '') +
      '\n',
  );
  return EXIT_OK;
}

/** The comparison as a terminal table. */
export function comparisonTable(rows: readonly ReproductionRow[]): string {
  const flag = (beyond: boolean | null) => (beyond ? ' !' : '');
  return textTable(
    ['run', 'per pixel', 'archive', 'question', 'per image', 'archive', 'Δ archive', 'question', 'Δ question', 'seeds sd'],
    rows.map((row) => [
      row.label,
      formatPerPixel(row.reproduced.perPixel),
      row.archive ? formatPerPixel(row.archive.perPixel) : '—',
      row.question ? formatPerPixel(row.question.perPixel) : '—',
      row.reproduced.perImage.toFixed(2),
      row.archive ? row.archive.perImage.toFixed(2) : '—',
      row.differences.archive ? `${formatSigned(row.differences.archive.perImage)}${flag(row.beyondSpread.archive)}` : '—',
      row.question ? row.question.perImage.toFixed(1) : '—',
      row.differences.question ? `${formatSigned(row.differences.question.perImage)}${flag(row.beyondSpread.question)}` : '—',
      row.seedSpread ? `${row.seedSpread.perImageStd.toFixed(2)} (${row.seedSpread.seeds})` : '—',
    ]),
  );
}

interface CompareOptions {
  cacheDir?: string;
  json?: boolean;
  profile: string;
}

async function compareCommand(notebooks: string[], options: CompareOptions, io: Io): Promise<number> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const identity = await resultsIdentity({ onStage: (message) => io.stderr.write(`${message}\n`) });
  // What a reproduction is compared with, even when it ran with the archive off.
  const archive = openArchive(archiveDirectory() ?? DEFAULT_ARCHIVE_DIR);
  const runs = await plannedRuns(notebooks, cacheDir, readProfiles()[options.profile]);
  const reproduced: ExperimentResult[] = [];
  const missing: string[] = [];
  for (const run of runs) {
    const result = readCachedResult(cacheDir, run.config, identity, warnOnStderr);
    if (result?.status === 'completed') reproduced.push(result);
    else missing.push(run.label);
  }
  const rows = compareReproduction(reproduced, archive, identity, warnOnStderr);
  const fits = archive !== null && archive.fits(identity).kind !== 'different';
  if (options.json) {
    const output: ArchiveComparisonOutput = {
      command: 'archive compare',
      archive: archive && {
        identity: archive.manifest.identity.id,
        createdAt: archive.manifest.createdAt,
        commit: archive.manifest.commit,
        fits,
      },
      rows,
      missing,
    };
    io.stdout.write(`${JSON.stringify(output)}\n`);
    return EXIT_OK;
  }
  const about = archive
    ? `the published archive (built ${archive.manifest.createdAt.slice(0, 10)} from commit ${archive.manifest.commit ?? 'unknown'}, identity ${archive.manifest.identity.id}` +
      `${fits ? '' : `; computed by code whose numbers differ from this build's (${identity.id})`})`
    : 'no published archive';
  io.stdout.write(
    `This machine's runs (cache ${cacheDir}) against ${about} and the question's reported numbers.\n` +
      `Δ: this run minus the other; ! marks a difference per image beyond 2 standard deviations of the archive's seeds.\n\n` +
      `${rows.length > 0 ? comparisonTable(rows) : '(no run reproduced yet)'}\n` +
      (missing.length > 0 ? `\nnot reproduced (not in this cache): ${missing.join('; ')}\n` : ''),
  );
  return EXIT_OK;
}

export function registerArchiveCommands(root: Command, io: Io, setExit: (code: number) => void): void {
  const archive = root
    .command('archive')
    .description('the published results archive: rebuild it from a cache, or compare a reproduction with it');
  const guard = async (action: () => Promise<number>) => {
    try {
      setExit(await action());
    } catch (error) {
      if (!(error instanceof PlanInputError)) throw error;
      io.stderr.write(`losslens archive: ${error.message}\n`);
      setExit(EXIT_USAGE);
    }
  };
  archive
    .command('build')
    .description("write the archive from a cache: every run the notebooks read at full fidelity (their cell tagged 'runs')")
    .argument('<notebooks...>', '.ipynb files')
    .requiredOption('--from <dir>', 'the cache that holds the full-fidelity runs')
    .option('--output <dir>', 'the archive folder', DEFAULT_ARCHIVE_DIR)
    .option('--allow-missing', 'archive the runs the cache holds and list the others, instead of failing')
    .action((notebooks: string[], options: BuildOptions) => guard(() => buildCommand(notebooks, options, io)));
  archive
    .command('compare')
    .description("the notebooks' runs as this cache holds them, next to the archive's and the question's numbers")
    .argument('<notebooks...>', '.ipynb files')
    .option('--cache-dir <dir>', "the cache holding the reproduction (default: $LOSSLENS_CACHE_DIR or the checkout's .cache/experiments)")
    .addOption(
      new Option('--profile <name>', "the notebook runner's parameters the runs were made with (scripts/profiles.json)")
        .choices(Object.keys(readProfiles()))
        .default('full'),
    )
    .option('--json', 'print the comparison as JSON (ArchiveComparisonOutput)')
    .action((notebooks: string[], options: CompareOptions) => guard(() => compareCommand(notebooks, options, io)));
  root
    .command('identity')
    .description("this build's results identity: what its code computes, as every cache key names it")
    .option('--json', 'print the whole identity as JSON (ResultsIdentity)')
    .option('--fresh', 'compute it now instead of reading the one stored for this build (about 10 s)')
    .action(async (options: { json?: boolean; fresh?: boolean }) => {
      const identity = options.fresh
        ? await computeIdentity()
        : await resultsIdentity({ onStage: (message) => io.stderr.write(`${message}\n`) });
      io.stdout.write(
        options.json
          ? `${JSON.stringify(identity)}\n`
          : `${identity.id}  (tfjs ${identity.tfjsVersion}, TensorFlow ${identity.tensorflowVersion}, fingerprint computed ${identity.computedAt} on ${identity.cpu})\n`,
      );
      setExit(EXIT_OK);
    });
}
