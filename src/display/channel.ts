/**
 * Sends mime bundles to the notebook through the running tslab kernel (tslabAdapter.ts
 * holds how), or, outside a kernel (tests, the CLI), to the sink set with
 * `setDisplaySink`, else prints their text/plain.
 */

import type { MimeBundle } from './bundle.js';
import { tslabWriter, type KernelWriter } from './tslabAdapter.js';

/** Where bundles go: `displayId` names an output that later calls with `update` replace. */
export interface DisplaySink {
  send(bundle: MimeBundle, target: { displayId?: string; update: boolean }): void;
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
      writer({ data: bundle.data, metadata: bundle.metadata, transient: displayId ? { display_id: displayId } : {} }, update);
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
  const writer = tslabWriter();
  return writer ? kernelSink(writer) : consoleSink;
}
