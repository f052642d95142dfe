/**
 * What a finished epoch leaves behind so that training can resume exactly where it
 * stopped: weights, the optimizer's state and the history so far. Tensors are stored as
 * base64 of their float32 bytes, so a checkpoint is plain JSON and round-trips bit for bit.
 */
import type * as tfn from '@tensorflow/tfjs-node';
import type { Autoencoder } from '../model/autoencoder.js';
import { decodeFloat32, encodeFloat32, Float32DecodeError } from '@losslens/protocol/float32';
import { tf } from '../tf.js';

export interface EpochRecord {
  /** 1-based, as Keras prints it. */
  epoch: number;
  /** Mean training loss over the epoch's samples. */
  loss: number;
  /** Wall-clock seconds the epoch took. */
  seconds: number;
}

export interface SerializedTensor {
  name: string;
  shape: number[];
  dtype: 'float32';
  /** Little-endian float32 values, base64-encoded (encodeFloat32). */
  base64: string;
}

export interface AdamState {
  /** Update steps taken so far (Keras's `optimizer.iterations`). */
  iterations: number;
  /** Keras's "m" slot, one tensor per trainable weight, named after it. */
  firstMoment: SerializedTensor[];
  /** Keras's "v" slot, likewise. */
  secondMoment: SerializedTensor[];
}

export interface TrainingCheckpoint {
  /** Epochs finished. */
  epoch: number;
  weights: SerializedTensor[];
  optimizer: AdamState;
  history: EpochRecord[];
}

export function serializeTensor(name: string, tensor: tfn.Tensor): SerializedTensor {
  if (tensor.dtype !== 'float32') {
    throw new TypeError(`serializeTensor: ${name} is ${tensor.dtype}; checkpoints hold float32 tensors only`);
  }
  return { name, shape: tensor.shape.slice(), dtype: 'float32', base64: encodeFloat32(tensor.dataSync() as Float32Array) };
}

/**
 * The float32 values of `serialized`, checked to fill its shape. It comes from a file, so its
 * dtype is whatever the file says until checked.
 */
function checkedValues(serialized: Omit<SerializedTensor, 'dtype'> & { dtype: string }): Float32Array {
  const size = serialized.shape.reduce((a, b) => a * b, 1);
  const corrupt = (found: string) =>
    new RangeError(
      `checkpoint tensor ${serialized.name}: expected ${size} float32 values for shape [${serialized.shape}], ` +
        `found ${found}; the checkpoint is corrupt or from another model`,
    );
  if (serialized.dtype !== 'float32') throw corrupt(`values of ${serialized.dtype}`);
  try {
    return decodeFloat32(serialized.base64, size);
  } catch (error) {
    if (error instanceof Float32DecodeError) throw corrupt(`base64 that ${error.problem}`);
    throw error;
  }
}

export function deserializeTensor(serialized: SerializedTensor): tfn.Tensor {
  return tf.tensor(checkedValues(serialized), serialized.shape, 'float32');
}

/** Checks that serialized tensors match `expected` one to one by name and shape, in order. */
export function checkTensorsMatch(
  what: string,
  serialized: readonly SerializedTensor[],
  expected: readonly { name: string; shape: readonly number[] }[],
): void {
  const describe = (list: readonly { name: string; shape: readonly number[] }[]) => list.map((t) => `${t.name}[${t.shape}]`).join(', ');
  const same =
    serialized.length === expected.length &&
    serialized.every(
      (t, i) =>
        t.name === expected[i].name && t.shape.length === expected[i].shape.length && t.shape.every((d, j) => d === expected[i].shape[j]),
    );
  if (!same) {
    throw new RangeError(
      `the checkpoint's ${what} do not fit this model: it holds ${describe(serialized)} but the model has ` +
        `${describe(expected)}. Resume with a model built from the same configuration.`,
    );
  }
}

/**
 * Throws a RangeError saying what does not fit when `checkpoint` (read from disk, so of
 * any shape) cannot restore weights and Adam moments named and shaped as `expected`,
 * without building a tensor.
 */
export function checkCheckpointFits(checkpoint: TrainingCheckpoint, expected: readonly { name: string; shape: readonly number[] }[]): void {
  const tensors = (what: string, list: unknown): SerializedTensor[] => {
    const valid =
      Array.isArray(list) &&
      list.every(
        (t: Partial<SerializedTensor> | null) =>
          typeof t?.name === 'string' &&
          typeof t.base64 === 'string' &&
          Array.isArray(t.shape) &&
          t.shape.every((d) => Number.isInteger(d) && d >= 0),
      );
    if (!valid) throw new RangeError(`the checkpoint's ${what} are not a list of serialized tensors`);
    return list as SerializedTensor[];
  };
  const optimizer = (checkpoint.optimizer ?? {}) as Partial<AdamState>;
  const slots: [string, unknown][] = [
    ['weights', checkpoint.weights],
    ['Adam first moments', optimizer.firstMoment],
    ['Adam second moments', optimizer.secondMoment],
  ];
  for (const [what, list] of slots) {
    const serialized = tensors(what, list);
    checkTensorsMatch(what, serialized, expected);
    serialized.forEach(checkedValues);
  }
  if (!Number.isInteger(optimizer.iterations) || optimizer.iterations! < 0) {
    throw new RangeError(`the checkpoint's optimizer iterations must be a non-negative integer, got ${optimizer.iterations}`);
  }
}

export class CheckpointMismatchError extends Error {
  override name = 'CheckpointMismatchError';
}

/**
 * Throws a CheckpointMismatchError, naming `path` and the fix, when `checkpoint` cannot
 * restore `model` (another model's weights, a damaged tensor, a changed optimizer).
 */
export function checkResumable(checkpoint: TrainingCheckpoint, model: Autoencoder, path: string): void {
  try {
    checkCheckpointFits(checkpoint, model.weights);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new CheckpointMismatchError(
      `checkpoint ${path} does not fit this configuration's model (${why.replace(/\.$/, '')}); ` +
        'run again with --force (force: true in code) to start over, or delete the file',
    );
  }
}
