// Test runner configuration. PGlite instances take ~2.5 s to initdb, so test
// timeouts are generous; files run in parallel across the machine's two cores.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
