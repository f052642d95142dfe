/**
 * Loss plots as a mime bundle: the payload with its Vega-Lite spec (built by the one spec
 * builder, @losslens/protocol's lossplot.ts) for the extension, the same spec as Vega-Lite 5 for
 * front ends' stock renderers (interactive without the extension), an SVG of it rendered
 * here by vega for everything else, and a text summary.
 */

import {
  annotationLabel,
  formatPerPixel,
  LOSSPLOT_MIME,
  type LossPlotPayload,
  validateLossPlotFields,
  VEGALITE5_MIME,
} from '@losslens/protocol';
import type { MimeBundle } from './bundle.js';

/**
 * SVG of a Vega-Lite spec, rendered headless. vega and vega-lite 6 are ESM-only; this
 * file compiles to CommonJS, where TypeScript (module Node16) keeps `import()` as a real
 * dynamic import. Notebook cells cannot do this themselves: tslab turns their `import()`
 * into `require`.
 */
export async function vegaLiteToSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const compiled = vegaLite.compile(spec as unknown as Parameters<typeof vegaLite.compile>[0]).spec;
  // Specs carry their data inline; a loader that refuses everything keeps rendering offline.
  const loader = vega.loader();
  loader.load = (uri: string) => Promise.reject(new Error(`losslens plots carry inline data; refusing to load ${uri}`));
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** The title, each run's "0.099 · 784 ≈ 77.6", and each run's last epoch per split. */
function lossPlotText(payload: LossPlotPayload): string {
  const last = new Map<string, LossPlotPayload['points'][number]>();
  for (const point of payload.points) {
    const key = `${point.run} (${point.split})`;
    const seen = last.get(key);
    if (!seen || point.epoch >= seen.epoch) last.set(key, point);
  }
  const finals = [...last].map(
    ([key, p]) => `  ${key}, epoch ${p.epoch}: ${formatPerPixel(p.perPixel)} per pixel, ${p.perImage.toFixed(1)} per image`,
  );
  return [payload.title, ...payload.annotations.map((a) => `  ${annotationLabel(a)}`), ...finals].join('\n');
}

const VEGA_LITE_5_SCHEMA = 'https://vega.github.io/schema/vega-lite/v5.json';
/** vega-embed's export/source menu is noise in a published analysis; SVG keeps the text selectable. */
const EMBED_OPTIONS = { actions: false, renderer: 'svg' };

type Layer = { data?: { values?: { epoch?: unknown }[] }; encoding?: { x?: { field?: string; axis?: object } } };

/**
 * Vega 5 ignores the epoch axis' tickMinStep (Vega 6 honours it) and labels half epochs
 * "1 2 2 3 3"; listing the epochs as tick values gives the same axis in both.
 */
function withEpochTicks(layer: Layer): Layer {
  const x = layer.encoding?.x;
  const rows = layer.data?.values;
  if (x?.field !== 'epoch' || !Array.isArray(rows)) return layer;
  const epochs = [...new Set(rows.map((row) => Number(row.epoch)))].sort((a, b) => a - b);
  return { ...layer, encoding: { ...layer.encoding, x: { ...x, axis: { ...x.axis, values: epochs } } } };
}

/**
 * The spec for a stock Vega-Lite 5 renderer: it uses nothing Vega-Lite 6 added, so only the
 * schema changes (vega-embed warns on a schema newer than its library) and the epoch ticks
 * are listed; it carries vega-embed options for front ends that read them from the spec.
 */
function vegaLite5Spec(spec: Record<string, unknown>): Record<string, unknown> {
  const usermeta = (spec.usermeta ?? {}) as Record<string, unknown>;
  const layers = Array.isArray(spec.layer) ? { layer: (spec.layer as Layer[]).map(withEpochTicks) } : {};
  return { ...spec, ...layers, $schema: VEGA_LITE_5_SCHEMA, usermeta: { ...usermeta, embedOptions: EMBED_OPTIONS } };
}

export async function lossPlotBundle(payload: LossPlotPayload): Promise<MimeBundle> {
  validateLossPlotFields(payload);
  return {
    data: {
      [LOSSPLOT_MIME]: payload,
      [VEGALITE5_MIME]: vegaLite5Spec(payload.spec),
      'image/svg+xml': await vegaLiteToSvg(payload.spec),
      'text/plain': lossPlotText(payload),
    },
    // JupyterLab's Vega renderer reads its vega-embed options from here.
    metadata: { [VEGALITE5_MIME]: { embed_options: EMBED_OPTIONS } },
  };
}
