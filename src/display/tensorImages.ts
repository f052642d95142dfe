/**
 * Tensor images as a mime bundle: the losslens JSON payload (the extension draws it with
 * hover and colour controls) plus a PNG grid rendered here in Node (what published HTML
 * and plain Jupyter show) plus a text summary.
 */

import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import {
  TENSOR_MIME,
  type BorderWidths,
  type Colormap,
  type TensorPanel,
  type TensorPayload,
} from '../shared/mime.js';
import { checkTensorSize, decodePanel, validateTensorPayload } from '../shared/validate.js';
import type { MimeBundle } from './bundle.js';
import { GLYPH_HEIGHT, drawText, textWidth, type PixelTarget } from './bitmapFont.js';
import { colorOf, type Rgb } from '../shared/colormap.js';

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

function base64Float32(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
}

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

function borderWidths(border: number | BorderWidths): BorderWidths {
  return typeof border === 'number' ? { top: border, bottom: border, left: border, right: border } : border;
}

/** The losslens tensor payload for `grid`, validated as the extension will validate it. */
export function tensorPayload(grid: ImageGrid): TensorPayload {
  if (grid.panels.length === 0) throw new Error('tensorPayload: give at least one panel');
  const shapes = grid.panels.map((p, i) => imageShape(p.images, `panels[${i}] (${p.title}).images`));
  const total = shapes[0][0];
  shapes.forEach((shape, i) => {
    if (shape[0] !== total) {
      throw new Error(`panels[${i}] (${grid.panels[i].title}) holds ${shape[0]} images but panels[0] holds ${total}; every panel shows the same images`);
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
      values: base64Float32(values),
      range: panel.range ?? (colormap === 'grey' ? [0, 1] : dataRange(values)),
      colormap,
    };
    if (panel.border !== undefined) result.border = borderWidths(panel.border);
    if (panel.loss) {
      const lossShape = imageShape(panel.loss, `panels[${i}] (${panel.title}).loss`);
      if (lossShape.join() !== shapes[i].join()) {
        throw new Error(`panels[${i}] (${panel.title}).loss has shape [${lossShape}] but its images have [${shapes[i]}]`);
      }
      result.loss = base64Float32(firstImages(panel.loss, lossShape, count));
    }
    return result;
  });
  const captions = (grid.captions ?? Array.from({ length: total }, (_, i) => `#${i}`)).slice(0, count);
  const payload: TensorPayload = { version: 1, captions, panels };
  if (count < total) payload.truncatedFrom = total;
  return validateTensorPayload(payload);
}

/** An RGB raster on a white background, clipped at its edges. */
class Raster implements PixelTarget {
  readonly pixels: Uint8Array;
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.pixels = new Uint8Array(width * height * 3).fill(255);
  }
  set(x: number, y: number, rgb: Rgb): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) return;
    this.pixels.set(rgb, (y * this.width + x) * 3);
  }
}

const INK: Rgb = [34, 34, 34];
const INNER_OUTLINE: Rgb = [230, 57, 70];
const FONT_SCALE = 2;
const GAP = 8;
/** Images are scaled by a whole factor so the largest is about this many pixels. */
const TARGET_IMAGE_SIZE = 96;

/** "0–1", "0–0.693": short enough to sit under a panel title. */
function rangeLabel([low, high]: [number, number]): string {
  const short = (v: number) => String(Number(v.toPrecision(3)));
  return `${short(low)}–${short(high)}`;
}

/**
 * The payload drawn as a PNG grid: one column per panel (title and value range on top),
 * one row per image (caption on the left), padding borders outlined in red.
 */
export async function tensorPng(payload: TensorPayload): Promise<Uint8Array> {
  const largest = Math.max(...payload.panels.flatMap((p) => [p.shape[1], p.shape[2]]));
  const scale = Math.max(1, Math.floor(TARGET_IMAGE_SIZE / largest));
  const text = (s: string) => textWidth(s) * FONT_SCALE;
  const lineHeight = (GLYPH_HEIGHT + 2) * FONT_SCALE;
  const columnWidths = payload.panels.map((p) =>
    Math.max(p.shape[2] * scale, text(p.title), text(rangeLabel(p.range))),
  );
  const rowHeight = Math.max(...payload.panels.map((p) => p.shape[1] * scale), lineHeight);
  const captionWidth = Math.max(0, ...payload.captions.map(text));
  const headerHeight = 2 * lineHeight;
  const rows = payload.captions.length;
  const width = GAP + captionWidth + GAP + columnWidths.reduce((s, w) => s + w + GAP, 0);
  const height = GAP + headerHeight + rows * (rowHeight + GAP);
  const raster = new Raster(width, height);

  payload.captions.forEach((caption, row) => {
    const top = GAP + headerHeight + row * (rowHeight + GAP);
    drawText(raster, caption, GAP, top + (rowHeight - GLYPH_HEIGHT * FONT_SCALE) / 2, FONT_SCALE, INK);
  });
  let left = GAP + captionWidth + GAP;
  payload.panels.forEach((panel, index) => {
    const columnWidth = columnWidths[index];
    drawText(raster, panel.title, left, GAP, FONT_SCALE, INK);
    drawText(raster, rangeLabel(panel.range), left, GAP + lineHeight, FONT_SCALE, INK);
    const { values } = decodePanel(panel, index);
    const [, h, w] = panel.shape;
    const offsetX = left + Math.floor((columnWidth - w * scale) / 2);
    for (let row = 0; row < rows; row++) {
      const top = GAP + headerHeight + row * (rowHeight + GAP);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const rgb = colorOf(panel.colormap, values[(row * h + y) * w + x], panel.range);
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) raster.set(offsetX + x * scale + dx, top + y * scale + dy, rgb);
          }
        }
      }
      if (panel.border) outlineInner(raster, panel.border, offsetX, top, w, h, scale);
    }
    left += columnWidth + GAP;
  });
  const image = tf.tensor3d(raster.pixels, [height, width, 3], 'int32');
  try {
    return await tf.node.encodePng(image);
  } finally {
    image.dispose();
  }
}

/** A one-pixel rectangle just inside the padded border, around the original image. */
function outlineInner(raster: Raster, border: BorderWidths, left: number, top: number, w: number, h: number, scale: number): void {
  const x0 = left + border.left * scale;
  const y0 = top + border.top * scale;
  const x1 = left + (w - border.right) * scale - 1;
  const y1 = top + (h - border.bottom) * scale - 1;
  for (let x = x0; x <= x1; x++) {
    raster.set(x, y0, INNER_OUTLINE);
    raster.set(x, y1, INNER_OUTLINE);
  }
  for (let y = y0; y <= y1; y++) {
    raster.set(x0, y, INNER_OUTLINE);
    raster.set(x1, y, INNER_OUTLINE);
  }
}

/** "3 panels × 8 images: noisy input [28×28, grey 0–1], …" plus the captions. */
export function tensorText(payload: TensorPayload): string {
  const rows = payload.captions.length;
  const shown = payload.truncatedFrom ? `${rows} of ${payload.truncatedFrom}` : `${rows}`;
  const panels = payload.panels.map(
    (p) => `  ${p.title}: ${p.shape[1]}×${p.shape[2]}, ${p.colormap} ${rangeLabel(p.range)}${p.border ? ', inner region outlined' : ''}`,
  );
  return [`${payload.panels.length} panel(s) × ${shown} image(s)`, ...panels, `  rows: ${payload.captions.join(' | ')}`].join('\n');
}

export async function tensorBundle(payload: TensorPayload): Promise<MimeBundle> {
  const png = await tensorPng(payload);
  return {
    data: {
      [TENSOR_MIME]: payload,
      'image/png': Buffer.from(png).toString('base64'),
      'text/plain': tensorText(payload),
    },
    metadata: {},
  };
}
