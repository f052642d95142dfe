/**
 * Seeded randomness for everything losslens draws (noise, shuffles, initial weights),
 * so that one seed names one run. Math.random cannot be seeded, and tfjs's own seeded
 * ops cover only some of these draws.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (mean 0, variance 1). */
  normal(): number;
  /** Uniform integer in [0, n). */
  integer(n: number): number;
}

/** mulberry32: 32-bit state, full period, fast enough to draw 60 M values in about a second. */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 2^32), got ${seed}`);
  }
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  // Box-Muller yields normals in pairs; keep the second for the next call.
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const value = spare;
      spare = null;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - uniform()));
    const angle = 2 * Math.PI * uniform();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const integer = (n: number): number => Math.floor(uniform() * n);
  return { uniform, normal, integer };
}

/** Independent child seeds, e.g. one for noise and one for shuffling, from one user seed. */
export function deriveSeed(seed: number, stream: string): number {
  let hash = seed >>> 0;
  for (let i = 0; i < stream.length; i++) {
    hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  }
  return createRng(hash).integer(0x100000000);
}
