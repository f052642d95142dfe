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
  identity: { id: 'c'.repeat(16), tfjsVersion: '4.22.0', tensorflowVersion: '2.21.0', cpu: 'x64', runs: { tiny: 'd'.repeat(64) } },
};

describe('isExperimentResult', () => {
  it('accepts a completed result and refuses one that lacks or reshapes a field its readers use', () => {
    expect(isExperimentResult(completed, KEY)).toBe(true);
    const { otherLedger, lossMaps, ...rest } = completed;
    const { loss, ...maps } = lossMaps;
    const reshaped = {
      ...rest,
      ledgers: { binaryCrossentropy: ledger, meanSquaredError: otherLedger },
      lossMaps: { ...maps, loss: 'binaryCrossentropy', values: loss },
    };
    expect(isExperimentResult(reshaped, KEY)).toBe(false);
    expect(isExperimentResult({ ...completed, identity: 'c'.repeat(16) }, KEY)).toBe(false);
    expect(isExperimentResult({ ...completed, otherLedger: undefined }, KEY)).toBe(false);
    expect(isExperimentResult({ ...completed, lossMaps: maps }, KEY)).toBe(false);
    expect(isExperimentResult(completed, 'b'.repeat(24))).toBe(false);
  });
});
