export { tf, nativeTensorFlowVersion, TensorFlowUnavailableError } from './tf.js';
