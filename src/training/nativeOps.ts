/**
 * The autoencoder's convolutions as TensorFlow kernels with a hand-written gradient.
 *
 * Profiling a training step of this model on tfjs-node showed much of the time outside
 * the convolutions themselves: tfjs backpropagates a ReLU as dy·step(y), and tfjs-node
 * builds step from six full-size ops (isNaN, greater, ones, fill, two selects); it adds
 * biases with a broadcasting Add and reduces bias gradients with a generic Sum. Here each
 * becomes the kernel Keras's TensorFlow graph uses: BiasAdd, ReluGrad, BiasAddGrad.
 *
 * Max pooling is the other hot spot: TensorFlow's generic CPU MaxPoolGrad kernel took
 * about 30 ms per batch of 128 at 28×28 here, several times the convolution before it.
 * Keras's graph is rewritten to oneDNN's pooling kernels, which take about 1 ms; eager
 * ops (all tfjs-node runs) are not rewritten for pooling, so they are called by name.
 * They exist only in oneDNN builds of TensorFlow (the x86-64 Linux wheel losslens builds
 * against); elsewhere the layer's own pooling is used.
 * Results equal the tfjs-layers path (see test/training/forward.test.ts).
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';

interface OpAttr {
  name: string;
  type: number;
  value: number | string | boolean | number[];
}

interface NativeBackend {
  binding: { TF_ATTR_TYPE: number; TF_ATTR_STRING: number; TF_ATTR_INT: number; TF_ATTR_BOOL: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tfn.Tensor[]): tfn.Tensor;
  executeMultipleOutputs(name: string, attrs: OpAttr[], inputs: tfn.Tensor[], outputs: number): tfn.Tensor[];
}

let cached: { backend: NativeBackend; float: OpAttr; nhwc: OpAttr } | undefined;

function native() {
  if (!cached) {
    const backend = tf.backend() as unknown as NativeBackend;
    const { binding } = backend;
    cached = {
      backend,
      float: { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT },
      nhwc: { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    };
  }
  return cached;
}

function run(name: string, attrs: 'float' | 'nhwc', inputs: tfn.Tensor[]): tfn.Tensor {
  const { backend, float, nhwc } = native();
  return backend.executeSingleOutput(name, attrs === 'float' ? [float] : [float, nhwc], inputs);
}

export type ConvActivation = 'relu' | 'linear';

const CONV = { strides: 1, pad: 'same', dataFormat: 'NHWC' };

type CustomGradientFunc = Parameters<typeof tf.customGrad>[0];

function convForward(x: tfn.Tensor4D, kernel: tfn.Tensor4D, bias: tfn.Tensor1D, activation: ConvActivation): tfn.Tensor4D {
  const z = run('BiasAdd', 'nhwc', [tf.conv2d(x, kernel, 1, 'same'), bias]) as tfn.Tensor4D;
  return activation === 'relu' ? tf.relu(z) : z;
}

function convGradients(dy: tfn.Tensor4D, y: tfn.Tensor4D, x: tfn.Tensor4D, kernel: tfn.Tensor4D, activation: ConvActivation) {
  const dz = (activation === 'relu' ? run('ReluGrad', 'float', [dy, y]) : dy) as tfn.Tensor4D;
  return {
    dz,
    kernel: tf.engine().runKernel('Conv2DBackpropFilter', { x, dy: dz }, { ...CONV, filterShape: [...kernel.shape] }) as tfn.Tensor4D,
    bias: run('BiasAddGrad', 'nhwc', [dz]) as tfn.Tensor1D,
  };
}

/**
 * A stride-1 'same' Conv2D with bias and optional ReLU. `needsInputGradient: false` (the
 * first layer, whose input is data) skips computing a gradient nobody reads.
 */
export function conv2dBiasActivation(
  x: tfn.Tensor4D,
  kernel: tfn.Tensor4D,
  bias: tfn.Tensor1D,
  activation: ConvActivation,
  needsInputGradient: boolean,
): tfn.Tensor4D {
  if (!needsInputGradient) {
    const op = tf.customGrad(((k: tfn.Tensor, b: tfn.Tensor, save: tfn.GradSaveFunc) => {
      const y = convForward(x, k as tfn.Tensor4D, b as tfn.Tensor1D, activation);
      save([y]);
      return {
        value: y,
        gradFunc: (dy: tfn.Tensor, [saved]: tfn.Tensor[]) => {
          const grads = convGradients(dy as tfn.Tensor4D, saved as tfn.Tensor4D, x, k as tfn.Tensor4D, activation);
          return [grads.kernel, grads.bias];
        },
      };
    }) as CustomGradientFunc);
    return op(kernel, bias) as tfn.Tensor4D;
  }
  const op = tf.customGrad(((input: tfn.Tensor, k: tfn.Tensor, b: tfn.Tensor, save: tfn.GradSaveFunc) => {
    const y = convForward(input as tfn.Tensor4D, k as tfn.Tensor4D, b as tfn.Tensor1D, activation);
    save([input, k, y]);
    return {
      value: y,
      gradFunc: (dy: tfn.Tensor, [savedInput, savedKernel, savedOutput]: tfn.Tensor[]) => {
        const grads = convGradients(dy as tfn.Tensor4D, savedOutput as tfn.Tensor4D, savedInput as tfn.Tensor4D, savedKernel as tfn.Tensor4D, activation);
        const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy: grads.dz, filter: savedKernel }, { ...CONV, inputShape: [...savedInput.shape] }) as tfn.Tensor4D;
        return [dx, grads.kernel, grads.bias];
      },
    };
  }) as CustomGradientFunc);
  return op(x, kernel, bias) as tfn.Tensor4D;
}

export interface PoolOptions {
  poolSize: [number, number];
  strides: [number, number];
  padding: 'same' | 'valid';
}

function poolAttrs({ poolSize, strides, padding }: PoolOptions): OpAttr[] {
  const { backend, float, nhwc } = native();
  const { binding } = backend;
  return [
    float,
    nhwc,
    { name: 'ksize', type: binding.TF_ATTR_INT, value: [1, ...poolSize, 1] },
    { name: 'strides', type: binding.TF_ATTR_INT, value: [1, ...strides, 1] },
    { name: 'padding', type: binding.TF_ATTR_STRING, value: padding.toUpperCase() },
    { name: 'workspace_enabled', type: binding.TF_ATTR_BOOL, value: true },
    // oneDNN registers these kernels under this label; without it the op has no CPU kernel.
    { name: '_kernel', type: binding.TF_ATTR_STRING, value: 'MklNameChangeOp' },
  ];
}

/** oneDNN's max pooling forward and backward (the workspace output carries the argmax from one to the other). */
export function oneDnnMaxPool(x: tfn.Tensor4D, options: PoolOptions): tfn.Tensor4D {
  const attrs = poolAttrs(options);
  const op = tf.customGrad(((input: tfn.Tensor, save: tfn.GradSaveFunc) => {
    const [output, workspace] = native().backend.executeMultipleOutputs('_MklNativeMaxPool', attrs, [input], 2);
    save([input, output, workspace]);
    return {
      value: output,
      gradFunc: (dy: tfn.Tensor, [savedInput, savedOutput, savedWorkspace]: tfn.Tensor[]) =>
        native().backend.executeSingleOutput('_MklNativeMaxPoolGrad', attrs, [savedInput, savedOutput, dy, savedWorkspace]),
    };
  }) as CustomGradientFunc);
  return op(x) as tfn.Tensor4D;
}

let oneDnnPooling: boolean | undefined;

/** Whether this libtensorflow has oneDNN's pooling kernels (checked once on a 2×2 image). */
export function hasOneDnnPooling(): boolean {
  if (oneDnnPooling === undefined) {
    try {
      tf.tidy(() => oneDnnMaxPool(tf.zeros([1, 2, 2, 1]), { poolSize: [2, 2], strides: [2, 2], padding: 'valid' }).dataSync());
      oneDnnPooling = true;
    } catch {
      oneDnnPooling = false;
    }
  }
  return oneDnnPooling;
}
