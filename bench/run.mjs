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

async function losslensThroughput({ side, pad }) {
  const samples = (options.warmup + options.batches) * BATCH_SIZE;
  const data = losslens.prepareDataset({ split: 'train', limit: samples, noiseFactor: NOISE, seed: SEED, pad });
  const warm = options.warmup * BATCH_SIZE;
  const split = (t) => [tf.slice(t, 0, warm), tf.slice(t, warm)];
  const [warmInputs, timedInputs] = split(data.inputs);
  const [warmTargets, timedTargets] = split(data.targets);
  const model = losslens.buildAutoencoder({ height: side, width: side, seed: SEED });
  await losslens.fit(model, warmInputs, warmTargets, { epochs: 1, batchSize: BATCH_SIZE, seed: SEED });
  const start = performance.now();
  const result = await losslens.fit(model, timedInputs, timedTargets, { epochs: 1, batchSize: BATCH_SIZE, seed: SEED });
  const elapsed = seconds(start);
  if (result.status !== 'completed') throw new Error(`losslens training did not complete: ${result.message}`);
  model.dispose();
  tf.dispose([data.inputs, data.targets, warmInputs, timedInputs, warmTargets, timedTargets]);
  return { seconds: elapsed, samplesPerSecond: (options.batches * BATCH_SIZE) / elapsed, loss: result.history[0].loss };
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
    const ours = await losslensThroughput(config);
    let keras = null;
    if (options.keras) {
      process.stderr.write(' keras…');
      keras = kerasThroughput(config);
    }
    process.stderr.write('\n');
    rounds.push({ losslens: ours.samplesPerSecond, keras: keras?.samplesPerSecond ?? null, kerasPeakRssMB: keras?.peakRssMB ?? null });
  }
  const ours = median(rounds.map((r) => r.losslens));
  const keras = options.keras ? median(rounds.map((r) => r.keras)) : null;
  results.training.push({
    side: config.side,
    losslensSamplesPerSecond: ours,
    kerasSamplesPerSecond: keras,
    ratio: keras ? ours / keras : null,
    losslensEpochSecondsAt60k: 60000 / ours,
    kerasEpochSecondsAt60k: keras ? 60000 / keras : null,
    kerasPeakRssMB: options.keras ? Math.max(...rounds.map((r) => r.kerasPeakRssMB ?? 0)) : null,
    rounds,
  });
}
results.machine.loadAfter = load();
results.losslensPeakRssMB = process.resourceUsage().maxRSS / 1024;

const fmt = (value, digits = 0) => (value === null || value === undefined ? '—' : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));
const rows = [['input', 'losslens samples/s', 'Keras samples/s', 'losslens/Keras', 'epoch of 60k (losslens)', 'epoch of 60k (Keras)']];
for (const t of results.training) {
  rows.push([`${t.side}×${t.side}`, fmt(t.losslensSamplesPerSecond), fmt(t.kerasSamplesPerSecond), fmt(t.ratio, 2), `${fmt(t.losslensEpochSecondsAt60k, 1)} s`, t.kerasEpochSecondsAt60k ? `${fmt(t.kerasEpochSecondsAt60k, 1)} s` : '—']);
}
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
const lines = rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
console.log(`Training throughput, batch ${BATCH_SIZE}, ${options.batches} timed batches after ${options.warmup} warm-up, median of ${options.rounds} paired round(s)`);
console.log(`TensorFlow ${results.tensorflow}, ${results.machine.cpus} CPUs, load average ${results.machine.loadBefore.join(' ')} before, ${results.machine.loadAfter.join(' ')} after`);
console.log(lines.join('\n'));
if (results.data) console.log(`MNIST load + noise + edge pad of ${fmt(results.data.images)} images: ${fmt(results.data.seconds, 2)} s (${fmt(results.data.imagesPerSecond)} images/s)`);
const kerasRss = results.training.map((t) => t.kerasPeakRssMB).filter(Boolean);
console.log(`Peak memory (RSS): losslens process ${fmt(results.losslensPeakRssMB)} MB${kerasRss.length ? `, Keras process ${fmt(Math.max(...kerasRss))} MB` : ''}`);

mkdirSync(path.dirname(options.output), { recursive: true });
writeFileSync(options.output, `${JSON.stringify(results, null, 2)}\n`);
console.log(`results written to ${path.relative(process.cwd(), options.output)}`);
