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
      'apps/*',
      {
        extends: true,
        test: { name: 'repo', include: ['test/**/*.test.ts'], testTimeout: 240_000 },
      },
    ],
  },
});
