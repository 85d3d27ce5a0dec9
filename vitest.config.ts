import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Tests start real processes, servers and runs: give them room, and run files one at a time on
    // this 2-core machine so timing-sensitive measurements are not starved.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    reporters: ['default', './test/support/count-reporter.ts'],
  },
});
