/**
 * `losslens/payloads`: losslens's outputs as mime bundles and payloads, for frontends and tools
 * other than its notebooks: the tensor-image and loss-plot payloads (their types are
 * @losslens/protocol's), the bundles with their static fallbacks, the progress display and its
 * machine-readable part, and where displays go.
 */
export { tensorBundle, tensorPayload, type ImageGrid, type ImagePanel } from './display/tensorImages.js';
export { lossPlotBundle } from './display/lossPlot.js';
export { dilutionBundle } from './display/dilution.js';
export { innerGapBundle } from './display/innerGap.js';
export { markdownBundle, type MimeBundle } from './display/bundle.js';
export { setDisplaySink, type DisplaySink } from './display/channel.js';
export { PROGRESS_MIME, progressDisplay, type ProgressDisplay, type ProgressPart, type RunState } from './display/progress.js';
export {
  LOSSPLOT_MIME,
  lossPlotPayload,
  PayloadError,
  TENSOR_MIME,
  VEGALITE5_MIME,
  type LossPlotPayload,
  type TensorPayload,
} from '@losslens/protocol';
