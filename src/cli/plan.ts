/**
 * `losslens plan`: the trainings notebooks will ask for, and which the cache already holds,
 * before any of them runs (the main job prints this up front).
 *
 * A notebook names its runs in one code cell tagged `runs`, which defines `runConfigs`: the
 * configs its later cells train, built from `params` and nothing heavier. The plan evaluates
 * that cell in plain Node after the notebook's own cells before it (its imports), its
 * `parameters` cell and the parameters the runner injects: the same code and values the
 * kernel will run, so the count is the notebook's, not a second copy of its logic. Cells are
 * TypeScript; `typescript.transpileModule` erases their types (tslab type-checks them later).
 * A notebook without a `runs` cell is reported as not planned.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { compileFunction } from 'node:vm';
import { basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { normaliseConfig, type ExperimentConfigInput } from '../settings/config.js';
import { runKey } from '../results/key.js';
import { runLabels } from '../settings/labels.js';
import { resultsIdentity } from '../identity/identity.js';
import { openArchive } from '../cache/archive.js';
import { defaultCacheDir, lookupResult } from '../cache/lookup.js';
import { storedCheckpoint } from '../experiments/run.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, type Io } from './args.js';
import type { PlannedRunOutput, PlanOutput } from './output.js';

/** A planned run, as `--json` prints it. */
export type PlannedRun = PlannedRunOutput;

export interface NotebookPlan {
  notebook: string;
  /** Absent when the notebook has no cell tagged `runs`. */
  runs?: PlannedRun[];
}

/** Marks each uncached run that an earlier run of the plan already asks for, in place. */
function markRepeats(plans: readonly NotebookPlan[]): void {
  const first = new Map<string, string>();
  for (const plan of plans) {
    for (const run of plan.runs ?? []) {
      if (run.cached) continue;
      const earlier = first.get(run.key);
      if (earlier !== undefined) run.earlierIn = earlier;
      else first.set(run.key, plan.notebook);
    }
  }
}

function runStatus(run: PlannedRun, notebook: string): string {
  if (run.cached) return run.origin === 'archive' ? 'in the published archive' : 'in the cache';
  if (run.earlierIn === undefined)
    return run.checkpointEpoch === undefined
      ? 'to train'
      : `to train (from its checkpoint after epoch ${run.checkpointEpoch} of ${run.epochs})`;
  return `trained earlier (${run.earlierIn === notebook ? 'above' : `for ${run.earlierIn}`})`;
}

/** The totals of plans whose repeats markRepeats has marked. */
function planTotals(plans: readonly NotebookPlan[]): PlanOutput['totals'] {
  const all = plans.flatMap((plan) => plan.runs ?? []);
  const toTrain = all.filter((run) => !run.cached && run.earlierIn === undefined);
  return {
    toTrain: toTrain.length,
    resuming: toTrain.filter((run) => run.checkpointEpoch !== undefined).length,
    runs: all.length,
    inCache: all.filter((run) => run.cached && run.origin === 'cache').length,
    inArchive: all.filter((run) => run.cached && run.origin === 'archive').length,
    trainedEarlier: all.filter((run) => !run.cached && run.earlierIn !== undefined).length,
    uncounted: plans.filter((plan) => plan.runs === undefined).length,
  };
}

/** `losslens plan --json`. */
export function planOutput(plans: readonly NotebookPlan[]): PlanOutput {
  return {
    command: 'plan',
    notebooks: plans.map((plan) => ({ notebook: plan.notebook, runs: plan.runs ?? null })),
    totals: planTotals(plans),
  };
}

/** A notebook file that cannot be planned because of what it is, not because of its code: a usage error. */
export class PlanInputError extends Error {
  override name = 'PlanInputError';
}

function readCells(path: string, notebook: string): Cell[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PlanInputError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder' : (error as Error).message}`,
    );
  }
  let cells: unknown;
  try {
    cells = (JSON.parse(text) as { cells?: unknown }).cells;
  } catch {
    throw new PlanInputError(`${notebook} is not a notebook (not JSON)`);
  }
  if (!Array.isArray(cells)) throw new PlanInputError(`${notebook} is not a notebook (no cells list)`);
  return cells as Cell[];
}

interface Cell {
  cell_type: string;
  source: string | string[];
  metadata?: { tags?: string[] };
}

const sourceOf = (cell: Cell) => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const tagged = (cell: Cell, tag: string) => cell.metadata?.tags?.includes(tag) ?? false;

/** The code of the notebook's import cells, parameters, injected parameters and `runs` cell, or undefined without a `runs` cell. */
function planSource(cells: Cell[], params: Record<string, unknown>, notebook: string): string | undefined {
  const code = cells.filter((cell) => cell.cell_type === 'code');
  const runs = code.findIndex((cell) => tagged(cell, 'runs'));
  if (runs < 0) return undefined;
  const parameters = code.findIndex((cell) => tagged(cell, 'parameters'));
  if (parameters < 0 || parameters > runs)
    throw new Error(`${notebook}: the cell tagged 'runs' needs a cell tagged 'parameters' before it`);
  return [
    ...code.slice(0, parameters + 1).map(sourceOf),
    `Object.assign(params, ${JSON.stringify(params)});`,
    sourceOf(code[runs]),
    'module.exports = runConfigs;',
  ].join('\n;\n');
}

/** The runs one notebook asks for with `params` injected, each with its cache key and whether the cache holds it. */
export async function planNotebook(
  path: string,
  params: Record<string, unknown> = {},
  cacheDir = defaultCacheDir(),
): Promise<NotebookPlan> {
  const notebook = basename(path);
  const cells = readCells(path, notebook);
  const source = planSource(cells, params, notebook);
  if (source === undefined) return { notebook };
  // Loaded on demand: only planning needs the compiler, and it is a large module.
  const ts = await import('typescript');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: `${notebook}.ts`,
  });
  const module = { exports: undefined as unknown };
  // Imports resolve as in the kernel: from the notebook's folder ("losslens" via its node_modules).
  // A CommonJS module body, as the kernel would run it; named after the notebook in stack traces.
  const evaluate = compileFunction(outputText, ['require', 'module', 'exports'], { filename: path }) as (
    require: NodeJS.Require,
    module: { exports: unknown },
    exports: object,
  ) => void;
  try {
    evaluate(createRequire(resolve(path)), module, {});
  } catch (error) {
    throw new Error(
      `${notebook}: its imports, parameters and cell tagged 'runs' failed to evaluate: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (!Array.isArray(module.exports)) throw new Error(`${notebook}: the cell tagged 'runs' must define runConfigs as an array of configs`);
  const configs = (module.exports as ExperimentConfigInput[]).map((config) => normaliseConfig(config));
  const labels = runLabels(configs, { always: ['seed'] });
  const identity = await resultsIdentity();
  const archive = openArchive();
  const quiet = () => {};
  return {
    notebook,
    runs: configs.map((config, i) => {
      const key = runKey(config);
      const found = lookupResult(config, { cacheDir, identity, archive, warn: quiet });
      const origin = found.result?.origin === 'archive' ? 'archive' : found.result ? 'cache' : undefined;
      const checkpointEpoch = origin ? undefined : storedCheckpoint(cacheDir, key, identity.id, config.epochs, quiet)?.epoch;
      return {
        label: labels[i],
        config,
        key,
        epochs: config.epochs,
        cached: origin !== undefined,
        ...(origin ? { origin } : {}),
        ...(found.archiveMismatch ? { archiveMismatch: found.archiveMismatch } : {}),
        ...(checkpointEpoch === undefined ? {} : { checkpointEpoch }),
      };
    }),
  };
}

/** The notebook runner's named parameter sets: one file, which scripts/run_notebooks.py reads too. */
const PROFILES_FILE = join(__dirname, '..', '..', 'scripts', 'profiles.json');

export function readProfiles(): Record<string, Record<string, unknown>> {
  return JSON.parse(readFileSync(PROFILES_FILE, 'utf8')) as Record<string, Record<string, unknown>>;
}

export function registerPlanCommand(root: Command, io: Io, setExit: (code: number) => void): void {
  const profiles = readProfiles();
  root
    .command('plan')
    .description("list the trainings notebooks ask for (their cell tagged 'runs') and which the cache already holds")
    .argument('<notebooks...>', '.ipynb files')
    .addOption(
      new Option('--profile <name>', "the notebook runner's named parameters (scripts/profiles.json)")
        .choices(Object.keys(profiles))
        .default('full'),
    )
    .option(
      '--params <json>',
      "parameters injected after each notebook's parameters cell over the profile's, as the notebook runner does",
      '{}',
    )
    .option('--cache-dir <dir>', "experiment cache to look in (default: $LOSSLENS_CACHE_DIR or the checkout's .cache/experiments)")
    .option('--json', 'print the plan as JSON')
    .action(async (notebooks: string[], options: { profile: string; params: string; cacheDir?: string; json?: boolean }) => {
      let extra: unknown;
      try {
        extra = JSON.parse(options.params);
      } catch (error) {
        io.stderr.write(`losslens plan: --params is not JSON: ${(error as Error).message}\n`);
        return setExit(EXIT_FAILED);
      }
      if (typeof extra !== 'object' || extra === null || Array.isArray(extra)) {
        io.stderr.write(`losslens plan: --params must be a JSON object, got ${options.params}\n`);
        return setExit(EXIT_FAILED);
      }
      const params = { ...profiles[options.profile], ...(extra as Record<string, unknown>) };
      const plans: NotebookPlan[] = [];
      try {
        for (const notebook of notebooks) plans.push(await planNotebook(notebook, params, options.cacheDir));
      } catch (error) {
        if (!(error instanceof PlanInputError)) throw error;
        io.stderr.write(`losslens plan: ${error.message}\n`);
        return setExit(EXIT_USAGE);
      }
      markRepeats(plans);
      if (options.json) {
        io.stdout.write(`${JSON.stringify(planOutput(plans))}\n`);
        return setExit(EXIT_OK);
      }
      for (const plan of plans) {
        const runs = plan.runs?.map((run) => `  ${run.label}: ${runStatus(run, plan.notebook)}`) ?? ["  (no cell tagged 'runs')"];
        io.stdout.write(`${plan.notebook}\n${runs.join('\n')}\n`);
      }
      const totals = planTotals(plans);
      const uncounted = totals.uncounted ? `; ${totals.uncounted} notebook(s) not counted (no cell tagged 'runs')` : '';
      if (plans.length > 1 || totals.runs > 0)
        io.stdout.write(`${totals.toTrain} training(s) needed for ${totals.runs} run(s)${uncounted}\n`);
      setExit(EXIT_OK);
    });
}
