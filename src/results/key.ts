/**
 * Where a run's results are filed: its key names its settings, written as how they differ from
 * the tutorial's (DEFAULT_CONFIG), so two ways of writing one config share a key, and a setting
 * added later, at a default that keeps what the code did before, leaves every key as it was.
 * The key only finds a result: a stored result is used when its full config is the one asked
 * for and its results identity is one this build vouches for (cache.ts).
 */
import { createHash } from 'node:crypto';
import { DEFAULT_CONFIG, type ExperimentConfig } from '../settings/config.js';

/** JSON with object keys sorted, so equal configs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The settings of a normalised config that differ from DEFAULT_CONFIG. */
export function changedSettings(config: ExperimentConfig): Partial<ExperimentConfig> {
  return Object.fromEntries(
    Object.entries(config).filter(
      ([name, value]) => canonicalJson(value) !== canonicalJson(DEFAULT_CONFIG[name as keyof ExperimentConfig]),
    ),
  );
}

/** The key of a normalised config's results: 24 hex digits. */
export function runKey(config: ExperimentConfig): string {
  return createHash('sha256')
    .update(canonicalJson(changedSettings(config)))
    .digest('hex')
    .slice(0, 24);
}
