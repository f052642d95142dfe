/**
 * The training graph against tfjs-layers as the reference (the same model built by
 * toLayersModel, with the same weights): its forward pass equals the layers model's output, and its gradients equal tf.variableGrads through the layers with
 * Keras's loss (BCE from the logits, MSE on the sigmoid output).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { buildAutoencoder, initialWeights, type Autoencoder, type LayerSpec, type LossName } from '../../src/model/autoencoder.js';
import { toLayersModel } from '../../src/model/layers.js';
import { graphSession } from '../../src/training/session.js';
import { fusesWithNext, lowerModel, phaseMap } from '../../src/training/graph.js';
import type { BorderWidths } from '@losslens/protocol';
import { TFJS_NODE_VERSION } from '../../src/training/tfProto.js';

const maxAbs = (a: tfn.Tensor, b: tfn.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

/** The model's output before its sigmoid, through tfjs-layers' own layers and gradients. */
function layersLogits(model: tfn.LayersModel, x: tfn.Tensor4D): tfn.Tensor4D {
  const layers = model.layers;
  let hidden: tfn.Tensor = x;
  for (const layer of layers.slice(1, -1)) hidden = layer.apply(hidden) as tfn.Tensor;
  const [kernel, bias] = layers[layers.length - 1].getWeights();
  return tf.fused.conv2d({ x: hidden as tfn.Tensor4D, filter: kernel as tfn.Tensor4D, bias, strides: 1, pad: 'same' });
}

/** Each pixel's loss, computed eagerly from the logits (BCE in its numerically stable form). */
const referencePixelLoss = (loss: LossName, logits: tfn.Tensor, y: tfn.Tensor): tfn.Tensor =>
  loss === 'binaryCrossentropy'
    ? tf.add(tf.sub(tf.relu(logits), tf.mul(logits, y)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))
    : tf.squaredDifference(tf.sigmoid(logits), y);
const referenceLoss = (loss: LossName, logits: tfn.Tensor, y: tfn.Tensor): tfn.Scalar => tf.mean(referencePixelLoss(loss, logits, y));

/** One call of the train signature from zero moments; its first-moment output is (1 − β1)·gradient. */
async function graphGradients(
  model: Autoencoder,
  reference: tfn.LayersModel,
  x: tfn.Tensor4D,
  y: tfn.Tensor4D,
  lossBorder: BorderWidths | null = null,
) {
  const session = await graphSession(model, lossBorder);
  const weights = reference.trainableWeights.map((w) => w.read());
  const inputs: tfn.NamedTensorMap = { x, y, step: tf.scalar(0) };
  session.names.weights.forEach((name, i) => (inputs[name] = weights[i]));
  const zeros = weights.map((w) => tf.zerosLike(w));
  session.names.m.forEach((name, i) => (inputs[name] = zeros[i]));
  session.names.v.forEach((name, i) => (inputs[name] = zeros[i]));
  const outputs = session.train.predict(inputs) as tfn.NamedTensorMap;
  const gradients = session.names.m.map((name) => tf.div(outputs[name], 1 - 0.9));
  const loss = outputs.loss.dataSync()[0];
  tf.dispose([...Object.values(outputs), ...zeros, inputs.step]);
  return { loss, gradients };
}

/** The graph's loss within 1e-6 and each gradient within 1e-5 of its largest entry, against tf.variableGrads. */
function expectSameLossAndGradients(
  ours: { loss: number; gradients: tfn.Tensor[] },
  reference: { value: tfn.Scalar; grads: Record<string, tfn.Tensor> },
  variables: tfn.Variable[],
): void {
  expect(Math.abs(ours.loss - reference.value.dataSync()[0])).toBeLessThan(1e-6);
  variables.forEach((variable, i) => {
    const scale = tf.tidy(() => tf.max(tf.abs(reference.grads[variable.name])).dataSync()[0]);
    expect(scale).toBeGreaterThan(0);
    expect(maxAbs(ours.gradients[i], reference.grads[variable.name])).toBeLessThan(1e-5 * scale);
  });
}

/** For `layers` on side × side images, the graph's BCE loss and gradients against tf.variableGrads through tfjs-layers. */
async function expectLayersGradients(layers: readonly LayerSpec[], side: number, seed: number, dataSeed: number) {
  const model = buildAutoencoder({ height: side, width: side, seed, layers });
  const layersModel = toLayersModel(model);
  const x = tf.randomUniform<tfn.Rank.R4>([4, side, side, 1], 0, 1, 'float32', dataSeed);
  const variables = layersModel.trainableWeights.map((w) => w.read() as tfn.Variable);
  const reference = tf.variableGrads(() => referenceLoss('binaryCrossentropy', layersLogits(layersModel, x), x), variables);
  const ours = await graphGradients(model, layersModel, x, x);
  expectSameLossAndGradients(ours, reference, variables);
  tf.dispose([x, reference.value, ...Object.values(reference.grads), ...ours.gradients]);
  layersModel.dispose();
}

describe('the training graph', () => {
  it('predicts what the tfjs-layers model predicts', async () => {
    const { predict } = await import('../../src/training/evaluate.js');
    const model = buildAutoencoder({ height: 28, width: 28, seed: 2 });
    const weights = initialWeights(model);
    const layers = toLayersModel(model, weights);
    const x = tf.randomUniform<tfn.Rank.R4>([3, 28, 28, 1], 0, 1, 'float32', 11);
    const ours = await predict({ model, weights }, x, 2);
    const reference = layers.predict(x) as tfn.Tensor;
    expect(maxAbs(ours, reference)).toBeLessThan(1e-6);
    tf.dispose([x, ours, reference, ...weights]);
    layers.dispose();
  });

  it.each(['binaryCrossentropy', 'meanSquaredError'] as LossName[])(
    'gives the loss and gradients of tf.variableGrads through the layers (%s)',
    async (loss) => {
      const model = buildAutoencoder({ height: 16, width: 16, seed: 4, loss });
      const layersModel = toLayersModel(model);
      const x = tf.randomUniform<tfn.Rank.R4>([6, 16, 16, 1], 0, 1, 'float32', 12);
      const y = tf.randomUniform<tfn.Rank.R4>([6, 16, 16, 1], 0, 1, 'float32', 13);
      const variables = layersModel.trainableWeights.map((w) => w.read() as tfn.Variable);
      const reference = tf.variableGrads(() => referenceLoss(loss, layersLogits(layersModel, x), y), variables);
      const ours = await graphGradients(model, layersModel, x, y);
      expectSameLossAndGradients(ours, reference, variables);
      tf.dispose([x, y, reference.value, ...Object.values(reference.grads), ...ours.gradients]);
      layersModel.dispose();
    },
  );

  it.each(['binaryCrossentropy', 'meanSquaredError'] as LossName[])(
    'with a loss border, gives the loss and gradients of tf.variableGrads on the mean over the inner pixels only (%s)',
    async (loss) => {
      const model = buildAutoencoder({ height: 16, width: 16, seed: 5, loss });
      const layersModel = toLayersModel(model);
      const x = tf.randomUniform<tfn.Rank.R4>([5, 16, 16, 1], 0, 1, 'float32', 15);
      const y = tf.randomUniform<tfn.Rank.R4>([5, 16, 16, 1], 0, 1, 'float32', 16);
      // Uneven on purpose (like a shifted pad), so a transposed or mirrored mask would fail.
      const border = { top: 4, bottom: 0, left: 2, right: 6 };
      const mask = tf.tidy(() =>
        tf.pad(tf.ones([1, 12, 8, 1]), [
          [0, 0],
          [4, 0],
          [2, 6],
          [0, 0],
        ]),
      );
      const masked = (): tfn.Scalar => tf.div(tf.sum(tf.mul(referencePixelLoss(loss, layersLogits(layersModel, x), y), mask)), 5 * 12 * 8);
      const variables = layersModel.trainableWeights.map((w) => w.read() as tfn.Variable);
      const reference = tf.variableGrads(masked, variables);
      const ours = await graphGradients(model, layersModel, x, y, border);
      expectSameLossAndGradients(ours, reference, variables);
      // And it is not the unmasked loss.
      const unmasked = await graphGradients(model, layersModel, x, y);
      expect(Math.abs(unmasked.loss - ours.loss)).toBeGreaterThan(1e-4);
      tf.dispose([x, y, mask, reference.value, ...Object.values(reference.grads), ...ours.gradients, ...unmasked.gradients]);
      layersModel.dispose();
    },
  );

  it('lowers the same graph with no, a null or an all-zero loss border, and rejects one that leaves no pixel', () => {
    const model = buildAutoencoder({ height: 32, width: 32, seed: 1 });
    const described = { ...model, layers: model.layers.map((layer) => layer.spec) };
    const bytes = lowerModel(described).bytes;
    expect(lowerModel({ ...described, lossBorder: null }).bytes).toEqual(bytes);
    expect(lowerModel({ ...described, lossBorder: { top: 0, bottom: 0, left: 0, right: 0 } }).bytes).toEqual(bytes);
    expect(lowerModel({ ...described, lossBorder: { top: 2, bottom: 2, left: 2, right: 2 } }).bytes).not.toEqual(bytes);
    expect(() => lowerModel({ ...described, lossBorder: { top: 16, bottom: 16, left: 0, right: 0 } })).toThrow(
      /leaves no pixel of a 32×32 image/,
    );
  });

  it('lowers any layer stack given as data, odd pooled sizes included', async () => {
    const layers: LayerSpec[] = [
      { kind: 'conv', filters: 8, kernelSize: 5, activation: 'relu' },
      { kind: 'maxPool', size: 2 },
      { kind: 'conv', filters: 4, kernelSize: 3, activation: 'relu' },
      { kind: 'upSample', size: 2 },
      { kind: 'conv', filters: 1, kernelSize: 3, activation: 'sigmoid' },
    ];
    await expectLayersGradients(layers, 14, 3, 14);
  });

  it("maps a 3×3 kernel to the four phases' 2×2 kernels: each phase's taps cover the 3×3 taps once", () => {
    const map = phaseMap();
    for (let phase = 0; phase < 4; phase++) {
      const covered = new Array<number>(9).fill(0);
      for (let tap = 0; tap < 4; tap++) for (let k = 0; k < 9; k++) covered[k] += map[(tap * 4 + phase) * 9 + k];
      expect(covered).toEqual(new Array<number>(9).fill(1));
    }
    // The even rows' first tap is the kernel's top row alone; the odd rows' first tap sums the top two.
    expect(map.slice(0, 9)).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0]);
    expect(map.slice(3 * 9, 4 * 9)).toEqual([1, 1, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('lowers an upsampling and the 3×3 conv after it at low resolution, and any other upsampling as a resize', () => {
    const tutorial = buildAutoencoder({ height: 28, width: 28, seed: 1 });
    const specs = tutorial.layers.map((layer) => layer.spec);
    expect(specs.map((_, i) => fusesWithNext(specs, i))).toEqual([false, false, false, false, false, true, false, true, false]);
    const ops = (layers: readonly LayerSpec[]) => new TextDecoder('latin1').decode(lowerModel({ ...tutorial, layers }).bytes);
    expect(ops(specs)).not.toContain('ResizeNearestNeighbor');
    expect(ops(specs)).toContain('DepthToSpace');
    const fiveByFive = specs.map((layer, i): LayerSpec => (i === 8 ? ({ ...layer, kernelSize: 5 } as LayerSpec) : layer));
    expect(fiveByFive.map((_, i) => fusesWithNext(fiveByFive, i))).toEqual([false, false, false, false, false, true, false, false, false]);
    expect(ops(fiveByFive)).toContain('ResizeNearestNeighborGrad');
  });

  it('gives the gradients of tf.variableGrads where an upsampling is followed by a conv it cannot be lowered with', async () => {
    const layers: LayerSpec[] = [
      { kind: 'conv', filters: 4, kernelSize: 3, activation: 'relu' },
      { kind: 'maxPool', size: 2 },
      { kind: 'upSample', size: 2 },
      { kind: 'conv', filters: 3, kernelSize: 5, activation: 'relu' },
      { kind: 'upSample', size: 2 },
      { kind: 'maxPool', size: 2 },
      { kind: 'conv', filters: 1, kernelSize: 3, activation: 'sigmoid' },
    ];
    await expectLayersGradients(layers, 12, 6, 17);
  });

  it('is built with the tfjs-node release its protobuf adapter was written for', () => {
    // If this fails, tfjs-node was upgraded: check src/training/tfProto.ts against dist/proto/api_pb.js of the new release.
    expect(tf.version['tfjs-node']).toBe(TFJS_NODE_VERSION);
  });

  it('names an unloadable graph folder in one clear error', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'losslens-bad-graph-'));
    writeFileSync(join(directory, 'saved_model.pb'), 'not a protobuf');
    const { loadGraph } = await import('../../src/training/session.js');
    await expect(loadGraph(directory, { weights: [], m: [], v: [] })).rejects.toThrow(
      /could not load losslens's training graph from .*losslens-bad-graph-/,
    );
  });
});
