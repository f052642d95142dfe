/**
 * Lowers a model description (input size, layer stack, loss, Adam) to one TensorFlow graph
 * with three stateless signatures, so that a whole training step runs as one session call:
 *
 * - `train`:    weights, Adam moments m and v, step counter, batch x and y
 *               → new weights, moments and counter, the batch's loss, and whether the loss
 *               and every gradient are finite;
 * - `evaluate`: weights, x, y → the batch's mean loss;
 * - `predict`:  weights, x → the sigmoid output.
 *
 * The forward pass is written once and shared by all three. The backward pass is written
 * out with TensorFlow's own gradient kernels (Conv2DBackpropInput/Filter, BiasAddGrad,
 * ReluGrad, MaxPoolGrad, ResizeNearestNeighborGrad) and the closed-form gradient of the
 * loss with respect to the logits; the session's optimizer (Grappler, oneDNN rewrites)
 * fuses and parallelises them as it does for a Keras tf.function.
 */
import type { AdamConfig, LayerSpec, LossName } from '../model/autoencoder.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { savedModelBytes, type Attr, type DType, type NodeSpec, type SignatureSpec, type TensorSpec } from './tfProto.js';

export interface GraphModel {
  height: number;
  width: number;
  layers: readonly LayerSpec[];
  loss: LossName;
  adam: AdamConfig;
  /**
   * When set, the loss is the mean over the pixels inside this border only (the original image
   * of a padded one): the border's pixels neither count nor send a gradient. Absent: every pixel.
   */
  lossBorder?: BorderWidths | null;
}

const FLOAT: Attr = { type: 'float32' };
const NHWC: Attr = { s: 'NHWC' };

/** A growing list of NodeDefs with unique names; every method returns the name of the node's first output. */
class GraphBuilder {
  readonly nodes: NodeSpec[] = [];
  private readonly used = new Map<string, number>();

  op(op: string, inputs: readonly string[], attrs: Record<string, Attr> = {}, name = op): string {
    const n = this.used.get(name) ?? 0;
    this.used.set(name, n + 1);
    const unique = n === 0 ? name : `${name}_${n}`;
    this.nodes.push({ name: unique, op, inputs, attrs });
    return unique;
  }

  placeholder(name: string, dtype: DType, shape: readonly number[]): string {
    // A known shape lets the session's optimizer plan every op's kernel and layout up front.
    return this.op('Placeholder', [], { dtype: { type: dtype }, shape: { shape } }, name);
  }

  scalar(value: number): string {
    return this.op('Const', [], { dtype: FLOAT, value: { tensor: { dtype: 'float32', shape: [], values: [value] } } }, 'const');
  }

  ints(values: readonly number[]): string {
    return this.op(
      'Const',
      [],
      { dtype: { type: 'int32' }, value: { tensor: { dtype: 'int32', shape: [values.length], values } } },
      'shape',
    );
  }

  /** An elementwise float op. */
  f(op: string, ...inputs: string[]): string {
    return this.op(op, inputs, { T: FLOAT });
  }
}

/** The shapes of the trainable weights the layer stack has, in tfjs-layers' (and Keras's) order. */
export function weightShapes(layers: readonly LayerSpec[]): number[][] {
  const shapes: number[][] = [];
  let channels = 1;
  for (const layer of layers) {
    if (layer.kind !== 'conv') continue;
    shapes.push([layer.kernelSize, layer.kernelSize, channels, layer.filters], [layer.filters]);
    channels = layer.filters;
  }
  return shapes;
}

interface Activation {
  /** The layer's output. */
  output: string;
  input: string;
  /** Spatial size of the input, [height, width]. */
  inputSize: [number, number];
}

/** The forward pass to the logits under the final sigmoid, remembering what the backward pass reads. */
function forward(g: GraphBuilder, x: string, weights: readonly string[], model: GraphModel): { logits: string; activations: Activation[] } {
  const activations: Activation[] = [];
  let hidden = x;
  let size: [number, number] = [model.height, model.width];
  let weight = 0;
  model.layers.forEach((layer, i) => {
    const input = hidden;
    const inputSize = size;
    if (layer.kind === 'conv') {
      const conv = g.op('Conv2D', [hidden, weights[weight]], {
        T: FLOAT,
        strides: { ints: [1, 1, 1, 1] },
        padding: { s: 'SAME' },
        data_format: NHWC,
      });
      hidden = g.op('BiasAdd', [conv, weights[weight + 1]], { T: FLOAT, data_format: NHWC });
      weight += 2;
      // The last conv's sigmoid is left to the loss (Keras takes BCE from the logits too).
      if (i < model.layers.length - 1) hidden = g.f('Relu', hidden);
    } else if (layer.kind === 'maxPool') {
      const window = { ints: [1, layer.size, layer.size, 1] };
      hidden = g.op('MaxPool', [hidden], { T: FLOAT, ksize: window, strides: window, padding: { s: 'SAME' }, data_format: NHWC });
      size = [Math.ceil(size[0] / layer.size), Math.ceil(size[1] / layer.size)];
    } else {
      size = [size[0] * layer.size, size[1] * layer.size];
      // Nearest-neighbour with integer factors and neither alignment option repeats each pixel: Keras's UpSampling2D exactly.
      hidden = g.op('ResizeNearestNeighbor', [hidden, g.ints(size)], {
        T: FLOAT,
        align_corners: { b: false },
        half_pixel_centers: { b: false },
      });
    }
    activations.push({ output: hidden, input, inputSize });
  });
  return { logits: hidden, activations };
}

/** A [1, height, width, 1] constant: 1 inside `border`, 0 on it. */
function regionMask(g: GraphBuilder, model: GraphModel, border: BorderWidths): string {
  const { height, width } = model;
  if (border.top + border.bottom >= height || border.left + border.right >= width) {
    throw new RangeError(`lossBorder ${JSON.stringify(border)} leaves no pixel of a ${height}×${width} image for the loss`);
  }
  const values = new Array<number>(height * width).fill(0);
  for (let row = border.top; row < height - border.bottom; row++)
    values.fill(1, row * width + border.left, row * width + width - border.right);
  return g.op('Const', [], { dtype: FLOAT, value: { tensor: { dtype: 'float32', shape: [1, height, width, 1], values } } }, 'mask');
}

/** The batch's mean loss and its gradient with respect to the logits. */
function loss(g: GraphBuilder, logits: string, y: string, model: GraphModel): { value: string; gradient: string } {
  const border = model.lossBorder;
  if (border && border.top + border.bottom + border.left + border.right > 0)
    return maskedLoss(g, logits, y, model, regionMask(g, model, border));
  const all = g.ints([0, 1, 2, 3]);
  const mean = (t: string) => g.op('Mean', [t, all], { T: FLOAT, Tidx: { type: 'int32' }, keep_dims: { b: false } });
  const count = g.op('Cast', [g.op('Size', [logits], { T: FLOAT, out_type: { type: 'int32' } })], {
    SrcT: { type: 'int32' },
    DstT: FLOAT,
    Truncate: { b: false },
  });
  const probabilities = g.f('Sigmoid', logits);
  if (model.loss === 'binaryCrossentropy') {
    // max(z, 0) − z·y + log(1 + e^−|z|): tf.nn.sigmoid_cross_entropy_with_logits, as Keras computes it.
    const perPixel = g.f(
      'AddV2',
      g.f('Sub', g.f('Relu', logits), g.f('Mul', logits, y)),
      g.f('Log1p', g.f('Exp', g.f('Neg', g.f('Abs', logits)))),
    );
    return { value: mean(perPixel), gradient: g.f('RealDiv', g.f('Sub', probabilities, y), count) };
  }
  const error = g.f('Sub', probabilities, y);
  const dProbabilities = g.f('RealDiv', g.f('Mul', g.scalar(2), error), count);
  return { value: mean(g.f('Square', error)), gradient: g.f('SigmoidGrad', probabilities, dProbabilities) };
}

/**
 * loss() restricted to the pixels where `mask` is 1: the sum over them divided by their number
 * (in the batch), and the same closed-form gradient times mask / count. Kept apart from loss()
 * so the unmasked graph, and with it every default run's numbers, stays as it was.
 */
function maskedLoss(g: GraphBuilder, logits: string, y: string, model: GraphModel, mask: string): { value: string; gradient: string } {
  const all = g.ints([0, 1, 2, 3]);
  const sum = (t: string) => g.op('Sum', [t, all], { T: FLOAT, Tidx: { type: 'int32' }, keep_dims: { b: false } });
  // A sum of 0s and 1s: exact in float32 for any batch this trains with.
  const count = sum(
    g.op('BroadcastTo', [mask, g.op('Shape', [logits], { T: FLOAT, out_type: { type: 'int32' } })], { T: FLOAT, Tidx: { type: 'int32' } }),
  );
  const probabilities = g.f('Sigmoid', logits);
  const maskedMean = (perPixel: string) => g.f('RealDiv', sum(g.f('Mul', perPixel, mask)), count);
  if (model.loss === 'binaryCrossentropy') {
    const perPixel = g.f(
      'AddV2',
      g.f('Sub', g.f('Relu', logits), g.f('Mul', logits, y)),
      g.f('Log1p', g.f('Exp', g.f('Neg', g.f('Abs', logits)))),
    );
    return { value: maskedMean(perPixel), gradient: g.f('RealDiv', g.f('Mul', g.f('Sub', probabilities, y), mask), count) };
  }
  const error = g.f('Sub', probabilities, y);
  const dProbabilities = g.f('RealDiv', g.f('Mul', g.f('Mul', g.scalar(2), error), mask), count);
  return { value: maskedMean(g.f('Square', error)), gradient: g.f('SigmoidGrad', probabilities, dProbabilities) };
}

/** Gradients of the loss with respect to every weight, in the order of `weights`. */
function backward(
  g: GraphBuilder,
  dLogits: string,
  weights: readonly string[],
  activations: readonly Activation[],
  model: GraphModel,
): string[] {
  const shapes = weightShapes(model.layers);
  const gradients = new Array<string>(weights.length);
  let weight = weights.length;
  let dOutput = dLogits;
  for (let i = model.layers.length - 1; i >= 0; i--) {
    const layer = model.layers[i];
    const { output, input, inputSize } = activations[i];
    if (layer.kind === 'conv') {
      weight -= 2;
      const dz = i < model.layers.length - 1 ? g.op('ReluGrad', [dOutput, output], { T: FLOAT }) : dOutput;
      const convAttrs = { T: FLOAT, strides: { ints: [1, 1, 1, 1] }, padding: { s: 'SAME' }, data_format: NHWC };
      gradients[weight] = g.op('Conv2DBackpropFilter', [input, g.ints(shapes[weight]), dz], convAttrs);
      gradients[weight + 1] = g.op('BiasAddGrad', [dz], { T: FLOAT, data_format: NHWC });
      // The first layer's input is data: nobody reads its gradient.
      if (i > 0)
        dOutput = g.op(
          'Conv2DBackpropInput',
          [g.op('Shape', [input], { T: FLOAT, out_type: { type: 'int32' } }), weights[weight], dz],
          convAttrs,
        );
    } else if (layer.kind === 'maxPool') {
      const window = { ints: [1, layer.size, layer.size, 1] };
      dOutput = g.op('MaxPoolGrad', [input, output, dOutput], {
        T: FLOAT,
        ksize: window,
        strides: window,
        padding: { s: 'SAME' },
        data_format: NHWC,
      });
    } else {
      dOutput = g.op('ResizeNearestNeighborGrad', [dOutput, g.ints(inputSize)], {
        T: FLOAT,
        align_corners: { b: false },
        half_pixel_centers: { b: false },
      });
    }
  }
  return gradients;
}

/**
 * Keras's Adam step (keras.optimizers.Adam.update_step): epsilon is added to √v before the
 * bias correction, which is folded into the learning rate.
 */
function adam(
  g: GraphBuilder,
  step: string,
  weights: readonly string[],
  m: readonly string[],
  v: readonly string[],
  gradients: readonly string[],
  config: AdamConfig,
) {
  const t = g.f('AddV2', step, g.scalar(1));
  const one = g.scalar(1);
  const beta1Power = g.f('Pow', g.scalar(config.beta1), t);
  const beta2Power = g.f('Pow', g.scalar(config.beta2), t);
  const alpha = g.f(
    'RealDiv',
    g.f('Mul', g.scalar(config.learningRate), g.f('Sqrt', g.f('Sub', one, beta2Power))),
    g.f('Sub', one, beta1Power),
  );
  const oneMinusBeta1 = g.scalar(1 - config.beta1);
  const oneMinusBeta2 = g.scalar(1 - config.beta2);
  const epsilon = g.scalar(config.epsilon);
  const next = weights.map((w, i) => {
    const gradient = gradients[i];
    const m1 = g.f('AddV2', m[i], g.f('Mul', g.f('Sub', gradient, m[i]), oneMinusBeta1));
    const v1 = g.f('AddV2', v[i], g.f('Mul', g.f('Sub', g.f('Square', gradient), v[i]), oneMinusBeta2));
    const w1 = g.f('Sub', w, g.f('RealDiv', g.f('Mul', m1, alpha), g.f('AddV2', g.f('Sqrt', v1), epsilon)));
    return { w: w1, m: m1, v: v1 };
  });
  return { step: t, next };
}

export interface LoweredGraph {
  /** saved_model.pb's bytes. */
  bytes: Uint8Array;
  /** Signature input names of the weights, moments and counter, in weight order. */
  names: { weights: string[]; m: string[]; v: string[] };
}

const out = (name: string, dtype: DType, shape: readonly number[]): TensorSpec => ({ name: `${name}:0`, dtype, shape });

/** The graph of `model` as a SavedModel with the signatures `train`, `evaluate` and `predict`. */
export function lowerModel(model: GraphModel): LoweredGraph {
  const g = new GraphBuilder();
  const image = [-1, model.height, model.width, 1];
  const shapes = weightShapes(model.layers);
  const names = {
    weights: shapes.map((_, i) => `w${i}`),
    m: shapes.map((_, i) => `m${i}`),
    v: shapes.map((_, i) => `v${i}`),
  };
  const x = g.placeholder('x', 'float32', image);
  const y = g.placeholder('y', 'float32', image);
  const step = g.placeholder('step', 'float32', []);
  const weights = names.weights.map((name, i) => g.placeholder(name, 'float32', shapes[i]));
  const m = names.m.map((name, i) => g.placeholder(name, 'float32', shapes[i]));
  const v = names.v.map((name, i) => g.placeholder(name, 'float32', shapes[i]));

  const { logits, activations } = forward(g, x, weights, model);
  const batchLoss = loss(g, logits, y, model);
  const gradients = backward(g, batchLoss.gradient, weights, activations, model);
  const update = adam(g, step, weights, m, v, gradients, model.adam);
  // oneDNN's ReLU and max pooling can drop a NaN input, leaving the loss finite while the first
  // layer's gradient is not; the caller keeps an update only if both are finite.
  const allFinite = (t: string, rank: number) =>
    g.op('All', [g.op('IsFinite', [t], { T: FLOAT }), g.ints([...Array(rank).keys()])], {
      Tidx: { type: 'int32' },
      keep_dims: { b: false },
    });
  const finite = gradients
    .map((gradient, i) => allFinite(gradient, shapes[i].length))
    .reduce((all, check) => g.op('LogicalAnd', [all, check]), allFinite(batchLoss.value, 0));
  const prediction = g.f('Sigmoid', logits);

  const inputs = (list: readonly string[], nodes: readonly string[]) =>
    Object.fromEntries(list.map((name, i) => [name, out(nodes[i], 'float32', shapes[i])]));
  const weightInputs = inputs(names.weights, weights);
  const signatures: Record<string, SignatureSpec> = {
    train: {
      inputs: {
        x: out(x, 'float32', image),
        y: out(y, 'float32', image),
        step: out(step, 'float32', []),
        ...weightInputs,
        ...inputs(names.m, m),
        ...inputs(names.v, v),
      },
      outputs: {
        loss: out(batchLoss.value, 'float32', []),
        finite: out(finite, 'bool', []),
        step: out(update.step, 'float32', []),
        ...inputs(
          names.weights,
          update.next.map((n) => n.w),
        ),
        ...inputs(
          names.m,
          update.next.map((n) => n.m),
        ),
        ...inputs(
          names.v,
          update.next.map((n) => n.v),
        ),
      },
    },
    evaluate: {
      inputs: { x: out(x, 'float32', image), y: out(y, 'float32', image), ...weightInputs },
      outputs: { loss: out(batchLoss.value, 'float32', []) },
    },
    predict: { inputs: { x: out(x, 'float32', image), ...weightInputs }, outputs: { prediction: out(prediction, 'float32', image) } },
  };
  return { bytes: savedModelBytes(g.nodes, signatures), names };
}
