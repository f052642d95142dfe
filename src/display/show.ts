/**
 * What notebooks call to display things. Each function takes the running cell's display
 * channel before doing any async rendering, so even an un-awaited call lands its output
 * in the cell that made it; `await` it anyway so errors surface in that cell.
 */

import type * as tfn from '@tensorflow/tfjs-node';
import { LOSSPLOT_MIME, TENSOR_MIME, type LossPlotPayload, type TensorPayload } from '@losslens/protocol';
import { markdownBundle, type MimeBundle } from './bundle.js';
import { currentSink } from './channel.js';
import { lossPlotBundle } from './lossPlot.js';
import { tensorBundle, tensorPayload, type ImageGrid } from './tensorImages.js';

async function sendWhenReady(bundle: Promise<MimeBundle>): Promise<void> {
  const sink = currentSink();
  sink.send(await bundle, { update: false });
}

/** A grid of images: one column per panel, one row per image. */
export function showImages(grid: ImageGrid): Promise<void> {
  return sendWhenReady(tensorBundle(tensorPayload(grid)));
}

/** A loss plot built with `lossPlotPayload` (@losslens/protocol). */
export function showLossPlot(payload: LossPlotPayload): Promise<void> {
  return sendWhenReady(lossPlotBundle(payload));
}

/** Markdown written by a cell, for prose that quotes numbers the notebook computed. */
export function showMarkdown(markdown: string): Promise<void> {
  return sendWhenReady(Promise.resolve(markdownBundle(markdown)));
}

function isLossPlotPayload(x: object): x is LossPlotPayload {
  return 'spec' in x && 'points' in x;
}

function isTensorPayload(x: object): x is TensorPayload {
  return 'panels' in x && 'captions' in x;
}

function isTensor(x: object): x is tfn.Tensor {
  return 'shape' in x && 'dtype' in x && typeof (x as { dataSync?: unknown }).dataSync === 'function';
}

/**
 * Displays a loss-plot payload, a tensor payload, a tensor of images ([n, h, w] or
 * [n, h, w, 1]) or Markdown text, each as its losslens bundle.
 */
export function show(x: LossPlotPayload | TensorPayload | tfn.Tensor | string): Promise<void> {
  if (typeof x === 'string') return showMarkdown(x);
  if (typeof x === 'object' && x !== null) {
    if (isLossPlotPayload(x)) return showLossPlot(x);
    if (isTensorPayload(x)) return sendWhenReady(tensorBundle(x));
    if (isTensor(x)) return showImages({ panels: [{ title: `tensor [${x.shape.join('×')}]`, images: x }] });
  }
  return Promise.reject(
    new TypeError(
      `show() takes a loss-plot payload (${LOSSPLOT_MIME}), a tensor payload (${TENSOR_MIME}), ` +
        `an image tensor or a Markdown string; got ${x === null ? 'null' : typeof x}`,
    ),
  );
}
