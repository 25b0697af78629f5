import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

/**
 * A package's browser environment of the conformance suite (Vitest's browser mode, Playwright
 * provider, headless Chromium), for its vitest.browser.config.ts: the same suite as in Node, bundled
 * by Vite, its I/O through src/platform/browser.ts. Debian's Chromium is launched (no browser
 * download: playwright's own browsers are never installed); RECTIFIER_CHROMIUM points elsewhere.
 * Where it is missing, the project runs its test files in Node instead, which then say so loudly
 * and report themselves skipped (never passed): RECTIFIER_CHROMIUM_MISSING names the path.
 * Imported by relative path: Vitest bundles a config's relative imports.
 */
export const CHROMIUM = process.env.RECTIFIER_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);
/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 600_000;
/** The demo's e2e flags. */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Chromium under Playwright with the flags above and `extraArgs`. */
export const chromium = (extraArgs: readonly string[] = []) => playwright({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] } });

type BrowserOptions = NonNullable<NonNullable<Parameters<typeof defineProject>[0]['test']>['browser']>;

export interface BrowserProjectOptions {
  /** The project's name; each browser instance is a project of its own ("<name> (chromium)" unless the instance names itself). */
  readonly name: string;
  /** The browser instances (default: one, Chromium with the flags above). */
  readonly instances?: BrowserOptions['instances'];
  /** Variables the page gets as defaults; the run's own RECTIFIER_* variables win over them. */
  readonly env?: Readonly<Record<string, string>>;
  /** The hang guard, where a slow device needs more than HANG_GUARD_MS. */
  readonly timeoutMs?: number;
  /** Vite's dependency pre-bundling (e.g. a CommonJS dependency converted once before the page loads). */
  readonly optimizeDeps?: Parameters<typeof defineProject>[0]['optimizeDeps'];
}

export function browserProject(options: BrowserProjectOptions) {
  const rectifierEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RECTIFIER_'))) as Record<string, string>;
  const timeout = options.timeoutMs ?? HANG_GUARD_MS;
  return defineProject({
    // Workspace packages resolve to their TypeScript sources, and to their browser builds where they
    // have one (@rectifier/conformance's I/O, src/platform/browser.ts): Vite's client conditions after ours.
    resolve: { conditions: ['@rectifier/source', 'module', 'browser', 'development|production'] },
    // Only where Chromium is missing do the files run in Node (to be reported skipped): Node's build of everything.
    ssr: { resolve: { conditions: ['@rectifier/source'] } },
    // Cross-origin isolation, so that the page has SharedArrayBuffer (the suite's hostile-input and
    // bad-input sections share memory between tensors, as Node always can).
    server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
    ...(options.optimizeDeps === undefined ? {} : { optimizeDeps: options.optimizeDeps }),
    test: {
      name: options.name,
      include: ['test/**/*.browser.test.ts'],
      testTimeout: timeout,
      hookTimeout: timeout,
      ...(haveChromium
        ? {
            browser: {
              enabled: true,
              headless: true,
              screenshotFailures: false, // a failure is text; screenshots of a blank page would only litter test/
              provider: chromium(),
              instances: options.instances ?? [{ browser: 'chromium' }],
            },
          }
        : {}),
      // The page has no process.env: the suite's variables (RECTIFIER_FUZZ_RUNS, RECTIFIER_REPORT_DIR…)
      // reach it as import.meta.env, as they reach the Node run.
      env: { ...options.env, ...rectifierEnv, ...(haveChromium ? {} : { RECTIFIER_CHROMIUM_MISSING: CHROMIUM }) },
    },
  });
}
