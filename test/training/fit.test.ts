import { describe, expect, it } from 'vitest';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { buildAutoencoder, initialWeights } from '../../src/model/autoencoder.js';
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

const valuesOf = (weights: readonly tfn.Tensor[]) => weights.map((w) => Array.from(w.dataSync()));

describe('fit', () => {
  it('is seeded: two runs with the same seed give identical losses and weights', async () => {
    const { inputs, targets } = syntheticData(80, 1);
    const run = async (seed: number) => {
      const model = buildAutoencoder({ height: SIDE, width: SIDE, seed });
      const result = await fit(model, inputs, targets, { epochs: 2, batchSize: 32, seed });
      const weights = valuesOf(result.weights);
      tf.dispose(result.weights);
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

  it("hands onEpochEnd that epoch's weights (evaluating them there sees the training so far)", async () => {
    const { inputs, targets } = syntheticData(64, 5);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 5 });
    const start = initialWeights(model);
    const untrained = await evaluate({ model, weights: start }, inputs, targets, 32);
    const perEpoch: number[] = [];
    const result = await fit(model, inputs, targets, {
      epochs: 2,
      batchSize: 16,
      seed: 5,
      onEpochEnd: async (checkpoint) => {
        const weights = checkpoint.weights.map(deserializeTensor);
        perEpoch.push(await evaluate({ model, weights }, inputs, targets, 32));
        tf.dispose(weights);
      },
    });
    expect(result.status).toBe('completed');
    expect(perEpoch[0]).toBeLessThan(untrained);
    expect(perEpoch[1]).toBeLessThan(perEpoch[0]);
    expect(perEpoch[1]).toBe(await evaluate({ model, weights: result.weights }, inputs, targets, 32));
    tf.dispose([inputs, targets, ...start, ...result.weights]);
  });

  it('resumed from a checkpoint, ends with exactly the weights and losses of an uninterrupted run', async () => {
    const { inputs, targets } = syntheticData(72, 2);
    const options = { epochs: 3, batchSize: 16, seed: 9 };

    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 9 });
    const uninterrupted = await fit(model, inputs, targets, options);

    // Interrupted at the end of epoch 1: only epoch 1 survives, and its checkpoint goes through JSON as it would to disk.
    const controller = new AbortController();
    let saved = '';
    const interrupted = await fit(model, inputs, targets, {
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
    const resumed = await fit(buildAutoencoder({ height: SIDE, width: SIDE, seed: 9 }), inputs, targets, {
      ...options,
      resume: checkpoint,
    });

    expect(resumed.status).toBe('completed');
    expect(resumed.history.map((r) => [r.epoch, r.loss])).toEqual(uninterrupted.history.map((r) => [r.epoch, r.loss]));
    expect(valuesOf(resumed.weights)).toEqual(valuesOf(uninterrupted.weights));
    tf.dispose([inputs, targets, ...uninterrupted.weights, ...interrupted.weights, ...resumed.weights]);
  });

  it('a checkpoint restores weights bit for bit', async () => {
    const { inputs, targets } = syntheticData(32, 3);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    let checkpoint: TrainingCheckpoint | undefined;
    const result = await fit(model, inputs, targets, { epochs: 1, batchSize: 32, seed: 1, onEpochEnd: (c) => void (checkpoint = c) });
    const restored = checkpoint!.weights.map((w) => {
      const tensor = deserializeTensor(w);
      const values = Array.from(tensor.dataSync());
      tensor.dispose();
      return values;
    });
    expect(restored).toEqual(valuesOf(result.weights));
    expect(checkpoint!.weights.map((w) => w.name)).toEqual(model.weights.map((w) => w.name));
    expect(model.weights.map((w) => w.name).slice(0, 3)).toEqual(['conv2d/kernel', 'conv2d/bias', 'conv2d_1/kernel']);
    tf.dispose([inputs, targets, ...result.weights]);
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
    // The poisoned batch's update was never applied: the weights are the initial ones.
    const start = initialWeights(model);
    expect(valuesOf(result.weights)).toEqual(valuesOf(start));
    tf.dispose([inputs, targets, poisoned, ...start, ...result.weights]);
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
    const none = await fit(model, inputs, targets, { epochs: 1, batchSize: 8, seed: 1, signal: aborted.signal });
    expect(none.message).toMatch(/after 0 of 8 batches; kept the 0/);
    tf.dispose([inputs, targets, ...result.weights, ...none.weights]);
  });

  it('leaks no tensors: the count is flat across epochs and back to where it started', async () => {
    const { inputs, targets } = syntheticData(40, 5);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const before = tf.memory().numTensors;
    const perEpoch: number[] = [];
    const result = await fit(model, inputs, targets, {
      epochs: 3,
      batchSize: 16,
      seed: 1,
      onEpochEnd: () => void perEpoch.push(tf.memory().numTensors),
    });
    expect(new Set(perEpoch).size).toBe(1);
    // Only the weights fit hands back remain, and the caller disposes them.
    expect(tf.memory().numTensors).toBe(before + model.weights.length);
    tf.dispose(result.weights);
    expect(tf.memory().numTensors).toBe(before);
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
    tf.dispose([inputs, targets, ...result.weights]);
  });

  it('reports an epoch finished only once onEpochEnd (the checkpoint write) has resolved', async () => {
    const { inputs, targets } = syntheticData(32, 10);
    const model = buildAutoencoder({ height: SIDE, width: SIDE, seed: 1 });
    const order: string[] = [];
    const result = await fit(model, inputs, targets, {
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
    tf.dispose([inputs, targets, ...result.weights]);
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
    const trained = await fit(other, bigInputs, bigInputs, { epochs: 1, batchSize: 8, seed: 1, onEpochEnd: (c) => void (checkpoint = c) });
    checkpoint!.weights[0].shape = [3, 3, 1, 16];
    await expect(fit(model, inputs, targets, { epochs: 2, batchSize: 4, seed: 1, resume: checkpoint })).rejects.toThrow(
      /do not fit this model/,
    );
    tf.dispose([inputs, targets, big.inputs, big.targets, bigInputs, ...trained.weights]);
  });
});
