import { defineProject } from 'vitest/config';

export default defineProject({
  resolve: { conditions: ['@rectifier/source'] },
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
