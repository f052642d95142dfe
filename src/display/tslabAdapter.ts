/**
 * The one place losslens reaches into tslab's internals. tslab's public `display.raw(type,
 * value)` sends ONE mime type per output and base64-encodes only Uint8Arrays, so it cannot
 * send a bundle whose JSON type is an object next to its fallbacks. Underneath,
 * `display.raw` calls `lastWriteDisplayData` of the kernel's `dist/jupyter.js` with the
 * full `display_data` content ({data, metadata, transient}) and a flag choosing
 * `update_display_data`; the kernel sets it for every executed cell, so the message's
 * parent is that cell. We call the same function with a whole bundle.
 *
 * That function is not public API, so this module checks the tslab it finds is the version
 * it was written for and throws, naming both versions, when it is not or the function is
 * gone (test/display/tslabAdapter.test.ts checks the installed tslab the same way).
 *
 * The module is looked up in `require.cache` (the copy the kernel loaded, wherever tslab
 * is installed: a global tslab and the project's own are different module instances), so
 * nothing here loads tslab outside a kernel (tests, the CLI).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The tslab release whose `dist/jupyter.js` this adapter was written against. */
export const TSLAB_VERSION = '1.0.22';

/** The writer tslab hands each execute request: (display_data content, isUpdate). */
export type KernelWriter = (content: Record<string, unknown>, update: boolean) => void;

/** The loaded tslab is not one whose internals this adapter knows. */
export class TslabVersionError extends Error {
  override name = 'TslabVersionError';
}

const TSLAB_JUPYTER_MODULE = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;
const checked = new Set<string>();

function tslabVersion(jupyterModule: string): string {
  const manifest = join(dirname(dirname(jupyterModule)), 'package.json');
  try {
    return String((JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version);
  } catch (error) {
    throw new TslabVersionError(`cannot read the version of the tslab running this kernel from ${manifest}: ${(error as Error).message}`);
  }
}

// Not named `exports`: compiled to CommonJS, that would hide the module's own exports (TSLAB_VERSION).
function checkTslab(jupyterModule: string, moduleExports: unknown): void {
  if (checked.has(jupyterModule)) return;
  const version = tslabVersion(jupyterModule);
  const fix = `Run the notebook with tslab ${TSLAB_VERSION} (npm install tslab@${TSLAB_VERSION}; scripts/setup.sh registers it), or port src/display/tslabAdapter.ts to tslab ${version}.`;
  if (version !== TSLAB_VERSION) {
    throw new TslabVersionError(
      `losslens sends displays through tslab ${TSLAB_VERSION}'s internals, but this kernel runs tslab ${version} (${jupyterModule}). ${fix}`,
    );
  }
  if (typeof moduleExports !== 'object' || moduleExports === null || !('lastWriteDisplayData' in moduleExports)) {
    throw new TslabVersionError(
      `tslab ${version}'s dist/jupyter.js (${jupyterModule}) has no lastWriteDisplayData, which losslens sends displays through. ${fix}`,
    );
  }
  checked.add(jupyterModule);
}

/**
 * The kernel's display writer for the cell running now; undefined outside a tslab kernel
 * (or before its first cell). Throws a TslabVersionError when the loaded tslab is not
 * TSLAB_VERSION or lacks the writer.
 */
export function tslabWriter(): KernelWriter | undefined {
  for (const [path, module] of Object.entries(require.cache)) {
    if (!TSLAB_JUPYTER_MODULE.test(path)) continue;
    checkTslab(path, module?.exports);
    const writer = (module?.exports as { lastWriteDisplayData?: unknown }).lastWriteDisplayData;
    if (typeof writer === 'function') return writer as KernelWriter;
  }
  return undefined;
}
