/**
 * `losslens`: run one experiment, or the question's two (28×28 and edge-padded 32×32), and
 * print their loss ledger. Progress goes to stderr, results to stdout (text, or JSON with
 * --json), so `losslens reproduce --json > out.json` shows progress and keeps a clean file.
 * Exit codes: 0 done, 1 failed or diverged, 2 bad arguments, 130 interrupted (resumable).
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, configFromSettings, questionConfigs, type ExperimentConfig } from '../settings/config.js';
import type { ExperimentResult, StoppedResult } from '../results/result.js';
import { runLabel, runLabels } from '../settings/labels.js';
import { runExperiment, type RunOptions } from '../experiments/run.js';
import { defaultCacheDir } from '../cache/lookup.js';
import { archiveDirectory, DEFAULT_ARCHIVE_DIR, openArchive } from '../cache/archive.js';
import { resultsIdentity } from '../identity/identity.js';
import { compareReproduction } from '../experiments/reproduction.js';
import { warnOnStderr } from '../entries.js';
import { runSeeds, withSeeds, type SeedsResult } from '../experiments/seeds.js';
import { compare } from '../experiments/compare.js';
import { interruptOnSigint } from '../training/interrupt.js';
import { ledgerReport, type ReportRun } from './report.js';
import { terminalProgress } from './progress.js';
import { registerPlanCommand } from './plan.js';
import { registerSweepCommands } from './sweep.js';
import { comparisonTable, registerArchiveCommands } from './archive.js';
import {
  addSettingOptions,
  configErrorText,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  integerArgument,
  REPRODUCE_SETTINGS,
  RUN_SETTINGS,
  settingsFromOptions,
  UsageError,
  type Io,
} from './args.js';
import { SweepGridError } from '../experiments/sweep.js';
import type { ReproduceOutput } from './output.js';
import { formatDuration } from '../format.js';

interface CacheOptions {
  json?: boolean;
  cache: boolean;
  cacheDir?: string;
  force?: boolean;
}

/** Options every training command takes besides its settings. */
function addCacheOptions(command: Command): Command {
  return command
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('--no-cache', 'neither read nor write cached results and checkpoints')
    .option('--cache-dir <dir>', 'cache directory (default $LOSSLENS_CACHE_DIR or <losslens>/.cache/experiments)')
    .option('--force', 'recompute even if a cached result exists');
}

/**
 * Runs `configs` over `seeds` (runSeeds) under one Ctrl-C handler, each run with its own
 * progress line named against all the runs of the set.
 */
async function runSet(
  configs: readonly ExperimentConfig[],
  seeds: readonly number[],
  options: CacheOptions,
  io: Io,
  archive = true,
): Promise<SeedsResult> {
  const interrupt = interruptOnSigint();
  const all = withSeeds(configs, seeds);
  const runOne = async (config: ExperimentConfig): Promise<ExperimentResult> => {
    const progress = terminalProgress(io.stderr, runLabel(config, { against: all }));
    const runOptions: RunOptions = {
      cache: options.cache,
      cacheDir: options.cacheDir,
      force: options.force,
      archive,
      signal: interrupt.signal,
      onProgress: (event) => progress.update(event),
      onStage: (message) => progress.note(message),
    };
    try {
      return await runExperiment(config, runOptions);
    } finally {
      progress.finish();
    }
  };
  try {
    return await runSeeds(configs, seeds, { run: runOne });
  } finally {
    interrupt.dispose();
  }
}

/** Says why a run stopped and how to go on; returns the exit code. */
function reportIncomplete(result: StoppedResult, options: CacheOptions, io: Io): number {
  if (result.status === 'interrupted') {
    const where = !options.cache
      ? ' Nothing was kept (--no-cache).'
      : result.history.length > 0
        ? `\nFinished epochs are checkpointed in ${options.cacheDir ?? defaultCacheDir()}; run the same command again to go on.`
        : '';
    io.stderr.write(`${runLabel(result.config, { always: ['seed'] })}: ${result.message ?? 'interrupted'}.${where}\n`);
    return EXIT_INTERRUPTED;
  }
  io.stderr.write(`${runLabel(result.config, { always: ['seed'] })}: ${result.message ?? result.status}\n`);
  return EXIT_FAILED;
}

function origins(results: readonly ExperimentResult[]): string {
  const cached = results.filter((r) => r.origin === 'cache').length;
  const archived = results.filter((r) => r.origin === 'archive').length;
  const parts = [
    ...(cached > 0 ? [`${cached} of ${results.length} run(s) read from the cache`] : []),
    ...(archived > 0 ? [`${archived} of ${results.length} run(s) read from the published archive`] : []),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(', ')}; --force recomputes)`;
}

async function runCommand(options: CacheOptions & Record<string, unknown>, io: Io): Promise<number> {
  const config = configFromSettings(settingsFromOptions(options, RUN_SETTINGS));
  const started = performance.now();
  const [result] = (await runSet([config], [config.seed], options, io)).runs[0].results;
  if (options.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.status !== 'completed') return reportIncomplete(result, options, io);
  if (!options.json) io.stdout.write(`${ledgerReport([{ label: runLabel(config), results: [result] }])}\n`);
  io.stderr.write(`took ${formatDuration((performance.now() - started) / 1000)}${origins([result])}\n`);
  return EXIT_OK;
}

async function reproduceCommand(options: CacheOptions & { seeds: number } & Record<string, unknown>, io: Io): Promise<number> {
  const { pad: _pad, ...rest } = configFromSettings(settingsFromOptions(options, REPRODUCE_SETTINGS));
  const seeds = Array.from({ length: options.seeds }, (_, i) => rest.seed + i);
  const configs = questionConfigs(rest);
  const started = performance.now();
  // A reproduction trains its own runs: the published archive is what it is compared with.
  const set = await runSet(configs, seeds, options, io, false);
  const labels = runLabels(configs);
  const runs: ReportRun[] = set.runs.map((run, i) => ({ label: labels[i], results: run.results }));
  const results = set.runs.flatMap((run) => run.results);
  const incomplete = results.find((r) => r.status !== 'completed');
  if (options.json) {
    const payload: ReproduceOutput = {
      command: 'reproduce',
      seeds,
      status: set.status,
      runs: set.runs.map((run, i) => ({ label: labels[i], results: run.results, summary: run.summary })),
      comparison: incomplete ? null : compare(runs[0].results[0], runs[1].results[0]),
      published: incomplete ? null : await publishedComparison(results),
    };
    io.stdout.write(`${JSON.stringify(payload)}\n`);
  }
  if (incomplete) {
    const kept = results.filter((r) => r.status === 'completed');
    if (options.cache && kept.length > 0)
      io.stderr.write(`finished and kept in the cache: ${kept.map((r) => runLabel(r.config, { always: ['seed'] })).join(', ')}\n`);
    return reportIncomplete(incomplete, options, io);
  }
  if (!options.json) {
    const [plain, padded] = configs;
    io.stdout.write(
      `The question's two runs: ${runLabel(plain)} versus ${runLabel(padded)}; ${plain.loss}, noise ${plain.noiseFactor}, ` +
        `${plain.epochs} epoch(s) of batch ${plain.batchSize} on ${plain.trainSamples.toLocaleString('en-US')} training images, ` +
        `seed(s) ${seeds.join(', ')}.\n` +
        'The question reported 0.099 × 784 ≈ 77.6 and 0.075 × 1024 ≈ 76.8 (10 epochs, 60,000 images).\n\n' +
        `${ledgerReport(runs)}\n\n` +
        "Against the published archive and the question's numbers (Δ: this run minus the other; ! beyond 2 sd of the archive's seeds):\n" +
        `${comparisonTable(await publishedComparison(results))}\n`,
    );
  }
  io.stderr.write(`took ${formatDuration((performance.now() - started) / 1000)}${origins(results)}\n`);
  return EXIT_OK;
}

/** The reproduced runs next to the published archive's and the question's numbers. */
async function publishedComparison(results: readonly ExperimentResult[]) {
  return compareReproduction(results, openArchive(archiveDirectory() ?? DEFAULT_ARCHIVE_DIR), await resultsIdentity(), warnOnStderr);
}

/** Builds the program; `setExit` receives the actions' exit codes. */
function program(io: Io, setExit: (code: number) => void): Command {
  const root = new Command('losslens')
    .description("Why does padding MNIST lower an autoencoder's loss? Train the question's models and print where the loss lives.")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  const usageHint = (command: Command) =>
    `Usage: losslens ${command.name()} ${command.usage()}\nRun 'losslens ${command.name()} --help' for the options.`;

  const run = addCacheOptions(
    addSettingOptions(root.command('run').description('train one configuration and print its loss ledger'), RUN_SETTINGS),
  );
  run
    .showHelpAfterError(usageHint(run))
    .action(async (options: CacheOptions & Record<string, unknown>) => setExit(await runCommand(options, io)));

  const reproduce = addCacheOptions(
    addSettingOptions(
      root
        .command('reproduce')
        .description(
          "train the question's two configs (28×28; edge-padded by 2 to 32×32), print the ledger table and compare it with the published archive and the question",
        ),
      REPRODUCE_SETTINGS,
    ),
  ).option('--seeds <n>', 'number of seeds, from --seed upwards; several give mean ± std', integerArgument(1), 1);
  reproduce
    .showHelpAfterError(usageHint(reproduce))
    .action(async (options: CacheOptions & { seeds: number } & Record<string, unknown>) => setExit(await reproduceCommand(options, io)));
  registerSweepCommands(root, io, setExit, usageHint);
  registerPlanCommand(root, io, setExit);
  registerArchiveCommands(root, io, setExit);
  root.showHelpAfterError("Run 'losslens --help' for the commands.");
  return root;
}

/** The CLI's entry point (bin/losslens.js); resolves with the exit code. */
export async function main(
  argv: readonly string[] = process.argv,
  io: Io = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let exitCode = EXIT_OK;
  const cli = program(io, (code) => (exitCode = code));
  if (argv.length <= 2) {
    io.stderr.write(`error: missing command\n${cli.helpInformation()}`);
    return EXIT_USAGE;
  }
  try {
    await cli.parseAsync([...argv]);
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (error instanceof ConfigError || error instanceof UsageError) {
      const command = cli.commands.find((c) => c.name() === argv[2]);
      io.stderr.write(
        `error: ${error instanceof ConfigError ? configErrorText(error, error instanceof SweepGridError) : error.message}\n${command ? `Usage: losslens ${command.name()} ${command.usage()}\n` : ''}`,
      );
      return EXIT_USAGE;
    }
    io.stderr.write(`losslens: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  return exitCode;
}
