/**
 * The forward pass losslens trains and evaluates with: the model's layers in order,
 * convolutions and max poolings through the kernels of nativeOps.ts, ending at
 * the logits under the final sigmoid. Keras computes binary cross-entropy from these
 * logits whenever the output comes from a sigmoid (stable, and its gradient never
 * vanishes in saturated pixels), so losslens does too.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { conv2dBiasActivation, hasOneDnnPooling, oneDnnMaxPool, type ConvActivation, type PoolOptions } from './nativeOps.js';

/** The parts of tfjs-layers' Conv2D that decide whether the native ops apply. */
interface ConvLayer {
  name: string;
  kernel: { read(): tfn.Tensor4D };
  bias?: { read(): tfn.Tensor1D };
  strides: number[];
  padding: string;
  dilationRate: number[];
  dataFormat: string;
  activation: { getClassName(): string };
}

const ACTIVATIONS: Record<string, ConvActivation> = { relu: 'relu', linear: 'linear' };

function convActivation(layer: ConvLayer, isLast: boolean): ConvActivation {
  const name = layer.activation.getClassName();
  if (isLast) {
    if (name !== 'sigmoid') {
      throw new TypeError(`the model's last layer (${layer.name}) must have a sigmoid activation, as in buildAutoencoder; it has ${name}`);
    }
    return 'linear';
  }
  const activation = ACTIVATIONS[name];
  const plain = layer.strides.every((s) => s === 1) && layer.dilationRate.every((d) => d === 1) && layer.padding === 'same';
  if (!activation || !plain || layer.dataFormat !== 'channelsLast' || !layer.bias) {
    throw new TypeError(
      `layer ${layer.name}: losslens trains stride-1 'same' Conv2D layers with a bias and a relu or linear activation ` +
        '(as buildAutoencoder builds them)',
    );
  }
  return activation;
}

/** The model's output before its final sigmoid, for a chain model as built by buildAutoencoder. */
export function forwardLogits(model: tfn.LayersModel, inputs: tfn.Tensor4D): tfn.Tensor4D {
  const layers = model.layers.slice(1);
  const last = layers[layers.length - 1];
  if (!last || last.getClassName() !== 'Conv2D') {
    throw new TypeError('forwardLogits needs a model whose last layer is a Conv2D with a sigmoid activation, as built by buildAutoencoder');
  }
  return tf.tidy(() => {
    let hidden = inputs;
    layers.forEach((layer, i) => {
      const kind = layer.getClassName();
      if (kind === 'Conv2D') {
        const conv = layer as unknown as ConvLayer;
        const activation = convActivation(conv, i === layers.length - 1);
        hidden = conv2dBiasActivation(hidden, conv.kernel.read(), conv.bias!.read(), activation, i > 0);
      } else if (kind === 'MaxPooling2D' && hasOneDnnPooling()) {
        const pool = layer as unknown as PoolOptions & { dataFormat: string };
        hidden = pool.dataFormat === 'channelsLast' ? oneDnnMaxPool(hidden, pool) : (layer.apply(hidden) as tfn.Tensor4D);
      } else {
        hidden = layer.apply(hidden) as tfn.Tensor4D;
      }
    });
    return hidden;
  });
}
