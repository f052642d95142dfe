/**
 * The statistics losslens reports: a spread of values, and Student's t interval of their mean.
 * Pure functions of numbers; seeds.ts applies them to runs over seeds.
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface Spread {
  mean: number;
  /** Sample standard deviation (n − 1); null with fewer than two values. */
  std: number | null;
  min: number;
  max: number;
  n: number;
}

/** A two-sided confidence interval of a mean. */
export interface Interval {
  /** e.g. 0.95. */
  level: number;
  low: number;
  high: number;
  /** high − mean = mean − low. */
  halfWidth: number;
}

export interface SeedSummary extends Spread {
  /** Interval of the mean from Student's t with n − 1 degrees of freedom; null with fewer than two values. */
  interval: Interval | null;
}

/** Confidence level of every interval here unless a caller asks for another. */
export const CONFIDENCE_LEVEL = 0.95;

export function spread(values: readonly number[]): Spread {
  const n = values.length;
  if (n === 0) throw new RangeError('spread of no values');
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (n - 1)) : null;
  return { mean, std, min: Math.min(...values), max: Math.max(...values), n };
}

/** mean ± t · std / √n, t the two-sided `level` quantile of Student's t with n − 1 degrees of freedom; null below two values. */
export function confidenceInterval(values: Spread, level = CONFIDENCE_LEVEL): Interval | null {
  if (!(level > 0 && level < 1)) throw new RangeError(`confidence level must be between 0 and 1, got ${level}`);
  if (values.std === null) return null;
  const halfWidth = (tQuantile(1 - (1 - level) / 2, values.n - 1) * values.std) / Math.sqrt(values.n);
  return { level, low: values.mean - halfWidth, high: values.mean + halfWidth, halfWidth };
}

/** Spread and confidence interval of the mean. */
export function summariseValues(values: readonly number[], level = CONFIDENCE_LEVEL): SeedSummary {
  const s = spread(values);
  return { ...s, interval: confidenceInterval(s, level) };
}
