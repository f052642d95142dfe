/**
 * @losslens/protocol: what the losslens kernel library writes and its JupyterLab extension
 * reads. Browser-safe and dependency-free, so both sides build against this one copy.
 */

/** Mime types, payload shapes and the limits every output keeps to. */
export * from './mime.js';
/** Border widths of padded images and the inner-region check. */
export { borderWidths, hasInnerRegion, type BorderWidths } from './border.js';
/** Float32 arrays ⇄ base64, the encoding of numbers in payloads, results and checkpoints. */
export { decodeFloat32, encodeFloat32, Float32DecodeError } from './float32.js';
/** Validation of payloads before anything draws them. */
export {
  checkTensorSize,
  COLORMAPS,
  decodePanel,
  describeValue,
  LOSS_MEASURES,
  PayloadError,
  validateLossPlotFields,
  validateTensorPayload,
} from './validate.js';
/** Colormap tables shared by the kernel's PNG/SVG figures and the extension's canvas. */
export { colorOf, colorTable, NON_FINITE_COLOR, tableIndex, TABLE_SIZE, type ColorTable, type Rgb } from './colormap.js';
/** The Vega-Lite loss-plot spec builder and its labels. */
export {
  annotationLabel,
  annotationText,
  formatPerPixel,
  lossPlotPayload,
  lossPlotSpec,
  MEASURE_LABELS,
  VEGA_LITE_SCHEMA,
} from './lossplot.js';
