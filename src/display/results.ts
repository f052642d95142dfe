/**
 * Displays of experiment results (src/experiments): loss curves, sample images, mean
 * loss maps and the ledger as a table. Every number shown is read from the results.
 */

import { tf } from '../tf.js';
import {
  type BorderWidths,
  decodeFloat32,
  formatPerPixel,
  type LossAnnotation,
  type LossMeasure,
  type LossPlotPayload,
  lossPlotPayload,
  type LossPoint,
} from '@losslens/protocol';
import { imageSide, padBorder } from '../settings/config.js';
import { runLabels } from '../settings/labels.js';
import { LOSS_SHORT_NAMES } from '../settings/table.js';
import { requireCompleted, type ExperimentResult } from '../results/result.js';
import { showImages, showLossPlot, showMarkdown } from './show.js';
import type { ImagePanel } from './tensorImages.js';
import { markdownTable } from '../format.js';

const completed = (result: ExperimentResult) => requireCompleted(result, 'display');

/** A caller's own names for the runs shown, one per result (see runLabels). */
export interface LabelsOption {
  labels?: readonly (string | undefined)[];
}

const labelsOf = (results: readonly ExperimentResult[], options: LabelsOption) =>
  runLabels(
    results.map((r) => r.config),
    options,
  );

/**
 * Training loss per epoch and the final test loss of each run, with each run's
 * "per pixel · pixels ≈ per image" annotation from its test-set ledger.
 */
export function lossCurves(
  results: readonly ExperimentResult[],
  options: { title?: string; measure?: LossMeasure } & LabelsOption = {},
): LossPlotPayload {
  if (results.length === 0) throw new Error('lossCurves: give at least one experiment result');
  const names = labelsOf(results, options);
  const losses = new Set(results.map((r) => r.config.loss));
  if (losses.size > 1) {
    throw new Error(
      `lossCurves: these runs were trained with different losses (${[...losses].join(', ')}), whose values share no scale, ` +
        'so one axis would mislead; showLossCurves(results) draws one plot per loss',
    );
  }
  const points: LossPoint[] = [];
  const annotations: LossAnnotation[] = [];
  results.forEach((result, i) => {
    const pixels = imageSide(result.config) ** 2;
    for (const record of result.history) {
      points.push({ run: names[i], epoch: record.epoch, split: 'train', perPixel: record.loss, pixels, perImage: record.loss * pixels });
    }
    if (result.status === 'completed') {
      const { perPixel, perImage } = result.ledger;
      points.push({ run: names[i], epoch: result.history.length, split: 'test', perPixel, pixels, perImage });
      annotations.push({ run: names[i], perPixel, pixels, perImage });
    }
  });
  return lossPlotPayload({
    title: options.title ?? 'Reconstruction loss by epoch (lines: training; last point: test set)',
    measure: options.measure ?? 'perPixel',
    points,
    annotations,
  });
}

/**
 * The loss curves of any runs: one plot per loss (a binary cross-entropy and a squared
 * error share no scale), every run named against all the runs given.
 */
export function showLossCurves(
  results: readonly ExperimentResult[],
  options: { title?: string; measure?: LossMeasure } & LabelsOption = {},
): Promise<void> {
  const names = labelsOf(results, options);
  const losses = [...new Set(results.map((r) => r.config.loss))];
  // Every plot is handed to the display before the first await, so all land in the calling cell.
  const shown = losses.map((loss) => {
    const mine = results.flatMap((result, i) => (result.config.loss === loss ? [{ result, name: names[i] }] : []));
    const title =
      losses.length > 1 ? `${options.title ?? 'Reconstruction loss by epoch'} (${LOSS_SHORT_NAMES[loss]}: ${loss})` : options.title;
    return showLossPlot(
      lossCurves(
        mine.map((m) => m.result),
        { ...options, title, labels: mine.map((m) => m.name) },
      ),
    );
  });
  return Promise.all(shown).then(() => undefined);
}

function borderOf(result: ExperimentResult): BorderWidths | undefined {
  return padBorder(result.config.pad) ?? undefined;
}

/** Noisy inputs, clean targets, reconstructions and per-pixel loss of a run's sample test images. */
export function showSamples(result: ExperimentResult, options: { maxImages?: number } = {}): Promise<void> {
  const { samples } = completed(result);
  const shape = [samples.count, samples.height, samples.width] as [number, number, number];
  const tensor = (base64: string) => tf.tensor3d(decodeFloat32(base64, samples.count * samples.height * samples.width), shape);
  const border = borderOf(result);
  const [inputs, targets, reconstructions, losses] = [samples.inputs, samples.targets, samples.reconstructions, samples.losses].map(tensor);
  const panels: ImagePanel[] = [
    { title: 'noisy input', images: inputs, border },
    { title: 'target', images: targets, border },
    { title: 'reconstruction', images: reconstructions, border, loss: losses },
    { title: 'loss per pixel', images: losses, colormap: 'viridis', border },
  ];
  return showImages({
    panels,
    captions: samples.labels.map((label, i) => `test #${samples.indices[i]}: digit ${label}`),
    maxImages: options.maxImages,
  }).finally(() => tf.dispose([inputs, targets, reconstructions, losses]));
}

/**
 * Each run's per-pixel loss averaged over the test set, split into the floor (the grey
 * targets' own entropy) and the excess (what training could still remove), on one
 * shared colour scale so the runs compare by eye.
 */
export function showLossMaps(results: readonly ExperimentResult[], options: LabelsOption = {}): Promise<void> {
  const runs = results.map(completed);
  const names = labelsOf(runs, options);
  const high = Math.max(...runs.flatMap((r) => r.lossMaps.loss));
  const panels: ImagePanel[] = runs.flatMap((run, i) => {
    const { height, width } = run.lossMaps;
    const map = (values: number[]) => tf.tensor3d(values, [1, height, width]);
    const border = borderOf(run);
    return [
      { title: `${names[i]} loss`, images: map(run.lossMaps.loss), colormap: 'viridis', range: [0, high], border },
      { title: 'floor', images: map(run.lossMaps.floor), colormap: 'viridis', range: [0, high], border },
      { title: 'excess', images: map(run.lossMaps.excess), colormap: 'viridis', range: [0, high], border },
    ] satisfies ImagePanel[];
  });
  return showImages({ panels, captions: ['mean over the test set'] }).finally(() => tf.dispose(panels.map((p) => p.images)));
}

const fixed = (digits: number) => (value: number) => value.toFixed(digits);

/** The test-set ledger of each run as a Markdown table: totals, regions, floor and excess. */
export function ledgerTable(results: readonly ExperimentResult[], options: LabelsOption = {}): string {
  const runs = results.map(completed);
  const names = labelsOf(runs, options);
  const perImage = fixed(2);
  const rows = runs.map((run, i) => {
    const { ledger } = run;
    const border = ledger.regions.border;
    return [
      names[i],
      ledger.pixels,
      formatPerPixel(ledger.perPixel),
      perImage(ledger.perImage),
      perImage(ledger.regions.inner.perImage),
      border ? perImage(border.perImage) : '—',
      border ? `${(100 * border.share).toFixed(1)}%` : '—',
      perImage(ledger.floor.perImage),
      perImage(ledger.excess.perImage),
      perImage(ledger.regions.inner.excess.perImage),
    ];
  });
  return markdownTable(
    ['run', 'pixels', 'loss per pixel', 'loss per image', 'inner 28×28', 'border ring', 'border share', 'floor', 'excess', 'inner excess'],
    rows,
  );
}

export function showLedger(results: readonly ExperimentResult[], options: LabelsOption = {}): Promise<void> {
  return showMarkdown(ledgerTable(results, options));
}
