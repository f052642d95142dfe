import { describe, expect, it } from 'vitest';
import { epochOrder } from '../../src/training/shuffle.js';
import { interruptOnSigint } from '../../src/training/interrupt.js';

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
