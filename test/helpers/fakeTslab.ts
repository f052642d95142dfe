import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);

/**
 * A tslab install of `version` in a temp folder whose dist/jupyter.js is in require.cache
 * with `exports`, as a kernel leaves it; `remove()` takes both away again.
 */
export function fakeTslab(
  version: string,
  exports: Record<string, unknown>,
): { path: string; exports: Record<string, unknown>; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'losslens-fake-tslab-'));
  const tslab = join(root, 'node_modules', 'tslab');
  mkdirSync(join(tslab, 'dist'), { recursive: true });
  writeFileSync(join(tslab, 'package.json'), JSON.stringify({ name: 'tslab', version }));
  const path = join(tslab, 'dist', 'jupyter.js');
  require.cache[path] = { id: path, exports } as unknown as NodeJS.Module;
  return {
    path,
    exports,
    remove() {
      delete require.cache[path];
      rmSync(root, { recursive: true, force: true });
    },
  };
}
