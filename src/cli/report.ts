/**
 * The ledger as terminal text, in the shape of the question's answer: first "mean per pixel
 * × pixels = total per image" for each run, then where that total lives (inner 28×28
 * versus the padded ring) and how much of it no model can remove (the targets' entropy).
 * With several seeds every number is "mean ± standard deviation".
 */
import type { LedgerPart } from '../accounting/ledger.js';
import { requireCompleted, type ExperimentResult } from '../results/result.js';
import { spread } from '../statistics.js';
import { textTable } from '../format.js';

/** One row per config; each holds that config's completed results, one per seed. */
export interface ReportRun {
  label: string;
  results: readonly ExperimentResult[];
}

type Pick = (result: ExperimentResult) => number | null;

function formatValues(values: readonly (number | null)[], digits: number): string {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return '—';
  const { mean, std } = spread(present);
  return std === null ? mean.toFixed(digits) : `${mean.toFixed(digits)} ± ${std.toFixed(digits)}`;
}

const ledgerOf = (result: ExperimentResult) => requireCompleted(result, 'the ledger report').ledger;
const region =
  (which: 'inner' | 'border', pick: (part: LedgerPart) => number): Pick =>
  (result) => {
    const part = ledgerOf(result).regions[which];
    return part ? pick(part) : null;
  };

const perPixel = (part: LedgerPart) => part.perPixel;
const perImage = (part: LedgerPart) => part.perImage;
const floorPerImage = (part: LedgerPart) => part.floor.perImage;
const excessPerImage = (part: LedgerPart) => part.excess.perImage;

export function ledgerReport(runs: readonly ReportRun[]): string {
  const cell = (run: ReportRun, pick: Pick, digits: number) => formatValues(run.results.map(pick), digits);
  const seedCount = Math.max(...runs.map((run) => run.results.length));
  const lossName = ledgerOf(runs[0].results[0]).loss === 'binaryCrossentropy' ? 'binary cross-entropy' : 'mean squared error';
  const images = ledgerOf(runs[0].results[0]).images;
  const heading =
    `Test-set ${lossName}, ${images.toLocaleString('en-US')} images` +
    (seedCount > 1 ? `, mean ± standard deviation over ${seedCount} seeds` : '');

  const totals = textTable(
    ['run', 'loss per pixel', '×', 'pixels', '=', 'loss per image', 'evaluate()'],
    runs.map((run) => [
      run.label,
      cell(run, (r) => ledgerOf(r).perPixel, 4),
      '×',
      String(ledgerOf(run.results[0]).pixels),
      '=',
      cell(run, (r) => ledgerOf(r).perImage, 2),
      cell(run, (r) => requireCompleted(r, 'the ledger report').testLoss, 4),
    ]),
  );
  const regions = textTable(
    ['run', 'inner per pixel', 'inner per image', 'border per pixel', 'border per image', 'border share %'],
    runs.map((run) => [
      run.label,
      cell(run, region('inner', perPixel), 4),
      cell(run, region('inner', perImage), 2),
      cell(run, region('border', perPixel), 4),
      cell(run, region('border', perImage), 2),
      cell(run, (r) => (ledgerOf(r).regions.border ? 100 * ledgerOf(r).regions.border!.share : null), 1),
    ]),
  );
  const floorExcess = textTable(
    ['run', 'floor', '+ excess', '= per image', 'inner floor', 'inner excess', 'border floor', 'border excess'],
    runs.map((run) => [
      run.label,
      cell(run, (r) => ledgerOf(r).floor.perImage, 2),
      cell(run, (r) => ledgerOf(r).excess.perImage, 2),
      cell(run, (r) => ledgerOf(r).perImage, 2),
      cell(run, region('inner', floorPerImage), 2),
      cell(run, region('inner', excessPerImage), 2),
      cell(run, region('border', floorPerImage), 2),
      cell(run, region('border', excessPerImage), 2),
    ]),
  );
  return [
    heading,
    '',
    totals,
    '',
    'Where the loss per image lives: the original 28×28 pixels versus the padded border ring',
    '',
    regions,
    '',
    lossName === 'binary cross-entropy'
      ? "Floor = the targets' own binary entropy H(y), which no prediction can go below (grey pixels);\n" +
        'excess = KL(y‖ŷ) = BCE − H(y), the part training can still remove. Per image:'
      : 'Squared error has no floor (predicting ŷ = y costs 0), so all of it is excess. Per image:',
    '',
    floorExcess,
  ].join('\n');
}
