/**
 * How a reproduction compares: each run it trained, next to the published archive's run of the
 * same config and seed and to the question's own numbers (0.099 · 784 ≈ 77.6, 0.075 · 1024 ≈
 * 76.8), with the differences and whether each is beyond the spread of the archive's seeds.
 */
import type { ResultsArchive } from '../cache/archive.js';
import { DEFAULT_CONFIG, QUESTION_PAD, QUESTION_REPORTED, type ExperimentConfig } from '../settings/config.js';
import { canonicalJson } from '../results/key.js';
import { runLabels } from '../settings/labels.js';
import type { CompletedResult, ExperimentResult } from '../results/result.js';
import { spread } from '../statistics.js';
import type { Warn } from '../entries.js';

export interface LossPair {
  perPixel: number;
  perImage: number;
}

export interface ReproductionRow {
  label: string;
  config: ExperimentConfig;
  reproduced: LossPair;
  /** The archive's run of the same config and seed; `fits`: computed by code with this build's numbers. */
  archive: (LossPair & { fits: boolean }) | null;
  /** What the question reported, for its two configs at full fidelity. */
  question: LossPair | null;
  /** The archive's runs of this config over its seeds: the yardstick for the differences. */
  seedSpread: { seeds: number; perPixelStd: number; perImageStd: number } | null;
  /** reproduced − archive, reproduced − question. */
  differences: { archive: LossPair | null; question: LossPair | null };
  /** Whether each difference per image exceeds two standard deviations of the archive's seeds (null: no spread to judge by). */
  beyondSpread: { archive: boolean | null; question: boolean | null };
}

/** Spreads wider than this many standard deviations of the seeds are flagged. */
export const SPREAD_LIMIT = 2;

const pair = (result: CompletedResult): LossPair => ({ perPixel: result.ledger.perPixel, perImage: result.ledger.perImage });
const minus = (a: LossPair, b: LossPair): LossPair => ({ perPixel: a.perPixel - b.perPixel, perImage: a.perImage - b.perImage });

/** The question's reported numbers, for a config that is one of its two at full fidelity (any seed). */
export function questionNumbers(config: ExperimentConfig): LossPair | null {
  // The tutorial's defaults are the question's full fidelity (10 epochs on all of MNIST).
  const fullFidelity = { ...DEFAULT_CONFIG, seed: config.seed };
  const [plain, padded] = [canonicalJson({ ...fullFidelity, pad: null }), canonicalJson({ ...fullFidelity, pad: { ...QUESTION_PAD } })];
  const index = [plain, padded].indexOf(canonicalJson(config));
  if (index < 0) return null;
  const point = QUESTION_REPORTED[index];
  return { perPixel: point.perPixel, perImage: point.perPixel * point.pixels };
}

/** One row per completed result of `reproduced`; `archive` null compares with the question only. */
export function compareReproduction(
  reproduced: readonly ExperimentResult[],
  archive: ResultsArchive | null,
  running: Parameters<ResultsArchive['fits']>[0] | null,
  warn: Warn,
): ReproductionRow[] {
  const completed = reproduced.filter((result): result is CompletedResult => result.status === 'completed');
  const labels = runLabels(
    completed.map((result) => result.config),
    { always: ['seed'] },
  );
  const fits = archive !== null && running !== null && archive.fits(running).kind !== 'different';
  return completed.map((result, i) => {
    const entry = archive?.entryFor(result.config);
    const archived = entry ? archive!.read(entry, warn) : undefined;
    const seeds = archive?.runsOfConfig(result.config, warn) ?? [];
    const perImage = seeds.length >= 2 ? spread(seeds.map((run) => run.ledger.perImage)) : null;
    const perPixel = seeds.length >= 2 ? spread(seeds.map((run) => run.ledger.perPixel)) : null;
    const seedSpread = perImage && perPixel ? { seeds: seeds.length, perPixelStd: perPixel.std!, perImageStd: perImage.std! } : null;
    const question = questionNumbers(result.config);
    const differences = {
      archive: archived ? minus(pair(result), pair(archived)) : null,
      question: question ? minus(pair(result), question) : null,
    };
    const beyond = (difference: LossPair | null) =>
      difference && seedSpread ? Math.abs(difference.perImage) > SPREAD_LIMIT * seedSpread.perImageStd : null;
    return {
      label: labels[i],
      config: result.config,
      reproduced: pair(result),
      archive: archived ? { ...pair(archived), fits } : null,
      question,
      seedSpread,
      differences,
      beyondSpread: { archive: beyond(differences.archive), question: beyond(differences.question) },
    };
  });
}
