/**
 * `losslens plan`: a notebook's cell tagged `runs`, evaluated with its imports, its
 * parameters and the injected ones, gives the configs it will train, each looked up in the
 * cache. One tiny run is trained first so the plan has a cached and an uncached config.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLibrary, runCli } from '../helpers/cli.js';
import { runPython } from '../helpers/python.js';
import type * as RunModule from '../../src/experiments/run.js';
import type { PlanOutput } from '../../src/cli/output.js';
import type * as CacheModule from '../../src/cache/lookup.js';
import type * as IdentityModule from '../../src/identity/identity.js';

const root = join(__dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'losslens-plan-'));
const cacheDir = join(folder, 'cache');

function losslens(...args: string[]) {
  return runCli(args, { timeout: 120_000 });
}

const cell = (source: string, tags?: string[]) => ({ cell_type: 'code', metadata: tags ? { tags } : {}, outputs: [], source });
function notebook(name: string, cells: object[]): string {
  const path = join(folder, name);
  writeFileSync(path, JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }));
  return path;
}

const imports = cell(`import { normaliseConfig, type ExperimentConfigInput } from ${JSON.stringify(join(root, 'dist'))};`);
const parameters = cell('const params = {\n  seeds: [9],\n  loss: "binaryCrossentropy" as const,\n};', ['parameters']);
const runs = cell(
  'const runConfigs: ExperimentConfigInput[] = params.seeds.map((seed) =>\n' +
    '  normaliseConfig({ epochs: 1, trainSamples: 200, testSamples: 50, batchSize: 50, loss: params.loss, seed }));',
  ['runs'],
);

beforeAll(() => {
  buildLibrary();
  const trained = losslens(
    'run',
    '--epochs',
    '1',
    '--samples',
    '200',
    '--test-samples',
    '50',
    '--batch-size',
    '50',
    '--seed',
    '5',
    '--cache-dir',
    cacheDir,
  );
  expect(trained.code, trained.stderr).toBe(0);
}, 300_000);
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('losslens plan', () => {
  it("evaluates the cell tagged 'runs' with the injected parameters and looks each config up in the cache", () => {
    const path = notebook('planned.ipynb', [imports, parameters, cell('throw new Error("a later cell must not run");'), runs]);
    const { code, stdout, stderr } = losslens('plan', path, '--params', '{"seeds": [5, 6]}', '--cache-dir', cacheDir, '--json');
    expect(code, stderr).toBe(0);
    const [plan] = (JSON.parse(stdout) as PlanOutput).notebooks;
    expect(plan.notebook).toBe('planned.ipynb');
    expect(plan.runs!.map((run) => [run.label, run.cached])).toEqual([
      ['28×28 seed 5', true],
      ['28×28 seed 6', false],
    ]);
    expect(plan.runs![0].key).not.toBe(plan.runs![1].key);
  }, 120_000);

  it("takes the notebook runner's profiles (scripts/profiles.json), with --params over them", () => {
    const path = notebook('profiled.ipynb', [imports, parameters, runs]);
    const seedsOf = (...args: string[]) => {
      const { code, stdout, stderr } = losslens('plan', path, ...args, '--cache-dir', cacheDir, '--json');
      expect(code, stderr).toBe(0);
      return (JSON.parse(stdout) as PlanOutput).notebooks[0].runs!.map((run) => run.label);
    };
    const quickSeeds = (JSON.parse(readFileSync(join(root, 'scripts', 'profiles.json'), 'utf8')) as { quick: { seeds: number[] } }).quick
      .seeds;
    expect(seedsOf()).toEqual(['28×28 seed 9']);
    expect(seedsOf('--profile', 'quick')).toEqual(quickSeeds.map((seed) => `28×28 seed ${seed}`));
    expect(seedsOf('--profile', 'quick', '--params', '{"seeds": [7]}')).toEqual(['28×28 seed 7']);
    const unknown = losslens('plan', path, '--profile', 'fast');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/'fast' is invalid\. Allowed choices are full, quick\./);
    const notObject = losslens('plan', path, '--params', '[1]');
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toMatch(/^losslens plan: --params must be a JSON object, got \[1\]$/m);
  }, 120_000);

  it("lists a notebook without a cell tagged 'runs' as not counted", () => {
    const path = notebook('unplanned.ipynb', [imports, parameters]);
    const { code, stdout } = losslens('plan', path, '--cache-dir', cacheDir);
    expect(code).toBe(0);
    expect(stdout).toBe("unplanned.ipynb\n  (no cell tagged 'runs')\n");
  }, 120_000);

  it('counts a run two notebooks share once, says which notebook trains it, and totals the trainings', () => {
    const first = notebook('first.ipynb', [imports, parameters, runs]);
    const second = notebook('second.ipynb', [imports, parameters, runs]);
    const text = losslens('plan', first, second, '--params', '{"seeds": [5, 7]}', '--cache-dir', cacheDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      'first.ipynb\n  28×28 seed 5: in the cache\n  28×28 seed 7: to train\n' +
        'second.ipynb\n  28×28 seed 5: in the cache\n  28×28 seed 7: trained earlier (for first.ipynb)\n' +
        '1 training(s) needed for 4 run(s)\n',
    );
    const json = losslens('plan', first, second, '--params', '{"seeds": [7, 7]}', '--cache-dir', cacheDir, '--json');
    const output = JSON.parse(json.stdout) as PlanOutput;
    const plans = output.notebooks;
    expect(plans.map((plan) => plan.runs!.map((run) => run.earlierIn ?? null))).toEqual([
      [null, 'first.ipynb'],
      ['first.ipynb', 'first.ipynb'],
    ]);
    // The totals the text ends with, in the JSON too: a reader never recounts them.
    expect(output.totals).toEqual({ toTrain: 1, resuming: 0, runs: 4, inCache: 0, inArchive: 0, trainedEarlier: 3, uncounted: 0 });
  }, 120_000);

  it("says which runs to train resume from an interrupted training's checkpoint, and ignores another run's checkpoint", async () => {
    // The library as the CLI and notebooks load it (dist), so that keys and checkpoints are theirs.
    const { runExperiment } = (await import(join(root, 'dist', 'experiments', 'run.js'))) as typeof RunModule;
    const { checkpointPath } = (await import(join(root, 'dist', 'cache', 'lookup.js'))) as typeof CacheModule;
    const { resultsIdentity } = (await import(join(root, 'dist', 'identity', 'identity.js'))) as typeof IdentityModule;
    const twoEpochs = cell(
      'const runConfigs = params.seeds.map((seed) => normaliseConfig({ epochs: 2, trainSamples: 200, testSamples: 50, batchSize: 50, seed }));',
      ['runs'],
    );
    const path = notebook('resumable.ipynb', [imports, parameters, twoEpochs]);
    const controller = new AbortController();
    const interrupted = await runExperiment(
      { epochs: 2, trainSamples: 200, testSamples: 50, batchSize: 50, seed: 11 },
      { cacheDir, signal: controller.signal, onProgress: (event) => event.kind === 'epoch' && controller.abort() },
    );
    expect(interrupted.status).toBe('interrupted');
    const json = losslens('plan', path, '--params', '{"seeds": [11, 12]}', '--cache-dir', cacheDir, '--json');
    expect(json.code, json.stderr).toBe(0);
    const [plan] = (JSON.parse(json.stdout) as PlanOutput).notebooks;
    expect(plan.runs!.map((run) => [run.epochs, run.checkpointEpoch ?? null])).toEqual([
      [2, 1],
      [2, null],
    ]);
    // Seed 12 with seed 11's checkpoint under its name: not its own, so not a resume.
    const { id } = await resultsIdentity();
    mkdirSync(dirname(checkpointPath(cacheDir, plan.runs![1].key, id)), { recursive: true });
    copyFileSync(checkpointPath(cacheDir, plan.runs![0].key, id), checkpointPath(cacheDir, plan.runs![1].key, id));
    const text = losslens('plan', path, '--params', '{"seeds": [11, 12]}', '--cache-dir', cacheDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toBe(
      'resumable.ipynb\n  28×28 seed 11: to train (from its checkpoint after epoch 1 of 2)\n  28×28 seed 12: to train\n' +
        '2 training(s) needed for 2 run(s)\n',
    );
    // The notebook runner's plan (scripts/run_notebooks.py) counts it among the trainings, as one that resumes.
    const previous = process.env.LOSSLENS_CACHE_DIR;
    process.env.LOSSLENS_CACHE_DIR = cacheDir;
    try {
      const said = runPython(
        'import io, sys\nfrom pathlib import Path\nsys.path.insert(0, "scripts")\nimport run_notebooks\n' +
          'out = io.StringIO()\nrun_notebooks.print_plan([Path(sys.argv[1])], {"seeds": [11, 12]}, run_notebooks.Reporter(stream=out))\n' +
          'print(out.getvalue())',
        [path],
      );
      expect(said).toContain(
        'plan: 2 training(s) needed for 2 run(s); 0 already in the cache, 0 in the published archive, 0 trained earlier in this job',
      );
      expect(said).toContain(
        'resumable.ipynb: 2 run(s): 2 to train (1 from a checkpoint of an interrupted run), 0 in the cache, 0 in the published archive, 0 trained earlier in this job',
      );
    } finally {
      if (previous === undefined) delete process.env.LOSSLENS_CACHE_DIR;
      else process.env.LOSSLENS_CACHE_DIR = previous;
    }
  }, 180_000);

  it('answers a missing file or a file that is not a notebook with one line and exit code 2', () => {
    const missing = losslens('plan', join(folder, 'nope.ipynb'), '--cache-dir', cacheDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^losslens plan: .*nope\.ipynb: no such file$/m);
    const text = join(folder, 'notes.ipynb');
    writeFileSync(text, '# not a notebook');
    const notJson = losslens('plan', text, '--cache-dir', cacheDir);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^losslens plan: notes\.ipynb is not a notebook \(not JSON\)$/m);
  }, 120_000);

  it('names the notebook when its runs cell does not define runConfigs', () => {
    const path = notebook('broken.ipynb', [imports, parameters, cell('const configs = [];', ['runs'])]);
    const { code, stderr } = losslens('plan', path, '--cache-dir', cacheDir);
    expect(code).toBe(1);
    expect(stderr).toMatch(
      /^losslens: broken\.ipynb: its imports, parameters and cell tagged 'runs' failed to evaluate: runConfigs is not defined/m,
    );
  }, 120_000);
});
