import { defineConfig } from 'vitest/config';

// Under CI a JSON report is written too, so .ci/run can print its closing count line.
const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.ci/test-results.json' } : undefined,
  },
});
