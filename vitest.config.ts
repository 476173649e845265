import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'crawlers/**/*.test.ts', 'test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests must not read the developer's own settings, nor start a tor that would reach the public Tor network.
    env: { LEAKWATCH_CONFIG: '', LEAKWATCH_TOR_MODE: 'external' },
  },
});
