/**
 * What this code computes, measured: a small deterministic matrix of runs that touches every
 * setting (both losses, each pad mode, a shift, each noise placement, each loss region, no
 * noise, two epochs with shuffling and a short last batch, a test set evaluated in several
 * batches, a resume from a serialised checkpoint) plus the ledger on saturated predictions
 * (the probability clip no short training reaches). Its exact numbers, hashed, are the results
 * identity (identity.ts): renaming, moving or reformatting code leaves them bit for bit as
 * they were, and a change to any number a run produces changes them.
 *
 * What it cannot see: code paths no run of the matrix takes (a branch only for more than 100
 * training images, pad widths other than 2, 1,000 or more test images), and changes too small
 * to survive float32 rounding, which then change no result either.
 */
import { createHash } from 'node:crypto';
import { tf } from '../tf.js';
import { lossLedger } from '../accounting/ledger.js';
import { LOSS_NAMES } from '../model/autoencoder.js';
import { decodeFloat32 } from '@losslens/protocol/float32';
import type { TrainingCheckpoint } from '../training/checkpoint.js';
import { normaliseConfig, type ExperimentConfigInput } from './config.js';
import { canonicalJson } from './key.js';
import { computeExperiment, EVALUATION_BATCH, type Computation } from './pipeline.js';

/** Two epochs of three full batches and a short one; a test set big enough for the samples. */
const TINY: ExperimentConfigInput = { trainSamples: 100, testSamples: 24, batchSize: 32, epochs: 2, seed: 11, noiseFactor: 0.5 };
const EDGE_2 = { width: 2, mode: 'edge' } as const;

export interface FingerprintRun {
  name: string;
  config: ExperimentConfigInput;
  /** Interrupt after this many epochs, round-trip the checkpoint through JSON, and resume. */
  resumeAfter?: number;
}

/** The matrix. Adding a setting adds the runs that exercise it here. */
export const FINGERPRINT_RUNS: readonly FingerprintRun[] = [
  { name: '28x28 bce', config: TINY },
  { name: '28x28 mse', config: { ...TINY, loss: 'meanSquaredError' } },
  { name: 'edge 2', config: { ...TINY, pad: EDGE_2 } },
  { name: 'constant 2', config: { ...TINY, pad: { width: 2, mode: 'constant' } } },
  { name: 'reflect 2', config: { ...TINY, pad: { width: 2, mode: 'reflect' } } },
  { name: 'symmetric 2', config: { ...TINY, pad: { width: 2, mode: 'symmetric' } } },
  { name: 'edge 2 shift 2', config: { ...TINY, pad: { ...EDGE_2, shift: 2 } } },
  { name: 'edge 2 shift -1', config: { ...TINY, pad: { ...EDGE_2, shift: -1 } } },
  { name: 'noise on original only', config: { ...TINY, pad: EDGE_2, noisePlacement: 'originalOnly' } },
  { name: 'noise before padding', config: { ...TINY, pad: EDGE_2, noisePlacement: 'beforePadding' } },
  { name: 'loss on original bce', config: { ...TINY, pad: EDGE_2, lossRegion: 'original' } },
  { name: 'loss on original mse', config: { ...TINY, pad: EDGE_2, lossRegion: 'original', loss: 'meanSquaredError' } },
  { name: 'no noise', config: { ...TINY, pad: EDGE_2, noiseFactor: 0 } },
  { name: 'batched evaluation', config: { ...TINY, epochs: 1, testSamples: EVALUATION_BATCH + 100 } },
  { name: 'resumed', config: { ...TINY, pad: EDGE_2, seed: 12 }, resumeAfter: 1 },
];

/** What one run of the matrix produced, without its timings. */
type RunNumbers = Omit<Computation, 'timings'>;

/** Where a fingerprint's numbers came from, for a person comparing two fingerprints. */
export interface Fingerprint {
  /** SHA-256 of every number the matrix produced, exactly. */
  hash: string;
  /** A scalar summary of those numbers (losses, ledgers, sums of maps and images), for comparing across CPUs. */
  summary: number[];
  seconds: number;
}

async function computeRun(run: FingerprintRun): Promise<RunNumbers> {
  const config = normaliseConfig(run.config);
  if (run.resumeAfter === undefined) return withoutTimings(await computeExperiment(config));
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
  return withoutTimings(await computeExperiment(config, { resume: { checkpoint: saved, source: 'the fingerprint' } }));
}

function withoutTimings(computation: Computation): RunNumbers {
  const { timings: _timings, ...numbers } = computation;
  return { ...numbers, history: numbers.history.map(({ seconds: _seconds, ...record }) => ({ ...record, seconds: 0 })) };
}

/** The ledger on saturated and exact predictions, for both losses: the clip and the 0·log 0 limits. */
function saturatedLedgers(): unknown[] {
  const side = 6;
  const targets = Array.from({ length: side * side }, (_, i) => [0, 1, 0.5, 0.25, 0, 0][i % 6]);
  const predictions = Array.from({ length: side * side }, (_, i) => [0, 1, 1, 0, 1e-9, 0.3][(i * 5) % 6]);
  return LOSS_NAMES.map((loss) => {
    const t = tf.tensor4d(targets, [1, side, side, 1]);
    const p = tf.tensor4d(predictions, [1, side, side, 1]);
    try {
      const { ledger, maps } = lossLedger(t, p, { loss, border: { top: 1, bottom: 1, left: 1, right: 1 } });
      return { ledger, maps: [Array.from(maps.loss), Array.from(maps.floor), Array.from(maps.excess)] };
    } finally {
      tf.dispose([t, p]);
    }
  });
}

const sum = (values: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
};

/** Every number-valued leaf of `value`, keys in sorted order. */
function leaves(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(leaves);
  if (typeof value === 'object' && value !== null)
    return Object.keys(value)
      .sort()
      .flatMap((key) => leaves((value as Record<string, unknown>)[key]));
  return [];
}

function summaryOf(run: RunNumbers): number[] {
  const m = run.measurements;
  if (!m) return [NaN];
  const samples = m.samples!;
  return [
    ...run.history.map((record) => record.loss),
    m.testLoss!,
    ...leaves(m.ledger),
    ...leaves(m.otherLedger),
    sum(m.lossMaps!.loss),
    sum(m.lossMaps!.excess),
    sum(decodeFloat32(samples.reconstructions)),
    sum(decodeFloat32(samples.losses)),
  ];
}

/** Runs the matrix. Its numbers depend on TensorFlow's thread count: identity.ts runs it in a process with one thread. */
export async function computeFingerprint(onRun?: (name: string) => void): Promise<Fingerprint> {
  const started = performance.now();
  const runs: RunNumbers[] = [];
  for (const run of FINGERPRINT_RUNS) {
    onRun?.(run.name);
    runs.push(await computeRun(run));
  }
  const probe = saturatedLedgers();
  const hash = createHash('sha256').update(canonicalJson({ runs, probe })).digest('hex');
  return { hash, summary: [...runs.flatMap(summaryOf), ...leaves(probe)], seconds: (performance.now() - started) / 1000 };
}
