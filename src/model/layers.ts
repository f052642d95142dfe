/**
 * The autoencoder as a tfjs-layers model, for where one earns its place: the stock
 * `model.fit` benchmark and comparisons with Keras. losslens itself trains the description
 * (autoencoder.ts) through its own graph; this builds the same layers, compiled with the same
 * loss and Adam, holding `weights` (default: the description's initial weights).
 */
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import { initialWeights, type Autoencoder } from './autoencoder.js';

export function toLayersModel(model: Autoencoder, weights: readonly tfn.Tensor[] = initialWeights(model)): tfn.LayersModel {
  const input = tf.input({ name: 'input_layer', shape: [model.height, model.width, 1] });
  const output = model.layers.reduce<tfn.SymbolicTensor>((x, layer) => {
    const { spec, name } = layer;
    const built =
      spec.kind === 'conv'
        ? tf.layers.conv2d({ name, filters: spec.filters, kernelSize: spec.kernelSize, padding: 'same', activation: spec.activation })
        : spec.kind === 'maxPool'
          ? tf.layers.maxPooling2d({ name, poolSize: spec.size, padding: 'same' })
          : tf.layers.upSampling2d({ name, size: [spec.size, spec.size] });
    return built.apply(x) as tfn.SymbolicTensor;
  }, input);
  const layersModel = tf.model({ name: 'functional', inputs: input, outputs: output });
  const { learningRate, beta1, beta2, epsilon } = model.adam;
  layersModel.compile({ optimizer: tf.train.adam(learningRate, beta1, beta2, epsilon), loss: model.loss });
  layersModel.setWeights([...weights]);
  return layersModel;
}
