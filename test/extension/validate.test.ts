import { describe, expect, it } from 'vitest';
import { decodePanel, encodeFloat32, PayloadError, validateLossPlotFields, validateTensorPayload } from '@losslens/protocol';

const base64 = (values: number[]) => encodeFloat32(new Float32Array(values));

function tensorPayload(): Record<string, unknown> {
  return {
    version: 1,
    captions: ['a', 'b'],
    panels: [
      {
        title: 'target',
        shape: [2, 2, 3],
        values: base64([0, 0.5, 1, 0.25, 0.75, 1, 1, 0, 0, 0, 0, 0.125]),
        range: [0, 1],
        colormap: 'grey',
      },
    ],
  };
}

function withPanel(change: Record<string, unknown>): Record<string, unknown> {
  const payload = tensorPayload();
  return { ...payload, panels: [{ ...(payload.panels as object[])[0], ...change }] };
}

describe('validateTensorPayload', () => {
  it('accepts a well-formed payload and decodes its little-endian Float32 values', () => {
    const payload = validateTensorPayload(tensorPayload());
    expect([...decodePanel(payload.panels[0], 0).values]).toEqual([0, 0.5, 1, 0.25, 0.75, 1, 1, 0, 0, 0, 0, 0.125]);
  });

  it.each([
    [null, 'tensor payload must be an object, got null'],
    [{ ...tensorPayload(), version: 2 }, 'version must be 1'],
    [{ ...tensorPayload(), captions: ['a'] }, 'captions has 1 entries but the panels hold 2 images'],
    [withPanel({ colormap: 'jet' }), 'panels[0].colormap must be one of grey, viridis, diverging, got "jet"'],
    [withPanel({ range: [1, 1] }), 'panels[0].range must have high > low, got [1, 1]'],
    [withPanel({ shape: [2, 3] }), 'panels[0].shape must be [images, height, width]'],
    [withPanel({ border: { top: 1, bottom: 1, left: 1, right: 2 } }), 'panels[0].border leaves no inner region in a 2×3 image'],
    [{ ...tensorPayload(), truncatedFrom: 1 }, 'truncatedFrom must be an integer ≥ 2, got 1'],
  ])('rejects %j with a message naming the field', (payload, message) => {
    expect(() => validateTensorPayload(payload)).toThrow(PayloadError);
    expect(() => validateTensorPayload(payload)).toThrow(message);
  });

  it('reports values whose length does not match the shape when decoding', () => {
    const payload = validateTensorPayload(withPanel({ values: base64([1, 2, 3]) }));
    expect(() => decodePanel(payload.panels[0], 0)).toThrow(
      'panels[0].values holds 12 bytes but the shape needs 12 Float32 values (48 bytes)',
    );
  });

  it('reports text that is not base64', () => {
    const payload = validateTensorPayload(withPanel({ values: 'AAA!'.repeat(16) }));
    expect(() => decodePanel(payload.panels[0], 0)).toThrow(new PayloadError('panels[0].values', 'is not valid base64'));
  });
});

describe('validateLossPlotFields', () => {
  const point = { run: '28×28', epoch: 1, split: 'test', perPixel: 0.1, pixels: 784, perImage: 78.4 };
  const fields = { version: 1, title: 't', measure: 'perImage', points: [point], annotations: [] };

  it('keeps only the fields a plot is built from', () => {
    const checked = validateLossPlotFields({ ...fields, spec: { data: { url: 'https://example.org' } }, extra: 1 });
    expect(checked).toEqual(fields);
  });

  it.each([
    [{ ...fields, measure: 'total' }, 'measure must be one of perPixel, perImage, got "total"'],
    [{ ...fields, points: [] }, 'points must hold at least one loss value'],
    [{ ...fields, points: [{ ...point, split: 'validation' }] }, 'points[0].split must be one of train, test'],
    [{ ...fields, points: [{ ...point, pixels: 0 }] }, 'points[0].pixels must be an integer ≥ 1, got 0'],
    [
      { ...fields, annotations: [{ run: 'x', perPixel: 0.1, pixels: 784 }] },
      'annotations[0].perImage must be a finite number ≥ 0 (a loss), got undefined',
    ],
  ])('rejects %j with a message naming the field', (payload, message) => {
    expect(() => validateLossPlotFields(payload)).toThrow(message);
  });
});
