/**
 * The inner-region settings (noise placement, loss region, pad shift): validated with one-line
 * errors naming the field, defaulting to the question's behaviour, folded to their defaults
 * where they change nothing (so equal runs share one cache entry), named in labels only when
 * not default, and accepted by the sweep grid (whose bad values are refused in test/experiments/sweep.test.ts).
 */
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DEFAULT_CONFIG,
  describeConfig,
  normaliseConfig,
  padBorder,
  QUESTION_PAD,
  type ExperimentConfigInput,
} from '../../src/settings/config.js';
import { runKey } from '../../src/results/key.js';
import { runLabels } from '../../src/settings/labels.js';
import { expandGrid } from '../../src/experiments/sweep.js';

const padded = (extra: ExperimentConfigInput = {}) => normaliseConfig({ pad: { ...QUESTION_PAD }, ...extra });
const key = (input: ExperimentConfigInput) => runKey(normaliseConfig(input));

describe('the inner-region knobs in normaliseConfig', () => {
  it("default to the question's behaviour", () => {
    expect(normaliseConfig({})).toEqual(DEFAULT_CONFIG);
    expect(DEFAULT_CONFIG.noisePlacement).toBe('afterPadding');
    expect(DEFAULT_CONFIG.lossRegion).toBe('all');
    expect(padded().pad).toEqual({ width: 2, mode: 'edge' });
    expect(padBorder(padded().pad)).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
  });

  it.each([
    [
      { pad: QUESTION_PAD, noisePlacement: 'border' },
      /^noisePlacement must be one of afterPadding, originalOnly, beforePadding, got "border"$/,
    ],
    [{ pad: QUESTION_PAD, lossRegion: 'inner' }, /^lossRegion must be one of all, original, got "inner"$/],
    [
      { pad: { width: 2, mode: 'edge', shift: 3 } },
      /^pad.shift must be an integer from -2 to 2, got 3 \(the original image must stay inside the padded frame\)$/,
    ],
    [{ pad: { width: 2, mode: 'edge', shift: 0.5 } }, /^pad.shift must be an integer/],
    [{ pad: { width: 2, mode: 'edge', offset: 2 } }, /^pad has unknown field\(s\) offset; it takes width, mode and shift$/],
  ])('rejects %j with one line naming the field', (input, message) => {
    expect(() => normaliseConfig(input as ExperimentConfigInput)).toThrow(ConfigError);
    expect(() => normaliseConfig(input as ExperimentConfigInput)).toThrow(message);
  });

  it('folds a knob that changes nothing to its default, so equal runs share one key', () => {
    // Without padding every noise placement and loss region is the same run.
    expect(key({ pad: null, noisePlacement: 'originalOnly', lossRegion: 'original' })).toBe(key({}));
    // Without noise, it does not matter where the noise goes.
    expect(key({ pad: QUESTION_PAD, noiseFactor: 0, noisePlacement: 'beforePadding' })).toBe(key({ pad: QUESTION_PAD, noiseFactor: 0 }));
    // Zeros around a noisy image are the clean zero border.
    const constant = { width: 2, mode: 'constant' as const };
    expect(normaliseConfig({ pad: constant, noisePlacement: 'beforePadding' }).noisePlacement).toBe('originalOnly');
    expect(padded({ noisePlacement: 'beforePadding' }).noisePlacement).toBe('beforePadding');
    // A shift of 0 is the symmetric padding.
    expect(key({ pad: { width: 2, mode: 'edge', shift: 0 } })).toBe(key({ pad: QUESTION_PAD }));
    expect(key({ pad: { width: 2, mode: 'edge', shift: 2 } })).not.toBe(key({ pad: QUESTION_PAD }));
    expect(key({ pad: QUESTION_PAD, lossRegion: 'original' })).not.toBe(key({ pad: QUESTION_PAD }));
  });

  it('places the original image on the pooling grid with a shift', () => {
    const config = normaliseConfig({ pad: { width: 2, mode: 'edge', shift: 2 } });
    expect(config.pad).toEqual({ width: 2, mode: 'edge', shift: 2 });
    expect(padBorder(config.pad)).toEqual({ top: 4, bottom: 0, left: 4, right: 0 });
    expect(padBorder(normaliseConfig({ pad: { width: 4, mode: 'edge', shift: -4 } }).pad)).toEqual({
      top: 0,
      bottom: 8,
      left: 0,
      right: 8,
    });
  });
});

describe('labels of the inner-region knobs', () => {
  it('name a knob only when it is not the default', () => {
    expect(describeConfig(padded())).toBe('32×32 edge+2');
    expect(describeConfig(normaliseConfig({}))).toBe('28×28');
    expect(describeConfig(normaliseConfig({ pad: { width: 2, mode: 'edge', shift: 2 } }))).toBe('32×32 edge+2 shift 2');
    expect(describeConfig(padded({ noisePlacement: 'originalOnly' }))).toBe('32×32 edge+2 noise on original only');
    expect(describeConfig(padded({ noisePlacement: 'beforePadding', lossRegion: 'original' }))).toBe(
      '32×32 edge+2 noise before padding loss on original only',
    );
  });

  it("tell notebook 5's families apart", () => {
    const configs = [
      normaliseConfig({}),
      padded(),
      padded({ noisePlacement: 'originalOnly' }),
      padded({ noisePlacement: 'beforePadding' }),
      padded({ lossRegion: 'original' }),
      normaliseConfig({ pad: { width: 2, mode: 'constant' } }),
      normaliseConfig({ pad: { width: 2, mode: 'edge', shift: 2 } }),
    ];
    const labels = runLabels(configs);
    expect(new Set(labels).size).toBe(configs.length);
    expect(labels.every((label) => !label.includes('(2)'))).toBe(true);
  });
});

describe('the sweep grid with the inner-region knobs', () => {
  const TINY = { epochs: 1, trainSamples: 100, testSamples: 50 };

  it('expands them, folding what changes nothing', () => {
    const configs = expandGrid(
      { padWidth: [0, 2], noisePlacement: ['afterPadding', 'originalOnly', 'beforePadding'], lossRegion: ['all', 'original'] },
      TINY,
    );
    // Unpadded: one point; padded: 3 placements × 2 regions.
    expect(configs).toHaveLength(1 + 6);
    expect(configs.filter((c) => c.pad === null)).toHaveLength(1);
  });

  it('takes a pad shift per point, checked against the widths of the grid', () => {
    const configs = expandGrid({ padWidth: [2, 4], padShift: [0, 2] }, TINY);
    expect(configs.map((c) => padBorder(c.pad))).toEqual([
      { top: 2, bottom: 2, left: 2, right: 2 },
      { top: 4, bottom: 0, left: 4, right: 0 },
      { top: 4, bottom: 4, left: 4, right: 4 },
      { top: 6, bottom: 2, left: 6, right: 2 },
    ]);
  });
});

describe('the learning rate', () => {
  it("defaults to Keras's Adam rate and keeps the default run's key", () => {
    expect(DEFAULT_CONFIG.learningRate).toBe(0.001);
    expect(key({ learningRate: 0.001 })).toBe(key({}));
    expect(key({ learningRate: 0.002 })).not.toBe(key({}));
  });

  it.each([0, -0.001, 2, Number.NaN, '0.01'])('refuses %s with a one-line error naming the field', (value) => {
    expect(() => normaliseConfig({ learningRate: value as number })).toThrow(/^learningRate must be a finite number > 0 and ≤ 1, got /);
  });

  it('is named in labels only where runs differ in it, and is a sweep axis', () => {
    const labels = runLabels([normaliseConfig({}), normaliseConfig({ learningRate: 0.002 })]);
    expect(labels[1]).toContain('lr 0.002');
    expect(labels[0]).toContain('lr 0.001');
    expect(expandGrid({ learningRate: [0.001, 0.003] }).map((config) => config.learningRate)).toEqual([0.001, 0.003]);
  });
});
