/**
 * Runs the graph of graph.ts: builds it for a model description, writes it once as a
 * SavedModel folder keyed by its content (a cache artefact under the OS temp folder), loads
 * it through tfjs-node's public `tf.node.loadSavedModel`, and steps, evaluates and predicts
 * with it. The graph is stateless: weights and Adam's moments live here as tensors and go in
 * and out of every call.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../tf.js';
import type { Autoencoder } from '../model/autoencoder.js';
import { checkTensorsMatch, deserializeTensor, serializeTensor, type AdamState, type SerializedTensor } from './checkpoint.js';
import type { BorderWidths } from '@losslens/protocol/border';
import { lowerModel } from './graph.js';
import { SERVE_TAG } from './tfProto.js';

export class TrainingGraphError extends Error {
  override name = 'TrainingGraphError';
}

type SavedModel = Awaited<ReturnType<typeof tf.node.loadSavedModel>>;

export interface GraphSession {
  train: SavedModel;
  evaluate: SavedModel;
  predict: SavedModel;
  /** Signature input names of the weights and moments, in the model's trainableWeights order. */
  names: { weights: string[]; m: string[]; v: string[] };
  /** Where the SavedModel folder is. */
  directory: string;
}

const sessions = new Map<string, Promise<GraphSession>>();

/** Where graphs are written: one folder per graph content under the OS temp folder. */
export function graphCacheDirectory(): string {
  return join(tmpdir(), 'losslens-graphs');
}

function writeOnce(directory: string, bytes: Uint8Array): void {
  const file = join(directory, 'saved_model.pb');
  if (existsSync(file)) return;
  mkdirSync(directory, { recursive: true });
  // Another process may write the same graph at the same time: write aside, then rename over.
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, bytes);
  renameSync(partial, file);
}

export async function loadGraph(directory: string, names: GraphSession['names']): Promise<GraphSession> {
  try {
    const [train, evaluate, predict] = await Promise.all(
      ['train', 'evaluate', 'predict'].map((signature) => tf.node.loadSavedModel(directory, [SERVE_TAG], signature)),
    );
    return { train, evaluate, predict, names, directory };
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TrainingGraphError(
      `could not load losslens's training graph from ${directory}: ${reason}. Delete that folder to have it rebuilt; ` +
        'if this persists, the libtensorflow in use lacks an op the graph needs (run bash scripts/setup.sh).',
    );
  }
}

/**
 * The loaded graph for `model`; built, written and loaded once per process.
 * `lossBorder` restricts the loss (and its gradient) to the pixels inside that border.
 */
export function graphSession(model: Autoencoder, lossBorder: BorderWidths | null = null): Promise<GraphSession> {
  const lowered = lowerModel({
    height: model.height,
    width: model.width,
    layers: model.layers.map((layer) => layer.spec),
    loss: model.loss,
    adam: model.adam,
    ...(lossBorder ? { lossBorder } : {}),
  });
  const key = createHash('sha256').update(lowered.bytes).digest('hex').slice(0, 16);
  let session = sessions.get(key);
  if (!session) {
    const directory = join(graphCacheDirectory(), key);
    writeOnce(directory, lowered.bytes);
    session = loadGraph(directory, lowered.names);
    session.catch(() => sessions.delete(key));
    sessions.set(key, session);
  }
  return session;
}

/** Signature inputs for the model's current weights. */
export function weightInputs(session: GraphSession, weights: readonly tfn.Tensor[]): tfn.NamedTensorMap {
  return Object.fromEntries(session.names.weights.map((name, i) => [name, weights[i]]));
}

/** Everything a training step changes: the weights, Adam's moments and its step counter. */
export class TrainingState {
  private constructor(
    readonly names: readonly string[],
    public weights: tfn.Tensor[],
    public m: tfn.Tensor[],
    public v: tfn.Tensor[],
    public iterations: number,
  ) {}

  /** `weights` of `model` (copied) with fresh (zero) moments. */
  static of(model: Autoencoder, weights: readonly tfn.Tensor[]): TrainingState {
    const names = model.weights.map((weight) => weight.name);
    const tensors = weights;
    return new TrainingState(
      names,
      tensors.map((t) => t.clone()),
      tensors.map((t) => tf.zerosLike(t)),
      tensors.map((t) => tf.zerosLike(t)),
      0,
    );
  }

  /** Replaces everything with a checkpoint's weights and optimizer state, checked against this model's weights. */
  restore(weights: readonly SerializedTensor[], optimizer: AdamState): void {
    const expected = this.names.map((name, i) => ({ name, shape: this.weights[i].shape }));
    checkTensorsMatch('weights', weights, expected);
    checkTensorsMatch('Adam first moments', optimizer.firstMoment, expected);
    checkTensorsMatch('Adam second moments', optimizer.secondMoment, expected);
    if (!Number.isInteger(optimizer.iterations) || optimizer.iterations < 0) {
      throw new RangeError(`the checkpoint's optimizer iterations must be a non-negative integer, got ${optimizer.iterations}`);
    }
    this.replace(
      weights.map(deserializeTensor),
      optimizer.firstMoment.map(deserializeTensor),
      optimizer.secondMoment.map(deserializeTensor),
    );
    this.iterations = optimizer.iterations;
  }

  serializedWeights(): SerializedTensor[] {
    return this.weights.map((t, i) => serializeTensor(this.names[i], t));
  }

  optimizerState(): AdamState {
    return {
      iterations: this.iterations,
      firstMoment: this.m.map((t, i) => serializeTensor(this.names[i], t)),
      secondMoment: this.v.map((t, i) => serializeTensor(this.names[i], t)),
    };
  }

  /**
   * One Adam step on a batch. Returns the batch's loss and whether it and every gradient were
   * finite; the new state is adopted only then, so a diverging batch leaves the last good weights in place.
   */
  step(session: GraphSession, x: tfn.Tensor, y: tfn.Tensor): { loss: number; finite: boolean } {
    const { names } = session;
    const inputs: tfn.NamedTensorMap = { x, y, step: tf.scalar(this.iterations) };
    names.weights.forEach((name, i) => (inputs[name] = this.weights[i]));
    names.m.forEach((name, i) => (inputs[name] = this.m[i]));
    names.v.forEach((name, i) => (inputs[name] = this.v[i]));
    const outputs = session.train.predict(inputs) as tfn.NamedTensorMap;
    inputs.step.dispose();
    const loss = outputs.loss.dataSync()[0];
    const finite = outputs.finite.dataSync()[0] === 1 && Number.isFinite(loss);
    const pick = (list: readonly string[]) => list.map((name) => outputs[name]);
    if (finite) {
      this.replace(pick(names.weights), pick(names.m), pick(names.v));
      this.iterations += 1;
      tf.dispose([outputs.loss, outputs.finite, outputs.step]);
    } else {
      tf.dispose(Object.values(outputs));
    }
    return { loss, finite };
  }

  /** The weights, handed to the caller, who disposes them; the state keeps its moments until disposed. */
  takeWeights(): tfn.Tensor[] {
    const weights = this.weights;
    this.weights = [];
    return weights;
  }

  dispose(): void {
    tf.dispose([...this.weights, ...this.m, ...this.v]);
  }

  private replace(weights: tfn.Tensor[], m: tfn.Tensor[], v: tfn.Tensor[]): void {
    this.dispose();
    this.weights = weights;
    this.m = m;
    this.v = v;
  }
}
