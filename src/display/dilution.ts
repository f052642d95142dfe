/**
 * The dilution curve from a sweep over pad widths (and modes, and seeds): the points are
 * the sweep's completed ledgers averaged over seeds, drawn by the spec in
 * @losslens/protocol (dilution.ts) and sent as an SVG rendered here plus text, like every losslens figure.
 */
import { canonicalJson } from '../experiments/key.js';
import type { ExperimentResult } from '../experiments/result.js';
import type { SweepResult } from '../experiments/sweep.js';
import { type DilutionPoint, dilutionSpec, formatPerPixel } from '@losslens/protocol';
import type { MimeBundle } from './bundle.js';
import { currentSink } from './channel.js';
import { vegaLiteToSvg } from './lossPlot.js';

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
      pixels: group.results[0].ledger!.pixels,
      perPixel: mean(group.results.map((r) => r.ledger!.perPixel)),
      perImage: mean(group.results.map((r) => r.ledger!.perImage)),
      seeds: group.results.length,
    }));
}

/** "edge: pad 0 0.099 / 77.6 · pad 2 …" per mode, for text/plain. */
function dilutionText(points: readonly DilutionPoint[], title: string): string {
  const modes = [...new Set(points.map((p) => p.mode))];
  return [
    title,
    ...modes.map(
      (mode) =>
        `  ${mode}: ` +
        points
          .filter((p) => p.mode === mode)
          .map((p) => `pad ${p.padWidth}: ${formatPerPixel(p.perPixel)} per pixel, ${p.perImage.toFixed(1)} per image`)
          .join(' · '),
    ),
  ].join('\n');
}

export async function dilutionBundle(
  points: readonly DilutionPoint[],
  options: { title?: string; subtitle?: string } = {},
): Promise<MimeBundle> {
  const spec = dilutionSpec(points, options);
  const title = (spec.title as { text: string }).text;
  return { data: { 'image/svg+xml': await vegaLiteToSvg(spec), 'text/plain': dilutionText(points, title) }, metadata: {} };
}

/** Draws the dilution curve of a sweep (or of results) in the running cell. */
export async function showDilutionCurve(
  input: SweepResult | readonly ExperimentResult[],
  options: { title?: string; subtitle?: string } = {},
): Promise<void> {
  const sink = currentSink();
  const results = ('results' in input ? input.results : input).filter((r) => r.status === 'completed');
  const config = results[0]?.config;
  const seeds = new Set(results.map((r) => r.config.seed)).size;
  const subtitle =
    options.subtitle ??
    (config
      ? `${config.epochs} epoch(s) on ${config.trainSamples.toLocaleString('en-US')} images, noise ${config.noiseFactor}, ` +
        `${config.testSamples.toLocaleString('en-US')} test images, mean of ${seeds} seed(s); crosses: the question's reported runs`
      : undefined);
  sink.send(await dilutionBundle(dilutionPoints(input), { ...options, ...(subtitle ? { subtitle } : {}) }), { update: false });
}
