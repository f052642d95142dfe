import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOSSPLOT_MIME, type LossPlotPayload, TENSOR_MIME, type TensorPayload } from '@losslens/protocol';
import { runExperiment } from '../../src/experiments/run.js';
import type { ExperimentResult } from '../../src/results/result.js';
import { setDisplaySink } from '../../src/display/channel.js';
import type { MimeBundle } from '../../src/display/bundle.js';
import { ledgerTable, lossCurves, showLossCurves, showLossMaps, showSamples } from '../../src/display/results.js';
import { showLossPlot } from '../../src/display/show.js';
import { completed } from '../helpers/results.js';

let results: ExperimentResult[];
let mse: ExperimentResult;
let cacheDir: string;
const sent: MimeBundle[] = [];

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'losslens-display-'));
  const tiny = { epochs: 1, trainSamples: 64, testSamples: 16, batchSize: 32 };
  results = [
    await runExperiment({ ...tiny, pad: null }, { cacheDir }),
    await runExperiment({ ...tiny, pad: { width: 2, mode: 'edge' } }, { cacheDir }),
  ];
  mse = await runExperiment({ ...tiny, pad: null, loss: 'meanSquaredError' }, { cacheDir });
  setDisplaySink({ send: (bundle) => sent.push(bundle) });
});

afterAll(() => {
  setDisplaySink(undefined);
  rmSync(cacheDir, { recursive: true, force: true });
});

describe('displays of experiment results', () => {
  it('plot each run with its own ledger numbers', async () => {
    const payload = lossCurves(results);
    expect(payload.annotations.map((a) => [a.run, a.pixels])).toEqual([
      ['28×28', 784],
      ['32×32 edge+2', 1024],
    ]);
    expect(payload.annotations[1].perImage).toBe(completed(results[1]).ledger.perImage);
    await showLossPlot(payload);
    expect(typeof sent.at(-1)!.data[LOSSPLOT_MIME]).toBe('object');
    expect(sent.at(-1)!.data['image/svg+xml']).toMatch(/^<svg/);
  });

  it('show samples and loss maps as tensor bundles with the padding outlined', async () => {
    await showSamples(results[1]);
    const samples = sent.at(-1)!.data[TENSOR_MIME] as TensorPayload;
    expect(samples.panels.map((p) => p.title)).toEqual(['noisy input', 'target', 'reconstruction', 'loss per pixel']);
    expect(samples.panels[0].shape).toEqual([8, 32, 32]);
    expect(samples.panels[0].border).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
    expect(samples.captions[0]).toMatch(/^test #0: digit \d$/);

    await showLossMaps(results);
    const maps = sent.at(-1)!.data[TENSOR_MIME] as TensorPayload;
    expect(maps.panels.map((p) => p.shape)).toEqual([...Array<number[]>(3).fill([1, 28, 28]), ...Array<number[]>(3).fill([1, 32, 32])]);
    expect(new Set(maps.panels.map((p) => p.range.join()))).toHaveLength(1);
    expect(sent.at(-1)!.data['image/png']).toEqual(expect.any(String));
  });

  it('tabulate the ledger with the border ring only where there is one', () => {
    const table = ledgerTable(results).split('\n');
    expect(table).toHaveLength(4);
    expect(table[2]).toMatch(/^\| 28×28 \| 784 \| .* \| — \| — \|/);
    expect(table[3]).toContain(completed(results[1]).ledger.regions.border!.perImage.toFixed(2));
  });

  it('keep runs that differ only in loss apart, named by their loss, never on one axis', async () => {
    const [bce] = results;
    expect(() => lossCurves([bce, mse])).toThrow(/different losses \(binaryCrossentropy, meanSquaredError\).*showLossCurves/);
    const before = sent.length;
    await showLossCurves([bce, mse]);
    const plots = sent.slice(before).map((bundle) => bundle.data[LOSSPLOT_MIME] as LossPlotPayload);
    expect(plots.map((p) => [...new Set(p.points.map((point) => point.run))])).toEqual([['28×28 bce'], ['28×28 mse']]);
    expect(plots.map((p) => p.title)).toEqual([
      'Reconstruction loss by epoch (bce: binaryCrossentropy)',
      'Reconstruction loss by epoch (mse: meanSquaredError)',
    ]);
    expect(String(sent.at(-1)!.data['text/plain'])).toContain('28×28 mse (train)');
    const rows = ledgerTable([bce, mse]).split('\n').slice(2);
    expect(rows.map((row) => row.split(' | ')[0])).toEqual(['| 28×28 bce', '| 28×28 mse']);
    expect(ledgerTable([bce, mse], { labels: ['tutorial', 'squared'] })).toMatch(/\| squared \|/);
  });
});
