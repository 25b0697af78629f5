/**
 * The conformance suite in Chromium on gpu.js's WebGL2 kernels (vitest.browser.config.ts, instance
 * gpujs-webgl2-chromium): mode 'gpu' in a page, where gpu.js takes a WebGL2Kernel (SwiftShader's
 * GL here). The same tests as test/conformance.gl.test.ts on headless-gl in Node; what the page's GL
 * gives is what the backend declares after probing it. Reports: reports/run/{accuracy,reliability}/gpujs-webgl2-chromium.json.
 */
import { runConformance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend } from '../src/index.js';

// Set by the config where Chromium is missing: the file then runs in Node, only to be reported skipped.
const chromiumMissing = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFIER_CHROMIUM_MISSING;

if (chromiumMissing !== undefined) {
  console.error(`\n${'!'.repeat(100)}\n!! backend-gpujs-browser: ${chromiumMissing} is missing — the conformance suite on gpu.js WebGL2 in Chromium is SKIPPED. ` +
    `Install it with scripts/install-system-deps.sh (as root) or apt-get install chromium.\n${'!'.repeat(100)}\n`);
  describe.skip(`conformance on gpu.js WebGL2 in Chromium: ${chromiumMissing} is missing, SKIPPED`, () => {
    it('runs the conformance suite on gpu.js WebGL2 in Chromium', () => undefined);
  });
} else {
  describe('gpujs-webgl2-chromium: the mode', () => {
    it("runs on gpu.js's WebGL2 kernels ('gpu' mode), not a fallback", async () => {
      const b = createGpujsBackend({ mode: 'gpu' });
      await b.ready();
      expect(b.mode).toBe('gpu');
      expect(b.kernelClass).toBe('WebGL2Kernel');
      await b.dispose();
    });
  });
  runConformance('gpujs-webgl2-chromium', async () => {
    const b = createGpujsBackend({ mode: 'gpu', name: 'gpujs-webgl2-chromium' });
    await b.ready();
    return b;
  }, { resources: (b) => ({ kernels: (b as import('../src/index.js').GpujsBackend).compiledKernels }) });
}
