/**
 * Hostile payloads, each a PayloadError naming the field: objects with a
 * toString key, nesting thousands deep, non-finite and overflowing numbers, inconsistent
 * losses, and every output limit on both sides (validator and the kernel's builders).
 */
import { describe, expect, it } from 'vitest';
import {
  checkTensorSize,
  decodePanel,
  describeValue,
  encodeFloat32,
  type LossAnnotation,
  lossPlotPayload,
  type LossPoint,
  PAYLOAD_LIMITS,
  PayloadError,
  validateLossPlotFields,
  validateTensorPayload,
} from '@losslens/protocol';

function panel(images: number, height = 1, width = 1, change: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 't',
    shape: [images, height, width],
    values: encodeFloat32(new Float32Array(images * height * width)),
    range: [0, 1],
    colormap: 'grey',
    ...change,
  };
}

function tensor(panels: Record<string, unknown>[], images = (panels[0].shape as number[])[0]): Record<string, unknown> {
  return { version: 1, captions: Array.from({ length: images }, (_, i) => `#${i}`), panels };
}

function rejects(run: () => unknown, path: string, message: string | RegExp): PayloadError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError);
    expect((error as PayloadError).path).toBe(path);
    expect((error as PayloadError).message).toMatch(message);
    return error as PayloadError;
  }
  throw new Error('accepted');
}

function deep(depth: number): unknown {
  let value: unknown = [1, 2, 3];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const point = (run: string, epoch: number, perPixel = 0.1, pixels = 784): LossPoint => ({
  run,
  epoch,
  split: 'test',
  perPixel,
  pixels,
  perImage: perPixel * pixels,
});
const annotation = (run: string, perPixel = 0.1, pixels = 784): LossAnnotation => ({ run, perPixel, pixels, perImage: perPixel * pixels });
const plot = (points: LossPoint[], annotations: LossAnnotation[] = []) => ({
  version: 1,
  title: 'loss',
  measure: 'perPixel',
  points,
  annotations,
});

describe('hostile payloads', () => {
  it('a string field holding an object with a toString key is a PayloadError naming the field', () => {
    const payload = {
      version: 1,
      captions: [],
      panels: [{ title: { toString: 1 }, shape: [0, 1, 1], values: '', range: [0, 1], colormap: 'grey' }],
    };
    rejects(() => validateTensorPayload(payload), 'panels[0].title', 'panels[0].title must be a string, got an object');
    rejects(
      () => validateLossPlotFields(plot([{ ...point('a', 1), run: { toString: 1, valueOf: 1 } as never }])),
      'points[0].run',
      'got an object',
    );
  });

  it('shapes and ranges nested thousands deep are PayloadErrors', () => {
    rejects(
      () => validateTensorPayload(tensor([panel(1, 1, 1, { shape: deep(10_000) })], 1)),
      'panels[0].shape',
      'must be [images, height, width], got an array of 1 items',
    );
    rejects(
      () => validateTensorPayload(tensor([panel(1, 1, 1, { range: [deep(10_000), 1] })])),
      'panels[0].range[0]',
      'must be a finite number, got an array of 1 items',
    );
  });

  it('NaN and ±Infinity are named as they are', () => {
    expect([NaN, Infinity, -Infinity].map(describeValue)).toEqual(['NaN', 'Infinity', '-Infinity']);
    rejects(() => validateTensorPayload(tensor([panel(1, 1, 1, { range: [NaN, 1] })])), 'panels[0].range[0]', 'got NaN');
    rejects(() => validateTensorPayload(tensor([panel(1, 1, 1, { shape: [1, Infinity, 1] })])), 'panels[0].shape[1]', 'got Infinity');
    rejects(() => validateLossPlotFields(plot([{ ...point('a', 1), perPixel: -Infinity }])), 'points[0].perPixel', 'got -Infinity');
    rejects(() => validateTensorPayload(tensor([panel(1, 1, 1, { shape: [NaN, 2] })], 1)), 'panels[0].shape', 'got [NaN, 2]');
  });

  it('a range whose span overflows is refused', () => {
    rejects(
      () => validateTensorPayload(tensor([panel(1, 1, 1, { range: [-1.7e308, 1.7e308] })])),
      'panels[0].range',
      'high − low overflows',
    );
  });

  it('negative losses and a perImage that is not perPixel × pixels are refused', () => {
    rejects(
      () => validateLossPlotFields(plot([point('a', 1, -0.1)])),
      'points[0].perPixel',
      'must be a finite number ≥ 0 (a loss), got -0.1',
    );
    rejects(
      () => validateLossPlotFields(plot([{ ...point('a', 1), perImage: 77.6 }])),
      'points[0].perImage',
      'must be perPixel × pixels = 0.1 × 784 = 78.4',
    );
    rejects(
      () => validateLossPlotFields(plot([point('a', 1)], [{ ...annotation('a'), perImage: 1 }])),
      'annotations[0].perImage',
      'perPixel × pixels',
    );
    rejects(
      () => validateLossPlotFields(plot([{ ...point('a', 1), perPixel: 1e308, perImage: 1e308 }])),
      'points[0].perImage',
      'perPixel × pixels = 1e+308 × 784 = Infinity',
    );
    // Float rounding of a product computed elsewhere is not a mismatch.
    expect(() => validateLossPlotFields(plot([{ ...point('a', 1, 0.1), perImage: 0.1 * 784 * (1 + 1e-9) }]))).not.toThrow();
  });

  it('inherited fields do not count: a __proto__ key cannot supply panels', () => {
    const payload = JSON.parse(`{"version":1,"captions":["a"],"__proto__":{"panels":${JSON.stringify([panel(1)])}}}`) as unknown;
    rejects(() => validateTensorPayload(payload), 'panels', 'must be an array, got undefined');
    const literal = Object.create({ panels: [panel(1)] }) as Record<string, unknown>;
    Object.assign(literal, { version: 1, captions: ['a'] });
    rejects(() => validateTensorPayload(literal), 'panels', 'must be an array, got undefined');
  });

  it('base64 whose length does not fit the shape is refused before decoding', () => {
    const decode = (values: string, images = 1) =>
      decodePanel(validateTensorPayload(tensor([panel(images, 1, 1, { values })])).panels[0], 0);
    rejects(() => decode('A'.repeat(40_000_001)), 'panels[0].values', 'not a multiple of 4');
    rejects(
      () => decode('AAAA'.repeat(10_000_000)),
      'panels[0].values',
      'holds 30000000 bytes but the shape needs 1 Float32 values (4 bytes)',
    );
    rejects(() => decode('AAA!AAAAAAA=', 2), 'panels[0].values', 'is not valid base64');
  });
});

describe('output limits', () => {
  const L = PAYLOAD_LIMITS;

  it('tensor panels', () => {
    expect(() => validateTensorPayload(tensor(Array.from({ length: L.tensorPanels }, () => panel(2))))).not.toThrow();
    rejects(
      () => validateTensorPayload(tensor(Array.from({ length: 5000 }, () => panel(2)))),
      'panels',
      `holds 5,000 panels; a losslens output holds at most ${L.tensorPanels}`,
    );
  });

  it('tensor images', () => {
    expect(() => validateTensorPayload(tensor([panel(L.tensorImages)]))).not.toThrow();
    rejects(() => validateTensorPayload(tensor([panel(L.tensorImages + 1)])), 'panels[0].shape[0]', 'maxImages');
  });

  it('tensor values, counting per-pixel loss, including shapes too large for any string', () => {
    const side = Math.floor(Math.sqrt(L.tensorValues / 2));
    expect(() =>
      validateTensorPayload(tensor([panel(1, side, side, { loss: encodeFloat32(new Float32Array(side * side)) })])),
    ).not.toThrow();
    rejects(
      () => validateTensorPayload(tensor([panel(1, side + 1, side + 1, { loss: '' })])),
      'panels',
      /Float32 values .* at most 2,000,000: show fewer images \(maxImages\)/,
    );
    rejects(() => validateTensorPayload(tensor([panel(1, 1, 1, { shape: [1, 2 ** 53, 2 ** 53] })])), 'panels', 'Float32 values');
    rejects(() => validateTensorPayload(tensor([panel(1, 1, 1, { shape: [1, 1e308, 1e308] })])), 'panels', 'Float32 values');
    rejects(() => checkTensorSize([{ shape: [3000, 28, 28] }]), 'panels', 'holds 2,352,000 Float32 values');
  });

  it('text length', () => {
    expect(() => validateTensorPayload({ ...tensor([panel(1)]), captions: ['x'.repeat(L.textLength)] })).not.toThrow();
    rejects(
      () => validateTensorPayload({ ...tensor([panel(1)]), captions: ['x'.repeat(L.textLength + 1)] }),
      'captions[0]',
      'holds 501 characters',
    );
  });

  it('loss points, runs and annotations', () => {
    const runs = Array.from({ length: L.lossRuns }, (_, i) => `run ${i}`);
    const most = Array.from({ length: L.lossPoints }, (_, i) => point(runs[i % runs.length], i));
    expect(() =>
      validateLossPlotFields(
        plot(
          most,
          runs.slice(0, L.lossAnnotations).map((r) => annotation(r)),
        ),
      ),
    ).not.toThrow();
    rejects(
      () => validateLossPlotFields(plot(Array.from({ length: 100_000 }, (_, i) => point('a', i)))),
      'points',
      'holds 100,000 loss values',
    );
    rejects(
      () =>
        validateLossPlotFields(
          plot(
            [point('a', 1)],
            Array.from({ length: 2000 }, (_, i) => annotation(`r${i}`)),
          ),
        ),
      'annotations',
      `holds 2,000 annotations; a losslens output holds at most ${L.lossAnnotations}`,
    );
    rejects(
      () => validateLossPlotFields(plot([...runs.map((r) => point(r, 1)), point('one run too many', 1)])),
      `points[${L.lossRuns}].run`,
      'names run number 17',
    );
  });

  it('the kernel refuses to build a loss plot over the limits, saying what to do', () => {
    expect(() =>
      lossPlotPayload({
        title: 't',
        measure: 'perImage',
        points: [point('a', 1)],
        annotations: Array.from({ length: 17 }, (_, i) => annotation(`r${i}`)),
      }),
    ).toThrow(/annotations holds 17 annotations; a losslens output holds at most 16: annotate one run each, and plot fewer runs/);
  });
});
