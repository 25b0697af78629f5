/**
 * @rectifier/backend-gpujs — Rectifier's GPU backend on gpu.js: GL (headless-gl in Node, WebGL2/WebGL
 * in a browser), with gpu.js's WebAssembly and CPU modes as declared fallbacks.
 */
import { registerBackend } from '@rectifier/core';
import { GpujsBackend, type GpujsBackendOptions } from './backend.js';

export { GPUJS_CAPABILITIES, GPUJS_MAX_ELEMENTS, GpujsBackend, type GpujsBackendOptions, type GpujsMode } from './backend.js';

/** A new gpu.js backend. Call `await backend.ready()` to pick (or prove) the mode; `backend.mode` then says which. */
export function createGpujsBackend(options?: GpujsBackendOptions): GpujsBackend {
  return new GpujsBackend(options);
}

/** Adds the gpu.js backend to core's default registry (priority 20: above the CPU backend's 0). */
export function registerGpujsBackend(priority = 20): void {
  registerBackend('gpujs', async () => {
    const b = createGpujsBackend();
    await b.ready();
    return b;
  }, { priority });
}
