import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

/**
 * The conformance suite in headless Chromium (Vitest's browser mode, Playwright provider) on the
 * workers backend: its pool on module Web Workers over SharedArrayBuffer, bundled by Vite — the same
 * suite as test/conformance.test.ts in Node (and the same setup as packages/backend-cpu's browser
 * config). Debian's Chromium is launched (no browser download); RECTIFIER_CHROMIUM points elsewhere.
 * Where it is missing, this project runs the test files in Node instead, which then say so loudly
 * and report themselves skipped (never passed).
 */
const CHROMIUM = process.env.RECTIFIER_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 600_000;

/**
 * Differential fuzz cases per op in this run unless RECTIFIER_FUZZ_RUNS says otherwise (`pnpm fuzz`
 * does): a quarter of the suite's default, which keeps the run within about 5 minutes on two cores
 * (at 1,000 the fuzz blocks alone took 4 of its 4.6). The Node run ('workers') fuzzes the same
 * kernels at the full count; this one adds the Web Worker path. The count shows in the fuzz tests'
 * titles ("250 random calls") and in the reliability report's fuzzCases.
 */
const BROWSER_FUZZ_RUNS = '250';

const rectifierEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RECTIFIER_'))) as Record<string, string>;

export default defineProject({
  // Workspace packages resolve to their TypeScript sources, and to their browser builds where they
  // have one (this package's #platform: src/platform/browser.ts): Vite's client conditions after ours.
  resolve: { conditions: ['@rectifier/source', 'module', 'browser', 'development|production'] },
  // Only where Chromium is missing do the files run in Node (to be reported skipped): Node's build of everything.
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  // Cross-origin isolation, so that the page and its workers have SharedArrayBuffer.
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  // workerpool is CommonJS (its browser build UMD): converted once before the page loads, so that the
  // page and its workers import the same prepared module and no late discovery reloads the page.
  optimizeDeps: { include: ['workerpool'] },
  test: {
    name: 'backend-workers-browser', // the browser instance is a project of its own: "backend-workers-browser (chromium)"
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
    env: { RECTIFIER_FUZZ_RUNS: BROWSER_FUZZ_RUNS, ...rectifierEnv, ...(haveChromium ? {} : { RECTIFIER_CHROMIUM_MISSING: CHROMIUM }) },
  },
});
