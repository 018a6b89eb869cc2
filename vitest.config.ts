import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    setupFiles: ['test/support/setup.ts'],
    // Sandbox servers and real Debian servers bind loopback ports; keep worker count modest on 2-core machines.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    env: { FORCE_COLOR: '0' },
    // The JSON results let .ci/run print a plain `N passed, N failed` closing line for CI.
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
