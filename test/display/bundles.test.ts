import { afterEach, describe, expect, it } from 'vitest';
import { tf } from '../../src/tf.js';
import { decodePanel, LOSSPLOT_MIME, lossPlotPayload, TENSOR_MIME, VEGALITE5_MIME } from '@losslens/protocol';
import type { MimeBundle } from '../../src/display/bundle.js';
import { markdownTable } from '../../src/format.js';
import { setDisplaySink } from '../../src/display/channel.js';
import { lossPlotBundle } from '../../src/display/lossPlot.js';
import { show, showImages } from '../../src/display/show.js';
import { svgToPng } from '../../src/display/rasterise.js';
import { OUTLINE_COLOR } from '../../src/display/tensorFigure.js';
import { tensorBundle, tensorPayload } from '../../src/display/tensorImages.js';
import { twoRunPoints } from '../helpers/lossPoints.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47];

function recordSends(): Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> {
  const sent: Array<{ bundle: MimeBundle; displayId?: string; update: boolean }> = [];
  setDisplaySink({ send: (bundle, target) => sent.push({ bundle, ...target }) });
  return sent;
}

afterEach(() => setDisplaySink(undefined));

describe('tensor image bundles', () => {
  it('carry the payload as an object, an SVG figure, its PNG and text', async () => {
    const images = tf.linspace(0, 1, 5 * 32 * 32).reshape([5, 32, 32, 1]);
    const payload = tensorPayload({
      panels: [
        { title: 'noisy input', images, border: 2 },
        { title: 'loss map', images: images.mul(2), colormap: 'viridis' },
      ],
      captions: ['a', 'b', 'c', 'd', 'e'],
      maxImages: 3,
    });
    const bundle = await tensorBundle(payload);

    const custom = bundle.data[TENSOR_MIME] as typeof payload;
    expect(typeof custom).toBe('object');
    expect(custom.panels.map((p) => p.shape)).toEqual([
      [3, 32, 32],
      [3, 32, 32],
    ]);
    expect(custom.truncatedFrom).toBe(5);
    expect(custom.captions).toEqual(['a', 'b', 'c']);
    expect(custom.panels[0].border).toEqual({ top: 2, bottom: 2, left: 2, right: 2 });
    expect(custom.panels[1].range[1]).toBeCloseTo((2 * (3 * 1024 - 1)) / (5 * 1024 - 1), 5);
    const values = decodePanel(custom.panels[0], 0).values;
    expect(values[values.length - 1]).toBeCloseTo((3 * 1024 - 1) / (5 * 1024 - 1), 6);

    const png = Buffer.from(bundle.data['image/png'] as string, 'base64');
    expect([...png.subarray(0, 4)]).toEqual(PNG_SIGNATURE);
    const decoded = tf.node.decodePng(png, 3);
    expect(decoded.shape[0]).toBeGreaterThan(3 * 32);
    expect(decoded.shape[1]).toBeGreaterThan(2 * 32);
    const svg = bundle.data['image/svg+xml'] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('the first 3 of 5 images');
    // The padded panel's inner region is outlined as in the extension: dashed orange, one per image.
    expect(svg.match(new RegExp(`stroke="${OUTLINE_COLOR}"[^>]*stroke-dasharray`, 'g'))).toHaveLength(3);
    expect(bundle.data['text/plain']).toContain('3 of 5 image(s)');
  });

  it('draw their words as real text: the SVG holds them and the PNG is that SVG rasterised', async () => {
    const captions = ['σ = 0.5 · noisy', 'Müller – 28×28', 'loss ≈ 77.6', '#0 ñ Ω'];
    const payload = tensorPayload({
      panels: [
        { title: 'noisy input (é, ä)', images: tf.linspace(0, 1, 4 * 28 * 28).reshape([4, 28, 28]) },
        { title: 'loss map Δ', images: tf.zeros([4, 28, 28]), colormap: 'viridis', range: [0, 0.693] },
      ],
      captions,
    });
    const bundle = await tensorBundle(payload);
    const svg = bundle.data['image/svg+xml'] as string;
    for (const caption of [...captions, 'noisy input (é, ä)', 'loss map Δ', '0.693']) expect(svg).toContain(`>${caption}</text>`);
    // The PNG fallback is exactly the SVG rasterised (resvg is deterministic) ...
    const png = Buffer.from(bundle.data['image/png'] as string, 'base64');
    expect(Buffer.from(await svgToPng(svg)).equals(png)).toBe(true);
    // ... and its text is drawn: without the <text> elements, many pixels change.
    const withoutText = tf.node.decodePng(await svgToPng(svg.replace(/<text[^>]*>[^<]*<\/text>/g, '')), 3);
    const changed = tf.tidy(() => tf.node.decodePng(png, 3).notEqual(withoutText).any(2).sum().arraySync() as number);
    expect(changed).toBeGreaterThan(500);
  });

  it('draw accents, Greek and symbols with real glyphs, not the missing-glyph box', async () => {
    const glyph = async (char: string) =>
      svgToPng(`<svg xmlns="http://www.w3.org/2000/svg" width="60" height="60"><text x="10" y="45" font-size="40">${char}</text></svg>`);
    const missing = Buffer.from(await glyph('\uE000'));
    const blank = Buffer.from(await glyph(' '));
    for (const char of ['é', 'ñ', 'σ', 'Δ', 'Ω', '≈', '×', '·', '–', '−', '#']) {
      const drawn = Buffer.from(await glyph(char));
      expect(drawn.equals(missing), char).toBe(false);
      expect(drawn.equals(blank), char).toBe(false);
    }
  });

  it('refuses panels that disagree on the number of images', () => {
    expect(() =>
      tensorPayload({
        panels: [
          { title: 'a', images: tf.zeros([2, 4, 4]) },
          { title: 'b', images: tf.zeros([3, 4, 4]) },
        ],
      }),
    ).toThrow(/holds 3 images but panels\[0\] holds 2/);
    expect(() => tensorPayload({ panels: [{ title: 'rgb', images: tf.zeros([2, 4, 4, 3]) }] })).toThrow(
      /expected \[images, height, width\]/,
    );
  });
});

describe('loss plot bundles', () => {
  it('carry the payload as an object, an SVG of its spec and text', async () => {
    const payload = lossPlotPayload({
      title: 'per pixel <script>alert(1)</script>',
      measure: 'perPixel',
      points: twoRunPoints(),
      annotations: [{ run: '28×28', perPixel: 0.099, pixels: 784, perImage: 77.616 }],
    });
    const bundle = await lossPlotBundle(payload);
    expect(bundle.data[LOSSPLOT_MIME]).toEqual(payload);
    expect(typeof bundle.data[LOSSPLOT_MIME]).toBe('object');
    // Stock Vega-Lite 5 renderers get the same spec, with vega-embed's action menu off.
    const vegaLite = bundle.data[VEGALITE5_MIME] as Record<string, unknown>;
    expect(vegaLite.$schema).toBe('https://vega.github.io/schema/vega-lite/v5.json');
    const differing = { $schema: undefined, usermeta: undefined, layer: undefined };
    expect({ ...vegaLite, ...differing }).toEqual({ ...payload.spec, ...differing });
    // The same layers, but with the epoch ticks listed (Vega 5 ignores tickMinStep).
    const [curves, ...annotations] = vegaLite.layer as { encoding: { x: { axis: Record<string, unknown> } } }[];
    expect(curves.encoding.x.axis).toEqual({ ...(payload.spec.layer as typeof annotations)[0].encoding.x.axis, values: [1, 2, 3] });
    expect(annotations).toEqual((payload.spec.layer as unknown[]).slice(1));
    expect(bundle.metadata[VEGALITE5_MIME]).toEqual({ embed_options: { actions: false, renderer: 'svg' } });
    const svg = bundle.data['image/svg+xml'] as string;
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('0.099 · 784 ≈ 77.6');
    expect(svg).not.toContain('<script');
    expect(bundle.data['text/plain']).toContain('28×28: 0.099 · 784 ≈ 77.6');
  });

  it('rejects a payload with no points before rendering', async () => {
    const valid = lossPlotPayload({ title: 'plot', measure: 'perImage', points: twoRunPoints(), annotations: [] });
    await expect(lossPlotBundle({ ...valid, points: [] })).rejects.toThrow(/points must hold at least one/);
  });
});

describe('show', () => {
  it('sends each kind as one new output with a fallback and text/plain', async () => {
    const sent = recordSends();
    await show(lossPlotPayload({ title: 't', measure: 'perImage', points: twoRunPoints(), annotations: [] }));
    await showImages({ panels: [{ title: 'x', images: tf.ones([1, 8, 8]) }] });
    await show(tf.zeros([2, 6, 6]));
    await show('**bold** 0.5');
    expect(sent.map((s) => s.update)).toEqual([false, false, false, false]);
    expect(Object.keys(sent[0].bundle.data).sort()).toEqual([LOSSPLOT_MIME, VEGALITE5_MIME, 'image/svg+xml', 'text/plain']);
    expect(Object.keys(sent[1].bundle.data).sort()).toEqual([TENSOR_MIME, 'image/png', 'image/svg+xml', 'text/plain']);
    expect(Object.keys(sent[2].bundle.data).sort()).toEqual([TENSOR_MIME, 'image/png', 'image/svg+xml', 'text/plain']);
    expect(sent[3].bundle.data).toEqual({ 'text/markdown': '**bold** 0.5', 'text/plain': '**bold** 0.5' });
  });

  it('rejects what it cannot display, naming what it takes', async () => {
    await expect(show(42 as never)).rejects.toThrow(/takes a loss-plot payload/);
  });
});

describe('markdownTable', () => {
  it('escapes pipes and checks row lengths', () => {
    expect(markdownTable(['a', 'b'], [[1, 'x|y']])).toBe('| a | b |\n| --- | --- |\n| 1 | x\\|y |');
    expect(() => markdownTable(['a', 'b'], [[1]])).toThrow(/row 0 has 1 cells but there are 2 columns/);
  });
});
