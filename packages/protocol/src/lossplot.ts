/**
 * The one Vega-Lite spec of a loss curve. The kernel renders it to SVG for publishing and
 * the extension renders it interactively (and rebuilds it for the other measure), so it
 * must stay browser-safe: no Node imports, inline data only (never a data URL).
 */

import type { LossAnnotation, LossMeasure, LossPlotPayload, LossPoint } from './mime.js';
import { validateLossPlotFields } from './validate.js';

export const VEGA_LITE_SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';

/** The plot's inner size in pixels; the annotations are placed against its right edge. */
const WIDTH = 480;
const HEIGHT = 280;
const ANNOTATION_LINE_HEIGHT = 16;

/** What each measure is called on the axis and in the subtitle. */
export const MEASURE_LABELS: Record<LossMeasure, { axis: string; subtitle: string }> = {
  perPixel: {
    axis: 'loss per pixel (mean)',
    subtitle: 'Mean loss per pixel, the number Keras reports: the loss per image divided by the pixel count.',
  },
  perImage: {
    axis: 'loss per image (total)',
    subtitle: 'Total loss per image: the mean per pixel × the pixel count.',
  },
};

/**
 * A per-pixel loss written with enough decimals to tell runs apart: 3 decimals as in
 * "0.099", or 2 significant digits when the loss is below 0.01.
 */
export function formatPerPixel(value: number): string {
  return Math.abs(value) >= 0.01 || value === 0 ? value.toFixed(3) : value.toPrecision(2);
}

/** "0.099 · 784 ≈ 77.6": the run's mean per pixel, its pixel count and the total per image. */
export function annotationText(annotation: LossAnnotation): string {
  return `${formatPerPixel(annotation.perPixel)} · ${annotation.pixels} ≈ ${annotation.perImage.toFixed(1)}`;
}

/** The annotation as drawn: prefixed with its run, since colour alone names nothing. */
export function annotationLabel(annotation: LossAnnotation): string {
  return `${annotation.run}: ${annotationText(annotation)}`;
}

/** Lines with a point per epoch; dash and point shape both tell train from test, in one legend. */
function curveLayer(measure: LossMeasure): Record<string, unknown> {
  const split = { field: 'split', type: 'nominal', title: 'split', scale: { domain: ['train', 'test'] } };
  return {
    mark: { type: 'line', point: { filled: true, size: 45 } },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { format: 'd', tickMinStep: 1 } },
      y: { field: measure, type: 'quantitative', title: MEASURE_LABELS[measure].axis, scale: { zero: false } },
      // Run labels differ only at their end ("… bce" / "… mse"); Vega-Lite's 160 px default would cut exactly that off.
      color: { field: 'run', type: 'nominal', title: 'run', legend: { labelLimit: 360 } },
      strokeDash: {
        ...split,
        scale: {
          ...split.scale,
          range: [
            [1, 0],
            [6, 3],
          ],
        },
      },
      // Mid grey reads on light and dark backgrounds; the legend's default is the theme's ink.
      shape: { ...split, legend: { symbolFillColor: '#888', symbolStrokeColor: '#888' } },
      tooltip: [
        { field: 'run', type: 'nominal', title: 'run' },
        { field: 'split', type: 'nominal', title: 'split' },
        { field: 'epoch', type: 'quantitative', title: 'epoch' },
        { field: 'perPixel', type: 'quantitative', title: 'loss per pixel', format: '.4f' },
        { field: 'pixels', type: 'quantitative', title: 'pixels', format: 'd' },
        { field: 'perImage', type: 'quantitative', title: 'loss per image', format: '.2f' },
      ],
    },
  };
}

/**
 * One text layer per annotation, stacked in the plot's top-right corner: the runs'
 * totals are nearly equal by design, so placing each label at its own y would overlap.
 */
function annotationLayer(annotation: LossAnnotation, index: number): Record<string, unknown> {
  return {
    data: { values: [{ ...annotation, label: annotationLabel(annotation) }] },
    mark: { type: 'text', align: 'right', baseline: 'top', fontSize: 12, fontWeight: 'bold' },
    encoding: {
      x: { value: WIDTH - 4 },
      y: { value: 4 + index * ANNOTATION_LINE_HEIGHT },
      text: { field: 'label', type: 'nominal' },
      color: { field: 'run', type: 'nominal' },
    },
  };
}

/** The complete Vega-Lite v6 spec of `payload` showing `measure`. */
export function lossPlotSpec(payload: Omit<LossPlotPayload, 'spec'>, measure: LossMeasure): Record<string, unknown> {
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: payload.title, subtitle: MEASURE_LABELS[measure].subtitle },
    width: WIDTH,
    height: HEIGHT,
    // Keep user-visible text as data so the renderer never has to interpret markup.
    usermeta: { losslens: { measure } },
    layer: [{ data: { values: payload.points.map(pointRow) }, ...curveLayer(measure) }, ...payload.annotations.map(annotationLayer)],
    resolve: { scale: { color: 'shared' } },
  };
}

/** Only the fields the spec reads, so extra payload fields never leak into the plot. */
function pointRow(point: LossPoint): LossPoint {
  const { run, epoch, split, perPixel, pixels, perImage } = point;
  return { run, epoch, split, perPixel, pixels, perImage };
}

/**
 * A loss-plot payload with its spec built for `input.measure`. Throws a PayloadError
 * naming the field when the input is not a valid loss plot (e.g. a NaN loss).
 */
export function lossPlotPayload(input: Omit<LossPlotPayload, 'spec' | 'version'>): LossPlotPayload {
  const fields = validateLossPlotFields({ ...input, version: 1 });
  return { ...fields, spec: lossPlotSpec(fields, fields.measure) };
}
