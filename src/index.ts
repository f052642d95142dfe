/**
 * losslens's public API: what the notebooks, the README and users' own what-ifs call. Mime
 * bundles and payloads for other frontends are `losslens/payloads`; everything else in src/ is
 * internal and may change without notice.
 */

/** TensorFlow as losslens loads it: tfjs-node on the native library of the TensorFlow wheel. */
export { tf } from './tf.js';

/** MNIST, and a run's training data in one call: seeded noise, numpy-exact padding. */
export { loadMnist } from './data/mnist.js';
export { prepareDataset } from './transforms/dataset.js';
export type { PadMode } from './transforms/pad.js';

/** The Keras tutorial's denoising conv autoencoder, trained as one TensorFlow graph per step. */
export { buildAutoencoder, type Autoencoder } from './model/autoencoder.js';
export { summary } from './model/summary.js';
export { fit } from './training/fit.js';
export { evaluate, predict } from './training/evaluate.js';
export { lossLedger, type LossLedger } from './accounting/ledger.js';

/** Settings: one table, the config built from it, the question's runs. */
export { SETTINGS, MNIST_TEST_IMAGES, MNIST_TRAIN_IMAGES } from './settings/table.js';
export {
  ConfigError,
  configFromSettings,
  describeConfig,
  normaliseConfig,
  questionConfigs,
  type ExperimentConfig,
  type ExperimentConfigInput,
  type WhatIfParams,
} from './settings/config.js';

/** Runs: cached (in your cache, or read from the published archive), over seeds, compared. */
export { runExperiment, type RunOptions } from './experiments/run.js';
export { runSeedsWithProgress, runWithProgress } from './display/runs.js';
export { RESULT_METRICS, pairedDifferences, withSeeds, type ConfigSeeds, type ResultMetric } from './experiments/seeds.js';
export { compare } from './experiments/compare.js';
export { spread } from './statistics.js';
export { resultsIdentity } from './identity/identity.js';
export type { CompletedResult, ExperimentResult } from './results/result.js';

/** Sweeps: every combination of a grid of settings, one cached run per point, here, in processes or on Ray. */
export { expandGrid, sweep, type SweepGrid, type SweepResult } from './experiments/sweep.js';
export { processExecutor, rayExecutor } from './experiments/sweepExecutors.js';
export { sweepWithProgress } from './display/sweepProgress.js';

/** The studies beyond the question: the dilution curve (notebook 04) and the inner region (notebook 05). */
export { dilutionPoints } from './studies/dilution.js';
export { describeFrameCount, imagesTouchingFrame, type FrameCount } from './studies/frame.js';
export { INNER_FAMILIES, innerRegionConclusion, innerRegionFamilies, innerRegionGaps } from './studies/innerRegion.js';

/** Displays in a notebook: images, loss curves, ledgers, loss maps, the studies' figures. */
export { showImages, showLossPlot, showMarkdown } from './display/show.js';
export { ledgerTable, lossCurves, showLedger, showLossCurves, showLossMaps, showSamples } from './display/results.js';
export { showDilutionCurve } from './display/dilution.js';
export { innerGapTable, showInnerGaps } from './display/innerGap.js';

/** Numbers and tables as text. */
export { formatDifference, formatDuration, formatSigned, markdownTable } from './format.js';
export { annotationText, formatPerPixel } from '@losslens/protocol';
