/**
 * `losslens`: run one experiment, or the question's two (28×28 and edge-padded 32×32), and
 * print their loss ledger. Progress goes to stderr, results to stdout (text, or JSON with
 * --json), so `losslens reproduce --json > out.json` shows progress and keeps a clean file.
 * Exit codes: 0 done, 1 failed or diverged, 2 bad arguments, 130 interrupted (resumable).
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  ConfigError,
  DEFAULT_CONFIG,
  LOSS_REGIONS,
  MNIST_TEST_IMAGES,
  MNIST_TRAIN_IMAGES,
  normaliseConfig,
  QUESTION_PAD,
  questionConfigs,
  type ExperimentConfig,
  type ExperimentConfigInput,
  type LossRegion,
} from '../experiments/config.js';
import { PAD_MODES } from '../transforms/pad.js';
import { NOISE_PLACEMENTS, type NoisePlacement } from '../transforms/dataset.js';
import { LOSS_NAMES, type LossName } from '../model/autoencoder.js';
import type { ExperimentResult } from '../experiments/result.js';
import { LOSS_SHORT_NAMES, runLabel, runLabels } from '../experiments/labels.js';
import { runExperiment, type RunOptions } from '../experiments/run.js';
import { defaultCacheDir } from '../experiments/cache.js';
import { archiveDirectory, DEFAULT_ARCHIVE_DIR, openArchive } from '../experiments/archive.js';
import { resultsIdentity } from '../experiments/identity.js';
import { compareReproduction } from '../experiments/reproduction.js';
import { warnOnStderr } from '../experiments/store.js';
import { runSeeds, withSeeds, type SeedsResult } from '../experiments/seeds.js';
import { compare } from '../experiments/compare.js';
import { interruptOnSigint } from '../training/interrupt.js';
import { formatDuration } from '../display/progress.js';
import { ledgerReport, type ReportRun } from './report.js';
import { terminalProgress } from './progress.js';
import { registerPlanCommand } from './plan.js';
import { registerSweepCommands } from './sweep.js';
import { comparisonTable, registerArchiveCommands } from './archive.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

/** Each loss by its short name, its Keras (snake_case) name and its own: bce, binary_crossentropy, binaryCrossentropy, … */
const LOSS_ALIASES: Record<string, LossName> = Object.fromEntries(
  LOSS_NAMES.flatMap((name) =>
    [LOSS_SHORT_NAMES[name], name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), name].map((alias) => [alias, name]),
  ),
);

export function integerArgument(min: number, max = Number.MAX_SAFE_INTEGER, hint = '') {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max.toLocaleString('en-US')}`;
      throw new InvalidArgumentError(`expected an integer ${range}${hint}.`);
    }
    return Number(value);
  };
}

/** Config fields as the flags that set them, so a ConfigError names what the user typed. */
const FLAG_OF_FIELD: Record<string, string> = {
  'pad.width': '--pad-width',
  'pad.mode': '--pad-mode',
  'pad.shift': '--pad-shift',
  noisePlacement: '--noise-placement',
  lossRegion: '--loss-region',
  noiseFactor: '--noise',
  epochs: '--epochs',
  batchSize: '--batch-size',
  trainSamples: '--samples',
  testSamples: '--test-samples',
  seed: '--seed',
  loss: '--loss',
};

/** "trainSamples must be …" → "--samples must be …" (only the message's leading field name). */
function flagMessage(message: string): string {
  const field = Object.keys(FLAG_OF_FIELD).find((name) => message.startsWith(`${name} `));
  return field ? `${FLAG_OF_FIELD[field]}${message.slice(field.length)}` : message;
}

export function numberArgument(value: string): number {
  const parsed = Number(value);
  if (value.trim() === '' || !Number.isFinite(parsed) || parsed < 0) throw new InvalidArgumentError('expected a number ≥ 0.');
  return parsed;
}

/** A parser that accepts one of `choices` (commander's .choices() cannot parse lists). */
export function choiceArgument<T extends string>(choices: readonly T[]) {
  return (value: string): T => {
    if (!(choices as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${choices.join(', ')}.`);
    return value as T;
  };
}

export function lossArgument(value: string): LossName {
  const loss = LOSS_ALIASES[value];
  if (!loss) throw new InvalidArgumentError(`expected bce, mse or a library name (${Object.keys(LOSS_ALIASES).join(', ')}).`);
  return loss;
}

interface SharedOptions {
  noise: number;
  epochs: number;
  batchSize: number;
  samples: number;
  testSamples: number;
  seed: number;
  loss: LossName;
  json?: boolean;
  cache: boolean;
  cacheDir?: string;
  force?: boolean;
}

/** Options both commands take; defaults are the tutorial's (DEFAULT_CONFIG). */
function addSharedOptions(command: Command): Command {
  return command
    .option('--noise <factor>', 'noise factor (std of the Gaussian noise on inputs)', numberArgument, DEFAULT_CONFIG.noiseFactor)
    .option('--epochs <n>', 'training epochs', integerArgument(1), DEFAULT_CONFIG.epochs)
    .option('--batch-size <n>', 'training batch size', integerArgument(1), DEFAULT_CONFIG.batchSize)
    .option(
      '--samples <n>',
      'training images (first n of MNIST train)',
      integerArgument(1, MNIST_TRAIN_IMAGES, ' (MNIST has 60,000 training images)'),
      DEFAULT_CONFIG.trainSamples,
    )
    .option(
      '--test-samples <n>',
      'test images for the ledger (first n of MNIST test)',
      integerArgument(1, MNIST_TEST_IMAGES, ' (MNIST has 10,000 test images)'),
      DEFAULT_CONFIG.testSamples,
    )
    .option('--seed <n>', 'seed for noise, initial weights and shuffles', integerArgument(0, 0xffffffff), DEFAULT_CONFIG.seed)
    .addOption(
      new Option('--loss <name>', 'training loss: bce (binaryCrossentropy) or mse (meanSquaredError); either name works')
        .argParser(lossArgument)
        .default(DEFAULT_CONFIG.loss, LOSS_SHORT_NAMES[DEFAULT_CONFIG.loss]),
    )
    .option('--json', 'print the result as JSON on stdout (progress stays on stderr)')
    .option('--no-cache', 'neither read nor write cached results and checkpoints')
    .option('--cache-dir <dir>', 'cache directory (default $LOSSLENS_CACHE_DIR or <losslens>/.cache/experiments)')
    .option('--force', 'recompute even if a cached result exists');
}

function configInput(options: SharedOptions): ExperimentConfigInput {
  return {
    noiseFactor: options.noise,
    epochs: options.epochs,
    batchSize: options.batchSize,
    trainSamples: options.samples,
    testSamples: options.testSamples,
    seed: options.seed,
    loss: options.loss,
  };
}

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/**
 * Runs `configs` over `seeds` (runSeeds) under one Ctrl-C handler, each run with its own
 * progress line named against all the runs of the set.
 */
async function runSet(
  configs: readonly ExperimentConfig[],
  seeds: readonly number[],
  options: SharedOptions,
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
function reportIncomplete(result: ExperimentResult, options: SharedOptions, io: Io): number {
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

interface RunCommandOptions extends SharedOptions {
  padWidth: number;
  padMode: (typeof PAD_MODES)[number];
  padShift: number;
  noisePlacement: NoisePlacement;
  lossRegion: LossRegion;
}

async function runCommand(options: RunCommandOptions, io: Io): Promise<number> {
  const config = normaliseConfig({
    ...configInput(options),
    pad: { width: options.padWidth, mode: options.padMode, shift: options.padShift },
    noisePlacement: options.noisePlacement,
    lossRegion: options.lossRegion,
  });
  const started = performance.now();
  const [result] = (await runSet([config], [config.seed], options, io)).runs[0].results;
  if (options.json) io.stdout.write(`${JSON.stringify(result)}\n`);
  if (result.status !== 'completed') return reportIncomplete(result, options, io);
  if (!options.json) io.stdout.write(`${ledgerReport([{ label: runLabel(config), results: [result] }])}\n`);
  io.stderr.write(`took ${formatDuration((performance.now() - started) / 1000)}${origins([result])}\n`);
  return EXIT_OK;
}

async function reproduceCommand(options: SharedOptions & { seeds: number }, io: Io): Promise<number> {
  const seeds = Array.from({ length: options.seeds }, (_, i) => options.seed + i);
  const configs = questionConfigs(configInput(options));
  const started = performance.now();
  // A reproduction trains its own runs: the published archive is what it is compared with.
  const set = await runSet(configs, seeds, options, io, false);
  const labels = runLabels(configs);
  const runs: ReportRun[] = set.runs.map((run, i) => ({ label: labels[i], results: run.results }));
  const results = set.runs.flatMap((run) => run.results);
  const incomplete = results.find((r) => r.status !== 'completed');
  if (options.json) {
    const payload = {
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

  const run = addSharedOptions(
    root
      .command('run')
      .description('train one configuration and print its loss ledger')
      .option('--pad-width <n>', 'pixels of padding on each side (0: none, 2: 28×28 → 32×32)', integerArgument(0), 0)
      .addOption(
        new Option('--pad-mode <mode>', 'how to fill the padding (numpy np.pad modes)').choices(PAD_MODES).default(QUESTION_PAD.mode),
      )
      .option(
        '--pad-shift <n>',
        'move the original image n pixels down and right inside the padding (≤ pad width; 2 with width 2 puts it on the pooling grid)',
        integerArgument(0),
        0,
      )
      .addOption(
        new Option(
          '--noise-placement <where>',
          'where the noise goes in a padded input: the whole padded image, the original pixels only, or the image before padding',
        )
          .choices(NOISE_PLACEMENTS)
          .default(DEFAULT_CONFIG.noisePlacement),
      )
      .addOption(
        new Option('--loss-region <region>', 'pixels the training loss covers: all, or the original 28×28 only (the ledger measures both)')
          .choices(LOSS_REGIONS)
          .default(DEFAULT_CONFIG.lossRegion),
      ),
  );
  run.showHelpAfterError(usageHint(run)).action(async (options: RunCommandOptions) => setExit(await runCommand(options, io)));

  const reproduce = addSharedOptions(
    root
      .command('reproduce')
      .description(
        "train the question's two configs (28×28; edge-padded by 2 to 32×32), print the ledger table and compare it with the published archive and the question",
      ),
  ).option('--seeds <n>', 'number of seeds, from --seed upwards; several give mean ± std', integerArgument(1), 1);
  reproduce
    .showHelpAfterError(usageHint(reproduce))
    .action(async (options: SharedOptions & { seeds: number }) => setExit(await reproduceCommand(options, io)));
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
    if (error instanceof ConfigError) {
      const command = cli.commands.find((c) => c.name() === argv[2]);
      io.stderr.write(`error: ${flagMessage(error.message)}\n${command ? `Usage: losslens ${command.name()} ${command.usage()}\n` : ''}`);
      return EXIT_USAGE;
    }
    io.stderr.write(`losslens: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT_FAILED;
  }
  return exitCode;
}
