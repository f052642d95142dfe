import { describe, expect, it } from 'vitest';
import {
  annotationText,
  formatPerPixel,
  type LossAnnotation,
  lossPlotPayload,
  lossPlotSpec,
  type LossPoint,
  PayloadError,
} from '@losslens/protocol';

/** The question's two runs: mean per pixel as reported, total per image derived from it. */
function annotation(run: string, perPixel: number, side: number): LossAnnotation {
  const pixels = side * side;
  return { run, perPixel, pixels, perImage: perPixel * pixels };
}

function curve(run: string, side: number, perPixelByEpoch: number[]): LossPoint[] {
  const pixels = side * side;
  return (['train', 'test'] as const).flatMap((split, s) =>
    perPixelByEpoch.map((loss, i) => {
      const perPixel = loss + s * 0.002;
      return { run, epoch: i + 1, split, perPixel, pixels, perImage: perPixel * pixels };
    }),
  );
}

const input = {
  title: 'Padding lowers the mean, not the total',
  measure: 'perPixel' as const,
  points: [...curve('28×28', 28, [0.14, 0.11, 0.099]), ...curve('32×32 edge', 32, [0.11, 0.085, 0.075])],
  annotations: [annotation('28×28', 0.099, 28), annotation('32×32 edge', 0.075, 32)],
};

async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const compiled = vl.compile(spec as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

describe('annotation text', () => {
  it('writes the question’s numbers as 0.099 · 784 ≈ 77.6 and 0.075 · 1024 ≈ 76.8', () => {
    expect(annotationText(input.annotations[0])).toBe('0.099 · 784 ≈ 77.6');
    expect(annotationText(input.annotations[1])).toBe('0.075 · 1024 ≈ 76.8');
  });

  it('keeps two significant digits for losses below 0.01', () => {
    expect(formatPerPixel(0.0042)).toBe('0.0042');
    expect(formatPerPixel(0.1234)).toBe('0.123');
  });
});

describe('lossPlotSpec', () => {
  it('plots the chosen measure on y, with splits told apart by dash and shape', () => {
    for (const measure of ['perPixel', 'perImage'] as const) {
      const spec = lossPlotSpec({ ...input, version: 1 }, measure);
      const curves = (spec.layer as { encoding: Record<string, { field: string }> }[])[0];
      expect(curves.encoding.y.field).toBe(measure);
      expect(curves.encoding.strokeDash.field).toBe('split');
      expect(curves.encoding.shape.field).toBe('split');
    }
  });

  it('carries only inline data', () => {
    const text = JSON.stringify(lossPlotSpec({ ...input, version: 1 }, 'perImage'));
    expect(text).not.toMatch(/"url"/);
  });

  it('compiles with vega-lite and renders both annotations and tooltips', async () => {
    const spec = lossPlotSpec({ ...input, version: 1 }, 'perPixel');
    const vl = await import('vega-lite');
    const warnings: string[] = [];
    const logger = {
      level: () => logger,
      warn: (...m: unknown[]) => (warnings.push(m.join(' ')), logger),
      info: () => logger,
      debug: () => logger,
      error: (...m: unknown[]) => {
        throw new Error(m.join(' '));
      },
    };
    const compiled = vl.compile(spec as never, { logger }).spec;
    expect(warnings).toEqual([]);
    expect(JSON.stringify(compiled)).toContain('tooltip');
    const svg = await renderSvg(spec);
    expect(svg).toContain('28×28: 0.099 · 784 ≈ 77.6');
    expect(svg).toContain('32×32 edge: 0.075 · 1024 ≈ 76.8');
  });

  it('switches the axis title with the measure', async () => {
    const svg = await renderSvg(lossPlotSpec({ ...input, version: 1 }, 'perImage'));
    expect(svg).toContain('loss per image (total)');
    expect(svg).not.toContain('loss per pixel (mean)');
  });
});

describe('lossPlotPayload', () => {
  it('fills in version 1 and the spec for the requested measure', () => {
    const payload = lossPlotPayload(input);
    expect(payload.version).toBe(1);
    expect(payload.spec).toEqual(lossPlotSpec(payload, 'perPixel'));
  });

  it('names the field when a loss is not a number', () => {
    const points = input.points.map((p, i) => (i === 3 ? { ...p, perPixel: Number.NaN } : p));
    expect(() => lossPlotPayload({ ...input, points })).toThrow(PayloadError);
    expect(() => lossPlotPayload({ ...input, points })).toThrow('points[3].perPixel must be a finite number ≥ 0 (a loss), got NaN');
  });
});
