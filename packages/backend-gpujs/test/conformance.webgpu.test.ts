/**
 * The 'webgpu' mode in Node: gpu.js's WebGPU kernels on Dawn (the `webgpu` package, an optional
 * dependency). Its linux-x64 binary needs a newer C++ runtime than Debian 12 has (glibc ≥ 2.38,
 * GLIBCXX_3.4.32): there the mode must be BACKEND_UNAVAILABLE with the load error as its reason,
 * never a crash, and the conformance run below is skipped, saying why. Where Dawn loads and offers
 * an adapter (scripts/gpu-check.sh runs this file on a GPU machine), the whole suite runs on it as
 * `gpujs-webgpu`.
 */
import { runConformance } from '@rectifier/conformance';
import { ErrorCode, RectifierError, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend, GPUJS_CAPABILITIES, type GpujsBackend } from '../src/index.js';

/** Dawn's own load error here, or undefined where it loads. */
async function dawnLoadError(): Promise<string | undefined> {
  try {
    const specifier = 'webgpu';
    await import(/* @vite-ignore */ specifier);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

describe("the 'webgpu' mode in Node", () => {
  it('is BACKEND_UNAVAILABLE with the Dawn load error as its reason where Dawn does not load; runs or names the missing adapter where it does', async () => {
    const loadError = await dawnLoadError();
    const b = createGpujsBackend({ mode: 'webgpu' });
    // Before ready(): the fixed declaration, what WGSL promises (no subnormals, signed zeros or NaN/∞ assumed).
    expect(b.capabilities).toBe(GPUJS_CAPABILITIES.webgpu);
    expect(b.capabilities).toMatchObject({ subnormals: false, signedZeros: false, nonFinite: false });
    const outcome = await b.ready().then(() => undefined, (e: unknown) => e);
    if (loadError !== undefined) {
      console.info(`[backend-gpujs] Dawn does not load here: ${loadError}`);
      expect(outcome).toBeInstanceOf(RectifierError);
      const e = outcome as RectifierError;
      expect(e.code).toBe(ErrorCode.BackendUnavailable);
      expect(e.message).toContain("the requested mode 'webgpu' is unavailable");
      expect(e.message).toContain(`the 'webgpu' package (Dawn for Node) does not load here: ${loadError}`);
      expect(b.mode).toBeUndefined();
      // The same answer again, not a crash or a half-made runtime.
      await expect(b.forward('relu', tensor([1]))).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
    } else if (outcome === undefined) {
      expect(b.mode).toBe('webgpu');
      expect(b.kernelClass).toBe('WebGPUKernel');
      expect(b.adapterInfo).toBeDefined();
    } else {
      expect((outcome as RectifierError).code).toBe(ErrorCode.BackendUnavailable);
      expect((outcome as Error).message).toMatch(/adapter/);
    }
    await b.dispose();
  });
});

/** Why the mode does not run here, or undefined where it does. */
async function webgpuUnavailable(): Promise<string | undefined> {
  const b = createGpujsBackend({ mode: 'webgpu' });
  const reason = await b.ready().then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e)));
  await b.dispose();
  return reason;
}

const unavailable = await webgpuUnavailable();
if (unavailable !== undefined) {
  console.warn(`\n!!! [backend-gpujs] the WebGPU ('webgpu' mode) conformance run in Node is SKIPPED: ${unavailable} !!!\n`);
  describe.skip(`conformance: gpujs-webgpu (SKIPPED: ${unavailable})`, () => {
    it('needs Dawn (the webgpu package) loading and an adapter', () => undefined);
  });
} else {
  runConformance('gpujs-webgpu', async () => {
    const b = createGpujsBackend({ mode: 'webgpu', name: 'gpujs-webgpu' });
    await b.ready();
    console.info(`[gpujs-webgpu] adapter ${JSON.stringify(b.adapterInfo)}`);
    return b;
  }, { resources: (b) => ({ kernels: (b as GpujsBackend).compiledKernels }) });
}
