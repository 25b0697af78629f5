/**
 * The conformance suite in Chromium on gpu.js's WebGPU kernels (vitest.browser.config.ts, instance
 * gpujs-webgpu-chromium, Chromium run with --enable-unsafe-webgpu): mode 'webgpu', compute shaders
 * over float32 storage buffers on the SwiftShader adapter. What the backend declares there
 * (subnormals, signed zeros, NaN and ∞, the buffer size limit) is what its probe measured on the
 * adapter; the suite holds it to that. Reports: reports/run/{accuracy,reliability}/gpujs-webgpu-chromium.json.
 */
import { BackendRegistry, type Backend } from '@rectifier/core';
import { runConformance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend, registerGpujsBackend, type GpujsBackend } from '../src/index.js';
import { compiledKernels, modeFactory } from './modes.js';
import { skippedWithoutChromium } from './without-chromium.js';

if (!skippedWithoutChromium('gpu.js WebGPU')) {
  describe('gpujs-webgpu-chromium: the mode and its adapter', () => {
    it("runs on gpu.js's WebGPU kernels, reports SwiftShader's adapter as a fallback adapter, declares what the probe measured", async () => {
      const b = createGpujsBackend({ mode: 'webgpu' });
      await b.ready();
      expect(b.mode).toBe('webgpu');
      expect(b.kernelClass).toBe('WebGPUKernel');
      expect(b.adapterInfo).toMatchObject({ vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true });
      const caps = b.capabilities;
      expect(caps.dtypes).toEqual(['float32']);
      expect(caps.maxElements).toBeLessThanOrEqual(2 ** 24);
      console.info(`[gpujs-webgpu-chromium] adapter ${JSON.stringify(b.adapterInfo)}; declared: subnormals ${caps.subnormals}, signedZeros ${caps.signedZeros}, nonFinite ${caps.nonFinite}, maxElements ${caps.maxElements}`);
      await b.dispose();
    });

    it('is never chosen automatically on a software adapter: the automatic choice falls to the CPU backend, naming why', async () => {
      const registry = new BackendRegistry();
      registerGpujsBackend(20, registry);
      registry.register('cpu', () => ({ name: 'cpu', ready: async () => undefined, dispose: async () => undefined }) as unknown as Backend, { priority: 0 });
      const chosen = await registry.best({ onFallback: () => undefined });
      expect(chosen.name).toBe('cpu');
      const tried = registry.describe().lastChoice!.tried[0];
      expect(tried.name).toBe('gpujs');
      expect(tried.error).toMatch(/webgpu: a fallback adapter \(google swiftshader/);
      expect(tried.error).toMatch(/gl: GL renders in software here/);
      const byName = await registry.create('gpujs-webgpu');
      await byName.ready();
      expect((byName as GpujsBackend).mode).toBe('webgpu');
      await byName.dispose();
    });
  });
  runConformance('gpujs-webgpu-chromium', modeFactory('gpujs-webgpu-chromium', 'webgpu'), { resources: compiledKernels });
}
