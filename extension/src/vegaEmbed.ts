/**
 * The lazily loaded half of the loss-plot renderer: vega, vega-lite and vega-embed are
 * large, so they live in their own chunk, loaded the first time a plot is shown.
 */

import { loader as vegaLoader, type Loader } from 'vega';
import embed, { type Result } from 'vega-embed';

function refuse(uri: unknown): Promise<never> {
  return Promise.reject(new Error(`losslens plots carry their data inline and never load ${String(uri)}`));
}

/** A loader that fetches nothing, so a spec (even a tampered one) cannot reach the network. */
function refusingLoader(): Loader {
  return { ...vegaLoader(), load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** Draws a Vega-Lite spec as SVG (its text stays selectable and searchable) with tooltips. */
export function embedVegaLite(element: HTMLElement, spec: Record<string, unknown>, dark: boolean): Promise<Result> {
  return embed(element, spec, {
    mode: 'vega-lite',
    renderer: 'svg',
    // The export menu would offer "Open in Vega Editor", which posts the data to a website.
    actions: false,
    tooltip: true,
    loader: refusingLoader(),
    ...(dark ? { theme: 'dark' as const } : {}),
  });
}
