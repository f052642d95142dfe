/**
 * The dilution study (notebook 04): how the loss per pixel and per image move with the pad
 * width, for each pad mode, averaged over seeds.
 */
import { canonicalJson } from '../results/key.js';
import { requireCompleted, type ExperimentResult } from '../results/result.js';
import type { SweepResult } from '../experiments/sweep.js';

/** One pad width and mode: numbers averaged over `seeds` runs. */
export interface DilutionPoint {
  /** "edge", "constant", …; a pad width of 0 belongs to every mode's line. */
  mode: string;
  padWidth: number;
  pixels: number;
  perPixel: number;
  perImage: number;
  seeds: number;
}

/**
 * Mean loss per pixel and per image for each pad mode and width, over the seeds present.
 * The unpadded run starts every mode's line. Throws when the results differ in anything
 * but padding and seed, since the curve would then mix other changes into the padding's effect.
 */
export function dilutionPoints(input: SweepResult | readonly ExperimentResult[]): DilutionPoint[] {
  const results = ('results' in input ? input.results : input).filter((r) => r.status === 'completed' && r.ledger);
  if (results.length === 0) throw new Error('dilutionPoints: no completed results to draw');
  const rest = (r: ExperimentResult) => canonicalJson({ ...r.config, pad: null, seed: 0 });
  const differing = results.find((r) => rest(r) !== rest(results[0]));
  if (differing) {
    throw new Error(
      'dilutionPoints: the results differ in more than pad width, pad mode and seed ' +
        `(${rest(results[0])} versus ${rest(differing)}); draw one curve per setting`,
    );
  }
  const modes = [...new Set(results.map((r) => r.config.pad?.mode).filter((m): m is NonNullable<typeof m> => m !== undefined))];
  const groups = new Map<string, { mode: string; padWidth: number; results: ExperimentResult[] }>();
  for (const result of results) {
    const pad = result.config.pad;
    for (const mode of pad ? [pad.mode] : modes.length > 0 ? modes : ['none']) {
      const id = `${mode}/${pad?.width ?? 0}`;
      if (!groups.has(id)) groups.set(id, { mode, padWidth: pad?.width ?? 0, results: [] });
      groups.get(id)!.results.push(result);
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return [...groups.values()]
    .sort((a, b) => a.mode.localeCompare(b.mode) || a.padWidth - b.padWidth)
    .map((group) => ({
      mode: group.mode,
      padWidth: group.padWidth,
      pixels: requireCompleted(group.results[0], 'dilutionPoints').ledger.pixels,
      perPixel: mean(group.results.map((r) => requireCompleted(r, 'dilutionPoints').ledger.perPixel)),
      perImage: mean(group.results.map((r) => requireCompleted(r, 'dilutionPoints').ledger.perImage)),
      seeds: group.results.length,
    }));
}
