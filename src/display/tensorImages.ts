/**
 * Tensor images as a mime bundle: the losslens JSON payload (the extension draws it with
 * hover and colour controls), an SVG figure laid out here in Node with real text (what
 * published HTML and trusted notebooks show), that figure rasterised to PNG (what
 * untrusted notebooks show) and a text summary.
 */

import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import {
  borderWidths,
  type BorderWidths,
  checkTensorSize,
  type Colormap,
  encodeFloat32,
  TENSOR_MIME,
  type TensorPanel,
  type TensorPayload,
  validateTensorPayload,
} from '@losslens/protocol';
import type { MimeBundle } from './bundle.js';
import { svgToPng } from './rasterise.js';
import { rangeLabel, tensorSvg } from './tensorFigure.js';

/** One column of an image grid, given as tensors. */
export interface ImagePanel {
  title: string;
  /** [images, height, width] or [images, height, width, 1]. */
  images: tfn.Tensor;
  /** Values at the two ends of the colormap; default [0, 1] for grey, else the data's min/max. */
  range?: [number, number];
  colormap?: Colormap;
  /** Pixels of padding on each side (one number for all four); the inner region is outlined. */
  border?: number | BorderWidths;
  /** Per-pixel loss with the same shape as `images`, shown on hover by the extension. */
  loss?: tfn.Tensor;
}

export interface ImageGrid {
  panels: ImagePanel[];
  /** One per image (row); default "#0", "#1", … */
  captions?: string[];
  /** Rows sent at most (the payload records how many there were). Default 8. */
  maxImages?: number;
}

const DEFAULT_MAX_IMAGES = 8;

/** [n, h, w] from a rank-3 tensor or a rank-4 one with a single channel. */
function imageShape(tensor: tfn.Tensor, what: string): [number, number, number] {
  const shape = tensor.shape;
  if (shape.length === 3) return [shape[0], shape[1], shape[2]];
  if (shape.length === 4 && shape[3] === 1) return [shape[0], shape[1], shape[2]];
  throw new Error(
    `${what} has shape [${shape.join(', ')}]; expected [images, height, width] or [images, height, width, 1] ` +
      '(for a single image, add a leading axis with tensor.expandDims(0))',
  );
}

function firstImages(tensor: tfn.Tensor, shape: [number, number, number], count: number): Float32Array {
  return tf.tidy(() => tensor.reshape(shape).slice([0, 0, 0], [count, shape[1], shape[2]]).dataSync() as Float32Array);
}

function dataRange(values: Float32Array): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < low) low = v;
    if (v > high) high = v;
  }
  return low <= high ? [low, high] : [0, 1];
}

/** The losslens tensor payload for `grid`, validated as the extension will validate it. */
export function tensorPayload(grid: ImageGrid): TensorPayload {
  if (grid.panels.length === 0) throw new Error('tensorPayload: give at least one panel');
  const shapes = grid.panels.map((p, i) => imageShape(p.images, `panels[${i}] (${p.title}).images`));
  const total = shapes[0][0];
  shapes.forEach((shape, i) => {
    if (shape[0] !== total) {
      throw new Error(
        `panels[${i}] (${grid.panels[i].title}) holds ${shape[0]} images but panels[0] holds ${total}; every panel shows the same images`,
      );
    }
  });
  if (grid.captions && grid.captions.length !== total) {
    throw new Error(`captions has ${grid.captions.length} entries for ${total} images; give one caption per image`);
  }
  const count = Math.min(total, grid.maxImages ?? DEFAULT_MAX_IMAGES);
  // Before copying any values out of the tensors: a payload over the limits would only be refused later.
  checkTensorSize(grid.panels.map((panel, i) => ({ shape: [count, shapes[i][1], shapes[i][2]] as const, loss: panel.loss })));
  const panels = grid.panels.map((panel, i): TensorPanel => {
    const shape: [number, number, number] = [count, shapes[i][1], shapes[i][2]];
    const values = firstImages(panel.images, shapes[i], count);
    const colormap = panel.colormap ?? 'grey';
    const result: TensorPanel = {
      title: panel.title,
      shape,
      values: encodeFloat32(values),
      range: panel.range ?? (colormap === 'grey' ? [0, 1] : dataRange(values)),
      colormap,
    };
    if (panel.border !== undefined) result.border = borderWidths(panel.border);
    if (panel.loss) {
      const lossShape = imageShape(panel.loss, `panels[${i}] (${panel.title}).loss`);
      if (lossShape.join() !== shapes[i].join()) {
        throw new Error(`panels[${i}] (${panel.title}).loss has shape [${lossShape}] but its images have [${shapes[i]}]`);
      }
      result.loss = encodeFloat32(firstImages(panel.loss, lossShape, count));
    }
    return result;
  });
  const captions = (grid.captions ?? Array.from({ length: total }, (_, i) => `#${i}`)).slice(0, count);
  const payload: TensorPayload = { version: 1, captions, panels };
  if (count < total) payload.truncatedFrom = total;
  return validateTensorPayload(payload);
}

/** "3 panels × 8 images: noisy input [28×28, grey 0–1], …" plus the captions. */
function tensorText(payload: TensorPayload): string {
  const rows = payload.captions.length;
  const shown = payload.truncatedFrom ? `${rows} of ${payload.truncatedFrom}` : `${rows}`;
  const panels = payload.panels.map(
    (p) => `  ${p.title}: ${p.shape[1]}×${p.shape[2]}, ${p.colormap} ${rangeLabel(p.range)}${p.border ? ', inner region outlined' : ''}`,
  );
  return [`${payload.panels.length} panel(s) × ${shown} image(s)`, ...panels, `  rows: ${payload.captions.join(' | ')}`].join('\n');
}

/** The payload's figure as SVG, and that SVG rasterised as the PNG fallback. */
async function tensorFigure(payload: TensorPayload): Promise<{ svg: string; png: Uint8Array }> {
  const svg = await tensorSvg(payload, tensorText(payload));
  return { svg, png: await svgToPng(svg) };
}

export async function tensorBundle(payload: TensorPayload): Promise<MimeBundle> {
  const { svg, png } = await tensorFigure(payload);
  return {
    data: {
      [TENSOR_MIME]: payload,
      'image/svg+xml': svg,
      'image/png': Buffer.from(png).toString('base64'),
      'text/plain': tensorText(payload),
    },
    metadata: {},
  };
}
