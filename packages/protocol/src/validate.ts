/**
 * Checks a losslens payload before anything draws it. The kernel checks what it is about
 * to display; the extension checks what a notebook (possibly untrusted, possibly from an
 * older losslens) hands it. The only error is a PayloadError naming the offending field
 * and what was expected, whatever the JSON: fields are read to a fixed depth (nothing is
 * walked recursively), only as own properties, and values are described without calling
 * into them. PAYLOAD_LIMITS bound what an accepted payload costs to draw.
 * Browser-safe: no Node imports (float32.ts decodes base64 with atob where Node's Buffer is absent).
 */

import { hasInnerRegion, type BorderWidths } from './border.js';
import { decodeFloat32, Float32DecodeError } from './float32.js';
import type { Colormap, LossAnnotation, LossMeasure, LossPlotPayload, LossPoint, TensorPanel, TensorPayload } from './mime.js';
import { PAYLOAD_LIMITS } from './mime.js';

/** A payload that cannot be drawn; `path` names the offending field ("panels[0].range"). */
export class PayloadError extends Error {
  readonly path: string;
  constructor(path: string, problem: string) {
    super(`${path} ${problem}`);
    this.name = 'PayloadError';
    this.path = path;
  }
}

type Json = Record<string, unknown>;

/**
 * A value as a message shows it, without calling anything on it: payloads are untrusted
 * JSON (an object may hold a `toString` key, an array may nest thousands deep), and
 * NaN and ±Infinity are named as they are.
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'number':
      return Number.isNaN(value) ? 'NaN' : String(value);
    case 'string':
      return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'object':
      if (value === null) return 'null';
      if (!Array.isArray(value)) return 'an object';
      return value.length <= 6 && value.every((item) => item === null || typeof item !== 'object')
        ? `[${value.map(describeValue).join(', ')}]`
        : `an array of ${value.length} items`;
    default:
      return `a ${typeof value}`;
  }
}

function fail(path: string, expected: string, got: unknown): never {
  throw new PayloadError(path, `must be ${expected}, got ${describeValue(got)}`);
}

const grouped = (n: number) => n.toLocaleString('en-US');

/** Over a limit: says how many there are, the most allowed and what to do instead. */
function overLimit(path: string, what: string, count: number, limit: number, fix: string): never {
  throw new PayloadError(path, `holds ${grouped(count)} ${what}; a losslens output holds at most ${grouped(limit)}: ${fix}`);
}

/** A field of the object itself, never one inherited (a literal `__proto__` key cannot supply one). */
function field(o: Json, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Json;
}

function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

/** A title, caption or run name: text of bounded length. */
function string(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string', value);
  if (value.length > PAYLOAD_LIMITS.textLength) {
    overLimit(path, 'characters', value.length, PAYLOAD_LIMITS.textLength, 'shorten the title, caption or run name');
  }
  return value;
}

function finite(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'a finite number', value);
  return value;
}

/** A loss: binary cross-entropy and squared error are never negative. */
function loss(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(path, 'a finite number ≥ 0 (a loss)', value);
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

/** decodeFloat32 with its errors as PayloadErrors naming the field. */
function decodeField(base64: string, expected: number, path: string): Float32Array {
  try {
    return decodeFloat32(base64, expected);
  } catch (error) {
    if (error instanceof Float32DecodeError) throw new PayloadError(path, error.problem);
    throw error;
  }
}

function border(value: unknown, path: string, height: number, width: number): BorderWidths {
  const o = object(value, path);
  const widths = {
    top: count(field(o, 'top'), `${path}.top`),
    bottom: count(field(o, 'bottom'), `${path}.bottom`),
    left: count(field(o, 'left'), `${path}.left`),
    right: count(field(o, 'right'), `${path}.right`),
  };
  if (!hasInnerRegion(widths, height, width)) {
    throw new PayloadError(path, `leaves no inner region in a ${height}×${width} image`);
  }
  return widths;
}

function panel(value: unknown, path: string): TensorPanel {
  const o = object(value, path);
  const shape = array(field(o, 'shape'), `${path}.shape`);
  if (shape.length !== 3) fail(`${path}.shape`, '[images, height, width]', shape);
  const [images, height, width] = [
    count(shape[0], `${path}.shape[0]`),
    count(shape[1], `${path}.shape[1]`, 1),
    count(shape[2], `${path}.shape[2]`, 1),
  ];
  const range = array(field(o, 'range'), `${path}.range`);
  if (range.length !== 2) fail(`${path}.range`, '[low, high]', range);
  const [low, high] = [finite(range[0], `${path}.range[0]`), finite(range[1], `${path}.range[1]`)];
  if (!(high > low)) throw new PayloadError(`${path}.range`, `must have high > low, got [${low}, ${high}]`);
  // Colours are (value − low) / (high − low); a span past the largest double would paint every pixel alike.
  if (!Number.isFinite(high - low)) {
    throw new PayloadError(`${path}.range`, `spans more than the largest number (high − low overflows), got [${low}, ${high}]`);
  }
  const result: TensorPanel = {
    title: string(field(o, 'title'), `${path}.title`),
    shape: [images, height, width],
    values: base64Field(field(o, 'values'), `${path}.values`),
    range: [low, high],
    colormap: oneOf(field(o, 'colormap'), COLORMAPS, `${path}.colormap`),
  };
  if (field(o, 'border') !== undefined) result.border = border(field(o, 'border'), `${path}.border`, height, width);
  if (field(o, 'loss') !== undefined) result.loss = base64Field(field(o, 'loss'), `${path}.loss`);
  return result;
}

/** Base64 text, whose length decodePanel checks against the shape. */
function base64Field(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'a string of base64', value);
  return value;
}

/**
 * Throws a PayloadError when panels of these shapes (each with per-pixel loss or not)
 * hold more Float32 numbers than an output may; the message says what to send instead.
 * The kernel calls it before building a payload, the validator before decoding one.
 */
export function checkTensorSize(panels: readonly { shape: readonly [number, number, number]; loss?: unknown }[]): void {
  let total = 0;
  for (const { shape, loss: perPixel } of panels) total += shape[0] * shape[1] * shape[2] * (perPixel === undefined ? 1 : 2);
  if (!(total <= PAYLOAD_LIMITS.tensorValues)) {
    overLimit(
      'panels',
      'Float32 values (images × height × width, values and loss, over every panel)',
      total,
      PAYLOAD_LIMITS.tensorValues,
      'show fewer images (maxImages), fewer panels or smaller images',
    );
  }
}

/**
 * A tensor payload whose panels agree on the number of images and whose captions match
 * it, within PAYLOAD_LIMITS. Values are decoded separately (decodePanel), since that is
 * the costly part; their lengths are checked there.
 */
export function validateTensorPayload(value: unknown): TensorPayload {
  const o = object(value, 'tensor payload');
  const checkedVersion = version(field(o, 'version'), 'version');
  const panelList = array(field(o, 'panels'), 'panels');
  if (panelList.length === 0) throw new PayloadError('panels', 'must hold at least one panel');
  if (panelList.length > PAYLOAD_LIMITS.tensorPanels) {
    overLimit('panels', 'panels', panelList.length, PAYLOAD_LIMITS.tensorPanels, 'split them over several outputs');
  }
  const panels = panelList.map((p, i) => panel(p, `panels[${i}]`));
  const images = panels[0].shape[0];
  panels.forEach((p, i) => {
    if (p.shape[0] !== images) {
      throw new PayloadError(
        `panels[${i}].shape[0]`,
        `is ${p.shape[0]} images but panels[0] has ${images}; all panels show the same images`,
      );
    }
  });
  if (images > PAYLOAD_LIMITS.tensorImages) {
    overLimit('panels[0].shape[0]', 'images', images, PAYLOAD_LIMITS.tensorImages, 'show fewer images (maxImages)');
  }
  checkTensorSize(panels);
  const captionList = array(field(o, 'captions'), 'captions');
  if (captionList.length !== images) {
    throw new PayloadError('captions', `has ${captionList.length} entries but the panels hold ${images} images`);
  }
  const captions = captionList.map((c, i) => string(c, `captions[${i}]`));
  const result: TensorPayload = { version: checkedVersion, captions, panels };
  if (field(o, 'truncatedFrom') !== undefined) result.truncatedFrom = count(field(o, 'truncatedFrom'), 'truncatedFrom', images);
  return result;
}

/** A panel's values (and per-pixel loss, when present) as Float32 arrays. */
export function decodePanel(p: TensorPanel, index: number): { values: Float32Array; loss?: Float32Array } {
  const n = p.shape[0] * p.shape[1] * p.shape[2];
  const values = decodeField(p.values, n, `panels[${index}].values`);
  return p.loss === undefined ? { values } : { values, loss: decodeField(p.loss, n, `panels[${index}].loss`) };
}

/** Relative slack allowed between perImage and perPixel × pixels (float rounding, not rounding for display). */
const PRODUCT_TOLERANCE = 1e-6;

/** The three numbers of a loss: a mean per pixel, a pixel count and their product, the total per image. */
function lossAmount(o: Json, path: string): { perPixel: number; pixels: number; perImage: number } {
  const perPixel = loss(field(o, 'perPixel'), `${path}.perPixel`);
  const pixels = count(field(o, 'pixels'), `${path}.pixels`, 1);
  const perImage = loss(field(o, 'perImage'), `${path}.perImage`);
  const product = perPixel * pixels;
  if (!Number.isFinite(product) || Math.abs(perImage - product) > PRODUCT_TOLERANCE * product) {
    throw new PayloadError(`${path}.perImage`, `must be perPixel × pixels = ${perPixel} × ${pixels} = ${product}, got ${perImage}`);
  }
  return { perPixel, pixels, perImage };
}

function lossPoint(value: unknown, path: string): LossPoint {
  const o = object(value, path);
  const run = string(field(o, 'run'), `${path}.run`);
  const epoch = count(field(o, 'epoch'), `${path}.epoch`);
  const split = oneOf(field(o, 'split'), ['train', 'test'] as const, `${path}.split`);
  return { run, epoch, split, ...lossAmount(o, path) };
}

function lossAnnotation(value: unknown, path: string): LossAnnotation {
  const o = object(value, path);
  return { run: string(field(o, 'run'), `${path}.run`), ...lossAmount(o, path) };
}

/** Counts the distinct runs as they come, failing at the first one past the limit. */
function runCounter(): (run: string, path: string) => void {
  const runs = new Set<string>();
  return (run, path) => {
    runs.add(run);
    if (runs.size > PAYLOAD_LIMITS.lossRuns) {
      throw new PayloadError(
        path,
        `names run number ${runs.size} (${describeValue(run)}); a losslens loss plot shows at most ${PAYLOAD_LIMITS.lossRuns} runs: plot them in groups`,
      );
    }
  };
}

/**
 * The fields a loss plot is built from (everything but `spec`), within PAYLOAD_LIMITS.
 * The extension rebuilds the spec from these rather than trusting the one in the payload.
 */
export function validateLossPlotFields(value: unknown): Omit<LossPlotPayload, 'spec'> {
  const o = object(value, 'loss-plot payload');
  const checkedVersion = version(field(o, 'version'), 'version');
  const title = string(field(o, 'title'), 'title');
  const measure = oneOf(field(o, 'measure'), LOSS_MEASURES, 'measure');
  const pointList = array(field(o, 'points'), 'points');
  if (pointList.length === 0) throw new PayloadError('points', 'must hold at least one loss value');
  if (pointList.length > PAYLOAD_LIMITS.lossPoints) {
    overLimit(
      'points',
      'loss values',
      pointList.length,
      PAYLOAD_LIMITS.lossPoints,
      'plot fewer runs or epochs, e.g. one plot per group of runs',
    );
  }
  const annotationList = array(field(o, 'annotations'), 'annotations');
  if (annotationList.length > PAYLOAD_LIMITS.lossAnnotations) {
    overLimit(
      'annotations',
      'annotations',
      annotationList.length,
      PAYLOAD_LIMITS.lossAnnotations,
      'annotate one run each, and plot fewer runs',
    );
  }
  const countRun = runCounter();
  const points = pointList.map((p, i) => {
    const point = lossPoint(p, `points[${i}]`);
    countRun(point.run, `points[${i}].run`);
    return point;
  });
  const annotations = annotationList.map((a, i) => {
    const annotation = lossAnnotation(a, `annotations[${i}]`);
    countRun(annotation.run, `annotations[${i}].run`);
    return annotation;
  });
  return { version: checkedVersion, title, measure, points, annotations };
}
