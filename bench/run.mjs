#!/usr/bin/env node
// @ts-check
// `npm run bench`: losslens's training throughput next to Keras's (default compile and
// jit_compile=True) on the same machine, in paired rounds (each losslens process is followed
// at once by the matching Keras ones, so all see the same load), plus the data preparation
// time and each training process's peak memory.
// Reads the compiled library in dist/ (npm run bench builds it first).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { markdownTable } from 'markdown-table';
import { ROOT, givenEnv, losslens, nativeTensorFlowVersion, positiveInteger } from './common.mjs';

const { tf } = losslens;

/**
 * @typedef {import('./common.mjs').LosslensMeasurement} LosslensMeasurement
 * @typedef {{ side: number, jitCompile: boolean, samplesPerSecond: number, peakRssMB: number }} KerasMeasurement
 * @typedef {{ side: number, compile: boolean, samplesPerSecond: number, peakRssMB: number, torch: string }} TorchMeasurement
 * @typedef {{ losslens: LosslensMeasurement, baseline: LosslensMeasurement | null, stock: LosslensMeasurement | null, keras: KerasMeasurement | null, kerasXla: KerasMeasurement | null, torch: TorchMeasurement | null, torchCompile: TorchMeasurement | null, load: number[] }} Round
 * @typedef {{ side: number, pad: import('../src/transforms/dataset.js').PrepareDatasetOptions['pad'] }} Size
 */

const options =
  /** @type {{ batches: number, warmup: number, rounds: number, keras: boolean, kerasOnednn?: true, stock?: true, torch?: true, baseline?: string, fullEpoch?: true, data: boolean, output: string }} */ (
    new Command()
      .name('bench')
      .description('Training throughput of losslens versus Keras, data preparation time and peak memory.')
      .option('--batches <n>', 'timed training batches per measurement', positiveInteger, 60)
      .option('--warmup <n>', 'untimed batches first (graph tracing, allocator warm-up)', positiveInteger, 5)
      .option('--rounds <n>', 'paired rounds; the median of each side is reported', positiveInteger, 1)
      .option('--no-keras', 'skip the Keras side')
      .option(
        '--keras-onednn',
        "run Keras with TF_ENABLE_ONEDNN_OPTS=1 as losslens does (default: the environment as given, oneDNN's rewrites off on CPUs without AVX-512)",
      )
      .option('--stock', "also time tfjs's own model.fit on the same model (the speed before losslens's training graph)")
      .option(
        '--torch',
        'also time PyTorch eager and torch.compile, channels_last, on the same model, loss, Adam settings and batch (installs bench/torch-requirements.txt into .venv-torch on first use, about 5 GB)',
      )
      .option(
        '--baseline <ref>',
        "also time losslens as of that git commit (its sources built once under output/baseline/), right after this checkout's in every round",
      )
      .option('--full-epoch', 'also time one real epoch of 60,000 MNIST images at each size')
      .option('--no-data', 'skip the 70,000-image preparation timing')
      .option('--output <file>', 'where to write the JSON results', path.join(ROOT, 'output/bench.json'))
      .parse()
      .opts()
  );

const BATCH_SIZE = 128;
const SEED = 1;
const NOISE = 0.5;
/** @type {Size[]} */
const SIDES = [
  { side: 28, pad: undefined },
  { side: 32, pad: { width: 2, mode: 'edge' } },
];

/** @param {number} start */
const seconds = (start) => (performance.now() - start) / 1000;
/** @param {number[]} values */
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

function timeDataPreparation() {
  const start = performance.now();
  /** @type {Size['pad']} */
  const pad = { width: 2, mode: 'edge' };
  const train = losslens.prepareDataset({ split: 'train', noiseFactor: NOISE, seed: SEED, pad });
  const test = losslens.prepareDataset({ split: 'test', noiseFactor: NOISE, seed: SEED, pad });
  const elapsed = seconds(start);
  const images = train.inputs.shape[0] + test.inputs.shape[0];
  tf.dispose([train.inputs, train.targets, test.inputs, test.targets]);
  return { images, seconds: elapsed, imagesPerSecond: images / elapsed };
}

/**
 * Runs one side's benchmark process and returns its JSON line.
 * @template T
 * @param {string} command
 * @param {string[]} args
 * @param {string} what
 * @returns {T}
 */
function child(command, args, what, env = process.env) {
  const run = spawnSync(command, args, { encoding: 'utf8', env, maxBuffer: 16 << 20 });
  if (run.status !== 0) {
    throw new Error(`the ${what} benchmark failed (${command} ${args.join(' ')}):\n${(run.stderr || run.error?.message || '').trim()}`);
  }
  /** @type {unknown} */
  const line = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '');
  return /** @type {T} */ (line);
}

/**
 * The checkout of `ref` as a built copy under output/baseline/<commit>, sharing this checkout's
 * node_modules; built once per commit. Returns its root.
 * @param {string} ref
 */
function baselineCheckout(ref) {
  const git = (/** @type {string[]} */ ...args) => {
    const run = spawnSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
    if (run.status !== 0) throw new Error(`--baseline ${ref}: git ${args.join(' ')} failed: ${(run.stderr || '').trim()}`);
    return run.stdout.trim();
  };
  const commit = git('rev-parse', '--verify', `${ref}^{commit}`);
  const root = path.join(ROOT, 'output/baseline', commit);
  if (existsSync(path.join(root, 'dist/index.js'))) return root;
  process.stderr.write(`building losslens at ${commit.slice(0, 12)} for --baseline…\n`);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const archive = spawnSync('sh', ['-c', `git archive ${commit} | tar -x -C "$1"`, 'sh', root], { cwd: ROOT, encoding: 'utf8' });
  if (archive.status !== 0) throw new Error(`--baseline ${ref}: could not extract ${commit}: ${archive.stderr.trim()}`);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(root, 'node_modules'));
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b'], { cwd: root, encoding: 'utf8' });
  if (build.status !== 0) {
    rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    throw new Error(`--baseline ${ref}: building ${commit} failed:\n${(build.stdout + build.stderr).trim()}`);
  }
  return root;
}

/**
 * The Python of .venv-torch, created from bench/torch-requirements.txt on first use (PyPI's torch
 * is the CUDA build: it needs its NVIDIA wheels even to import on a CPU). Reinstalled when the
 * requirements change.
 */
function torchPython() {
  const venv = path.join(ROOT, '.venv-torch');
  const python = path.join(venv, 'bin/python');
  const requirements = readFileSync(path.join(ROOT, 'bench/torch-requirements.txt'), 'utf8');
  const stamp = path.join(venv, 'losslens-requirements.txt');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === requirements) return python;
  process.stderr.write('installing PyTorch into .venv-torch (first use: about 5 GB of wheels)…\n');
  const steps = [
    ['python3', ['-m', 'venv', venv]],
    [python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-r', path.join(ROOT, 'bench/torch-requirements.txt'), 'numpy']],
  ];
  for (const [command, args] of /** @type {[string, string[]][]} */ (steps)) {
    const run = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (run.status !== 0) throw new Error(`--torch: ${command} ${args.join(' ')} failed; delete .venv-torch and try again`);
  }
  writeFileSync(stamp, requirements);
  return python;
}

const torch = options.torch ? torchPython() : null;

/**
 * @param {Size} size
 * @param {boolean} compile
 * @returns {TorchMeasurement}
 */
function torchRun({ side }, compile) {
  return child(
    /** @type {string} */ (torch),
    [path.join(ROOT, 'bench/torch_bench.py'), '--side', String(side), ...common(), ...(compile ? ['--compile'] : [])],
    compile ? 'torch.compile' : 'PyTorch',
  );
}

const baselineRoot = options.baseline ? baselineCheckout(options.baseline) : null;

const common = () => ['--batches', String(options.batches), '--warmup', String(options.warmup), '--batch-size', String(BATCH_SIZE)];

/**
 * @param {Size} size
 * @param {'losslens' | 'stock'} trainer
 * @param {string[]} extra
 * @param {string} [root] the checkout whose losslens to time
 * @returns {LosslensMeasurement}
 */
function tfjsRun({ side }, trainer, extra = [], root = ROOT) {
  return child(
    process.execPath,
    [path.join(root, 'bench/losslens_bench.mjs'), '--side', String(side), '--trainer', trainer, ...common(), ...extra],
    trainer,
  );
}

/**
 * @param {Size} size
 * @param {boolean} jit
 * @returns {KerasMeasurement}
 */
function kerasRun({ side }, jit) {
  const python = path.join(ROOT, '.venv/bin/python');
  const env = options.kerasOnednn ? { ...givenEnv, TF_ENABLE_ONEDNN_OPTS: '1' } : givenEnv;
  return child(
    python,
    [path.join(ROOT, 'bench/keras_bench.py'), '--side', String(side), ...common(), ...(jit ? ['--jit'] : [])],
    jit ? 'Keras XLA' : 'Keras',
    env,
  );
}

/**
 * @typedef {{ side: number, losslensSamplesPerSecond: number, kerasSamplesPerSecond: number | null, kerasXlaSamplesPerSecond: number | null,
 *   stockTfjsSamplesPerSecond: number | null, baselineSamplesPerSecond: number | null, pairedBaselineRatio: number | null,
 *   torchSamplesPerSecond: number | null, torchCompileSamplesPerSecond: number | null, pairedTorchRatio: number | null, pairedTorchCompileRatio: number | null, ratio: number | null, xlaRatio: number | null, pairedRatio: number | null, pairedXlaRatio: number | null,
 *   losslensPeakRssMB: number | null, kerasPeakRssMB: number | null, kerasXlaPeakRssMB: number | null, kerasJitCompile: boolean | null, rounds: Round[] }} Training
 * @typedef {{ images: number, seconds: number, imagesPerSecond: number }} DataPreparation
 * @typedef {{
 *   date: string, baseline: string | null, machine: { cpus: number, cpuModel: string | undefined, loadBefore: number[], loadAfter?: number[] }, tensorflow: string,
 *   kerasOneDnn: string | null, threads: Record<string, string | null>, options: Record<string, number>,
 *   training: Training[], data?: DataPreparation, fullEpoch?: (LosslensMeasurement & { load: number[] })[] }} Results
 */

/** @type {Results} */
const results = {
  date: new Date().toISOString(),
  baseline: baselineRoot ? path.basename(baselineRoot) : null,
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadBefore: load() },
  tensorflow: nativeTensorFlowVersion(),
  kerasOneDnn: options.kerasOnednn ? '1' : (givenEnv.TF_ENABLE_ONEDNN_OPTS ?? null),
  threads: {
    TF_NUM_INTRAOP_THREADS: process.env.TF_NUM_INTRAOP_THREADS ?? null,
    TF_NUM_INTEROP_THREADS: process.env.TF_NUM_INTEROP_THREADS ?? null,
  },
  options: { batches: options.batches, warmup: options.warmup, rounds: options.rounds, batchSize: BATCH_SIZE },
  training: [],
};

if (options.data) {
  process.stderr.write('preparing 70,000 MNIST images (load + noise + edge pad to 32×32)…\n');
  results.data = timeDataPreparation();
}

/** @param {({ peakRssMB: number } | null)[]} runs */
const peak = (runs) => Math.max(...runs.map((r) => r?.peakRssMB ?? 0)) || null;
/**
 * The median over rounds of one side's rate, or of its ratio to another side; null when that side did not run.
 * @param {Round[]} rounds
 * @param {'losslens' | 'baseline' | 'stock' | 'keras' | 'kerasXla' | 'torch' | 'torchCompile'} key
 * @param {'keras' | 'kerasXla' | 'baseline' | 'torch' | 'torchCompile'} [over]
 */
const medianRate = (rounds, key, over) => {
  const rates = rounds.map((r) => {
    const side = r[key];
    const base = over ? r[over] : null;
    if (!side || (over && !base)) return null;
    return side.samplesPerSecond / (base ? base.samplesPerSecond : 1);
  });
  return rates.every((rate) => rate !== null) ? median(rates) : null;
};
for (const config of SIDES) {
  /** @type {Round[]} */
  const rounds = [];
  for (let round = 0; round < options.rounds; round++) {
    process.stderr.write(`${config.side}×${config.side} round ${round + 1}/${options.rounds}: losslens…`);
    const ours = tfjsRun(config, 'losslens');
    let baseline = null;
    if (baselineRoot) {
      process.stderr.write(` losslens at ${path.basename(baselineRoot).slice(0, 12)}…`);
      baseline = tfjsRun(config, 'losslens', [], baselineRoot);
    }
    let stock = null;
    if (options.stock) {
      process.stderr.write(' tfjs model.fit…');
      stock = tfjsRun(config, 'stock');
    }
    let keras = null;
    let xla = null;
    if (options.keras) {
      process.stderr.write(' keras…');
      keras = kerasRun(config, false);
      process.stderr.write(' keras XLA…');
      xla = kerasRun(config, true);
    }
    let eager = null;
    let compiled = null;
    if (torch) {
      process.stderr.write(' PyTorch…');
      eager = torchRun(config, false);
      process.stderr.write(' torch.compile…');
      compiled = torchRun(config, true);
    }
    process.stderr.write('\n');
    rounds.push({ losslens: ours, baseline, stock, torch: eager, torchCompile: compiled, keras, kerasXla: xla, load: load() });
  }
  const ours = /** @type {number} */ (medianRate(rounds, 'losslens'));
  const keras = medianRate(rounds, 'keras');
  const xla = medianRate(rounds, 'kerasXla');
  results.training.push({
    side: config.side,
    losslensSamplesPerSecond: ours,
    kerasSamplesPerSecond: keras,
    kerasXlaSamplesPerSecond: xla,
    stockTfjsSamplesPerSecond: medianRate(rounds, 'stock'),
    baselineSamplesPerSecond: medianRate(rounds, 'baseline'),
    pairedBaselineRatio: medianRate(rounds, 'losslens', 'baseline'),
    torchSamplesPerSecond: medianRate(rounds, 'torch'),
    torchCompileSamplesPerSecond: medianRate(rounds, 'torchCompile'),
    pairedTorchRatio: medianRate(rounds, 'losslens', 'torch'),
    pairedTorchCompileRatio: medianRate(rounds, 'losslens', 'torchCompile'),
    ratio: keras ? ours / keras : null,
    xlaRatio: xla ? ours / xla : null,
    /** Median of the per-round ratios: each round's processes ran back to back under the same load. */
    pairedRatio: medianRate(rounds, 'losslens', 'keras'),
    pairedXlaRatio: medianRate(rounds, 'losslens', 'kerasXla'),
    losslensPeakRssMB: peak(rounds.map((r) => r.losslens)),
    kerasPeakRssMB: peak(rounds.map((r) => r.keras)),
    kerasXlaPeakRssMB: peak(rounds.map((r) => r.kerasXla)),
    kerasJitCompile: rounds[0].keras ? rounds[0].keras.jitCompile : null,
    rounds,
  });
}
if (options.fullEpoch) {
  results.fullEpoch = [];
  for (const config of SIDES) {
    process.stderr.write(`one epoch of 60,000 at ${config.side}×${config.side}…\n`);
    results.fullEpoch.push({ ...tfjsRun(config, 'losslens', ['--full-epoch']), load: load() });
  }
}
results.machine.loadAfter = load();

/**
 * @param {number | null | undefined} value
 * @param {number} [digits]
 */
const fmt = (value, digits = 0) =>
  value === null || value === undefined
    ? '—'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table = markdownTable(
  [
    [
      'input',
      'losslens samples/s',
      'Keras samples/s',
      'Keras XLA samples/s',
      'losslens/Keras',
      'losslens/XLA',
      'tfjs model.fit samples/s',
      'losslens/baseline',
      'losslens/PyTorch',
      'losslens/torch.compile',
      'peak RSS losslens / Keras / XLA',
    ],
    ...results.training.map((t) => [
      `${t.side}×${t.side}`,
      fmt(t.losslensSamplesPerSecond),
      fmt(t.kerasSamplesPerSecond),
      fmt(t.kerasXlaSamplesPerSecond),
      fmt(t.pairedRatio, 2),
      fmt(t.pairedXlaRatio, 2),
      fmt(t.stockTfjsSamplesPerSecond),
      fmt(t.pairedBaselineRatio, 2),
      fmt(t.pairedTorchRatio, 2),
      fmt(t.pairedTorchCompileRatio, 2),
      `${fmt(t.losslensPeakRssMB)} / ${fmt(t.kerasPeakRssMB)} / ${fmt(t.kerasXlaPeakRssMB)} MB`,
    ]),
  ],
  { align: ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'] },
);
console.log(
  `Training throughput, batch ${BATCH_SIZE}, ${options.batches} timed batches after ${options.warmup} warm-up, median of ${options.rounds} paired round(s); ratios are medians of per-round ratios`,
);
console.log(
  `TensorFlow ${results.tensorflow}, ${results.machine.cpus} CPUs, load average ${results.machine.loadBefore.join(' ')} before, ${results.machine.loadAfter.join(' ')} after; TF_ENABLE_ONEDNN_OPTS=${process.env.TF_ENABLE_ONEDNN_OPTS} for losslens, ${results.kerasOneDnn ?? 'unset'} for Keras`,
);
console.log(table);
/**
 * Each round's losslens ÷ another side, per size.
 * @param {'baseline' | 'keras' | 'torch' | 'torchCompile'} key
 */
const perRound = (key) =>
  results.training
    .map(
      (t) =>
        `${t.side}×${t.side}: ${t.rounds.map((r) => fmt(r.losslens.samplesPerSecond / (r[key]?.samplesPerSecond ?? NaN), 2)).join(', ')}`,
    )
    .join('; ');
if (options.keras) console.log(`losslens / Keras, per round: ${perRound('keras')}`);
if (torch) console.log(`losslens / PyTorch channels_last, per round: ${perRound('torch')}; / torch.compile: ${perRound('torchCompile')}`);
if (results.baseline) {
  console.log(`losslens / losslens at ${results.baseline.slice(0, 12)}, per round: ${perRound('baseline')}`);
}
for (const e of results.fullEpoch ?? []) {
  console.log(
    `One real epoch of ${fmt(e.samples)} images at ${e.side}×${e.side}: ${fmt(e.seconds, 1)} s (loss ${fmt(e.loss, 4)}, peak RSS ${fmt(e.peakRssMB)} MB, load average ${e.load.join(' ')} after)`,
  );
}
if (results.data)
  console.log(
    `MNIST load + noise + edge pad of ${fmt(results.data.images)} images: ${fmt(results.data.seconds, 2)} s (${fmt(results.data.imagesPerSecond)} images/s)`,
  );

mkdirSync(path.dirname(options.output), { recursive: true });
writeFileSync(options.output, `${JSON.stringify(results, null, 2)}\n`);
console.log(`results written to ${path.relative(process.cwd(), options.output)}`);
