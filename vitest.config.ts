import { defineConfig } from 'vitest/config';

/**
 * One Vitest run over every package (each a project), resolving workspace packages to their
 * TypeScript sources through the `@rectifier/source` export condition, so tests need no build step.
 */
export default defineConfig({
  resolve: { conditions: ['@rectifier/source'] },
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  test: {
    projects: [
      'packages/*',
      // A package's browser environment (Vitest's browser mode in Chromium), e.g. the conformance suite on the CPU backend.
      'packages/*/vitest.browser.config.ts',
      'apps/*',
      {
        extends: true,
        // After every package's tests (group 1 runs once group 0 is done): the packaging test runs
        // a whole conformance suite in a child process, which CI once saw run 35× slower while the
        // gpu.js and worker suites held the two cores. Its limits are hang guards, far above any run seen.
        test: { name: 'repo', include: ['test/**/*.test.ts'], testTimeout: 900_000, sequence: { groupOrder: 1 } },
      },
    ],
  },
});
