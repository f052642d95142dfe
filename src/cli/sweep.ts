/**
 * `losslens sweep`: a grid of configs, each a cached run, here or on a Ray cluster; and
 * the hidden `losslens sweep-point` that child processes and Ray workers run for one
 * point (progress as JSON lines on stderr, the outcome as one JSON line on stdout).
 */
import { Command, Option } from 'commander';
import { DEFAULT_CONFIG, normaliseConfig, type ExperimentConfig } from '../settings/config.js';
import { SETTING_NAMES } from '../settings/table.js';
import { resultsIdentity } from '../identity/identity.js';
import { runExperiment } from '../experiments/run.js';
import { resultPath } from '../cache/lookup.js';
import { sweep, type SweepGrid, type SweepResult } from '../experiments/sweep.js';
import { EXIT_CODE_MISMATCH, inProcessExecutor, processExecutor, rayExecutor, type PointOutcome } from '../experiments/sweepExecutors.js';
import { interruptOnSigint } from '../training/interrupt.js';
import type { TrainingProgress } from '../training/fit.js';
import { formatPerPixel } from '@losslens/protocol';
import { SweepTracker } from '../display/sweepProgress.js';
import {
  addSettingOptions,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  integerArgument,
  settingsFromOptions,
  UsageError,
  type Io,
} from './args.js';
import type { SweepOutput } from './output.js';
import { formatDuration, textTable } from '../format.js';

interface SweepCommandOptions extends Record<string, unknown> {
  executor: 'local' | 'ray';
  processes?: number;
  address?: string;
  cpusPerPoint: number;
  maxRetries: number;
  python?: string;
  workerCacheDir?: string;
  driverIp?: string;
  json?: boolean;
  cacheDir?: string;
  force?: boolean;
}

const GRID_HELP = `
Grid syntax: each grid option takes a comma-separated list, and integer options also take
inclusive ranges from..to or from..to:step. Every combination is one point; options left
out keep the seed tutorial's value (${DEFAULT_CONFIG.epochs} epochs, ${DEFAULT_CONFIG.trainSamples} images, noise ${DEFAULT_CONFIG.noiseFactor}, bce, seed ${DEFAULT_CONFIG.seed}).
Points already in the cache are read, not recomputed. Pad width 0 is one point whatever the mode,
and 28 + 2·width must be a multiple of 4 (even widths).

Examples:
  losslens sweep --pad-width 0..8:2 --pad-mode edge,constant --epochs 1 --samples 2000
  losslens sweep --pad-width 0,2 --seeds 1..3 --executor local --processes 2
  losslens sweep --pad-width 0,2,4 --executor ray --address 127.0.0.1:6379 --json > sweep.json`;

/** The grid the command line asks for: each setting's list, by the table's names. */
function gridOf(options: SweepCommandOptions): SweepGrid {
  return settingsFromOptions(options, SETTING_NAMES, true) as SweepGrid;
}

/** Terminal rendering: the tracker's block redrawn in place on a TTY, one line per start and end on a pipe. */
function terminalSweepProgress(stream: NodeJS.WriteStream) {
  const tracker = new SweepTracker();
  const tty = stream.isTTY === true;
  let drawnLines = 0;
  let drawnAt = 0;
  const redraw = () => {
    const columns = stream.columns ?? 120;
    const lines = tracker
      .text()
      .split('\n')
      .map((line) => (line.length > columns - 1 ? line.slice(0, columns - 1) : line));
    stream.write(`${drawnLines > 0 ? `\x1b[${drawnLines}A` : ''}\r\x1b[J${lines.join('\n')}\n`);
    drawnLines = lines.length;
    drawnAt = Date.now();
  };
  return {
    update(event: Parameters<SweepTracker['update']>[0]) {
      tracker.update(event);
      if (tty) {
        if (event.type !== 'progress' || Date.now() - drawnAt >= 250) redraw();
      } else if (event.type === 'started' || event.type === 'finished') {
        stream.write(`${tracker.pointLine(event.point)}\n`);
        if (event.type === 'finished') stream.write(`${tracker.summary()}\n`);
      }
    },
  };
}

function resultTable(result: SweepResult): string {
  return textTable(
    ['point', 'status', 'pixels', 'loss per pixel', 'loss per image', 'inner', 'border', 'where', 'seconds'],
    result.rows.map((row) => [
      row.label,
      row.status,
      String(row.pixels),
      row.perPixel === null ? '—' : formatPerPixel(row.perPixel),
      row.perImage === null ? '—' : row.perImage.toFixed(2),
      row.innerPerImage === null ? '—' : row.innerPerImage.toFixed(2),
      row.borderPerImage === null ? '—' : row.borderPerImage.toFixed(2),
      row.node ? row.node.slice(0, 12) : '',
      row.seconds.toFixed(1),
    ]),
  );
}

async function sweepCommand(options: SweepCommandOptions, io: Io): Promise<number> {
  const grid = gridOf(options);
  if (options.executor === 'ray' && !options.address)
    throw new UsageError('--executor ray needs --address HOST:PORT of the cluster (its GCS address)');
  if (options.executor !== 'ray' && options.address) throw new UsageError('--address is for --executor ray');
  if (options.executor === 'ray' && options.processes !== undefined)
    throw new UsageError('--processes is for --executor local; Ray schedules by --cpus-per-point');
  const executor =
    options.executor === 'ray'
      ? rayExecutor({
          address: options.address!,
          cpusPerPoint: options.cpusPerPoint,
          maxRetries: options.maxRetries,
          python: options.python,
          workerCacheDir: options.workerCacheDir,
          driverIp: options.driverIp,
        })
      : options.processes
        ? processExecutor(options.processes)
        : inProcessExecutor();
  const progress = terminalSweepProgress(io.stderr);
  const interrupt = interruptOnSigint();
  let result: SweepResult;
  try {
    result = await sweep(grid, {
      executor,
      cacheDir: options.cacheDir,
      force: options.force,
      signal: interrupt.signal,
      onEvent: (event) => progress.update(event),
    });
  } finally {
    interrupt.dispose();
  }
  if (options.json) {
    const points = result.points.map(({ index, label, key, status, node, error, seconds }) => ({
      index,
      label,
      key,
      status,
      node,
      error,
      seconds,
    }));
    const output: SweepOutput = {
      command: 'sweep',
      status: result.status,
      executor: result.executor,
      seconds: result.seconds,
      rows: result.rows,
      points,
    };
    io.stdout.write(`${JSON.stringify(output)}\n`);
  } else {
    io.stdout.write(`${resultTable(result)}\n`);
  }
  for (const point of result.points.filter((p) => p.error))
    io.stderr.write(`#${point.index + 1} ${point.label} ${point.status}: ${point.error}\n`);
  io.stderr.write(`sweep ${result.status} in ${formatDuration(result.seconds)} (${result.executor})\n`);
  return result.status === 'completed' ? EXIT_OK : result.status === 'interrupted' ? EXIT_INTERRUPTED : EXIT_FAILED;
}

/** One point, for processExecutor and the Ray driver: refuses a config meant for other code. */
interface PointOptions {
  config: string;
  cacheDir: string;
  identity: string;
  force?: boolean;
}

async function pointCommand(options: PointOptions, io: Io): Promise<number> {
  const mine = (await resultsIdentity()).id;
  if (options.identity !== mine) {
    io.stderr.write(
      `losslens sweep-point: this node's results identity is ${mine} but the caller's is ${options.identity}; ` +
        'refusing to run, since the result would be filed under code that did not compute it. Check out and build the same commit on every node.\n',
    );
    return EXIT_CODE_MISMATCH;
  }
  let input: unknown;
  try {
    input = JSON.parse(options.config);
  } catch {
    throw new UsageError('--config must be a JSON experiment config');
  }
  const config = normaliseConfig(input as ExperimentConfig);
  let lastProgressAt = 0;
  const progress = (event: TrainingProgress) => {
    const now = Date.now();
    if (event.kind !== 'epoch' && now - lastProgressAt < 1000) return;
    lastProgressAt = now;
    io.stderr.write(`${JSON.stringify({ event: 'progress', progress: event })}\n`);
  };
  // A sweep's caller sends one SIGINT per child; a terminal's Ctrl-C reaches the children too.
  const interrupt = interruptOnSigint({ repeatExits: false });
  try {
    const result = await runExperiment(config, {
      cacheDir: options.cacheDir,
      force: options.force,
      signal: interrupt.signal,
      onProgress: progress,
      onStage: (message) => io.stderr.write(`${JSON.stringify({ event: 'stage', message })}\n`),
    });
    const stored = result.status !== 'interrupted';
    const outcome: PointOutcome = {
      key: result.key,
      identity: result.identity.id,
      status: result.status,
      ...(result.status !== 'completed' ? { message: result.message } : {}),
      path: stored ? resultPath(options.cacheDir, result.key, result.identity.id) : null,
    };
    io.stdout.write(`${JSON.stringify(outcome)}\n`);
    return result.status === 'completed' ? EXIT_OK : result.status === 'interrupted' ? EXIT_INTERRUPTED : EXIT_FAILED;
  } finally {
    interrupt.dispose();
  }
}

/** Adds `sweep` and the hidden `sweep-point` to the program built in main.ts. */
export function registerSweepCommands(
  root: Command,
  io: Io,
  setExit: (code: number) => void,
  usageHint: (command: Command) => string,
): void {
  const command = addSettingOptions(
    root
      .command('sweep')
      .description('run every combination of a grid of configs (each a cached run) here or on a Ray cluster, and print their ledgers'),
    SETTING_NAMES,
    true,
  )
    .addOption(new Option('--executor <name>', 'where points run').choices(['local', 'ray']).default('local'))
    .option('--processes <n>', 'local: run points in n child processes (default: one after another in this process)', integerArgument(1))
    .option('--address <host:port>', "ray: the cluster's address (as printed by `ray start --head`)")
    .option('--cpus-per-point <n>', "ray: CPUs each point reserves (Ray's num_cpus)", integerArgument(1), 1)
    .option('--max-retries <n>', 'ray: retries of a point whose worker or node was lost', integerArgument(0), 3)
    .option('--python <path>', 'ray: Python with ray installed (default $LOSSLENS_PYTHON or .venv/bin/python)')
    .option('--driver-ip <ip>', "ray: this machine's address in the cluster, when Ray cannot tell (e.g. nodes on 127.0.0.x)")
    .option('--worker-cache-dir <dir>', "ray: the workers' cache (default their $LOSSLENS_CACHE_DIR or a temp folder)")
    .option('--json', 'print the table as JSON on stdout (progress stays on stderr)')
    .option('--cache-dir <dir>', 'cache directory (default $LOSSLENS_CACHE_DIR or <losslens>/.cache/experiments)')
    .option('--force', 'recompute points even if cached')
    .addHelpText('after', GRID_HELP);
  command.showHelpAfterError(usageHint(command)).action(async (options: SweepCommandOptions) => setExit(await sweepCommand(options, io)));

  root
    .command('sweep-point', { hidden: true })
    .description('run one sweep point (used by child processes and Ray workers)')
    .requiredOption('--config <json>', 'the normalised experiment config')
    .requiredOption('--cache-dir <dir>', 'where to store the result')
    .requiredOption('--identity <id>', "the caller's results identity; the point is refused if this node's differs")
    .option('--force', 'recompute even if cached')
    .action(async (options: PointOptions) => setExit(await pointCommand(options, io)));
}
