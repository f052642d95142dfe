#!/usr/bin/env node
// `npm run bench`: losslens's training throughput next to Keras's on the same machine, in
// one paired run (each losslens measurement is followed at once by the matching Keras one,
// so both see the same load), plus the data preparation time and peak memory.
// Reads the compiled library in dist/ (npm run bench builds it first).
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const losslens = require(path.join(ROOT, 'dist/index.js'));
const { tf } = losslens;

const positiveInteger = (value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
const options = new Command()
  .name('bench')
  .description('Training throughput of losslens versus Keras, data preparation time and peak memory.')
  .option('--batches <n>', 'timed training batches per measurement', positiveInteger, 60)
  .option('--warmup <n>', 'untimed batches first (graph tracing, allocator warm-up)', positiveInteger, 5)
  .option('--rounds <n>', 'paired rounds; the median of each side is reported', positiveInteger, 1)
  .option('--no-keras', 'skip the Keras side')
  .option('--stock', "also time tfjs's own model.fit on the same model (the speed before losslens's training loop)")
  .option('--full-epoch', 'also time one real epoch of 60,000 MNIST images at each size')
  .option('--no-data', 'skip the 70,000-image preparation timing')
  .option('--output <file>', 'where to write the JSON results', path.join(ROOT, 'output/bench.json'))
  .parse()
  .opts();

const BATCH_SIZE = 128;
const SEED = 1;
const NOISE = 0.5;
const SIDES = [
  { side: 28, pad: undefined },
  { side: 32, pad: { width: 2, mode: 'edge' } },
];

const seconds = (start) => (performance.now() - start) / 1000;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () => os.loadavg().map((l) => Number(l.toFixed(2)));

function timeDataPreparation() {
  const start = performance.now();
  const pad = { width: 2, mode: 'edge' };
  const train = losslens.prepareDataset({ split: 'train', noiseFactor: NOISE, seed: SEED, pad });
  const test = losslens.prepareDataset({ split: 'test', noiseFactor: NOISE, seed: SEED, pad });
  const elapsed = seconds(start);
  const images = train.inputs.shape[0] + test.inputs.shape[0];
  tf.dispose([train.inputs, train.targets, test.inputs, test.targets]);
  return { images, seconds: elapsed, imagesPerSecond: images / elapsed };
}

const trainers = {
  async losslens(model, inputs, targets) {
    const result = await losslens.fit(model, inputs, targets, { epochs: 1, batchSize: BATCH_SIZE, seed: SEED });
    if (result.status !== 'completed') throw new Error(`losslens training did not complete: ${result.message}`);
  },
  async stock(model, inputs, targets) {
    await model.fit(inputs, targets, { epochs: 1, batchSize: BATCH_SIZE, shuffle: true, verbose: 0 });
  },
};

/** Samples per second of `trainer` over options.batches batches, after options.warmup untimed ones. */
async function tfjsThroughput({ side, pad }, trainer) {
  const samples = (options.warmup + options.batches) * BATCH_SIZE;
  const data = losslens.prepareDataset({ split: 'train', limit: samples, noiseFactor: NOISE, seed: SEED, pad });
  const warm = options.warmup * BATCH_SIZE;
  const split = (t) => [tf.slice(t, 0, warm), tf.slice(t, warm)];
  const [warmInputs, timedInputs] = split(data.inputs);
  const [warmTargets, timedTargets] = split(data.targets);
  const model = losslens.buildAutoencoder({ height: side, width: side, seed: SEED });
  await trainer(model, warmInputs, warmTargets);
  const start = performance.now();
  await trainer(model, timedInputs, timedTargets);
  const elapsed = seconds(start);
  model.dispose();
  tf.dispose([data.inputs, data.targets, warmInputs, timedInputs, warmTargets, timedTargets]);
  return (options.batches * BATCH_SIZE) / elapsed;
}

async function fullEpoch({ side, pad }) {
  const data = losslens.prepareDataset({ split: 'train', noiseFactor: NOISE, seed: SEED, pad });
  const model = losslens.buildAutoencoder({ height: side, width: side, seed: SEED });
  const result = await losslens.fit(model, data.inputs, data.targets, { epochs: 1, batchSize: BATCH_SIZE, seed: SEED });
  model.dispose();
  tf.dispose([data.inputs, data.targets]);
  return { side, samples: data.inputs.shape[0], seconds: result.history[0].seconds, loss: result.history[0].loss, load: load() };
}

function kerasThroughput({ side }) {
  const python = path.join(ROOT, '.venv/bin/python');
  const args = [path.join(ROOT, 'bench/keras_bench.py'), '--side', String(side), '--batches', String(options.batches), '--warmup', String(options.warmup), '--batch-size', String(BATCH_SIZE)];
  const run = spawnSync(python, args, { encoding: 'utf8', env: process.env });
  if (run.status !== 0) {
    throw new Error(`the Keras benchmark failed (${python} ${args.join(' ')}):\n${(run.stderr || run.error?.message || '').trim()}`);
  }
  return JSON.parse(run.stdout.trim().split('\n').pop());
}

const results = {
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, loadBefore: load() },
  tensorflow: losslens.nativeTensorFlowVersion(),
  threads: { TF_NUM_INTRAOP_THREADS: process.env.TF_NUM_INTRAOP_THREADS ?? null, TF_NUM_INTEROP_THREADS: process.env.TF_NUM_INTEROP_THREADS ?? null },
  options: { batches: options.batches, warmup: options.warmup, rounds: options.rounds, batchSize: BATCH_SIZE },
  training: [],
};

if (options.data) {
  process.stderr.write('preparing 70,000 MNIST images (load + noise + edge pad to 32×32)…\n');
  results.data = timeDataPreparation();
}

for (const config of SIDES) {
  const rounds = [];
  for (let round = 0; round < options.rounds; round++) {
    process.stderr.write(`${config.side}×${config.side} round ${round + 1}/${options.rounds}: losslens…`);
    const ours = await tfjsThroughput(config, trainers.losslens);
    let stock = null;
    if (options.stock) {
      process.stderr.write(' tfjs model.fit…');
      stock = await tfjsThroughput(config, trainers.stock);
    }
    let keras = null;
    if (options.keras) {
      process.stderr.write(' keras…');
      keras = kerasThroughput(config);
    }
    process.stderr.write('\n');
    rounds.push({ losslens: ours, stock, keras: keras?.samplesPerSecond ?? null, kerasPeakRssMB: keras?.peakRssMB ?? null });
  }
  const ours = median(rounds.map((r) => r.losslens));
  const keras = options.keras ? median(rounds.map((r) => r.keras)) : null;
  const stock = options.stock ? median(rounds.map((r) => r.stock)) : null;
  results.training.push({
    side: config.side,
    losslensSamplesPerSecond: ours,
    stockTfjsSamplesPerSecond: stock,
    stockRatio: keras && stock ? stock / keras : null,
    kerasSamplesPerSecond: keras,
    ratio: keras ? ours / keras : null,
    losslensEpochSecondsAt60k: 60000 / ours,
    kerasEpochSecondsAt60k: keras ? 60000 / keras : null,
    kerasPeakRssMB: options.keras ? Math.max(...rounds.map((r) => r.kerasPeakRssMB ?? 0)) : null,
    rounds,
  });
}
if (options.fullEpoch) {
  results.fullEpoch = [];
  for (const config of SIDES) {
    process.stderr.write(`one epoch of 60,000 at ${config.side}×${config.side}…\n`);
    results.fullEpoch.push(await fullEpoch(config));
  }
}
results.machine.loadAfter = load();
results.losslensPeakRssMB = process.resourceUsage().maxRSS / 1024;

const fmt = (value, digits = 0) => (value === null || value === undefined ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const rows = [['input', 'losslens samples/s', 'Keras samples/s', 'losslens/Keras', 'tfjs model.fit samples/s', 'model.fit/Keras', 'epoch of 60k (losslens)', 'epoch of 60k (Keras)']];
for (const t of results.training) {
  rows.push([
    `${t.side}×${t.side}`,
    fmt(t.losslensSamplesPerSecond),
    fmt(t.kerasSamplesPerSecond),
    fmt(t.ratio, 2),
    fmt(t.stockTfjsSamplesPerSecond),
    fmt(t.stockRatio, 2),
    `${fmt(t.losslensEpochSecondsAt60k, 1)} s`,
    t.kerasEpochSecondsAt60k ? `${fmt(t.kerasEpochSecondsAt60k, 1)} s` : '—',
  ]);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
console.log(`Training throughput, batch ${BATCH_SIZE}, ${options.batches} timed batches after ${options.warmup} warm-up, median of ${options.rounds} paired round(s)`);
console.log(`TensorFlow ${results.tensorflow}, ${results.machine.cpus} CPUs, load average ${results.machine.loadBefore.join(' ')} before, ${results.machine.loadAfter.join(' ')} after`);
console.log(lines.join('\n'));
for (const e of results.fullEpoch ?? []) {
  console.log(`One real epoch of ${fmt(e.samples)} images at ${e.side}×${e.side}: ${fmt(e.seconds, 1)} s (loss ${e.loss.toFixed(4)}, load average ${e.load.join(' ')} after)`);
}
if (results.data) console.log(`MNIST load + noise + edge pad of ${fmt(results.data.images)} images: ${fmt(results.data.seconds, 2)} s (${fmt(results.data.imagesPerSecond)} images/s)`);
const kerasRss = results.training.map((t) => t.kerasPeakRssMB).filter(Boolean);
console.log(`Peak memory (RSS): losslens process ${fmt(results.losslensPeakRssMB)} MB${kerasRss.length ? `, Keras process ${fmt(Math.max(...kerasRss))} MB` : ''}`);

mkdirSync(path.dirname(options.output), { recursive: true });
writeFileSync(options.output, `${JSON.stringify(results, null, 2)}\n`);
console.log(`results written to ${path.relative(process.cwd(), options.output)}`);
