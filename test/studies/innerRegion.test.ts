/**
 * Notebook 05's study from made-up results: the families' configs, paired differences to the
 * baseline, the verdicts and conclusion read off the intervals, and the one figure (spec
 * validation, SVG fallback and text).
 */
import { describe, expect, it } from 'vitest';
import {
  ADJUSTED_LEVEL,
  INNER_FAMILIES,
  innerRegionConclusion,
  innerRegionFamilies,
  innerRegionGaps,
  VERDICT_NAMES,
  type InnerFamilyId,
} from '../../src/studies/innerRegion.js';
import { describeConfig, normaliseConfig } from '../../src/settings/config.js';
import type { ExperimentResult } from '../../src/results/result.js';
import { withSeeds } from '../../src/experiments/seeds.js';
import { innerGapBundle, innerGapPoints, innerGapTable } from '../../src/display/innerGap.js';
import { PayloadError } from '@losslens/protocol';
import { innerGapSpec } from '../../src/display/plots/innerGap.js';

const SEEDS = [1, 2, 3, 4, 5];
/** Per-seed jitter shared by every family of one seed, as a seed's noise and shuffles are. */
const JITTER = [0.3, -0.2, 0.1, -0.4, 0.2];
/** What sets a padded family's seeds apart from the baseline's; sums to zero, so the mean difference is the offset. */
const WOBBLE = [-1, 1, -1, 1, 0];

/** Completed results whose inner 28×28 loss per image is baseline 70 + `offset` + the seed's jitter + a small wobble. */
function family(offset: number, wobble = 0.05): ExperimentResult[] {
  return SEEDS.map(
    (seed, i) =>
      ({
        config: normaliseConfig({ seed }),
        status: 'completed',
        ledger: { regions: { inner: { perImage: 70 + offset + JITTER[i] + WOBBLE[i] * wobble } } },
        timings: { totalSeconds: 2, trainSeconds: 1 },
        history: [],
        resumedFromEpoch: 0,
      }) as unknown as ExperimentResult,
  );
}

function study(offsets: Partial<Record<InnerFamilyId, number>>): ExperimentResult[][] {
  return INNER_FAMILIES.map((f) => family(f.id === 'baseline' ? 0 : (offsets[f.id] ?? 0.8), f.id === 'baseline' ? 0 : 0.05));
}
const indexOf = (id: InnerFamilyId) => INNER_FAMILIES.findIndex((f) => f.id === id);

describe('the inner-region study', () => {
  it('lists every family for every seed, seed-major, with distinct configs', () => {
    const configs = withSeeds(innerRegionFamilies({ epochs: 1, trainSamples: 100, testSamples: 50 }), [1, 2]);
    expect(configs).toHaveLength(2 * INNER_FAMILIES.length);
    expect(configs.slice(0, INNER_FAMILIES.length).every((c) => c.seed === 1)).toBe(true);
    expect(new Set(configs.slice(0, INNER_FAMILIES.length).map(describeConfig)).size).toBe(INNER_FAMILIES.length);
    expect(INNER_FAMILIES[0].id).toBe('baseline');
    expect(INNER_FAMILIES[1].id).toBe('question');
  });

  it('reads verdicts off the paired intervals', () => {
    const gaps = innerRegionGaps(
      study({ question: 0.8, noiseOriginalOnly: 0, lossOriginal: 0.4, constantPad: 0.8, gridAligned: 1.6, noiseBeforePadding: -0.5 }),
    );
    const verdict = Object.fromEntries(gaps.map((g) => [g.family.id, g.verdict]));
    expect(verdict).toEqual({
      baseline: 'reference',
      question: 'reference',
      noiseOriginalOnly: 'removes',
      noiseBeforePadding: 'overshoots',
      lossOriginal: 'narrows',
      constantPad: 'remains',
      gridAligned: 'widens',
    });
    expect(gaps.map((g) => g.adjustedVerdict)).toEqual(gaps.map((g) => g.verdict));
    const question = gaps[1].difference!;
    expect(question.mean).toBeCloseTo(0.8, 10);
    expect(question.interval!.low).toBeGreaterThan(0);
    expect(gaps[0].difference).toBeNull();
    expect(gaps[0].seconds).toBe(10);
    const text = innerRegionConclusion(gaps);
    expect(text).toMatch(
      /The gap is real at these settings: .* by \+0\.80 \(95% interval \+0\.\d\d to \+0\.\d\d\) per image over 5 seed\(s\)/,
    );
    expect(text).toMatch(
      /\*\*Closes the gap\*\* \([^)]*\):\n\n- noise on the original 28×28 only, testing [^:]*: against the baseline \+0\.00 \(95% interval −0\.\d\d to \+0\.\d\d\); against the question's run −0\.80 /,
    );
    expect(text).toMatch(/\*\*Overshoots: below the baseline\*\* \([^)]*\):\n\n- noise before padding, testing /);
    expect(text).toMatch(/\*\*Narrows the gap\*\* \([^)]*\):\n\n- loss on the original 28×28 only, testing /);
    expect(text).toMatch(/\*\*Gap remains\*\* \([^)]*: ruled out as the whole explanation\):\n\n- constant \(zero\) padding, testing /);
    expect(text).toMatch(/\*\*Widens the gap\*\* \([^)]*\):\n\n- digit on the pooling grid/);
    expect(text).toMatch(/with 5 families tested at once \(10 intervals\), Bonferroni-adjusted 99\.5% intervals give the same verdicts\.$/);
    expect(text).not.toMatch(/None was shown/);
  });

  it('calls a family undecided when neither interval excludes zero', () => {
    // Against both the baseline and the question's run: +0.4 with a paired sd of 0.8 (half-width 0.99).
    const results = study({ question: 0.8 });
    results[indexOf('constantPad')] = family(0.4, 0.85);
    const gaps = innerRegionGaps(results);
    expect(gaps[indexOf('constantPad')].verdict).toBe('inconclusive');
    expect(innerRegionConclusion(gaps)).toMatch(
      /\*\*Undecided\*\* \([^)]*\):\n\n- constant \(zero\) padding, testing edge instead of zero padding: against the baseline \+0\.40/,
    );
  });

  it('says which verdicts the Bonferroni-adjusted intervals change', () => {
    expect(ADJUSTED_LEVEL).toBeCloseTo(0.995, 12);
    // Against the question's run: −0.3 with a paired sd of 0.2 over 5 seeds. The 95% half-width is
    // 2.776 · 0.2 / √5 = 0.25 (below the question's run), the 99.5% one 5.598 · 0.2 / √5 = 0.50 (not).
    const results = study({ question: 0.8 });
    results[indexOf('lossOriginal')] = family(0.5, 0.25);
    const gaps = innerRegionGaps(results);
    const loss = gaps[indexOf('lossOriginal')];
    expect([loss.verdict, loss.adjustedVerdict]).toEqual(['narrows', 'inconclusive']);
    const text = innerRegionConclusion(gaps);
    expect(text).toMatch(
      /with 5 families tested at once \(10 intervals\), Bonferroni-adjusted 99\.5% intervals would change loss on the original 28×28 only from "narrows the gap" to "undecided"\.$/,
    );
    // Next to the family too, and only there: the others keep their verdicts.
    expect(text).toMatch(/\n- loss on the original 28×28 only, [^\n]*\. With Bonferroni-adjusted 99\.5% intervals: undecided\.\n/);
    expect(text.match(/With Bonferroni-adjusted/g)).toHaveLength(1);
  });

  it('says when none was shown to explain the gap, when the gap is not measurable, and what one seed allows', () => {
    expect(innerRegionConclusion(innerRegionGaps(study({})))).toMatch(/\*\*None was shown to explain it\*\*/);
    const noGap = innerRegionGaps(study({ question: 0, noiseOriginalOnly: 0.8 }));
    expect(innerRegionConclusion(noGap)).toMatch(/^At these settings the gap is not measurable: /);
    expect(noGap.slice(2).every((g) => g.verdict === 'noGap')).toBe(true);
    const oneSeed = innerRegionGaps(study({}).map((runs) => runs.slice(0, 1)));
    expect(oneSeed.slice(2).every((g) => g.verdict === 'oneSeed')).toBe(true);
    expect(innerRegionConclusion(oneSeed)).toMatch(/^With one seed, .*run at least two seeds/);
    expect(innerGapTable(oneSeed)).toMatch(/needs ≥ 2 seeds/);
  });

  it('names the family and seed of a run it cannot compare', () => {
    const interrupted = study({});
    interrupted[indexOf('constantPad')][2] = {
      ...interrupted[indexOf('constantPad')][2],
      status: 'interrupted',
      message: 'stopped',
    };
    expect(() => innerRegionGaps(interrupted)).toThrow(
      /^innerRegionGaps: constant \(zero\) padding, seed 3: the run is interrupted, not completed$/,
    );
    const noLedger = study({});
    noLedger[indexOf('gridAligned')][0] = { ...noLedger[indexOf('gridAligned')][0], ledger: undefined } as unknown as ExperimentResult;
    expect(() => innerRegionGaps(noLedger)).toThrow(/^innerRegionGaps: digit on the pooling grid \(shift 2\), seed 1: no finite inner/);
    const fewer = study({});
    fewer[indexOf('question')] = fewer[indexOf('question')].slice(0, 4);
    expect(() => innerRegionGaps(fewer)).toThrow(/32×32 edge\+2 \(the question\) has seeds 1, 2, 3, 4, the baseline 1, 2, 3, 4, 5/);
  });

  it('draws one figure with every configuration but the baseline, and a table with every one', async () => {
    const gaps = innerRegionGaps(study({ question: 0.8, noiseOriginalOnly: 0 }));
    const points = innerGapPoints(gaps);
    expect(points.map((p) => p.configuration)).toEqual(INNER_FAMILIES.slice(1).map((f) => f.name));
    const bundle = await innerGapBundle(gaps);
    expect(String(bundle.data['image/svg+xml'])).toMatch(/^<svg/);
    expect(String(bundle.data['text/plain'])).toMatch(
      /32×32 edge\+2 \(the question\): \+0\.80 \[\+0\.\d\d, \+0\.\d\d\] over 5 seed\(s\), reference/,
    );
    const table = innerGapTable(gaps);
    expect(table.split('\n')).toHaveLength(2 + INNER_FAMILIES.length);
    expect(table).toMatch(/\| 28×28 \(baseline\) \| 5 \| 70\.00 ± 0\.29 \| — \| — \| reference \| 10s \|/);
    expect(table).toMatch(
      /\| noise on the original 28×28 only \| 5 \| [\d.]+ ± [\d.]+ \| [^|]+ \| −0\.80 \(95% interval −0\.80 to −0\.80\) \| closes the gap \|/,
    );
    // The question's gap as a dotted rule, and every verdict in one colour order whichever occur.
    const verdicts = Object.values(VERDICT_NAMES);
    const layers = JSON.stringify((innerGapSpec(points, { gap: 0.8, verdicts }) as { layer: object[] }).layer);
    expect(layers).toContain('{"values":[{"gap":0.8}]}');
    expect(layers).toContain(`"domain":${JSON.stringify(verdicts)}`);
    expect(layers).toContain(`"values":${JSON.stringify(verdicts.filter((v) => points.some((p) => p.verdict === v)))}`);
  });

  it('rejects bad figure data with the path of the bad field', () => {
    const good = { configuration: 'a', mean: 1, low: 0.5, high: 1.5, values: [1, 1], verdict: 'x' };
    expect(() => innerGapSpec([])).toThrow(PayloadError);
    expect(() => innerGapSpec([{ ...good, mean: Number.NaN }])).toThrow(/^points\[0\]\.mean must be a finite number, got NaN$/);
    expect(() => innerGapSpec([{ ...good, low: null }])).toThrow(/points\[0\]\.low\/high must both be finite numbers or both null/);
    expect(() => innerGapSpec([{ ...good, low: 1.2 }])).toThrow(/must contain the mean/);
    expect(() => innerGapSpec([good, good])).toThrow(/each configuration once/);
    expect(innerGapSpec([{ ...good, low: null, high: null, values: [1] }])).toHaveProperty('layer');
    expect(() => innerGapSpec([good], { gap: Number.NaN })).toThrow(/^gap must be a finite number, got NaN$/);
    expect(() => innerGapSpec([good], { verdicts: ['y'] })).toThrow(/^verdicts must include every point's verdict; "x" is missing$/);
  });
});
