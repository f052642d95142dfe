/**
 * The inner-region study (notebooks/05-inner-region.ipynb): the question's padded model reconstructs
 * the original 28×28 pixels slightly worse than the unpadded one. Each of the five families
 * (four hypotheses; the noisy border is tested two ways) is one configuration, a run family
 * over seeds, that removes one difference between the two. Its inner-28×28 loss per image is
 * compared with the 28×28 baseline's and with the question's run, paired by seed, and its
 * verdict is read off those two 95% intervals (and again off Bonferroni-adjusted ones).
 */
import { QUESTION_PAD, type ExperimentConfigInput } from '../settings/config.js';
import { computeSeconds, type ExperimentResult } from '../results/result.js';
import { pairedDifferences, type PairedDifferences } from '../experiments/seeds.js';
import { CONFIDENCE_LEVEL, confidenceInterval, spread, type Interval, type Spread } from '../statistics.js';
import { formatDifference, formatLevel } from '../format.js';

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

/**
 * What a hypothesis's runs say about the gap, read off two paired intervals: the family
 * against the 28×28 baseline (D) and against the question's run (Q).
 * - removes: Q below zero and D includes zero (the gap is closed as far as the seeds can tell);
 * - overshoots: Q and D both below zero (below the baseline too);
 * - narrows: Q below zero, D still above zero;
 * - remains: D above zero and Q includes zero: the gap remains, so the change is not the whole
 *   cause (it may still account for part of the gap; Q's interval says how much at most);
 * - widens: Q above zero;
 * - inconclusive: both include zero;
 * - noGap: the question's own gap is not measurably above zero, so there is nothing to explain;
 * - oneSeed: no interval with one seed.
 */
export type InnerVerdict = 'reference' | 'removes' | 'overshoots' | 'narrows' | 'remains' | 'widens' | 'inconclusive' | 'noGap' | 'oneSeed';

/** Each verdict in a few words, for the table, the figure and the conclusion's last sentence. */
export const VERDICT_NAMES: Record<InnerVerdict, string> = {
  reference: 'reference',
  removes: 'closes the gap',
  overshoots: 'overshoots: below the baseline',
  narrows: 'narrows the gap',
  remains: 'gap remains',
  widens: 'widens the gap',
  inconclusive: 'undecided',
  noGap: 'gap not measurable',
  oneSeed: 'needs ≥ 2 seeds',
};

export interface InnerGap {
  family: InnerFamily;
  seeds: number;
  /** Inner 28×28 loss per image over seeds. */
  inner: Spread;
  /** This family minus the baseline, per image on the inner 28×28, paired by seed; null for the baseline itself. */
  difference: PairedDifferences | null;
  /** This family minus the question's padded run, paired by seed; null for the two references. */
  againstQuestion: PairedDifferences | null;
  /** From the two 95% intervals, each for its own comparison. */
  verdict: InnerVerdict;
  /** From Bonferroni-adjusted intervals (ADJUSTED_LEVEL): what survives reading every family's two intervals at once. */
  adjustedVerdict: InnerVerdict;
  /** Wall time of the family's runs as they were computed (a cached run counts the time it took then, a resumed one its earlier epochs too). */
  seconds: number;
}

const HYPOTHESIS_FAMILIES = INNER_FAMILIES.filter((f) => f.hypothesis !== null).length;
/** Every interval a verdict reads: two per family, against the baseline and against the question's run. */
const VERDICT_INTERVALS = 2 * HYPOTHESIS_FAMILIES;

/**
 * The confidence level of the adjusted intervals: the 95% level's 5% shared out (Bonferroni)
 * over the VERDICT_INTERVALS (99.5% for five families).
 */
export const ADJUSTED_LEVEL = 1 - (1 - CONFIDENCE_LEVEL) / VERDICT_INTERVALS;

function verdictOf(d: Interval | null, q: Interval | null): InnerVerdict {
  if (!d || !q) return 'oneSeed';
  if (q.low > 0) return 'widens';
  if (q.high < 0) return d.low > 0 ? 'narrows' : d.high < 0 ? 'overshoots' : 'removes';
  return d.low > 0 ? 'remains' : 'inconclusive';
}

/** Every family's runs completed, over the baseline's seeds, with a finite inner loss; else names the family and seed. */
function checkResults(results: readonly (readonly ExperimentResult[])[]): void {
  const seeds = results[0].map((r) => r.config.seed);
  results.forEach((runs, i) => {
    const name = `innerRegionGaps: ${INNER_FAMILIES[i].name}`;
    const mine = runs.map((r) => r.config.seed);
    if (mine.length === 0 || mine.join() !== seeds.join()) {
      throw new RangeError(
        `${name} has seeds ${mine.join(', ') || 'none'}, the baseline ${seeds.join(', ') || 'none'}: every family needs the same seeds`,
      );
    }
    for (const run of runs) {
      if (run.status !== 'completed') throw new RangeError(`${name}, seed ${run.config.seed}: the run is ${run.status}, not completed`);
      const inner = run.ledger?.regions.inner.perImage;
      if (inner === undefined || !Number.isFinite(inner)) {
        throw new RangeError(`${name}, seed ${run.config.seed}: no finite inner 28×28 loss in its ledger (got ${String(inner)})`);
      }
    }
  });
}

/** The gaps of the families from their results (`results[i]` holds family INNER_FAMILIES[i]'s runs, one per seed, in one seed order). */
export function innerRegionGaps(results: readonly (readonly ExperimentResult[])[]): InnerGap[] {
  if (results.length !== INNER_FAMILIES.length) {
    throw new RangeError(
      `innerRegionGaps: expected the results of ${INNER_FAMILIES.length} families (INNER_FAMILIES order), got ${results.length}`,
    );
  }
  checkResults(results);
  const [baseline, question] = results;
  const gap = pairedDifferences(baseline, question, 'innerPerImage');
  const overall: InnerVerdict | null = gap.interval === null ? 'oneSeed' : gap.interval.low > 0 ? null : 'noGap';
  return INNER_FAMILIES.map((family, i) => {
    const runs = results[i];
    const inner = spread(runs.map((r) => (r.status === 'completed' ? r.ledger.regions.inner.perImage : NaN)));
    const difference = i === 0 ? null : pairedDifferences(baseline, runs, 'innerPerImage');
    const againstQuestion = i < 2 ? null : pairedDifferences(question, runs, 'innerPerImage');
    const verdicts = (): [InnerVerdict, InnerVerdict] => {
      if (!difference || !againstQuestion) return ['reference', 'reference'];
      if (overall) return [overall, overall];
      return [
        verdictOf(difference.interval, againstQuestion.interval),
        verdictOf(confidenceInterval(difference, ADJUSTED_LEVEL), confidenceInterval(againstQuestion, ADJUSTED_LEVEL)),
      ];
    };
    const [verdict, adjustedVerdict] = verdicts();
    return {
      family,
      seeds: runs.length,
      inner,
      difference,
      againstQuestion,
      verdict,
      adjustedVerdict,
      seconds: runs.reduce((sum, r) => sum + computeSeconds(r), 0),
    };
  });
}

/** Why each verdict reads as it does, in the order the conclusion tells them (its name is VERDICT_NAMES's, as in the table and figure). */
const VERDICT_REASONS: readonly [InnerVerdict, string][] = [
  ['removes', "measurably below the question's run, and no longer measurably above the baseline"],
  ['overshoots', "measurably below the question's run and below the baseline as well"],
  ['narrows', "measurably below the question's run, but still above the baseline"],
  ['remains', "still measurably above the baseline, and not measurably below the question's run: ruled out as the whole explanation"],
  ['widens', "measurably above the question's run"],
  ['inconclusive', "neither measurably above the baseline nor measurably below the question's run"],
];

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * "- name, testing hypothesis: against the baseline +0.10 (95% interval …); against the question's run −0.70 (…)": both
 * intervals a verdict reads, and the adjusted verdict where it differs, so that no reader takes the first without the second.
 */
const list = (gaps: readonly InnerGap[]) =>
  gaps
    .map(
      (g) =>
        `- ${g.family.name}, testing ${g.family.hypothesis}: against the baseline ${formatDifference(g.difference!)}; ` +
        `against the question's run ${formatDifference(g.againstQuestion!)}.` +
        (g.adjustedVerdict === g.verdict
          ? ''
          : ` With Bonferroni-adjusted ${formatLevel(ADJUSTED_LEVEL)} intervals: ${VERDICT_NAMES[g.adjustedVerdict]}.`),
    )
    .join('\n');

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
      `At these settings the gap is not measurable: ${gap}, an interval that does not lie above zero. ` +
      'The hypotheses can only be judged where the padded model is measurably worse inside.'
    );
  }
  const hypotheses = gaps.filter((g) => g.verdict !== 'reference');
  const paragraphs = [`The gap is real at these settings: ${gap}.`];
  for (const [verdict, reason] of VERDICT_REASONS) {
    const these = hypotheses.filter((g) => g.verdict === verdict);
    if (these.length > 0) paragraphs.push(`**${capitalise(VERDICT_NAMES[verdict])}** (${reason}):\n\n${list(these)}`);
  }
  if (!hypotheses.some((g) => g.verdict === 'removes' || g.verdict === 'overshoots' || g.verdict === 'narrows'))
    paragraphs.push("**None was shown to explain it**: no change brought the inner loss measurably below the question's run.");
  const level = formatLevel(ADJUSTED_LEVEL);
  const changed = hypotheses.filter((g) => g.adjustedVerdict !== g.verdict);
  paragraphs.push(
    `Each interval is a ${formatLevel(CONFIDENCE_LEVEL)} interval for its own comparison; with ${HYPOTHESIS_FAMILIES} families ` +
      `tested at once (${VERDICT_INTERVALS} intervals), ` +
      (changed.length === 0
        ? `Bonferroni-adjusted ${level} intervals give the same verdicts.`
        : `Bonferroni-adjusted ${level} intervals would change ${changed
            .map((g) => `${g.family.name} from "${VERDICT_NAMES[g.verdict]}" to "${VERDICT_NAMES[g.adjustedVerdict]}"`)
            .join(', ')}.`),
  );
  return paragraphs.join('\n\n');
}
