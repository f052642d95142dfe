import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

/** The test files that read the shared notebook run (test/notebooks/quickRun.ts). */
const NOTEBOOK_RUN_TESTS = ['test/notebooks/notebooks.test.ts', 'test/notebooks/mainJob.test.ts', 'test/publish/html.test.ts'];

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
    // tfjs-node's native addon is loaded once per process; worker threads would share it unsafely.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 300_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'losslens',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...NOTEBOOK_RUN_TESTS],
          globalSetup: ['test/buildSetup.ts'],
        },
      },
      // Its own project because vitest starts a project's globalSetup only when one of its test files is selected.
      {
        extends: true,
        test: {
          name: 'notebook run',
          include: NOTEBOOK_RUN_TESTS,
          globalSetup: ['test/buildSetup.ts', 'test/notebooks/quickRun.setup.ts'],
        },
      },
    ],
  },
});
