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
 *
 * A 2× upsampling followed by a 3×3 conv (the tutorial's decoder) is lowered as one conv at
 * low resolution (phaseConv): the same function in real arithmetic with 2.25× fewer
 * multiply-adds, so its numbers differ from the layer-by-layer lowering only by float32
 * rounding. docs/benchmark.md has what it gave and what else was measured.
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

  ints(values: readonly number[], shape: readonly number[] = [values.length]): string {
    return this.op('Const', [], { dtype: { type: 'int32' }, value: { tensor: { dtype: 'int32', shape, values } } }, 'shape');
  }

  floats(values: readonly number[], shape: readonly number[]): string {
    return this.op('Const', [], { dtype: FLOAT, value: { tensor: { dtype: 'float32', shape, values } } }, 'const');
  }

  reshape(t: string, shape: readonly number[]): string {
    return this.op('Reshape', [t, this.ints(shape)], { T: FLOAT, Tshape: { type: 'int32' } });
  }

  transpose(t: string, perm: readonly number[]): string {
    return this.op('Transpose', [t, this.ints(perm)], { T: FLOAT, Tperm: { type: 'int32' } });
  }

  /** Zero padding of an NHWC tensor by [[top, bottom], [left, right]]. */
  pad(t: string, [[top, bottom], [left, right]]: readonly [readonly [number, number], readonly [number, number]]): string {
    return this.op('Pad', [t, this.ints([0, 0, top, bottom, left, right, 0, 0], [4, 2])], { T: FLOAT, Tpaddings: { type: 'int32' } });
  }

  slice(t: string, begin: readonly number[], size: readonly number[]): string {
    return this.op('Slice', [t, this.ints(begin), this.ints(size)], { T: FLOAT, Index: { type: 'int32' } });
  }

  /** Concatenation along the channel axis of NHWC tensors. */
  concatChannels(ts: readonly string[]): string {
    return this.op('ConcatV2', [...ts, this.ints([3], [])], { N: { i: ts.length }, T: FLOAT, Tidx: { type: 'int32' } });
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
  /** An upsampling lowered together with the conv after it (see phaseConv): its output is its input. */
  fusedIntoNext?: true;
  /** A conv lowered as phaseConv: `input` is the upsampling's low-resolution input. */
  phase?: PhaseConv;
}

/**
 * The taps of a 3×3 kernel that fall on each of the two low-resolution taps of an output phase,
 * along one axis: after a 2× nearest-neighbour upsampling, the even output rows (phase 0) see the
 * low-resolution rows i − 1 and i through taps {0} and {1, 2}; the odd ones (phase 1) see rows i
 * and i + 1 through taps {0, 1} and {2}.
 */
const PHASE_TAPS: readonly (readonly (readonly number[])[])[] = [
  [[0], [1, 2]],
  [[0, 1], [2]],
];

/**
 * The linear map from a 3×3 kernel's 9 taps to the 16 taps of the four 2×2 phase kernels, as a
 * [16, 9] matrix of 0s and 1s: row (p·2 + q)·4 + (a·2 + b) is tap (p, q) of output phase (a, b).
 */
export function phaseMap(): number[] {
  const map = new Array<number>(16 * 9).fill(0);
  for (let p = 0; p < 2; p++)
    for (let q = 0; q < 2; q++)
      for (let a = 0; a < 2; a++)
        for (let b = 0; b < 2; b++)
          for (const r of PHASE_TAPS[a][p]) for (const c of PHASE_TAPS[b][q]) map[((p * 2 + q) * 4 + (a * 2 + b)) * 9 + r * 3 + c] = 1;
  return map;
}

interface PhaseConv {
  /** The low-resolution input, zero-padded by one pixel on every side. */
  padded: string;
  /** The [2, 2, in, 4·filters] kernel of all four phases, derived from the 3×3 one. */
  kernel: string;
  /** The [16, 9] tap map. */
  map: string;
  /** Low-resolution [height, width]. */
  size: [number, number];
  channels: number;
  filters: number;
}

/** Whether layers i and i + 1 are a 2× upsampling and a 3×3 'same' conv, which phaseConv lowers together. */
export function fusesWithNext(layers: readonly LayerSpec[], i: number): boolean {
  const [layer, next] = [layers[i], layers[i + 1] as LayerSpec | undefined];
  return layer.kind === 'upSample' && layer.size === 2 && next?.kind === 'conv' && next.kernelSize === 3;
}

const VALID_CONV = { T: FLOAT, strides: { ints: [1, 1, 1, 1] }, padding: { s: 'VALID' }, data_format: NHWC };

/**
 * A 2× nearest-neighbour upsampling followed by a 3×3 'same' conv, computed at low resolution.
 * Each output phase (a, b) — the pixels at (2i + a, 2j + b) — is a 2×2 conv of the low-resolution
 * input whose taps are sums of the 3×3 kernel's (PHASE_TAPS); the zero border of the 'same' conv
 * at high resolution is the zero border of the low-resolution input. One VALID 2×2 conv with
 * 4× the filters on the input padded by one computes all four phases (each on a window shifted by
 * its phase), and DepthToSpace interleaves them. Equal in real arithmetic; 16 multiply-adds per
 * four output pixels instead of 36, and no resize op.
 */
function phaseConv(
  g: GraphBuilder,
  low: string,
  kernel: string,
  bias: string,
  size: [number, number],
  channels: number,
  filters: number,
): { output: string; phase: PhaseConv } {
  const [h, w] = size;
  const map = g.floats(phaseMap(), [16, 9]);
  const taps = g.op('MatMul', [map, g.reshape(kernel, [9, channels * filters])], {
    T: FLOAT,
    transpose_a: { b: false },
    transpose_b: { b: false },
  });
  const phaseKernel = g.reshape(g.transpose(g.reshape(taps, [2, 2, 4, channels, filters]), [0, 1, 3, 2, 4]), [2, 2, channels, 4 * filters]);
  const padded = g.pad(low, [
    [1, 1],
    [1, 1],
  ]);
  const conv = g.op('Conv2D', [padded, phaseKernel], VALID_CONV);
  const biased = g.op('BiasAdd', [conv, g.op('Tile', [bias, g.ints([4])], { T: FLOAT, Tmultiples: { type: 'int32' } })], {
    T: FLOAT,
    data_format: NHWC,
  });
  const phases = [0, 1, 2, 3].map((p) => g.slice(biased, [0, p >> 1, p & 1, p * filters], [-1, h, w, filters]));
  const output = g.op('DepthToSpace', [g.concatChannels(phases)], { T: FLOAT, block_size: { i: 2 }, data_format: NHWC });
  return { output, phase: { padded, kernel: phaseKernel, map, size, channels, filters } };
}

/** phaseConv's gradients: with respect to the 3×3 kernel (through the tap map's transpose), the bias and the low-resolution input. */
function phaseConvBackward(g: GraphBuilder, dz: string, phase: PhaseConv): { kernel: string; bias: string; input: string } {
  const { padded, kernel, map, size, channels, filters } = phase;
  const [h, w] = size;
  const byPhase = g.op('SpaceToDepth', [dz], { T: FLOAT, block_size: { i: 2 }, data_format: NHWC });
  // Back onto the (h + 1) × (w + 1) grid of the VALID conv, each phase at its shifted window.
  const dConv = g.concatChannels(
    [0, 1, 2, 3].map((p) => {
      const [a, b] = [p >> 1, p & 1];
      return g.pad(g.slice(byPhase, [0, 0, 0, p * filters], [-1, h, w, filters]), [
        [a, 1 - a],
        [b, 1 - b],
      ]);
    }),
  );
  const dPhaseKernel = g.op('Conv2DBackpropFilter', [padded, g.ints([2, 2, channels, 4 * filters]), dConv], VALID_CONV);
  const dTaps = g.reshape(g.transpose(g.reshape(dPhaseKernel, [2, 2, channels, 4, filters]), [0, 1, 3, 2, 4]), [16, channels * filters]);
  const dKernel = g.reshape(g.op('MatMul', [map, dTaps], { T: FLOAT, transpose_a: { b: true }, transpose_b: { b: false } }), [
    3,
    3,
    channels,
    filters,
  ]);
  const dBias = g.op('Sum', [g.reshape(g.op('BiasAddGrad', [dConv], { T: FLOAT, data_format: NHWC }), [4, filters]), g.ints([0])], {
    T: FLOAT,
    Tidx: { type: 'int32' },
    keep_dims: { b: false },
  });
  const dPadded = g.op(
    'Conv2DBackpropInput',
    [g.op('Shape', [padded], { T: FLOAT, out_type: { type: 'int32' } }), kernel, dConv],
    VALID_CONV,
  );
  return { kernel: dKernel, bias: dBias, input: g.slice(dPadded, [0, 1, 1, 0], [-1, h, w, channels]) };
}

/** The forward pass to the logits under the final sigmoid, remembering what the backward pass reads. */
function forward(g: GraphBuilder, x: string, weights: readonly string[], model: GraphModel): { logits: string; activations: Activation[] } {
  const activations: Activation[] = [];
  let hidden = x;
  let size: [number, number] = [model.height, model.width];
  let weight = 0;
  const shapes = weightShapes(model.layers);
  model.layers.forEach((layer, i) => {
    const input = hidden;
    const inputSize = size;
    let phase: PhaseConv | undefined;
    let fusedIntoNext = false;
    if (layer.kind === 'conv') {
      if (i > 0 && fusesWithNext(model.layers, i - 1)) {
        const [, , channels, filters] = shapes[weight];
        const low: [number, number] = [size[0] / 2, size[1] / 2];
        ({ output: hidden, phase } = phaseConv(g, hidden, weights[weight], weights[weight + 1], low, channels, filters));
      } else {
        const conv = g.op('Conv2D', [hidden, weights[weight]], {
          T: FLOAT,
          strides: { ints: [1, 1, 1, 1] },
          padding: { s: 'SAME' },
          data_format: NHWC,
        });
        hidden = g.op('BiasAdd', [conv, weights[weight + 1]], { T: FLOAT, data_format: NHWC });
      }
      weight += 2;
      // The last conv's sigmoid is left to the loss (Keras takes BCE from the logits too).
      if (i < model.layers.length - 1) hidden = g.f('Relu', hidden);
    } else if (layer.kind === 'maxPool') {
      const window = { ints: [1, layer.size, layer.size, 1] };
      hidden = g.op('MaxPool', [hidden], { T: FLOAT, ksize: window, strides: window, padding: { s: 'SAME' }, data_format: NHWC });
      size = [Math.ceil(size[0] / layer.size), Math.ceil(size[1] / layer.size)];
    } else {
      size = [size[0] * layer.size, size[1] * layer.size];
      // The conv after it upsamples as it convolves (phaseConv).
      if (fusesWithNext(model.layers, i)) fusedIntoNext = true;
      // Nearest-neighbour with integer factors and neither alignment option repeats each pixel: Keras's UpSampling2D exactly.
      else
        hidden = g.op('ResizeNearestNeighbor', [hidden, g.ints(size)], {
          T: FLOAT,
          align_corners: { b: false },
          half_pixel_centers: { b: false },
        });
    }
    activations.push({
      output: hidden,
      input,
      inputSize,
      ...(phase ? { phase } : {}),
      ...(fusedIntoNext ? { fusedIntoNext: true as const } : {}),
    });
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
    const { output, input, inputSize, phase, fusedIntoNext } = activations[i];
    if (fusedIntoNext) continue;
    if (layer.kind === 'conv') {
      weight -= 2;
      const dz = i < model.layers.length - 1 ? g.op('ReluGrad', [dOutput, output], { T: FLOAT }) : dOutput;
      if (phase) {
        const d = phaseConvBackward(g, dz, phase);
        gradients[weight] = d.kernel;
        gradients[weight + 1] = d.bias;
        dOutput = d.input;
        continue;
      }
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
