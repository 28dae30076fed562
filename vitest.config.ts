import { defineConfig } from 'vitest/config';

// Under CI a JSON report is written too, so .ci/run can print its closing count line.
const ci = process.env.CI === 'true' || process.env.CI === '1';

/** Suites that talk to the sandbox through the harness, run again against its GitHub dialect. */
const GITHUB_SUITES = [
  'test/integration/engine-cycle.test.ts',
  'test/integration/two-consoles.test.ts',
  'test/integration/crash-restart.test.ts',
  'test/integration/supervision.test.ts',
  'test/integration/supervision-scenarios.test.ts',
  'test/integration/approvals.test.ts',
  'test/integration/rate-limit-status.test.ts',
  'test/reliability/faults.test.ts',
  'test/reliability/crash-restart.test.ts',
  'test/reliability/two-processes.test.ts',
];

export default defineConfig({
  test: {
    environment: 'node',
    // Ink draws nothing until exit when it believes it runs in CI; the console tests render as in
    // a terminal whatever the runner's environment says.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
    testTimeout: 20_000,
    hookTimeout: 30_000,
    reporters: ci ? ['default', 'json'] : ['default'],
    outputFile: ci ? { json: '.ci/test-results.json' } : undefined,
    // The engine's integration and exactly-once suites run once per sandbox dialect.
    projects: [
      // Root `include` would be merged into both projects' lists, so each names its own.
      { extends: true, test: { name: 'gitea', include: ['test/**/*.test.ts', 'test/**/*.test.tsx'] } },
      {
        extends: true,
        test: {
          name: 'github',
          include: GITHUB_SUITES,
          env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false', SWITCHBOARD_SANDBOX_DIALECT: 'github' },
        },
      },
    ],
  },
});
