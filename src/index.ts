export { tf, nativeTensorFlowVersion, TensorFlowUnavailableError } from './tf.js';
export * from './accounting/pixelLoss.js';
export * from './accounting/ledger.js';
