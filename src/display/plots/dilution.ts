/**
 * The dilution curve's Vega-Lite spec: mean loss per pixel and loss per image against
 * pad width, one line per pad mode, with the question's two reported runs marked. The
 * wider the easy border, the lower the mean per pixel, while the loss per image hardly
 * moves. Inline data only, so the page or renderer that draws it fetches nothing.
 */
import { describeValue, MEASURE_LABELS, PayloadError, VEGA_LITE_SCHEMA, type LossMeasure } from '@losslens/protocol';
import { QUESTION_REPORTED } from '../../settings/config.js';
import type { DilutionPoint } from '../../studies/dilution.js';

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
  const question = QUESTION_REPORTED.map((q) => ({ ...q, perImage: q.perPixel * q.pixels }));
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
