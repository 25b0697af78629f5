import { defineProject } from 'vitest/config';

/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 600_000;

export default defineProject({
  resolve: { conditions: ['@rectifier/source'] },
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  // test/*.browser.test.ts run in Chromium (vitest.browser.config.ts).
  test: { include: ['test/**/*.test.ts'], exclude: ['test/**/*.browser.test.ts'], testTimeout: HANG_GUARD_MS, hookTimeout: HANG_GUARD_MS },
});
