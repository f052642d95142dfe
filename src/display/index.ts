export { markdownBundle, markdownTable, type MimeBundle } from './bundle.js';
export { setDisplaySink, type DisplaySink } from './channel.js';
export { lossPlotBundle, lossPlotText, vegaLiteToSvg } from './lossPlot.js';
export { ProgressDisplay, progressDisplay, progressText, formatDuration, type ProgressDisplayOptions } from './progress.js';
export { show, showImages, showLossPlot, showMarkdown } from './show.js';
export { tensorBundle, tensorPayload, tensorPng, tensorText, type ImageGrid, type ImagePanel } from './tensorImages.js';
export { ledgerTable, lossCurves, showLedger, showLossCurves, showLossMaps, showSamples, type LabelsOption } from './results.js';
export { runWithProgress } from './runs.js';
