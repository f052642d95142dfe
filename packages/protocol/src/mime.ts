/**
 * The mime types and payloads that the kernel side (src/display) writes and the
 * JupyterLab extension reads. Browser-safe: no Node or TensorFlow imports here.
 */

import type { BorderWidths } from './border.js';

export const TENSOR_MIME = 'application/vnd.losslens.tensor+json';
export const LOSSPLOT_MIME = 'application/vnd.losslens.lossplot+json';
/** Stock Vega-Lite 5 (JupyterLab 4, Notebook 7): loss plots also carry their spec under it. */
export const VEGALITE5_MIME = 'application/vnd.vegalite.v5+json';

export type Colormap = 'grey' | 'viridis' | 'diverging';

/** One column of the grid: a stack of single-channel images of one size. */
export interface TensorPanel {
  /** e.g. "noisy input", "target", "reconstruction", "loss map". */
  title: string;
  /** [images, height, width]. */
  shape: [number, number, number];
  /** Base64 of little-endian Float32 values, images × height × width, row-major. */
  values: string;
  /** Values mapped to the two ends of the colormap. */
  range: [number, number];
  colormap: Colormap;
  border?: BorderWidths;
  /** Base64 Float32 per-pixel loss, same layout as values; shown on hover when present. */
  loss?: string;
}

export interface TensorPayload {
  version: 1;
  /** One caption per image index (row of the grid). */
  captions: string[];
  panels: TensorPanel[];
  /** Set when the kernel sent fewer images than it was given. */
  truncatedFrom?: number;
}

export type LossMeasure = 'perPixel' | 'perImage';

/** One point of a loss curve: the mean per pixel and, with the pixel count, the total per image. */
export interface LossPoint {
  run: string;
  epoch: number;
  split: 'train' | 'test';
  perPixel: number;
  pixels: number;
  perImage: number;
}

/** A run's final numbers, drawn as the "0.099 · 784 ≈ 77.6" annotation. */
export interface LossAnnotation {
  run: string;
  perPixel: number;
  pixels: number;
  perImage: number;
}

export interface LossPlotPayload {
  version: 1;
  title: string;
  /** The measure `spec` shows; the extension can switch to the other one. */
  measure: LossMeasure;
  points: LossPoint[];
  annotations: LossAnnotation[];
  /** A complete Vega-Lite spec (built by lossplot.ts from the fields above). */
  spec: Record<string, unknown>;
}

/**
 * The most one losslens output may hold. Both sides enforce them: the kernel refuses to
 * build a larger payload (saying what to send instead) and the extension shows an error
 * box instead of drawing one, so no notebook, trusted or not, can freeze the tab. Chosen
 * so that the largest accepted payload renders well under a second; extension/README.md
 * lists them with the measured render times.
 */
export const PAYLOAD_LIMITS = {
  /** Columns of a tensor grid. */
  tensorPanels: 16,
  /** Rows (images) of a tensor grid; the extension pages them. */
  tensorImages: 10_000,
  /** Float32 numbers over every panel, values and per-pixel loss together. */
  tensorValues: 2_000_000,
  /** Points of a loss plot, over all its runs and splits. */
  lossPoints: 1_000,
  /** Distinct runs in a loss plot: each is a line, a legend entry and at most one annotation. */
  lossRuns: 16,
  /** "0.099 · 784 ≈ 77.6" labels, stacked in the plot's corner (16 fill its height). */
  lossAnnotations: 16,
  /** Characters of any title, caption or run name. */
  textLength: 500,
} as const;
