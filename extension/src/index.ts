/**
 * The losslens MIME renderers. Both are safe (they draw untrusted notebooks without
 * running anything from them) and rank 45: rendermime prefers the lowest rank, and the
 * kernel's fallbacks are SVG (80) and PNG (90).
 */

import type { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { LOSSPLOT_MIME, TENSOR_MIME } from '@losslens/protocol';
import { RenderedLossPlot } from './lossPlotRenderer.js';
import { RenderedTensor } from './tensorRenderer.js';

const RANK = 45;

const tensorExtension: IRenderMime.IExtension = {
  id: 'losslens-extension:tensor',
  rendererFactory: { safe: true, mimeTypes: [TENSOR_MIME], createRenderer: (options) => new RenderedTensor(options) },
  rank: RANK,
  dataType: 'json',
};

const lossPlotExtension: IRenderMime.IExtension = {
  id: 'losslens-extension:lossplot',
  rendererFactory: { safe: true, mimeTypes: [LOSSPLOT_MIME], createRenderer: (options) => new RenderedLossPlot(options) },
  rank: RANK,
  dataType: 'json',
};

export default [tensorExtension, lossPlotExtension];
