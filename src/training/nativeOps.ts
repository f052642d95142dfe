/**
 * The autoencoder's convolutions as TensorFlow kernels with a hand-written gradient.
 *
 * Profiling a training step of this model on tfjs-node showed much of the time outside
 * the convolutions themselves: tfjs backpropagates a ReLU as dy·step(y), and tfjs-node
 * builds step from six full-size ops (isNaN, greater, ones, fill, two selects); it adds
 * biases with a broadcasting Add and reduces bias gradients with a generic Sum. Here each
 * becomes the kernel Keras's TensorFlow graph uses: BiasAdd, ReluGrad, BiasAddGrad.
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
  binding: { TF_ATTR_TYPE: number; TF_ATTR_STRING: number; TF_FLOAT: number };
  executeSingleOutput(name: string, attrs: OpAttr[], inputs: tfn.Tensor[]): tfn.Tensor;
}

let cached: { backend: NativeBackend; attrs: Record<'float' | 'nhwc', OpAttr[]> } | undefined;

function native() {
  if (!cached) {
    const backend = tf.backend() as unknown as NativeBackend;
    const { binding } = backend;
    const float: OpAttr = { name: 'T', type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT };
    const nhwc: OpAttr = { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' };
    cached = {
      backend,
      attrs: {
        float: [float],
        nhwc: [float, nhwc],
      },
    };
  }
  return cached;
}

function run(name: string, attrs: keyof NonNullable<typeof cached>['attrs'], inputs: tfn.Tensor[]): tfn.Tensor {
  const { backend, attrs: table } = native();
  return backend.executeSingleOutput(name, table[attrs], inputs);
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
