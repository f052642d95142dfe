import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const protocolSource = fileURLToPath(new URL('./packages/protocol/src', import.meta.url));

export default defineConfig({
  // Tests (and the library code they load) read the protocol package's sources, never a stale dist/.
  resolve: {
    alias: [
      { find: /^@losslens\/protocol$/, replacement: `${protocolSource}/index.ts` },
      { find: /^@losslens\/protocol\/(border|float32)$/, replacement: `${protocolSource}/$1.ts` },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs-node's native addon is loaded once per process; worker threads would share it unsafely.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
