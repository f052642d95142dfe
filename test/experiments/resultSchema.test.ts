import { describe, expect, it } from 'vitest';
import { isExperimentResult } from '../../src/results/result.js';

const KEY = 'a'.repeat(24);
const ledger = { loss: 'binaryCrossentropy', perPixel: 0.1, perImage: 78.4, regions: { inner: {}, border: null } };
/** The fields isExperimentResult looks at, as runExperiment writes them for a completed run. */
const completed = {
  key: KEY,
  config: {},
  history: [],
  status: 'completed',
  testLoss: 0.1,
  timings: {},
  ledger,
  otherLedger: { ...ledger, loss: 'meanSquaredError' },
  lossMaps: { height: 28, width: 28, loss: [], floor: [], excess: [] },
  samples: { reconstructions: '' },
};

describe('isExperimentResult', () => {
  it('accepts a completed result and refuses one whose fields carry the names of before the renames', () => {
    expect(isExperimentResult(completed, KEY)).toBe(true);
    const { otherLedger, lossMaps, ...rest } = completed;
    const { loss, ...maps } = lossMaps;
    const older = {
      ...rest,
      ledgers: { binaryCrossentropy: ledger, meanSquaredError: otherLedger },
      lossMaps: { ...maps, loss: 'binaryCrossentropy', values: loss },
    };
    expect(isExperimentResult(older, KEY)).toBe(false);
    expect(isExperimentResult({ ...completed, otherLedger: undefined }, KEY)).toBe(false);
    expect(isExperimentResult({ ...completed, lossMaps: maps }, KEY)).toBe(false);
    expect(isExperimentResult(completed, 'b'.repeat(24))).toBe(false);
  });
});
