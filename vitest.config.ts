import { defineConfig } from 'vitest/config';

/**
 * One Vitest run over every package (each a project), resolving workspace packages to their
 * TypeScript sources through the `source` export condition, so tests need no build step.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    projects: ['packages/*', 'apps/*'],
  },
});
