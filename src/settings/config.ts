/**
 * What one experiment is: every setting of the table (table.ts) with the padding as one
 * `pad` value, normalised (defaults filled, each value checked, settings that change nothing
 * folded into their defaults) before anything else sees it, so two ways of writing the same
 * run are one config and share one cache entry.
 */
import type { BorderWidths } from '@losslens/protocol/border';
import type { PadMode } from '../transforms/pad.js';
import { MNIST_SIDE, SETTING_NAMES, SETTINGS, SettingError, type SettingName, type Settings } from './table.js';

/** The padding, or null for the original 28×28. */
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

type PadSetting = 'padWidth' | 'padMode' | 'padShift';

/** A normalised experiment: each setting of the table, the padding ones as `pad`. */
export type ExperimentConfig = Omit<Settings, PadSetting> & { pad: PadConfig | null };

/** A config as code writes it: any setting left out takes its default. */
export type ExperimentConfigInput = Partial<Omit<ExperimentConfig, 'pad'>> & { pad?: Partial<PadConfig> | null };

/**
 * A config that is not one losslens runs. `setting` names the table row at fault (null for the
 * config's shape), `problem` says what is wrong with it ("must be …, got …"); the message puts
 * the field as code writes it first ("pad.width must be …"), a command line puts its flag.
 */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly setting: SettingName | null,
    readonly problem: string,
    field = setting ? SETTINGS[setting].field : 'config',
  ) {
    super(`${field} ${problem}`);
  }
}

const NON_PAD_SETTINGS = SETTING_NAMES.filter((name): name is Exclude<SettingName, PadSetting> => !name.startsWith('pad'));
const CONFIG_FIELDS: readonly string[] = ['pad', ...NON_PAD_SETTINGS];

function checked<Name extends SettingName>(name: Name, value: unknown): Settings[Name] {
  try {
    return SETTINGS[name].check(value ?? SETTINGS[name].default) as Settings[Name];
  } catch (error) {
    if (error instanceof SettingError) throw new ConfigError(name, error.message);
    throw error;
  }
}

function normalisePad(value: unknown): PadConfig | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(null, `must be null or { width, mode, shift }, got ${JSON.stringify(value)}`, 'pad');
  }
  const { width, mode, shift, ...rest } = value as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw new ConfigError(null, `has unknown field(s) ${unknown.join(', ')}; it takes width, mode and shift`, 'pad');
  const checkedWidth = checked('padWidth', width);
  if (checkedWidth === 0) return null;
  const checkedMode = checked('padMode', mode);
  const checkedShift = checked('padShift', shift);
  if (Math.abs(checkedShift) > checkedWidth) {
    throw new ConfigError(
      'padShift',
      `must be an integer from ${-checkedWidth} to ${checkedWidth}, got ${checkedShift} (the original image must stay inside the padded frame)`,
    );
  }
  return { width: checkedWidth, mode: checkedMode, ...(checkedShift !== 0 ? { shift: checkedShift } : {}) };
}

/** Fills defaults and checks every setting; throws ConfigError naming the setting and the fix. */
export function normaliseConfig(input: ExperimentConfigInput = {}): ExperimentConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input))
    throw new ConfigError(null, `must be an object, got ${JSON.stringify(input)}`);
  const unknown = Object.keys(input).filter((key) => !CONFIG_FIELDS.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(null, `has unknown field(s) ${unknown.join(', ')}; the fields are ${CONFIG_FIELDS.join(', ')}`);
  }
  const pad = normalisePad(input.pad);
  const values = Object.fromEntries(NON_PAD_SETTINGS.map((name) => [name, checked(name, input[name])])) as Omit<Settings, PadSetting>;
  // Settings that change nothing fold to their defaults, so equal runs share one cache entry: without a
  // border (or without noise) every placement is the same, zeros around a noisy image are the zero
  // border left clean, and without a border every pixel is the original's.
  if (!pad || values.noiseFactor === 0) values.noisePlacement = SETTINGS.noisePlacement.default;
  else if (values.noisePlacement === 'beforePadding' && pad.mode === 'constant') values.noisePlacement = 'originalOnly';
  if (!pad) values.lossRegion = SETTINGS.lossRegion.default;
  return { pad, ...values };
}

/** The config of `settings` (table names, the padding as padWidth, padMode, padShift); any left out take their defaults. */
export function configFromSettings(settings: Partial<Settings>): ExperimentConfig {
  const { padWidth, padMode, padShift, ...rest } = settings;
  const pad = padWidth === undefined || padWidth === 0 ? null : { width: padWidth, mode: padMode, shift: padShift };
  return normaliseConfig({ ...rest, pad });
}

/** A normalised config as the table's settings. */
export function settingsOf(config: ExperimentConfig): Settings {
  const { pad, ...rest } = config;
  return {
    padMode: pad?.mode ?? SETTINGS.padMode.default,
    padWidth: pad?.width ?? 0,
    padShift: pad?.shift ?? 0,
    ...rest,
  };
}

/** The tutorial's run: every setting at its default (unpadded, noise 0.5, 10 epochs of batch 128 on all of MNIST, BCE). */
export const DEFAULT_CONFIG: Readonly<ExperimentConfig> = Object.freeze(normaliseConfig({}));

/** The question's second run: edge-padded by 2 to 32×32. */
export const QUESTION_PAD: Readonly<PadConfig> = Object.freeze({ width: 2, mode: 'edge' });

/** The question's two runs as its author reported them (10 epochs on all of MNIST): 0.099 · 784 ≈ 77.6 and 0.075 · 1024 ≈ 76.8. */
export const QUESTION_REPORTED: readonly { label: string; padWidth: number; pixels: number; perPixel: number }[] = [
  { label: 'question: 28×28, 0.099 · 784', padWidth: 0, pixels: 784, perPixel: 0.099 },
  { label: 'question: 32×32 edge, 0.075 · 1024', padWidth: 2, pixels: 1024, perPixel: 0.075 },
];

/** The padding added on each side, or null for an unpadded config. */
export function padBorder(pad: PadConfig | null): BorderWidths | null {
  if (!pad) return null;
  const shift = pad.shift ?? 0;
  return { top: pad.width + shift, bottom: pad.width - shift, left: pad.width + shift, right: pad.width - shift };
}

/** Side length of the model's input for this config. */
export function imageSide(config: ExperimentConfig): number {
  return MNIST_SIDE + 2 * (config.pad?.width ?? 0);
}

/** A short human name, e.g. "32×32 edge+2", "32×32 edge+2 shift 2 noise on original only" or "28×28"; defaults are not named. */
export function describeConfig(config: ExperimentConfig): string {
  const side = imageSide(config);
  if (!config.pad) return `${side}×${side}`;
  const parts = [`${side}×${side} ${SETTINGS.padMode.label(config.pad.mode)}${SETTINGS.padWidth.label(config.pad.width)}`];
  if (config.pad.shift) parts.push(SETTINGS.padShift.label(config.pad.shift));
  if (config.noisePlacement !== SETTINGS.noisePlacement.default) parts.push(SETTINGS.noisePlacement.label(config.noisePlacement));
  if (config.lossRegion !== SETTINGS.lossRegion.default) parts.push(SETTINGS.lossRegion.label(config.lossRegion));
  return parts.join(' ');
}

/** The question's two runs (unpadded; edge-padded by 2) with the same other settings. */
export function questionConfigs(overrides: Omit<ExperimentConfigInput, 'pad'> = {}): [ExperimentConfig, ExperimentConfig] {
  return [normaliseConfig({ ...overrides, pad: null }), normaliseConfig({ ...overrides, pad: { ...QUESTION_PAD } })];
}

/**
 * The parameters of the what-if notebook (notebooks/03-what-if.ipynb): any settings of the
 * table, run padded and unpadded, over `seeds`. Annotating its parameter cell with this type
 * (`const params: WhatIfParams = {…}`) keeps "constant" a PadMode instead of widening it to
 * string, and checks each value where it is typed.
 */
export type WhatIfParams = Partial<Settings> & { seeds: number[] };
