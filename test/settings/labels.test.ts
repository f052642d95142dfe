import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, normaliseConfig, type ExperimentConfigInput } from '../../src/settings/config.js';
import { runLabel, runLabels } from '../../src/settings/labels.js';

const configs = (...inputs: ExperimentConfigInput[]) => inputs.map((input) => normaliseConfig(input));
const padded = { pad: { width: 2, mode: 'edge' as const } };

describe('run labels', () => {
  it('name size and padding only, when nothing else differs', () => {
    expect(runLabels(configs({}, padded))).toEqual(['28×28', '32×32 edge+2']);
  });

  it('add each field that differs among the runs shown, and only those', () => {
    expect(runLabels(configs({}, { loss: 'meanSquaredError' }))).toEqual(['28×28 bce', '28×28 mse']);
    expect(runLabels(configs({ seed: 1 }, { seed: 2 }, { ...padded, seed: 1 }))).toEqual([
      '28×28 seed 1',
      '28×28 seed 2',
      '32×32 edge+2 seed 1',
    ]);
    expect(runLabels(configs({ noiseFactor: 0.3, epochs: 1 }, { epochs: 2, trainSamples: 512 }))).toEqual([
      '28×28 noise 0.3 1 epoch 60,000 images',
      '28×28 noise 0.5 2 epochs 512 images',
    ]);
  });

  it('never merge runs: equal configs and equal given labels are numbered', () => {
    expect(runLabels(configs({}, {}, padded))).toEqual(['28×28', '28×28 (2)', '32×32 edge+2']);
    expect(runLabels(configs({}, padded), { labels: ['mine', 'mine'] })).toEqual(['mine', 'mine (2)']);
  });

  it("take the caller's labels, deriving the rest", () => {
    expect(runLabels(configs({}, { loss: 'meanSquaredError' }), { labels: [undefined, 'squared error'] })).toEqual([
      '28×28 bce',
      'squared error',
    ]);
    expect(() => runLabels(configs({}), { labels: ['a', 'b'] })).toThrow(/2 labels were given for 1 run/);
  });

  it('name a single run against a context, with fields always named', () => {
    const [mse] = configs({ loss: 'meanSquaredError', seed: 3 });
    expect(runLabel(mse, { against: [DEFAULT_CONFIG], always: ['seed'] })).toBe('28×28 mse seed 3');
    expect(runLabel(normaliseConfig(padded), { against: [DEFAULT_CONFIG], always: ['seed'] })).toBe('32×32 edge+2 seed 1');
  });
});
