import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

/**
 * The conformance suite in headless Chromium (Vitest's browser mode, Playwright provider): the same
 * suite as test/conformance.test.ts, on the CPU backend with its WebAssembly kernels, bundled by Vite.
 * Debian's Chromium is launched (no browser download: playwright's own browsers are never installed);
 * RECTIFIER_CHROMIUM points elsewhere. Where it is missing, this project runs the test file in Node
 * instead, which then says so loudly and reports itself skipped (never passed).
 */
const CHROMIUM = process.env.RECTIFIER_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 600_000;

const rectifierEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RECTIFIER_'))) as Record<string, string>;

export default defineProject({
  // Workspace packages resolve to their TypeScript sources, and to their browser builds where they
  // have one (@rectifier/conformance's I/O, src/platform/browser.ts): Vite's client conditions after ours.
  resolve: { conditions: ['@rectifier/source', 'module', 'browser', 'development|production'] },
  // Only where Chromium is missing does the file run in Node (to be reported skipped): Node's build of everything.
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  // Cross-origin isolation, so that the page has SharedArrayBuffer (the suite's hostile-input and
  // bad-input sections share memory between tensors, as Node always can).
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  test: {
    name: 'backend-cpu-browser', // each browser instance is a project of its own: "backend-cpu-browser (chromium)"
    include: ['test/**/*.browser.test.ts'],
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    ...(haveChromium
      ? {
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false, // a failure is text; screenshots of a blank page would only litter test/
            provider: playwright({
              launchOptions: {
                executablePath: CHROMIUM,
                // The demo's e2e flags.
                args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
                  '--disable-component-update', '--disable-sync'],
              },
            }),
            instances: [{ browser: 'chromium' }],
          },
        }
      : {}),
    // The page has no process.env: the suite's variables (RECTIFIER_FUZZ_RUNS, RECTIFIER_REPORT_DIR…)
    // reach it as import.meta.env, as they reach the Node run.
    env: { ...rectifierEnv, ...(haveChromium ? {} : { RECTIFIER_CHROMIUM_MISSING: CHROMIUM }) },
  },
});
