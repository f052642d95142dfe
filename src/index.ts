export { tf, nativeTensorFlowVersion, TensorFlowUnavailableError } from './tf.js';
export * from './accounting/pixelLoss.js';
export * from './accounting/ledger.js';
export * from './model/autoencoder.js';
export * from './model/summary.js';
export * from './display/index.js';
