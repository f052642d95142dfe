/**
 * Two results side by side, e.g. the question's 28×28 run against its 32×32 edge-padded run:
 * the per-pixel mean falls while the per-image total hardly moves, and the regions show
 * where the difference lives.
 */
import type { LossName } from '../model/autoencoder.js';
import type { LedgerPart, LossLedger } from '../accounting/ledger.js';
import { runLabels } from '../settings/labels.js';
import { requireCompleted, type ExperimentResult } from '../results/result.js';

export interface Delta {
  a: number;
  b: number;
  /** b − a. */
  difference: number;
  /** b / a (Infinity or NaN when a is 0). */
  ratio: number;
}

export interface PartComparison {
  /** Null when either side lacks the part (an unpadded run has no border). */
  perPixel: Delta | null;
  /** An absent part contributes 0 to the per-image total. */
  perImage: Delta;
  floor: Delta;
  excess: Delta;
}

export interface ExperimentComparison {
  a: { label: string; key: string };
  b: { label: string; key: string };
  loss: LossName;
  pixels: Delta;
  /** Training's own test-set evaluation. */
  testLoss: Delta;
  total: PartComparison;
  regions: { inner: PartComparison; border: PartComparison };
}

export function delta(a: number, b: number): Delta {
  return { a, b, difference: b - a, ratio: b / a };
}

function comparePart(a: LedgerPart | null, b: LedgerPart | null): PartComparison {
  const perImage = (part: LedgerPart | null, pick: (p: LedgerPart) => number) => (part ? pick(part) : 0);
  return {
    perPixel: a && b ? delta(a.perPixel, b.perPixel) : null,
    perImage: delta(
      perImage(a, (p) => p.perImage),
      perImage(b, (p) => p.perImage),
    ),
    floor: delta(
      perImage(a, (p) => p.floor.perImage),
      perImage(b, (p) => p.floor.perImage),
    ),
    excess: delta(
      perImage(a, (p) => p.excess.perImage),
      perImage(b, (p) => p.excess.perImage),
    ),
  };
}

function completedLedger(result: ExperimentResult, side: string): LossLedger & { testLoss: number } {
  const done = requireCompleted(result, `compare (result ${side})`);
  return { ...done.ledger, testLoss: done.testLoss };
}

/** Compares two completed results of the same loss (b relative to a). */
export function compare(a: ExperimentResult, b: ExperimentResult): ExperimentComparison {
  const ledgerA = completedLedger(a, 'a');
  const ledgerB = completedLedger(b, 'b');
  const [labelA, labelB] = runLabels([a.config, b.config]);
  if (ledgerA.loss !== ledgerB.loss) {
    throw new Error(
      `compare: a (${labelA}) was trained with ${ledgerA.loss} but b (${labelB}) with ${ledgerB.loss}; their losses share no scale, ` +
        'so compare runs of the same loss',
    );
  }
  return {
    a: { label: labelA, key: a.key },
    b: { label: labelB, key: b.key },
    loss: ledgerA.loss,
    pixels: delta(ledgerA.pixels, ledgerB.pixels),
    testLoss: delta(ledgerA.testLoss, ledgerB.testLoss),
    total: comparePart(ledgerA, ledgerB),
    regions: {
      inner: comparePart(ledgerA.regions.inner, ledgerB.regions.inner),
      border: comparePart(ledgerA.regions.border, ledgerB.regions.border),
    },
  };
}
