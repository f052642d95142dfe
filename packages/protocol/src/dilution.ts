/**
 * The dilution curve's Vega-Lite spec: mean loss per pixel and loss per image against
 * pad width, one line per pad mode, with the question's two reported runs marked. The
 * wider the easy border, the lower the mean per pixel, while the loss per image hardly
 * moves. Browser-safe like lossplot.ts (inline data only), so the extension can draw it too.
 */
import { MEASURE_LABELS, VEGA_LITE_SCHEMA } from './lossplot.js';
import type { LossMeasure } from './mime.js';
import { PayloadError, describeValue } from './validate.js';

/** One pad width and mode: numbers averaged over `seeds` runs. */
export interface DilutionPoint {
  /** "edge", "constant", …; a pad width of 0 belongs to every mode's line. */
  mode: string;
  padWidth: number;
  pixels: number;
  perPixel: number;
  perImage: number;
  seeds: number;
}

/** The question's runs as its author reported them (10 epochs × 60,000 images). */
export const QUESTION_POINTS: readonly { label: string; padWidth: number; pixels: number; perPixel: number }[] = [
  { label: 'question: 28×28, 0.099 · 784', padWidth: 0, pixels: 784, perPixel: 0.099 },
  { label: 'question: 32×32 edge, 0.075 · 1024', padWidth: 2, pixels: 1024, perPixel: 0.075 },
];

const PANEL_WIDTH = 300;
const PANEL_HEIGHT = 240;

function checkPoint(point: DilutionPoint, index: number): void {
  for (const field of ['padWidth', 'pixels', 'perPixel', 'perImage', 'seeds'] as const) {
    if (typeof point[field] !== 'number' || !Number.isFinite(point[field])) {
      throw new PayloadError(`points[${index}].${field}`, `must be a finite number, got ${describeValue(point[field])}`);
    }
  }
  if (typeof point.mode !== 'string' || point.mode === '') throw new PayloadError(`points[${index}].mode`, 'must be a pad mode name');
}

function panel(measure: LossMeasure, points: readonly DilutionPoint[]): Record<string, unknown> {
  const x = { field: 'padWidth', type: 'quantitative', title: 'pad width (pixels on each side)', axis: { tickMinStep: 2, format: 'd' } };
  const y = { field: measure, type: 'quantitative', title: MEASURE_LABELS[measure].axis, scale: { zero: false } };
  const question = QUESTION_POINTS.map((q) => ({ ...q, perImage: q.perPixel * q.pixels }));
  return {
    width: PANEL_WIDTH,
    height: PANEL_HEIGHT,
    layer: [
      {
        data: {
          values: points.map(({ mode, padWidth, pixels, perPixel, perImage, seeds }) => ({
            mode,
            padWidth,
            pixels,
            perPixel,
            perImage,
            seeds,
          })),
        },
        mark: { type: 'line', point: { filled: true, size: 50 } },
        encoding: {
          x,
          y,
          color: { field: 'mode', type: 'nominal', title: 'pad mode' },
          tooltip: [
            { field: 'mode', type: 'nominal', title: 'pad mode' },
            { field: 'padWidth', type: 'quantitative', title: 'pad width' },
            { field: 'pixels', type: 'quantitative', title: 'pixels', format: 'd' },
            { field: 'perPixel', type: 'quantitative', title: 'loss per pixel', format: '.4f' },
            { field: 'perImage', type: 'quantitative', title: 'loss per image', format: '.2f' },
            { field: 'seeds', type: 'quantitative', title: 'seeds averaged' },
          ],
        },
      },
      {
        data: { values: question },
        mark: { type: 'point', shape: 'cross', size: 120, filled: true, color: '#888' },
        encoding: { x, y, tooltip: [{ field: 'label', type: 'nominal', title: 'reported' }] },
      },
      // Labelled on one panel only: per image the two runs sit at nearly the same height (77.6, 76.8) and labels would overlap.
      ...(measure === 'perPixel'
        ? [
            {
              data: { values: question },
              mark: { type: 'text', align: 'left', dx: 8, dy: -8, fontSize: 10, color: '#888' },
              encoding: { x, y, text: { field: 'label', type: 'nominal' } },
            },
          ]
        : []),
    ],
  };
}

/** The two-panel figure (per pixel, per image) for `points`. */
export function dilutionSpec(
  points: readonly DilutionPoint[],
  options: { title?: string; subtitle?: string } = {},
): Record<string, unknown> {
  if (points.length === 0) throw new PayloadError('points', 'must hold at least one pad width');
  points.forEach(checkPoint);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: options.title ?? 'The dilution curve: loss per pixel and loss per image against pad width',
      ...(options.subtitle ? { subtitle: options.subtitle } : {}),
    },
    hconcat: [panel('perPixel', points), panel('perImage', points)],
    resolve: { scale: { color: 'shared' } },
  };
}
