/**
 * The conformance suite in Chromium on gpu.js's WebGL2 kernels (vitest.browser.config.ts, instance
 * gpujs-webgl2-chromium): mode 'gpu' in a page, where gpu.js takes a WebGL2Kernel (SwiftShader's
 * GL here). The same tests as test/conformance.gl.test.ts on headless-gl in Node, and the same GL
 * declaration (its maximum texture size read from the page's context). Reports:
 * reports/run/{accuracy,reliability}/gpujs-webgl2-chromium.json.
 */
import { runConformance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend, type GpujsBackend } from '../src/index.js';
import { skippedWithoutChromium } from './without-chromium.js';

if (!skippedWithoutChromium('gpu.js WebGL2')) {
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
  }, { resources: (b) => ({ kernels: (b as GpujsBackend).compiledKernels }) });
}
