import { describe, expect, it } from 'vitest';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { buildAutoencoder } from '../../src/model/autoencoder.js';
import { fit, type TrainingProgress } from '../../src/training/fit.js';
import { evaluate } from '../../src/training/evaluate.js';
import { deserializeTensor, type TrainingCheckpoint } from '../../src/training/checkpoint.js';

const SIDE = 12;

/** Small blurry blobs as clean targets and a noisy copy as inputs: learnable, so the loss moves. */
function syntheticData(samples: number, seed: number) {
  return tf.tidy(() => {
    const clean = tf.avgPool(tf.randomUniform<tfn.Rank.R4>([samples, SIDE, SIDE, 1], 0, 1, 'float32', seed), 3, 1, 'same');
    const noisy = tf.clipByValue(tf.add(clean, tf.randomNormal(clean.shape, 0, 0.3, 'float32', seed + 1)), 0, 1);
    return { inputs: noisy as tfn.Tensor4D, targets: clean };
  });
}

const weightsOf = (model: tfn.LayersModel) => model.getWeights().map((w) => Array.from(w.dataSync()));

describe('fit', () => {
  it('is seeded: two runs with the same seed give identical losses and weights', async () => {
    const { inputs, targets } = syntheticData(80, 1);
    const run = async (seed: number) => {
      const model = buildAutoencoder({ height: SIDE, width: SIDE, seed });
      const result = await fit(model, inputs, targets, { epochs: 2, batchSize: 32, seed });
      const weights = weightsOf(model);
      model.dispose();
      return { losses: result.history.map((r) => r.loss), weights, status: result.status };
    };
    const first = await run(3);
    expect(first.status).toBe('completed');
    expect(first.losses).toHaveLength(2);
    expect(first.losses[1]).toBeLessThan(first.losses[0]);
    expect(await run(3)).toEqual(first);
    expect((await run(4)).losses).not.toEqual(first.losses);
    tf.dispose([inputs, targets]);
  });

  it("hands onEpochEnd a model that holds that epoch's weights (evaluating it there sees the training so far)", async () => {
    const { inputs, targets } = syntheticData(64, 5);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 5 });
    const untrained = await evaluate(model, inputs, targets, 32);
    const perEpoch: number[] = [];
    const result = await fit(model, inputs, targets, {
      epochs: 2,
      batchSize: 16,
      seed: 5,
      onEpochEnd: async () => {
        perEpoch.push(await evaluate(model, inputs, targets, 32));
      },
    });
    expect(result.status).toBe('completed');
    expect(perEpoch[0]).toBeLessThan(untrained);
    expect(perEpoch[1]).toBeLessThan(perEpoch[0]);
    expect(perEpoch[1]).toBe(await evaluate(model, inputs, targets, 32));
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('resumed from a checkpoint, ends with exactly the weights and losses of an uninterrupted run', async () => {
    const { inputs, targets } = syntheticData(72, 2);
    const options = { epochs: 3, batchSize: 16, seed: 9 };

    const straight = buildAutoencoder({ height: SIDE, width: SIDE, seed: 9 });
    const uninterrupted = await fit(straight, inputs, targets, options);

    // Interrupted at the end of epoch 1: only epoch 1 survives, and its checkpoint goes through JSON as it would to disk.
    const first = buildAutoencoder({ height: SIDE, width: SIDE, seed: 9 });
    const controller = new AbortController();
    let saved = '';
    const interrupted = await fit(first, inputs, targets, {
      ...options,
      signal: controller.signal,
      onEpochEnd: (checkpoint) => {
        saved = JSON.stringify(checkpoint);
        controller.abort();
      },
    });
    expect(interrupted.status).toBe('interrupted');
    expect(interrupted.history).toHaveLength(1);
    expect(interrupted.message).toMatch(/in epoch 2 after 0 of 5 batches; kept the 1 finished epoch/);
    const checkpoint = JSON.parse(saved) as TrainingCheckpoint;
    expect(checkpoint.epoch).toBe(1);
    expect(checkpoint.optimizer.iterations).toBe(5);

    // A fresh process would rebuild the model from the config (same seed) before resuming.
    const resumedModel = buildAutoencoder({ height: SIDE, width: SIDE, seed: 9 });
    const resumed = await fit(resumedModel, inputs, targets, { ...options, resume: checkpoint });

    expect(resumed.status).toBe('completed');
    expect(resumed.history.map((r) => [r.epoch, r.loss])).toEqual(uninterrupted.history.map((r) => [r.epoch, r.loss]));
    expect(weightsOf(resumedModel)).toEqual(weightsOf(straight));
    tf.dispose([inputs, targets]);
    [straight, first, resumedModel].forEach((m) => m.dispose());
  });

  it('a checkpoint restores weights bit for bit', async () => {
    const { inputs, targets } = syntheticData(32, 3);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    let checkpoint: TrainingCheckpoint | undefined;
    await fit(model, inputs, targets, { epochs: 1, batchSize: 32, seed: 1, onEpochEnd: (c) => void (checkpoint = c) });
    const restored = checkpoint!.weights.map((w) => {
      const tensor = deserializeTensor(w);
      const values = Array.from(tensor.dataSync());
      tensor.dispose();
      return values;
    });
    expect(restored).toEqual(weightsOf(model));
    expect(checkpoint!.weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.originalName));
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('stops on a NaN loss with status diverged, naming the epoch and batch', async () => {
    const { inputs, targets } = syntheticData(64, 4);
    const poisoned = tf.tidy(() => tf.concat([inputs.slice(0, 63), tf.fill<tfn.Rank.R4>([1, SIDE, SIDE, 1], NaN)]));
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    // With batchSize 64 the NaN sample lands in the first batch whatever the shuffle.
    const result = await fit(model, poisoned, targets, { epochs: 2, batchSize: 64, seed: 1 });
    expect(result.status).toBe('diverged');
    expect(result.history).toEqual([]);
    // With oneDNN's kernels a NaN pixel may vanish in a ReLU or max pool and leave the loss finite, but never the first layer's gradient.
    expect(result.message).toMatch(/(the loss became NaN|a gradient became non-finite \(loss [\d.]+\)) at epoch 1, batch 1 of 1/);
    // The poisoned batch's update was never applied.
    expect(model.getWeights().every((w) => w.dataSync().every(Number.isFinite))).toBe(true);
    model.dispose();
    tf.dispose([inputs, targets, poisoned]);
  });

  it('stops mid-epoch after the current batch, discarding the unfinished epoch', async () => {
    const { inputs, targets } = syntheticData(64, 9);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const controller = new AbortController();
    const result = await fit(model, inputs, targets, {
      epochs: 3,
      batchSize: 8,
      seed: 1,
      signal: controller.signal,
      onEpochEnd: () => {
        // Abort from a later turn of the event loop, as a SIGINT handler would: fit must yield to the event loop for it
        // to run. Two turns land it in epoch 2 whatever the machine's load (a 0 ms timer may fire before its first batch).
        setImmediate(() => setImmediate(() => controller.abort()));
      },
    });
    expect(result.status).toBe('interrupted');
    expect(result.history.map((r) => r.epoch)).toEqual([1]);
    expect(result.message).toMatch(/in epoch 2 after [1-7] of 8 batches; kept the 1 finished epoch/);
    const aborted = new AbortController();
    aborted.abort();
    expect((await fit(model, inputs, targets, { epochs: 1, batchSize: 8, seed: 1, signal: aborted.signal })).message).toMatch(
      /after 0 of 8 batches; kept the 0/,
    );
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('leaks no tensors: the count is flat across epochs and back to where it started', async () => {
    const { inputs, targets } = syntheticData(40, 5);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    await fit(model, inputs, targets, {
      epochs: 3,
      batchSize: 16,
      seed: 1,
      onEpochEnd: () => void perEpoch.push(tf.memory().numTensors),
    });
    expect(new Set(perEpoch).size).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('reports progress per epoch and per batch, with the epoch mean loss of the history', async () => {
    const { inputs, targets } = syntheticData(48, 6);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const events: TrainingProgress[] = [];
    const result = await fit(model, inputs, targets, { epochs: 2, batchSize: 16, seed: 1, onProgress: (e) => events.push(e) });
    const epochEvents = events.filter((e) => e.kind === 'epoch');
    expect(epochEvents.map((e) => [e.epoch, e.epochs, e.batch, e.batches])).toEqual([
      [1, 2, 3, 3],
      [2, 2, 3, 3],
    ]);
    expect(epochEvents.map((e) => e.loss)).toEqual(result.history.map((r) => r.loss));
    expect(events.filter((e) => e.kind === 'batch').length).toBeGreaterThanOrEqual(2);
    const last = epochEvents[1];
    expect(last.etaSeconds).toBe(0);
    expect(last.samplesPerSecond).toBeGreaterThan(0);
    expect(last.elapsedSeconds).toBeGreaterThan(0);
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('reports an epoch finished only once onEpochEnd (the checkpoint write) has resolved', async () => {
    const { inputs, targets } = syntheticData(32, 10);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const order: string[] = [];
    await fit(model, inputs, targets, {
      epochs: 2,
      batchSize: 16,
      seed: 1,
      onProgress: (e) => e.kind === 'epoch' && order.push(`epoch ${e.epoch} reported`),
      onEpochEnd: async (c) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        order.push(`epoch ${c.epoch} saved`);
      },
    });
    expect(order).toEqual(['epoch 1 saved', 'epoch 1 reported', 'epoch 2 saved', 'epoch 2 reported']);
    model.dispose();
    tf.dispose([inputs, targets]);
  });

  it('rejects bad options with messages that say what is wrong', async () => {
    const { inputs, targets } = syntheticData(8, 7);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    await expect(fit(model, inputs, targets.slice(0, 4), { epochs: 1, batchSize: 4, seed: 1 })).rejects.toThrow(
      /same, non-zero number of samples, got 8 and 4/,
    );
    await expect(fit(model, inputs, targets, { epochs: 0, batchSize: 4, seed: 1 })).rejects.toThrow(/epochs must be a positive integer/);
    await expect(fit(model, inputs, targets, { epochs: 1, batchSize: 2.5, seed: 1 })).rejects.toThrow(
      /batchSize must be a positive integer/,
    );
    const other = buildAutoencoder({ height: 16, width: 16, seed: 1 });
    let checkpoint: TrainingCheckpoint | undefined;
    const big = syntheticData(8, 8);
    const bigInputs = tf.image.resizeBilinear(big.inputs, [16, 16]);
    await fit(other, bigInputs, bigInputs, { epochs: 1, batchSize: 8, seed: 1, onEpochEnd: (c) => void (checkpoint = c) });
    checkpoint!.weights[0].shape = [3, 3, 1, 16];
    await expect(fit(model, inputs, targets, { epochs: 2, batchSize: 4, seed: 1, resume: checkpoint })).rejects.toThrow(
      /do not fit this model/,
    );
    [model, other].forEach((m) => m.dispose());
    tf.dispose([inputs, targets, big.inputs, big.targets, bigInputs]);
  });
});
