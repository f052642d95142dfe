/**
 * Sends mime bundles to the notebook through the running tslab kernel.
 *
 * tslab's public `display.raw(type, value)` wraps ONE mime type per output, and it
 * base64-encodes only Uint8Arrays, so it cannot send a bundle whose JSON type is an object
 * next to its fallbacks. Underneath, the kernel keeps `lastWriteDisplayData` on its
 * `dist/jupyter.js` module: the function `display.raw` itself calls, which takes the full
 * `display_data` content ({data, metadata, transient}) and a flag choosing
 * `update_display_data`. It is reset for every executed cell so the message's parent is
 * that cell. We call that same function with a whole bundle: no patching, no second
 * socket, nothing tslab does not already do on every `display.raw`.
 *
 * We find the module in `require.cache` (the copy the kernel loaded, wherever tslab is
 * installed — a global tslab and the project's own are different module instances), so
 * nothing here loads tslab when running outside a kernel (tests, the CLI): then bundles go
 * to the sink set with `setDisplaySink`, or their text/plain is printed.
 */

import type { MimeBundle } from './bundle.js';

/** The writer tslab hands each execute request: (display_data content, isUpdate). */
type KernelWriter = (content: Record<string, unknown>, update: boolean) => void;

/** Where bundles go: `displayId` names an output that later calls with `update` replace. */
export interface DisplaySink {
  send(bundle: MimeBundle, target: { displayId?: string; update: boolean }): void;
}

const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

function kernelWriter(): KernelWriter | undefined {
  for (const [path, module] of Object.entries(require.cache)) {
    if (!TSLAB_JUPYTER_MODULE.test(path)) continue;
    const writer = (module?.exports as { lastWriteDisplayData?: unknown } | undefined)?.lastWriteDisplayData;
    if (typeof writer === 'function') return writer as KernelWriter;
  }
  return undefined;
}

/**
 * A sink bound to the cell running now. Binding at creation matters for in-place
 * updates: a progress display created in one cell keeps that cell as the parent of its
 * updates, and only `update_display_data` (never a new output) is sent later, so nothing
 * spills into the cell that happens to be running.
 */
function kernelSink(writer: KernelWriter): DisplaySink {
  return {
    send(bundle, { displayId, update }) {
      writer(
        { data: bundle.data, metadata: bundle.metadata, transient: displayId ? { display_id: displayId } : {} },
        update,
      );
    },
  };
}

/** Outside a kernel only text survives: print the text/plain part once, skip updates. */
const consoleSink: DisplaySink = {
  send(bundle, { update }) {
    if (!update) console.log(String(bundle.data['text/plain'] ?? ''));
  },
};

let overrideSink: DisplaySink | undefined;

/** Route bundles to `sink` (e.g. a recorder in tests); `undefined` restores the default. */
export function setDisplaySink(sink: DisplaySink | undefined): void {
  overrideSink = sink;
}

/** The sink for outputs created now: an override, else the kernel's, else the console. */
export function currentSink(): DisplaySink {
  if (overrideSink) return overrideSink;
  const writer = kernelWriter();
  return writer ? kernelSink(writer) : consoleSink;
}

/** Sends `bundle` as a new output of the running cell. */
export function publish(bundle: MimeBundle): void {
  currentSink().send(bundle, { update: false });
}
