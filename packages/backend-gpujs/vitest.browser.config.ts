import { browserProject, chromium } from '../conformance/browser-project.js';

/**
 * The conformance suite in headless Chromium (Vitest's browser mode, Playwright provider) on gpu.js,
 * two environments of the same suite, each a browser instance and a project of its own (named as
 * their reports: "gpujs-webgl2-chromium", "gpujs-webgpu-chromium"), each running its
 * test/*.<mode>.browser.test.ts:
 *
 * - webgl2: mode 'gpu', gpu.js's WebGL2Kernel on Chromium's SwiftShader GL (with --disable-gpu, as
 *   the demo's e2e test runs it);
 * - webgpu: mode 'webgpu', gpu.js's WebGPUKernel on Chromium's SwiftShader WebGPU adapter, which
 *   headless Chromium exposes with --enable-unsafe-webgpu alone (measured: no Vulkan, ANGLE or
 *   adapter flag is needed; the adapter reports vendor 'google', architecture 'swiftshader',
 *   isFallbackAdapter true).
 *
 * What every browser environment shares (Debian's Chromium and its flags, cross-origin isolation,
 * the suite's variables, the loud skip without Chromium) is @rectifier/conformance's browser-project.ts.
 */

/** One browser environment: its test files, and the flags Chromium needs for it. */
const instance = (mode: string, extraArgs: readonly string[] = []) => ({
  browser: 'chromium' as const,
  name: `gpujs-${mode}-chromium`,
  include: [`test/*.${mode}.browser.test.ts`],
  provider: chromium(extraArgs),
});

export default browserProject({
  name: 'backend-gpujs-browser',
  instances: [instance('webgl2'), instance('webgpu', ['--enable-unsafe-webgpu'])],
  // Differential fuzz cases per op here, unless the run sets RECTIFIER_FUZZ_RUNS (`pnpm fuzz`): the
  // suite's own knob, as the packaging test turns it down. SwiftShader is slow (measured on this
  // 2-core machine with the default 1,000: WebGL2 4 min 37 s, WebGPU 7 min 23 s, most of it
  // fuzzing); the fuzz tests' titles say the count ("relu: 200 random calls …").
  env: { RECTIFIER_FUZZ_RUNS: '200' },
  timeoutMs: 900_000,
});
