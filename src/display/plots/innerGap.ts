/**
 * The inner-region figure's Vega-Lite spec (notebook 05): for each configuration, how much
 * more (or less) loss per image its model leaves on the original 28×28 pixels than the 28×28
 * baseline, as the mean paired difference over seeds with its 95% interval and one tick per
 * seed, all on one axis so the hypotheses sit side by side against zero and the question's gap.
 * Inline data only, like dilution.ts.
 */
import { describeValue, PayloadError, VEGA_LITE_SCHEMA } from '@losslens/protocol';

/** One configuration's inner-28×28 difference to the baseline. */
export interface InnerGapPoint {
  /** The configuration's name, one row of the figure. */
  configuration: string;
  /** Mean over seeds of (this run − the baseline run of the same seed), loss per image on the inner 28×28. */
  mean: number;
  /** The 95% interval of that mean, or null with one seed. */
  low: number | null;
  high: number | null;
  /** The per-seed differences. */
  values: number[];
  /** e.g. "gap remains", the colour and the tooltip's last line. */
  verdict: string;
}

const WIDTH = 420;
const ROW_HEIGHT = 28;

function checkPoint(point: InnerGapPoint, index: number): void {
  if (typeof point.configuration !== 'string' || point.configuration === '') {
    throw new PayloadError(`points[${index}].configuration`, `must be a non-empty name, got ${describeValue(point.configuration)}`);
  }
  if (typeof point.mean !== 'number' || !Number.isFinite(point.mean)) {
    throw new PayloadError(`points[${index}].mean`, `must be a finite number, got ${describeValue(point.mean)}`);
  }
  const bounds = [point.low, point.high];
  if (!(bounds.every((b) => b === null) || bounds.every((b) => typeof b === 'number' && Number.isFinite(b)))) {
    throw new PayloadError(
      `points[${index}].low/high`,
      `must both be finite numbers or both null, got ${describeValue(point.low)} and ${describeValue(point.high)}`,
    );
  }
  if (point.low !== null && point.high !== null && !(point.low <= point.mean && point.mean <= point.high)) {
    throw new PayloadError(`points[${index}]`, `interval ${point.low} to ${point.high} must contain the mean ${point.mean}`);
  }
  if (
    !Array.isArray(point.values) ||
    point.values.length === 0 ||
    !point.values.every((v) => typeof v === 'number' && Number.isFinite(v))
  ) {
    throw new PayloadError(`points[${index}].values`, 'must be a non-empty list of finite numbers (one per seed)');
  }
}

export interface InnerGapOptions {
  title?: string;
  subtitle?: string;
  /** The question's own gap (its mean difference), drawn as a dotted rule: the line a hypothesis must move its row away from. */
  gap?: number;
  /**
   * Every verdict the figure can show, in a fixed order: each keeps its colour from one
   * notebook run to the next whichever verdicts occur (the legend lists only those that do).
   */
  verdicts?: readonly string[];
}

function checkOptions(options: InnerGapOptions, points: readonly InnerGapPoint[]): void {
  if (options.gap !== undefined && !(typeof options.gap === 'number' && Number.isFinite(options.gap))) {
    throw new PayloadError('gap', `must be a finite number, got ${describeValue(options.gap)}`);
  }
  if (options.verdicts !== undefined) {
    const { verdicts } = options;
    if (!Array.isArray(verdicts) || !verdicts.every((v) => typeof v === 'string')) {
      throw new PayloadError('verdicts', 'must be a list of verdict names');
    }
    const missing = points.find((p) => !verdicts.includes(p.verdict));
    if (missing) throw new PayloadError('verdicts', `must include every point's verdict; ${JSON.stringify(missing.verdict)} is missing`);
  }
}

/** The figure for `points`, top to bottom in the order given. */
export function innerGapSpec(points: readonly InnerGapPoint[], options: InnerGapOptions = {}): Record<string, unknown> {
  if (points.length === 0) throw new PayloadError('points', 'must hold at least one configuration');
  points.forEach(checkPoint);
  checkOptions(options, points);
  const names = points.map((p) => p.configuration);
  if (new Set(names).size !== names.length) throw new PayloadError('points', 'must name each configuration once');
  const x = { type: 'quantitative', title: 'inner 28×28 loss per image, minus the 28×28 baseline (same seed)' };
  const y = { field: 'configuration', type: 'nominal', sort: names, title: null, axis: { labelLimit: 360 } };
  const shown = [...new Set(points.map((p) => p.verdict))];
  const color = {
    field: 'verdict',
    type: 'nominal',
    title: 'verdict',
    ...(options.verdicts
      ? {
          scale: { domain: [...options.verdicts], scheme: 'tableau10' },
          legend: { labelLimit: 300, values: options.verdicts.filter((v) => shown.includes(v)) },
        }
      : { legend: { labelLimit: 300 } }),
  };
  const rows = points.map(({ configuration, mean, low, high, values, verdict }) => ({
    configuration,
    mean,
    low,
    high,
    seeds: values.length,
    verdict,
  }));
  const seeds = points.flatMap((p) => p.values.map((value) => ({ configuration: p.configuration, value })));
  const tooltip = [
    { field: 'configuration', type: 'nominal' },
    { field: 'mean', type: 'quantitative', title: 'mean difference', format: '+.3f' },
    { field: 'low', type: 'quantitative', title: '95% interval from', format: '+.3f' },
    { field: 'high', type: 'quantitative', title: '95% interval to', format: '+.3f' },
    { field: 'seeds', type: 'quantitative' },
    { field: 'verdict', type: 'nominal' },
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'Why is the padded model worse inside? Each change against the 28×28 baseline',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    width: WIDTH,
    height: { step: ROW_HEIGHT },
    layer: [
      {
        data: { values: [{ zero: 0 }] },
        mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
        encoding: { x: { field: 'zero', ...x } },
      },
      ...(options.gap === undefined
        ? []
        : [
            {
              data: { values: [{ gap: options.gap }] },
              mark: { type: 'rule', color: '#888', strokeDash: [1, 2] },
              encoding: { x: { field: 'gap', ...x } },
            },
          ]),
      {
        data: { values: rows.filter((r) => r.low !== null) },
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: { y, x: { field: 'low', ...x }, x2: { field: 'high' }, color, tooltip },
      },
      {
        data: { values: seeds },
        mark: { type: 'tick', color: '#999', thickness: 1, size: 10 },
        encoding: { y, x: { field: 'value', ...x } },
      },
      {
        data: { values: rows },
        mark: { type: 'point', filled: true, size: 70 },
        encoding: { y, x: { field: 'mean', ...x }, color, tooltip },
      },
    ],
  };
}
