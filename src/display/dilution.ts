/**
 * The dilution curve from a sweep over pad widths (and modes, and seeds): the points of
 * studies/dilution.ts, drawn by the spec of plots/dilution.ts and sent as an SVG rendered here
 * plus text, like every losslens figure.
 */
import type { ExperimentResult } from '../results/result.js';
import { dilutionPoints, type DilutionPoint } from '../studies/dilution.js';
import type { SweepResult } from '../experiments/sweep.js';
import { formatPerPixel } from '@losslens/protocol';
import { dilutionSpec } from './plots/dilution.js';
import type { MimeBundle } from './bundle.js';
import { currentSink } from './channel.js';
import { vegaLiteToSvg } from './lossPlot.js';

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
