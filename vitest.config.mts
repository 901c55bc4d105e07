import { defineConfig } from 'vitest/config';
import { LongestFirst } from './test/support/longestFirst.mts';
import { integrationTestFiles } from './test/support/testKinds.mts';

// `unit`: in-process tests (npm run test:unit); `integration`: tests that start Azurite or spawn a process.
const integration = integrationTestFiles(import.meta.dirname);

export default defineConfig({
  test: {
    setupFiles: ['test/support/eachGuard.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    // The slowest files first, so the two workers finish together (test/support/longestFirst.mts).
    sequence: { sequencer: LongestFirst },
    reporters: ['default'],
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: integration } },
      { extends: true, test: { name: 'integration', include: integration } },
    ],
  },
});
