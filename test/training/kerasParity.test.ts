/**
 * The claim behind "Keras parity": from the same weights and data, losslens's training
 * steps give Keras's losses and weights (Keras 3 on TensorFlow, from the project's .venv).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { buildAutoencoder, initialWeights } from '../../src/model/autoencoder.js';
import { fit } from '../../src/training/fit.js';

const PYTHON = path.resolve(__dirname, '../../.venv/bin/python');
const BENCH_DIR = path.resolve(__dirname, '../../bench');

// Reads weights and one batch as JSON on stdin, takes `steps` Adam steps on that batch with
// the question's Keras model (bench/keras_reference.py), prints losses and weights.
const KERAS_STEPS = `
import json, os, sys
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
sys.path.insert(0, sys.argv[1])
from keras_reference import build
job = json.load(sys.stdin)
side = job["side"]
model = build(side)
model.set_weights([np.array(w["values"], dtype="float32").reshape(w["shape"]) for w in job["weights"]])
shape = (-1, side, side, 1)
xs = np.array(job["inputs"], dtype="float32").reshape(shape)
ys = np.array(job["targets"], dtype="float32").reshape(shape)
losses = [float(model.train_on_batch(xs, ys)) for _ in range(job["steps"])]
print(json.dumps({"losses": losses, "weights": [w.ravel().tolist() for w in model.get_weights()]}))
`;

describe('Keras parity', () => {
  it("three Adam steps on one batch give Keras's losses and weights", async () => {
    const side = 8;
    const steps = 3;
    const model = buildAutoencoder({ height: side, width: side, seed: 12 });
    // fit starts from the same initial weights.
    const start = initialWeights(model);
    const inputs = tf.randomUniform<tfn.Rank.R4>([16, side, side, 1], 0, 1, 'float32', 31);
    const targets = tf.tidy(() => tf.clipByValue(tf.mul(inputs, 1.5), 0, 1)) as tfn.Tensor4D;
    const job = {
      side,
      steps,
      weights: start.map((w) => ({ shape: w.shape, values: Array.from(w.dataSync()) })),
      inputs: Array.from(inputs.dataSync()),
      targets: Array.from(targets.dataSync()),
    };
    const keras = spawnSync(PYTHON, ['-c', KERAS_STEPS, BENCH_DIR], { input: JSON.stringify(job), encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(keras.status, keras.stderr).toBe(0);
    const expected = JSON.parse(keras.stdout.trim().split('\n').pop()!) as { losses: number[]; weights: number[][] };

    // One batch per epoch holds every sample, so the shuffle changes nothing but summation order.
    const result = await fit(model, inputs, targets, { epochs: steps, batchSize: 16, seed: 1 });
    result.history.forEach((record, i) => expect(record.loss).toBeCloseTo(expected.losses[i], 6));
    const ours = result.weights.map((w) => Array.from(w.dataSync()));
    ours.forEach((values, i) => {
      const gap = Math.max(...values.map((v, j) => Math.abs(v - expected.weights[i][j])));
      // Each step moves a weight by up to 1e-3 (the learning rate); the implementations agree to ~1e-6 of that.
      expect(gap).toBeLessThan(1e-6);
    });
    tf.dispose([inputs, targets, ...start, ...result.weights]);
  });
});
