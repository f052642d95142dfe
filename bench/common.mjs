// @ts-check
// What both benchmark scripts need: the checkout's root, the compiled library, and option parsing.
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from 'commander';

/** The environment as given, before the library sets TensorFlow's variables (TF_ENABLE_ONEDNN_OPTS) for its own process. */
export const givenEnv = { ...process.env };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** @type {unknown} */
const compiled = createRequire(import.meta.url)(path.join(ROOT, 'dist/index.js'));
/** The compiled library in dist/ (npm run bench builds it first), typed by its sources. */
export const losslens = /** @type {typeof import('../src/index.js')} */ (compiled);
/** @type {unknown} */
const layersModule = createRequire(import.meta.url)(path.join(ROOT, 'dist/model/layers.js'));
/** The model as a tfjs-layers model, for tfjs's own `model.fit`. */
export const { toLayersModel } = /** @type {typeof import('../src/model/layers.js')} */ (layersModule);
/** @type {unknown} */
const tfModule = createRequire(import.meta.url)(path.join(ROOT, 'dist/tf.js'));
/** The libtensorflow version the native binding runs on. */
export const { nativeTensorFlowVersion } = /** @type {typeof import('../src/tf.js')} */ (tfModule);

/**
 * What bench/losslens_bench.mjs prints as its one JSON line.
 * @typedef {{ side: number, trainer: string, samples: number, seconds: number, samplesPerSecond: number, loss: number | null, peakRssMB: number }} LosslensMeasurement
 */

/** @param {string} value */
export const positiveInteger = (value) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
  return n;
};
