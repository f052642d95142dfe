import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // tfjs-node's native addon is loaded once per process; worker threads would share it unsafely.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 300_000,
  },
});
