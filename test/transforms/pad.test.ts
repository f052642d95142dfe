import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/random.js';
import type * as tfn from '@tensorflow/tfjs-node';
import { tf } from '../../src/tf.js';
import { borderWidths, type BorderWidths } from '@losslens/protocol';
import { crop, pad, type PadMode } from '../../src/transforms/pad.js';
import { runPython } from '../helpers/python.js';

const dir = mkdtempSync(join(tmpdir(), 'losslens-pad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function randomImages(shape: [number, number, number, number], seed: number): { shape: number[]; values: number[] } {
  const rng = createRng(seed);
  const size = shape.reduce((product, dim) => product * dim, 1);
  return { shape, values: Array.from(Float32Array.from({ length: size }, () => rng.uniform())) };
}

const inputs = [
  randomImages([2, 4, 3, 2], 1), // several images and channels, height ≠ width
  randomImages([1, 1, 5, 1], 2), // a one-row image: numpy's 'reflect' repeats the row
  randomImages([1, 2, 2, 1], 3), // smaller than the widest pads: numpy keeps reflecting
];
const widthCases: (number | BorderWidths)[] = [
  0,
  2,
  { top: 1, bottom: 0, left: 3, right: 2 },
  { top: 0, bottom: 3, left: 0, right: 1 },
  { top: 7, bottom: 9, left: 5, right: 11 },
];
const modes: PadMode[] = ['edge', 'constant', 'reflect', 'symmetric'];
const cases = inputs.flatMap((_, input) =>
  widthCases.flatMap((width) =>
    modes.map((mode) => ({ input, widths: borderWidths(width), width, mode, constantValue: mode === 'constant' ? 0.25 : 0 })),
  ),
);

// numpy pads every case in one Python run: np.pad on the height and width axes only.
writeFileSync(join(dir, 'cases.json'), JSON.stringify({ inputs, cases }));
const expected = JSON.parse(
  runPython(
    `import json, sys
import numpy as np
spec = json.load(open(sys.argv[1]))
arrays = [np.array(x['values'], dtype=np.float32).reshape(x['shape']) for x in spec['inputs']]
out = []
for case in spec['cases']:
    w = case['widths']
    widths = ((0, 0), (w['top'], w['bottom']), (w['left'], w['right']), (0, 0))
    extra = {'constant_values': case['constantValue']} if case['mode'] == 'constant' else {}
    padded = np.pad(arrays[case['input']], widths, mode=case['mode'], **extra)
    out.append({'shape': list(padded.shape), 'values': padded.ravel().tolist()})
print(json.dumps(out))`,
    [join(dir, 'cases.json')],
  ),
) as { shape: number[]; values: number[] }[];

describe('pad matches numpy np.pad', () => {
  it.each(cases.map((testCase, index) => ({ ...testCase, index, label: JSON.stringify(testCase.width) })))(
    'input $input, width $label, mode $mode',
    ({ input, width, mode, constantValue, index }) => {
      const images = tf.tensor4d(inputs[input].values, inputs[input].shape as [number, number, number, number]);
      const before = tf.memory().numTensors;
      const padded = pad(images, width, mode, constantValue);
      expect(padded.shape).toEqual(expected[index].shape);
      expect(Array.from(padded.dataSync())).toEqual(expected[index].values);
      const cropped = crop(padded, width);
      expect(Array.from(cropped.dataSync())).toEqual(inputs[input].values);
      tf.dispose([padded, cropped]);
      expect(tf.memory().numTensors).toBe(before);
      images.dispose();
    },
  );
});

describe('pad and crop errors', () => {
  const images = tf.zeros<tfn.Rank.R4>([1, 3, 3, 1]);
  afterAll(() => images.dispose());

  it('rejects negative and fractional widths, naming the side', () => {
    expect(() => pad(images, -1, 'edge')).toThrow(new RangeError('pad width top must be a non-negative integer, got -1'));
    expect(() => pad(images, { top: 0, bottom: 0, left: 1.5, right: 0 }, 'edge')).toThrow(
      'pad width left must be a non-negative integer, got 1.5',
    );
    expect(() => crop(images, { top: 0, bottom: -2, left: 0, right: 0 })).toThrow('pad width bottom must be a non-negative integer');
  });

  it('rejects an unknown mode and lists the known ones', () => {
    expect(() => pad(images, 1, 'wrap' as PadMode)).toThrow(
      "unknown pad mode 'wrap'; use one of 'edge', 'constant', 'reflect', 'symmetric'",
    );
  });

  it('rejects tensors that are not NHWC', () => {
    const flat = tf.zeros([3, 3]) as unknown as tfn.Tensor4D;
    expect(() => pad(flat, 1, 'edge')).toThrow('pad expects images shaped [n, height, width, channels], got shape [3, 3]');
    expect(() => crop(flat, 1)).toThrow('crop expects images shaped');
    flat.dispose();
  });

  it('rejects copying modes on an empty axis and crops larger than the image', () => {
    const empty = tf.zeros<tfn.Rank.R4>([1, 0, 3, 1]);
    expect(() => pad(empty, 1, 'reflect')).toThrow("cannot 'reflect'-pad images of size 0×3");
    empty.dispose();
    expect(() => crop(images, { top: 2, bottom: 2, left: 0, right: 0 })).toThrow('cannot crop top 2 + bottom 2 rows');
  });
});
