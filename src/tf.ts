/**
 * The one place losslens loads TensorFlow. A missing or broken native binding then
 * surfaces as a single message that says what to run, not as a stack trace from
 * inside tfjs-node's loader, and every module shares the same backend instance.
 */

// libtensorflow logs CPU-feature banners to stderr at load; they drown notebook output.
process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
// oneDNN's graph rewrites (fused Conv2D+BiasAdd+Relu, pooling and convolution gradients) are
// off by default on CPUs without AVX-512 features; the training graph needs them to be fast.
// Read once, when libtensorflow first asks; set TF_ENABLE_ONEDNN_OPTS=0 to compare without.
process.env.TF_ENABLE_ONEDNN_OPTS ??= '1';

export type TensorFlow = typeof import('@tensorflow/tfjs-node');

export class TensorFlowUnavailableError extends Error {
  override name = 'TensorFlowUnavailableError';
}

const SETUP_HINT =
  'Run `bash scripts/setup.sh` from the losslens checkout (the README commands run it too): ' +
  'it installs the TensorFlow wheel into .venv and builds tfjs-node against its libtensorflow.';

function describeLoadFailure(error: unknown): string {
  const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
  if (/Cannot find module '@tensorflow\/tfjs-node'/.test(reason)) {
    return `@tensorflow/tfjs-node is not installed (${reason}).`;
  }
  if (/tfjs_binding\.node/.test(reason)) {
    return `tfjs-node's native binding has not been built (${reason}).`;
  }
  if (/libtensorflow/.test(reason)) {
    return `tfjs-node's binding cannot find libtensorflow (${reason}); the TensorFlow wheel in .venv may have moved or been removed.`;
  }
  return `@tensorflow/tfjs-node failed to load: ${reason}`;
}

function loadTensorFlow(): TensorFlow {
  let loaded: TensorFlow;
  try {
    loaded = require('@tensorflow/tfjs-node') as TensorFlow;
  } catch (error) {
    throw new TensorFlowUnavailableError(`${describeLoadFailure(error)}\n${SETUP_HINT}`);
  }
  if (loaded.getBackend() !== 'tensorflow') {
    throw new TensorFlowUnavailableError(
      `tfjs-node loaded but the active backend is '${loaded.getBackend()}', not the native 'tensorflow' one; ` +
        'losslens would be hundreds of times slower on it.',
    );
  }
  return loaded;
}

export const tf: TensorFlow = loadTensorFlow();

/** The libtensorflow version the native binding is running on (e.g. "2.21.0"). */
export function nativeTensorFlowVersion(): string {
  const backend = tf.backend() as unknown as { binding: { TF_Version: string } };
  return backend.binding.TF_Version;
}
