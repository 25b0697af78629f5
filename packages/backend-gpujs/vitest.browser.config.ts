import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineProject } from 'vitest/config';

/**
 * The conformance suite in headless Chromium (Vitest's browser mode, Playwright provider) on gpu.js,
 * two environments of the same suite, each a browser instance of its own (a project each:
 * "gpujs-webgl2-chromium", "gpujs-webgpu-chromium"):
 *
 * - webgl2: mode 'gpu', gpu.js's WebGL2Kernel on Chromium's SwiftShader GL (with --disable-gpu, as the
 *   demo's e2e test runs it);
 * - webgpu: mode 'webgpu', gpu.js's WebGPUKernel on Chromium's SwiftShader WebGPU adapter, which
 *   headless Chromium exposes with --enable-unsafe-webgpu alone (measured: no Vulkan, ANGLE or
 *   adapter flag is needed; the adapter reports vendor 'google', architecture 'swiftshader',
 *   isFallbackAdapter true).
 *
 * Debian's Chromium is launched (no browser download); RECTIFIER_CHROMIUM points elsewhere. Where it
 * is missing, the test files run in Node instead, say so loudly and report themselves skipped.
 */
const CHROMIUM = process.env.RECTIFIER_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
/** Per-test and per-hook limit: a hang guard only, far above any test's time on a loaded machine. */
const HANG_GUARD_MS = 900_000;
/** The demo's e2e flags. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

const rectifierEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('RECTIFIER_'))) as Record<string, string>;
/**
 * Differential fuzz cases per op here, unless the run sets RECTIFIER_FUZZ_RUNS (`pnpm fuzz`): the
 * suite's own knob, as the packaging test turns it down. SwiftShader is slow (measured on this
 * 2-core machine with the default 1,000: WebGL2 4 min 37 s, WebGPU 7 min 23 s, most of it fuzzing);
 * the fuzz tests' titles say the count ("relu: 200 random calls …").
 */
const BROWSER_FUZZ_RUNS = '200';

/** One browser environment: its test file, and the flags Chromium needs for it. */
const instance = (name: string, extraArgs: readonly string[] = []) => ({
  browser: 'chromium' as const,
  name,
  include: [`test/*.${name.replace(/^gpujs-|-chromium$/g, '')}.browser.test.ts`],
  provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...extraArgs] } }),
});

export default defineProject({
  // Workspace packages resolve to their TypeScript sources, and to their browser builds where they
  // have one (@rectifier/conformance's I/O; gpu.js's dist/gpu-browser.js through its `browser` field).
  resolve: { conditions: ['@rectifier/source', 'module', 'browser', 'development|production'] },
  // Only where Chromium is missing do the files run in Node (to be reported skipped): Node's build of everything.
  ssr: { resolve: { conditions: ['@rectifier/source'] } },
  // Cross-origin isolation, so that the page has SharedArrayBuffer (the suite's hostile-input and
  // bad-input sections share memory between tensors, as Node always can).
  server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
  test: {
    name: 'backend-gpujs-browser',
    include: ['test/**/*.browser.test.ts'],
    testTimeout: HANG_GUARD_MS,
    hookTimeout: HANG_GUARD_MS,
    ...(haveChromium
      ? {
          browser: {
            enabled: true,
            headless: true,
            screenshotFailures: false, // a failure is text; screenshots of a blank page would only litter test/
            provider: playwright({ launchOptions: { executablePath: CHROMIUM, args: CHROMIUM_ARGS } }),
            instances: [instance('gpujs-webgl2-chromium'), instance('gpujs-webgpu-chromium', ['--enable-unsafe-webgpu'])],
          },
        }
      : {}),
    // The page has no process.env: the suite's variables (RECTIFIER_FUZZ_RUNS, RECTIFIER_REPORT_DIR…)
    // reach it as import.meta.env, as they reach the Node run.
    env: { RECTIFIER_FUZZ_RUNS: BROWSER_FUZZ_RUNS, ...rectifierEnv, ...(haveChromium ? {} : { RECTIFIER_CHROMIUM_MISSING: CHROMIUM }) },
  },
});
