import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'crawlers/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    // Generous: many tests drive real processes, Chromium and databases on a 2-core machine running the suite in
    // parallel (a test may start a dozen CLI processes, each seconds of start-up there). A timeout only stops a hung
    // test; speed is measured in benchmarks.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    // Tests must not read the developer's own settings, nor start a tor that would reach the public Tor network.
    env: { LEAKWATCH_CONFIG: '', LEAKWATCH_TOR_MODE: 'external' },
  },
});
