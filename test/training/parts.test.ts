import { describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { FlatAdam } from '../../src/training/adam.js';
import { epochOrder } from '../../src/training/shuffle.js';
import { interruptOnSigint } from '../../src/training/interrupt.js';

describe('FlatAdam', () => {
  it("follows Keras's update rule (epsilon before the bias correction) for every weight", () => {
    const config = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    const start = [
      [0.5, -0.25, 1],
      [2, -3],
    ];
    const variables = start.map((values) => tf.variable(tf.tensor1d(values)));
    const adam = new FlatAdam(
      variables.map((variable, i) => ({ name: `w${i}`, variable })),
      config,
    );
    const gradients = [
      [
        [0.1, -0.2, 0.3],
        [1, 0],
      ],
      [
        [-0.4, 0.5, 0.01],
        [-2, 0.5],
      ],
    ];
    // The same arithmetic in float64, straight from keras.optimizers.Adam.update_step.
    const expected = start.map((values) => values.slice());
    const m = start.map((values) => values.map(() => 0));
    const v = start.map((values) => values.map(() => 0));
    gradients.forEach((step, s) => {
      const t = s + 1;
      const alpha = (config.learningRate * Math.sqrt(1 - config.beta2 ** t)) / (1 - config.beta1 ** t);
      step.forEach((g, w) =>
        g.forEach((gi, i) => {
          m[w][i] += (gi - m[w][i]) * (1 - config.beta1);
          v[w][i] += (gi * gi - v[w][i]) * (1 - config.beta2);
          expected[w][i] -= (alpha * m[w][i]) / (Math.sqrt(v[w][i]) + config.epsilon);
        }),
      );
      const tensors = step.map((g) => tf.tensor1d(g));
      adam.step(tensors);
      tf.dispose(tensors);
    });
    variables.forEach((variable, w) => {
      Array.from(variable.dataSync()).forEach((value, i) => expect(value).toBeCloseTo(expected[w][i], 6));
    });
    const state = adam.getState();
    expect(state.iterations).toBe(2);
    expect(state.firstMoment.map((s) => [s.name, s.shape])).toEqual([
      ['w0', [3]],
      ['w1', [2]],
    ]);
    adam.dispose();
    variables.forEach((variable) => variable.dispose());
  });
});

describe('epochOrder', () => {
  it('is a permutation, fixed by seed and epoch, different across epochs and seeds', () => {
    const order = epochOrder(1000, 5, 0);
    expect(Array.from(order).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(epochOrder(1000, 5, 0)).toEqual(order);
    expect(epochOrder(1000, 5, 1)).not.toEqual(order);
    expect(epochOrder(1000, 6, 0)).not.toEqual(order);
  });
});

describe('interruptOnSigint', () => {
  it('aborts its signal on SIGINT and stops listening once disposed', () => {
    const listeners = process.listenerCount('SIGINT');
    const interrupt = interruptOnSigint();
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    expect(interrupt.signal.aborted).toBe(false);
    process.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    interrupt.dispose();
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });

  it('inside a kernel (repeatExits: false) stays aborted and listening through a repeated SIGINT', () => {
    const listeners = process.listenerCount('SIGINT');
    const interrupt = interruptOnSigint({ repeatExits: false });
    process.emit('SIGINT');
    process.emit('SIGINT');
    expect(interrupt.signal.aborted).toBe(true);
    expect(process.listenerCount('SIGINT')).toBe(listeners + 1);
    interrupt.dispose();
    expect(process.listenerCount('SIGINT')).toBe(listeners);
  });
});
