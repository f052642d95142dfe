/**
 * Issue 14's study (notebooks/05-inner-region.ipynb): the question's padded model reconstructs
 * the original 28×28 pixels slightly worse than the unpadded one. Each hypothesis is one
 * configuration (a run family over seeds) that removes one difference between the two; its
 * inner-28×28 loss per image is compared with the 28×28 baseline's, paired by seed, and the
 * verdicts are read off the 95% intervals.
 */
import { QUESTION_PAD, type ExperimentConfigInput } from './config.js';
import type { ExperimentResult } from './result.js';
import { pairedDifferences, spread, type PairedDifferences, type Spread } from './seeds.js';

export type InnerFamilyId =
  'baseline' | 'question' | 'noiseOriginalOnly' | 'noiseBeforePadding' | 'lossOriginal' | 'constantPad' | 'gridAligned';

export interface InnerFamily {
  id: InnerFamilyId;
  /** What the configuration is, for tables and the figure. */
  name: string;
  /** The hypothesis it tests, or null for the two reference runs. */
  hypothesis: string | null;
  /** The fields it sets on top of the shared settings. */
  change: ExperimentConfigInput;
}

/** The baseline, the question's padded run, then one family per hypothesis. */
export const INNER_FAMILIES: readonly InnerFamily[] = [
  { id: 'baseline', name: '28×28 (baseline)', hypothesis: null, change: { pad: null } },
  { id: 'question', name: '32×32 edge+2 (the question)', hypothesis: null, change: { pad: { ...QUESTION_PAD } } },
  {
    id: 'noiseOriginalOnly',
    name: 'noise on the original 28×28 only',
    hypothesis: 'the noisy border (inputs noisy where targets are clean)',
    change: { pad: { ...QUESTION_PAD }, noisePlacement: 'originalOnly' },
  },
  {
    id: 'noiseBeforePadding',
    name: 'noise before padding',
    hypothesis: 'the noisy border (independent noise where the edge is copied)',
    change: { pad: { ...QUESTION_PAD }, noisePlacement: 'beforePadding' },
  },
  {
    id: 'lossOriginal',
    name: 'loss on the original 28×28 only',
    hypothesis: 'border loss competing for capacity',
    change: { pad: { ...QUESTION_PAD }, lossRegion: 'original' },
  },
  {
    id: 'constantPad',
    name: 'constant (zero) padding',
    hypothesis: 'edge instead of zero padding',
    change: { pad: { ...QUESTION_PAD, mode: 'constant' } },
  },
  {
    id: 'gridAligned',
    name: 'digit on the pooling grid (shift 2)',
    hypothesis: "the digit's place in the pooling grid",
    change: { pad: { ...QUESTION_PAD, shift: 2 } },
  },
];

/** Every family's config on top of the shared settings, in INNER_FAMILIES's order (give them seeds with runSeeds or withSeeds). */
export function innerRegionFamilies(shared: ExperimentConfigInput): ExperimentConfigInput[] {
  return INNER_FAMILIES.map((family) => ({ ...shared, ...family.change }));
}

export type InnerVerdict = 'reference' | 'removes' | 'narrows' | 'remains' | 'widens' | 'inconclusive' | 'noGap';

export interface InnerGap {
  family: InnerFamily;
  seeds: number;
  /** Inner 28×28 loss per image over seeds. */
  inner: Spread;
  /** This family minus the baseline, per image on the inner 28×28, paired by seed; null for the baseline itself. */
  difference: PairedDifferences | null;
  /** This family minus the question's padded run, paired by seed; null for the two references. */
  againstQuestion: PairedDifferences | null;
  verdict: InnerVerdict;
  /** Wall time of the family's runs as they were computed (a cached run counts the time it took then). */
  seconds: number;
}

/**
 * A hypothesis removes the gap when its difference to the baseline is not above zero and it is
 * below the question's; narrows it when below the question's but still above zero; leaves it
 * when still above zero and not below the question's (widens: above the question's).
 */
function verdictOf(difference: PairedDifferences, againstQuestion: PairedDifferences): InnerVerdict {
  if (!difference.interval || !againstQuestion.interval) return 'inconclusive';
  const aboveBaseline = difference.interval.low > 0;
  const belowQuestion = againstQuestion.interval.high < 0;
  if (againstQuestion.interval.low > 0) return 'widens';
  if (belowQuestion) return aboveBaseline ? 'narrows' : 'removes';
  return aboveBaseline ? 'remains' : 'inconclusive';
}

/** The gaps of the families from their results (`results[i]` holds family INNER_FAMILIES[i]'s runs, one per seed, in one seed order). */
export function innerRegionGaps(results: readonly (readonly ExperimentResult[])[]): InnerGap[] {
  if (results.length !== INNER_FAMILIES.length) {
    throw new RangeError(
      `innerRegionGaps: expected the results of ${INNER_FAMILIES.length} families (INNER_FAMILIES order), got ${results.length}`,
    );
  }
  const [baseline, question] = results;
  const gap = pairedDifferences(baseline, question, 'innerPerImage');
  const gapIsReal = gap.interval !== null && gap.interval.low > 0;
  return INNER_FAMILIES.map((family, i) => {
    const runs = results[i];
    const inner = spread(runs.map((r) => r.ledger?.regions.inner.perImage ?? NaN));
    const difference = i === 0 ? null : pairedDifferences(baseline, runs, 'innerPerImage');
    const againstQuestion = i < 2 ? null : pairedDifferences(question, runs, 'innerPerImage');
    return {
      family,
      seeds: runs.length,
      inner,
      difference,
      againstQuestion,
      verdict: difference && againstQuestion ? (gapIsReal ? verdictOf(difference, againstQuestion) : 'noGap') : 'reference',
      seconds: runs.reduce((sum, r) => sum + r.timings.totalSeconds, 0),
    };
  });
}

/** "+0.78", "−0.06": a difference with its sign, to two decimals. */
export const formatSigned = (value: number) => `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;

/** "+0.78 (95% interval +0.21 to +1.35)", or the mean alone with one seed. */
export function formatDifference(difference: PairedDifferences): string {
  const { interval } = difference;
  return interval
    ? `${formatSigned(difference.mean)} (${Math.round(interval.level * 100)}% interval ${formatSigned(interval.low)} to ${formatSigned(interval.high)})`
    : `${formatSigned(difference.mean)} (one seed: no interval)`;
}

const list = (gaps: readonly InnerGap[]) => gaps.map((g) => `${g.family.name} (${g.family.hypothesis})`).join('; ');

/** The conclusion, in Markdown, computed from the intervals. */
export function innerRegionConclusion(gaps: readonly InnerGap[]): string {
  const question = gaps.find((g) => g.family.id === 'question');
  if (!question?.difference)
    throw new RangeError('innerRegionConclusion: the gaps must include the question family (from innerRegionGaps)');
  const seeds = question.seeds;
  const gap = `inside the original 28×28, the question's padded model differs from the 28×28 baseline by ${formatDifference(question.difference)} per image over ${seeds} seed(s)`;
  if (!question.difference.interval) return `With one seed, ${gap}; run at least two seeds (five for the study) to test the hypotheses.`;
  if (question.difference.interval.low <= 0) {
    return (
      `At these settings there is no gap to explain: ${gap}, an interval that includes zero (or lies below it). ` +
      'The hypotheses below can only be judged where the padded model is measurably worse inside.'
    );
  }
  const hypotheses = gaps.filter((g) => g.verdict !== 'reference');
  const by = (verdict: InnerVerdict) => hypotheses.filter((g) => g.verdict === verdict);
  const sentences = [`The gap is real at these settings: ${gap}.`];
  const removes = by('removes');
  const narrows = by('narrows');
  if (removes.length > 0) sentences.push(`**Removes the gap** (not above the baseline and below the question's run): ${list(removes)}.`);
  if (narrows.length > 0) sentences.push(`**Narrows it** (below the question's run, still above the baseline): ${list(narrows)}.`);
  if (removes.length === 0 && narrows.length === 0)
    sentences.push("**None of these explains it**: no change brought the inner loss measurably below the question's run.");
  const remains = [...by('remains'), ...by('widens')];
  if (remains.length > 0) sentences.push(`**Ruled out** (the gap stays above zero and does not shrink): ${list(remains)}.`);
  const open = by('inconclusive');
  if (open.length > 0) {
    sentences.push(
      `**Undecided at ${seeds} seed(s)** (the interval includes zero but the run is not measurably below the question's): ${list(open)}.`,
    );
  }
  return sentences.join(' ');
}
