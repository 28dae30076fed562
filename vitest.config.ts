import { defineConfig } from 'vitest/config';

// Under CI a JSON report is written too, so .ci/run can print its closing count line.
const ci = process.env.CI === 'true' || process.env.CI === '1';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    environment: 'node',
    // Ink draws nothing until exit when it believes it runs in CI; the console tests render as in
    // a terminal whatever the runner's environment says.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.ci/test-results.json' } : undefined,
  },
});
