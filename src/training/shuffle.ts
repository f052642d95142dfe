/**
 * The order in which one epoch visits the samples. tfjs's `shuffle` draws from
 * Math.random, so a seeded run needs its own permutation: one derived stream per epoch,
 * which also makes an epoch's order independent of how many epochs ran before it in
 * this process (a resumed run visits the same batches).
 */
import { createRng, deriveSeed } from '../random.js';

/** A Fisher–Yates permutation of 0..n−1 for `epoch` (0-based) of the run seeded `seed`. */
export function epochOrder(n: number, seed: number, epoch: number): Int32Array {
  const rng = createRng(deriveSeed(seed, `shuffle-${epoch}`));
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    const swap = order[i];
    order[i] = order[j];
    order[j] = swap;
  }
  return order;
}
