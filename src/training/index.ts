export * from './checkpoint.js';
export * from './fit.js';
export * from './evaluate.js';
export * from './interrupt.js';
export { epochOrder } from './shuffle.js';
export { TrainingGraphError, graphCacheDirectory } from './session.js';
