/**
 * Notebook 05's figure and table: the study's gaps (src/experiments/innerRegion.ts) drawn by
 * the spec in @losslens/protocol (innerGap.ts) and sent as an SVG rendered here plus text, like every
 * losslens figure.
 */
import { VERDICT_NAMES, type InnerGap } from '../studies/innerRegion.js';
import { innerGapSpec, type InnerGapOptions, type InnerGapPoint } from './plots/innerGap.js';
import { type MimeBundle } from './bundle.js';
import { currentSink } from './channel.js';
import { vegaLiteToSvg } from './lossPlot.js';
import { formatDifference, formatDuration, formatSigned, markdownTable } from '../format.js';

/** One point per family that has a difference (every family but the baseline). */
export function innerGapPoints(gaps: readonly InnerGap[]): InnerGapPoint[] {
  return gaps.flatMap((gap) =>
    gap.difference
      ? [
          {
            configuration: gap.family.name,
            mean: gap.difference.mean,
            low: gap.difference.interval?.low ?? null,
            high: gap.difference.interval?.high ?? null,
            values: gap.difference.values,
            verdict: VERDICT_NAMES[gap.verdict],
          },
        ]
      : [],
  );
}

/** "title" then one line per configuration, for text/plain. */
export function innerGapText(points: readonly InnerGapPoint[], title: string): string {
  return [
    title,
    ...points.map(
      (p) =>
        `  ${p.configuration}: ${formatSigned(p.mean)}` +
        (p.low !== null && p.high !== null ? ` [${formatSigned(p.low)}, ${formatSigned(p.high)}]` : '') +
        ` over ${p.values.length} seed(s), ${p.verdict}`,
    ),
  ].join('\n');
}

/** What a notebook may set; the rule at the question's gap and the verdicts' colours come from the gaps. */
export type InnerGapTitles = Pick<InnerGapOptions, 'title' | 'subtitle'>;

export async function innerGapBundle(gaps: readonly InnerGap[], options: InnerGapTitles = {}): Promise<MimeBundle> {
  const points = innerGapPoints(gaps);
  const question = gaps.find((g) => g.family.id === 'question')?.difference;
  // Every verdict in one fixed order, so that a verdict has the same colour in every run of the notebook.
  const spec = innerGapSpec(points, { ...options, verdicts: Object.values(VERDICT_NAMES), ...(question ? { gap: question.mean } : {}) });
  const title = (spec.title as { text: string }).text;
  return { data: { 'image/svg+xml': await vegaLiteToSvg(spec), 'text/plain': innerGapText(points, title) }, metadata: {} };
}

/** Draws every hypothesis's inner-region difference side by side in the running cell. */
export async function showInnerGaps(gaps: readonly InnerGap[], options: InnerGapTitles = {}): Promise<void> {
  const seeds = gaps[0]?.seeds ?? 0;
  const subtitle =
    options.subtitle ??
    `dot: mean over ${seeds} seed(s), bar: 95% interval, ticks: single seeds; dashed: no difference, dotted: the question's gap`;
  currentSink().send(await innerGapBundle(gaps, { ...options, subtitle }), { update: false });
}

/**
 * The study's table: configuration, seeds, inner 28×28 per image (mean ± sd), the differences
 * to 28×28 and to the question's run with their intervals (the verdict reads both), verdict, wall time.
 */
export function innerGapTable(gaps: readonly InnerGap[]): string {
  return markdownTable(
    [
      'configuration',
      'seeds',
      'inner 28×28 per image (mean ± sd)',
      'difference to 28×28 (95% interval)',
      "difference to the question's run (95% interval)",
      'verdict',
      'wall time of the runs',
    ],
    gaps.map((gap) => [
      gap.family.name,
      gap.seeds,
      gap.inner.std === null ? gap.inner.mean.toFixed(2) : `${gap.inner.mean.toFixed(2)} ± ${gap.inner.std.toFixed(2)}`,
      gap.difference ? formatDifference(gap.difference) : '—',
      gap.againstQuestion ? formatDifference(gap.againstQuestion) : '—',
      VERDICT_NAMES[gap.verdict],
      formatDuration(gap.seconds),
    ]),
  );
}
