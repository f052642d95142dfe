/**
 * Checks a losslens payload before anything draws it. The kernel checks what it is about
 * to display; the extension checks what a notebook (possibly untrusted, possibly from an
 * older losslens) hands it. Errors name the offending field and what was expected.
 * Browser-safe: base64 is decoded with atob, present in browsers and Node 16+.
 */

import type {
  BorderWidths,
  Colormap,
  LossAnnotation,
  LossMeasure,
  LossPlotPayload,
  LossPoint,
  TensorPanel,
  TensorPayload,
} from './mime.js';

export class PayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PayloadError';
  }
}

type Json = Record<string, unknown>;

function fail(path: string, expected: string, got: unknown): never {
  const shown = typeof got === 'string' ? JSON.stringify(got.slice(0, 40)) : Array.isArray(got) ? 'an array' : String(got);
  throw new PayloadError(`${path} must be ${expected}, got ${shown}`);
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
  return value;
}

function count(value: unknown, path: string, min = 0): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    fail(path, `an integer ≥ ${min}`, value);
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (!allowed.includes(value as T)) fail(path, `one of ${allowed.join(', ')}`, value);
  return value as T;
}

function version(value: unknown, path: string): 1 {
  if (value !== 1) {
    fail(path, '1 (this losslens reads payload version 1; re-run the cell with a matching losslens)', value);
  }
  return 1;
}

export const COLORMAPS: readonly Colormap[] = ['grey', 'viridis', 'diverging'];
export const LOSS_MEASURES: readonly LossMeasure[] = ['perPixel', 'perImage'];

/** Little-endian Float32 values from base64, checked to hold exactly `expected` numbers. */
export function decodeFloat32(base64: string, expected: number, path: string): Float32Array {
  let binary: string;
  try {
    binary = atob(base64);
  } catch {
    throw new PayloadError(`${path} is not valid base64`);
  }
  if (binary.length !== expected * 4) {
    throw new PayloadError(
      `${path} holds ${binary.length} bytes but the shape needs ${expected} Float32 values (${expected * 4} bytes)`,
    );
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  const view = new DataView(bytes.buffer);
  const values = new Float32Array(expected);
  for (let i = 0; i < expected; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}

function border(value: unknown, path: string, height: number, width: number): BorderWidths {
  const o = object(value, path);
  const widths = {
    top: count(o.top, `${path}.top`),
    bottom: count(o.bottom, `${path}.bottom`),
    left: count(o.left, `${path}.left`),
    right: count(o.right, `${path}.right`),
  };
  if (widths.top + widths.bottom >= height || widths.left + widths.right >= width) {
    throw new PayloadError(`${path} leaves no inner region in a ${height}×${width} image`);
  }
  return widths;
}

function panel(value: unknown, path: string): TensorPanel {
  const o = object(value, path);
  const shape = array(o.shape, `${path}.shape`);
  if (shape.length !== 3) fail(`${path}.shape`, '[images, height, width]', JSON.stringify(shape));
  const [images, height, width] = [
    count(shape[0], `${path}.shape[0]`),
    count(shape[1], `${path}.shape[1]`, 1),
    count(shape[2], `${path}.shape[2]`, 1),
  ];
  const range = array(o.range, `${path}.range`);
  if (range.length !== 2) fail(`${path}.range`, '[low, high]', JSON.stringify(range));
  const [low, high] = [finite(range[0], `${path}.range[0]`), finite(range[1], `${path}.range[1]`)];
  if (!(high > low)) throw new PayloadError(`${path}.range must have high > low, got [${low}, ${high}]`);
  const result: TensorPanel = {
    title: string(o.title, `${path}.title`),
    shape: [images, height, width],
    values: string(o.values, `${path}.values`),
    range: [low, high],
    colormap: oneOf(o.colormap, COLORMAPS, `${path}.colormap`),
  };
  if (o.border !== undefined) result.border = border(o.border, `${path}.border`, height, width);
  if (o.loss !== undefined) result.loss = string(o.loss, `${path}.loss`);
  return result;
}

/**
 * A tensor payload whose panels agree on the number of images and whose captions match
 * it. Values are decoded separately (decodePanel), since that is the costly part.
 */
export function validateTensorPayload(value: unknown): TensorPayload {
  const o = object(value, 'tensor payload');
  const panels = array(o.panels, 'panels').map((p, i) => panel(p, `panels[${i}]`));
  if (panels.length === 0) throw new PayloadError('panels must hold at least one panel');
  const images = panels[0].shape[0];
  panels.forEach((p, i) => {
    if (p.shape[0] !== images) {
      throw new PayloadError(`panels[${i}] has ${p.shape[0]} images but panels[0] has ${images}; all panels show the same images`);
    }
  });
  const captions = array(o.captions, 'captions').map((c, i) => string(c, `captions[${i}]`));
  if (captions.length !== images) {
    throw new PayloadError(`captions has ${captions.length} entries but the panels hold ${images} images`);
  }
  const result: TensorPayload = { version: version(o.version, 'version'), captions, panels };
  if (o.truncatedFrom !== undefined) result.truncatedFrom = count(o.truncatedFrom, 'truncatedFrom', images);
  return result;
}

/** A panel's values (and per-pixel loss, when present) as Float32 arrays. */
export function decodePanel(p: TensorPanel, index: number): { values: Float32Array; loss?: Float32Array } {
  const n = p.shape[0] * p.shape[1] * p.shape[2];
  const values = decodeFloat32(p.values, n, `panels[${index}].values`);
  return p.loss === undefined ? { values } : { values, loss: decodeFloat32(p.loss, n, `panels[${index}].loss`) };
}

function lossPoint(value: unknown, path: string): LossPoint {
  const o = object(value, path);
  return {
    run: string(o.run, `${path}.run`),
    epoch: count(o.epoch, `${path}.epoch`),
    split: oneOf(o.split, ['train', 'test'] as const, `${path}.split`),
    perPixel: finite(o.perPixel, `${path}.perPixel`),
    pixels: count(o.pixels, `${path}.pixels`, 1),
    perImage: finite(o.perImage, `${path}.perImage`),
  };
}

function lossAnnotation(value: unknown, path: string): LossAnnotation {
  const o = object(value, path);
  return {
    run: string(o.run, `${path}.run`),
    perPixel: finite(o.perPixel, `${path}.perPixel`),
    pixels: count(o.pixels, `${path}.pixels`, 1),
    perImage: finite(o.perImage, `${path}.perImage`),
  };
}

/**
 * The fields a loss plot is built from (everything but `spec`). The extension rebuilds the
 * spec from these rather than trusting the one in the payload.
 */
export function validateLossPlotFields(value: unknown): Omit<LossPlotPayload, 'spec'> {
  const o = object(value, 'loss-plot payload');
  const points = array(o.points, 'points').map((p, i) => lossPoint(p, `points[${i}]`));
  if (points.length === 0) throw new PayloadError('points must hold at least one loss value');
  return {
    version: version(o.version, 'version'),
    title: string(o.title, 'title'),
    measure: oneOf(o.measure, LOSS_MEASURES, 'measure'),
    points,
    annotations: array(o.annotations, 'annotations').map((a, i) => lossAnnotation(a, `annotations[${i}]`)),
  };
}
