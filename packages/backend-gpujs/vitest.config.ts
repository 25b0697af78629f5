import { defineProject } from 'vitest/config';

/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 600_000;

export default defineProject({
  resolve: { conditions: ['@rectifier/source'] },
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // The Chromium environments (vitest.browser.config.ts) are projects of their own.
    exclude: ['test/**/*.browser.test.ts'],
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    // headless-gl is a native addon that loads only once per process: Vitest's threads pool would
    // load it in the first worker only (later files silently fall back to WebAssembly). Forks give
    // each file its own process.
    pool: 'forks',
    // Starts Xvfb and sets DISPLAY before the workers fork (stopped in teardown).
    globalSetup: ['./test/xvfb-setup.ts'],
  },
});
