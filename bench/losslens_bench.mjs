#!/usr/bin/env node
// @ts-check
// losslens side of `npm run bench`: trains the tutorial's autoencoder on real MNIST for a fixed
// number of batches of 128 after a warm-up, in its own process (as keras_bench.py does for Keras)
// so that each side's peak memory is its own. Prints one JSON line for bench/run.mjs.
import { Command } from 'commander';
import { losslens, positiveInteger, toLayersModel } from './common.mjs';

const { tf } = losslens;

/** @typedef {import('@tensorflow/tfjs-node').Tensor4D} Tensor4D */

const options = /** @type {{ side: number, batches: number, warmup: number, batchSize: number, trainer: string, fullEpoch?: true }} */ (
  new Command()
    .requiredOption('--side <n>', '28 (as is) or 32 (edge-padded by 2)', positiveInteger)
    .option('--batches <n>', 'timed batches', positiveInteger, 60)
    .option('--warmup <n>', 'untimed batches first', positiveInteger, 5)
    .option('--batch-size <n>', 'samples per batch', positiveInteger, 128)
    .option('--trainer <name>', "losslens (fit) or stock (tfjs's model.fit)", 'losslens')
    .option('--full-epoch', 'time one epoch of all 60,000 training images instead')
    .parse()
    .opts()
);

const SEED = 1;
/** @type {import('../src/transforms/dataset.js').PrepareDatasetOptions['pad']} */
const pad = options.side === 28 ? undefined : { width: (options.side - 28) / 2, mode: 'edge' };
const batchSize = options.batchSize;

/**
 * @param {import('../src/model/autoencoder.js').Autoencoder} model
 * @param {Tensor4D} inputs
 * @param {Tensor4D} targets
 * @returns {Promise<number | undefined>} the epoch's loss (losslens's trainer only)
 */
async function train(model, inputs, targets) {
  if (options.trainer === 'stock') {
    await stock.fit(inputs, targets, { epochs: 1, batchSize, shuffle: true, verbose: 0 });
    return;
  }
  const result = await losslens.fit(model, inputs, targets, { epochs: 1, batchSize, seed: SEED });
  tf.dispose(result.weights);
  if (result.status !== 'completed') throw new Error(`losslens training did not complete: ${result.message}`);
  return result.history[0].loss;
}

const limit = options.fullEpoch ? undefined : (options.warmup + options.batches) * batchSize;
const data = losslens.prepareDataset({ split: 'train', limit, noiseFactor: 0.5, seed: SEED, pad });
const model = losslens.buildAutoencoder({ height: options.side, width: options.side, seed: SEED });
// tfjs's own model.fit trains the same model as a tfjs-layers model; it keeps its weights from call to call.
const stock = toLayersModel(model);
const warm = options.fullEpoch ? 0 : options.warmup * batchSize;
if (warm > 0) await train(model, data.inputs.slice(0, warm), data.targets.slice(0, warm));
const inputs = data.inputs.slice(warm);
const targets = data.targets.slice(warm);
const started = performance.now();
const loss = await train(model, inputs, targets);
const seconds = (performance.now() - started) / 1000;
console.log(
  JSON.stringify({
    side: options.side,
    trainer: options.trainer,
    samples: inputs.shape[0],
    seconds,
    samplesPerSecond: inputs.shape[0] / seconds,
    loss: loss ?? null,
    peakRssMB: process.resourceUsage().maxRSS / 1024,
  }),
);
tf.dispose([data.inputs, data.targets, inputs, targets]);
stock.dispose();
