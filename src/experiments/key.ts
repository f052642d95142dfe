/**
 * Cache keys: the normalised config with the results identity (identity.ts) of the code that
 * computes it, so two ways of writing one config share a key and results of two identities
 * never share one.
 */
import { createHash } from 'node:crypto';
import type { ExperimentConfig } from './config.js';

/** JSON with object keys sorted, so equal configs always give equal text. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** The key of `config`'s result computed under the results identity `identity` (ResultsIdentity.id). */
export function experimentKey(config: ExperimentConfig, identity: string): string {
  return createHash('sha256').update(canonicalJson({ config, identity })).digest('hex').slice(0, 24);
}
