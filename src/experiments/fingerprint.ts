/**
 * What this code computes, measured: a small deterministic matrix of runs that touches every
 * setting (both losses, each pad mode, a shift, each noise placement, each loss region, no
 * noise, two epochs with shuffling and a short last batch, a test set evaluated in several
 * batches, a resume from a serialised checkpoint) plus the ledger on saturated predictions
 * (the probability clip no short training reaches). Each run's exact numbers, hashed, make up the
 * results identity (identity.ts): renaming, moving or reformatting code leaves them bit for bit
 * as they were, and a change to any number a run produces changes its hash.
 *
 * What it cannot see: code paths no run of the matrix takes (a branch only for more than 100
 * training images, pad widths other than 2, 1,000 or more test images), and changes too small
 * to survive float32 rounding, which then change no result either.
 */
import { createHash } from 'node:crypto';
import { tf } from '../tf.js';
import { lossLedger, type LedgerPart, type LossLedger } from '../accounting/ledger.js';
import { LOSS_NAMES } from '../model/autoencoder.js';
import { decodeFloat32 } from '@losslens/protocol/float32';
import type { TrainingCheckpoint } from '../training/checkpoint.js';
import { configFromSettings, type ExperimentConfig } from '../settings/config.js';
import { SETTING_NAMES, SETTINGS, type FingerprintContext, type SettingRow, type Settings } from '../settings/table.js';
import { canonicalJson } from '../results/key.js';
import { computeExperiment, EVALUATION_BATCH, type Computation } from './pipeline.js';
import type { Fingerprint, FingerprintRunResult } from '../identity/identity.js';

/** Two epochs of three full batches and a short one; a test set big enough for the samples. */
const TINY: Partial<Settings> = { trainSamples: 100, testSamples: 24, batchSize: 32, epochs: 2, seed: 11, noiseFactor: 0.5 };
/** Where each setting's runs start: the tiny run, or the tiny run padded as the question pads. */
const CONTEXTS: Readonly<Record<FingerprintContext, Partial<Settings>>> = { tiny: TINY, padded: { ...TINY, padWidth: 2, padMode: 'edge' } };

export interface FingerprintRun {
  /** Stable across refactors: a run is compared by its name with the same run of another build. */
  name: string;
  config: ExperimentConfig;
  /** Interrupt after this many epochs, round-trip the checkpoint through JSON, and resume. */
  resumeAfter?: number;
}

/** Each setting's fingerprint values (table.ts), run as `${field}=${value}` on its context. */
function settingRuns(): FingerprintRun[] {
  return SETTING_NAMES.flatMap((name) => {
    const row = SETTINGS[name] as SettingRow<unknown>;
    if (!row.fingerprint) return [];
    const context = CONTEXTS[row.fingerprint.context];
    return row.fingerprint.values.map((value) => ({
      name: `${row.field}=${String(value)}`,
      config: configFromSettings({ ...context, [name]: value }),
    }));
  });
}

/**
 * The matrix: the tiny run, a run per setting value the table names, and the paths no single
 * setting takes. Adding a setting adds its runs and leaves every other run (and so every result
 * computed before) as it was.
 */
export const FINGERPRINT_RUNS: readonly FingerprintRun[] = [
  { name: 'tiny', config: configFromSettings(TINY) },
  ...settingRuns(),
  {
    name: 'lossRegion=original,loss=meanSquaredError',
    config: configFromSettings({ ...CONTEXTS.padded, lossRegion: 'original', loss: 'meanSquaredError' }),
  },
  {
    name: 'testSamples in two evaluation batches',
    config: configFromSettings({ ...TINY, epochs: 1, testSamples: EVALUATION_BATCH + 100 }),
  },
  { name: 'resumed after epoch 1', config: configFromSettings({ ...CONTEXTS.padded, seed: 12 }), resumeAfter: 1 },
];

async function computeRun(run: FingerprintRun): Promise<Computation> {
  const config = run.config;
  if (run.resumeAfter === undefined) return computeExperiment(config);
  const controller = new AbortController();
  let saved: TrainingCheckpoint | undefined;
  const first = await computeExperiment(config, {
    signal: controller.signal,
    onEpochEnd: (checkpoint) => {
      if (checkpoint.epoch < run.resumeAfter!) return;
      // Through JSON, as the cache stores it.
      saved = JSON.parse(JSON.stringify(checkpoint)) as TrainingCheckpoint;
      controller.abort();
    },
  });
  if (first.status !== 'interrupted' || !saved)
    throw new Error(`fingerprint run ${run.name}: expected an interruption after epoch ${run.resumeAfter}`);
  return computeExperiment(config, { resume: { checkpoint: saved, source: 'the fingerprint' } });
}

const PROBE = 'ledger on saturated predictions';

/** A ledger's quantities, named here so that reshaping the ledger type does not move the identity. */
function ledgerQuantities(ledger: LossLedger): Record<string, number | null> {
  const part = (prefix: string, value: LedgerPart | null): Record<string, number | null> => ({
    [`${prefix} per pixel`]: value?.perPixel ?? null,
    [`${prefix} per image`]: value?.perImage ?? null,
    [`${prefix} floor per image`]: value?.floor.perImage ?? null,
    [`${prefix} excess per image`]: value?.excess.perImage ?? null,
  });
  return { ...part('all', ledger), ...part('inner', ledger.regions.inner), ...part('border', ledger.regions.border), clip: ledger.clip };
}

type Quantities = Record<string, number | string | null | readonly number[] | Record<string, number | null>>;

/**
 * What a run produced, as named quantities: the identity hashes these, exactly, and nothing about
 * how result types are shaped (fields may be renamed, split or nested without moving it).
 */
function runQuantities(run: Computation): Quantities {
  const m = run.measurements;
  const quantities: Quantities = {
    status: run.status,
    'resumed after epoch': run.resumedFromEpoch,
    'loss per epoch': run.history.map((record) => record.loss),
  };
  if (!m) return quantities;
  const samples = m.samples;
  return {
    ...quantities,
    'test loss': m.testLoss,
    ledger: ledgerQuantities(m.ledger),
    'other loss ledger': ledgerQuantities(m.otherLedger),
    'loss map': m.lossMaps.loss,
    'floor map': m.lossMaps.floor,
    'excess map': m.lossMaps.excess,
    'sample indices': samples.indices,
    'sample labels': samples.labels,
    'sample inputs': Array.from(decodeFloat32(samples.inputs)),
    'sample targets': Array.from(decodeFloat32(samples.targets)),
    'sample reconstructions': Array.from(decodeFloat32(samples.reconstructions)),
    'sample losses': Array.from(decodeFloat32(samples.losses)),
  };
}

/** The ledger on saturated and exact predictions, for both losses: the clip and the 0·log 0 limits. */
function saturatedLedgers(): Quantities {
  const side = 6;
  const targets = Array.from({ length: side * side }, (_, i) => [0, 1, 0.5, 0.25, 0, 0][i % 6]);
  const predictions = Array.from({ length: side * side }, (_, i) => [0, 1, 1, 0, 1e-9, 0.3][(i * 5) % 6]);
  const quantities: Quantities = {};
  for (const loss of LOSS_NAMES) {
    const t = tf.tensor4d(targets, [1, side, side, 1]);
    const p = tf.tensor4d(predictions, [1, side, side, 1]);
    try {
      const { ledger, maps } = lossLedger(t, p, { loss, border: { top: 1, bottom: 1, left: 1, right: 1 } });
      Object.assign(quantities, {
        [`${loss} ledger`]: ledgerQuantities(ledger),
        [`${loss} loss map`]: Array.from(maps.loss),
        [`${loss} floor map`]: Array.from(maps.floor),
        [`${loss} excess map`]: Array.from(maps.excess),
      });
    } finally {
      tf.dispose([t, p]);
    }
  }
  return quantities;
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/** The summary compared across CPUs: every scalar quantity, and each array's sum. */
function summaryOf(quantities: Quantities): number[] {
  return Object.keys(quantities)
    .sort()
    .flatMap((name) => {
      const value = quantities[name];
      if (typeof value === 'number') return [value];
      if (Array.isArray(value)) return [sum(value as number[])];
      if (value && typeof value === 'object')
        return Object.keys(value)
          .sort()
          .map((part) => (value as Record<string, number | null>)[part])
          .filter((n): n is number => typeof n === 'number');
      return [];
    });
}

function fingerprintOf(quantities: Quantities): FingerprintRunResult {
  return { hash: createHash('sha256').update(canonicalJson(quantities)).digest('hex'), summary: summaryOf(quantities) };
}

/** Runs the matrix. Its numbers depend on TensorFlow's thread count: identity.ts runs it in a process with one thread. */
export async function computeFingerprint(onRun?: (name: string) => void): Promise<Fingerprint> {
  const started = performance.now();
  const runs: Record<string, FingerprintRunResult> = {};
  for (const run of FINGERPRINT_RUNS) {
    onRun?.(run.name);
    runs[run.name] = fingerprintOf(runQuantities(await computeRun(run)));
  }
  runs[PROBE] = fingerprintOf(saturatedLedgers());
  return { runs, seconds: (performance.now() - started) / 1000 };
}
