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

// Marsaglia and Tsang's ziggurat ("The Ziggurat Method for Generating Random Variables",
// 2000): about three times faster than Box-Muller, which spends most of its time in
// log, sqrt, sin and cos, and a 32×32 training set's noise needs 61 million draws. Each
// draw takes one 32-bit word: its low 7 bits pick the layer and the other 25 the position, so the
// two never share bits (the original reused them, a correlation Doornik pointed out).
const LAYERS = 128;
const TAIL_START = 3.442619855899;
const LAYER_AREA = 9.91256303526217e-3;
const POSITION_SCALE = 2 ** 24;
const layerInside = new Float64Array(LAYERS);
const layerWidth = new Float64Array(LAYERS);
const layerDensity = new Float64Array(LAYERS);
{
  let edge = TAIL_START;
  let outerEdge = TAIL_START;
  const baseWidth = LAYER_AREA / Math.exp(-0.5 * edge * edge);
  layerInside[0] = (edge / baseWidth) * POSITION_SCALE;
  layerInside[1] = 0;
  layerWidth[0] = baseWidth / POSITION_SCALE;
  layerWidth[LAYERS - 1] = edge / POSITION_SCALE;
  layerDensity[0] = 1;
  layerDensity[LAYERS - 1] = Math.exp(-0.5 * edge * edge);
  for (let layer = LAYERS - 2; layer >= 1; layer--) {
    edge = Math.sqrt(-2 * Math.log(LAYER_AREA / edge + Math.exp(-0.5 * edge * edge)));
    layerInside[layer + 1] = (edge / outerEdge) * POSITION_SCALE;
    outerEdge = edge;
    layerDensity[layer] = Math.exp(-0.5 * edge * edge);
    layerWidth[layer] = edge / POSITION_SCALE;
  }
}

function standardNormal(rng: Rng): number {
  for (;;) {
    const word = rng.integer(0x100000000) | 0;
    const layer = word & (LAYERS - 1);
    const position = word >> 7;
    const x = position * layerWidth[layer];
    if (Math.abs(position) < layerInside[layer]) {
      return x;
    }
    if (layer === 0) {
      // Beyond TAIL_START, Marsaglia's exact exponential-rejection sampler for the tail.
      let tail: number;
      let height: number;
      do {
        tail = -Math.log(1 - rng.uniform()) / TAIL_START;
        height = -Math.log(1 - rng.uniform());
      } while (height + height < tail * tail);
      return position > 0 ? TAIL_START + tail : -TAIL_START - tail;
    }
    const density = layerDensity[layer] + rng.uniform() * (layerDensity[layer - 1] - layerDensity[layer]);
    if (density < Math.exp(-0.5 * x * x)) {
      return x;
    }
  }
}

/** mulberry32: 32-bit state, full period, fast enough for the 61 M noise draws of a 32×32 training set. */
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
  const integer = (n: number): number => Math.floor(uniform() * n);
  const rng: Rng = { uniform, integer, normal: () => standardNormal(rng) };
  return rng;
}

/** Independent child seeds, e.g. one for noise and one for shuffling, from one user seed. */
export function deriveSeed(seed: number, stream: string): number {
  let hash = seed >>> 0;
  for (let i = 0; i < stream.length; i++) {
    hash = Math.imul(hash ^ stream.charCodeAt(i), 0x01000193) >>> 0;
  }
  return createRng(hash).integer(0x100000000);
}
