/**
 * @rectifier/backend-gpujs — Rectifier's GPU backend on gpu.js: GL (headless-gl in Node, WebGL2/WebGL
 * in a browser), with gpu.js's WebAssembly and CPU modes as declared fallbacks.
 */
import { defaultRegistry, ErrorCode, RectifierError, type BackendRegistry } from '@rectifier/core';
import { GpujsBackend, type GpujsBackendOptions } from './backend.js';

export { GPUJS_CAPABILITIES, GPUJS_MAX_ELEMENTS, GpujsBackend, type GpujsBackendOptions, type GpujsMode } from './backend.js';

/** A new gpu.js backend. Call `await backend.ready()` to pick (or prove) the mode; `backend.mode` then says which. */
export function createGpujsBackend(options?: GpujsBackendOptions): GpujsBackend {
  return new GpujsBackend(options);
}

/**
 * GL renderers that rasterise on the CPU: slower than the CPU backend for everything Rectifier
 * does, so never chosen automatically (measured here: llvmpipe 8× slower for gelu, 35× for the FFN).
 */
const SOFTWARE_RENDERERS = /llvmpipe|softpipe|swiftshader|software|swrast/i;

/**
 * The device's real renderer name where the GL stack says it (browsers' WEBGL_debug_renderer_info),
 * or undefined: headless-gl in Node reports only "ANGLE" by "stack-gl", whatever renders below it.
 */
function hardwareRendererOf(context: unknown): string | undefined {
  const gl = context as { getParameter?(p: number): unknown; getExtension?(n: string): { UNMASKED_RENDERER_WEBGL: number } | null } | undefined;
  const info = gl?.getExtension?.('WEBGL_debug_renderer_info');
  if (gl?.getParameter === undefined || !info) return undefined;
  const name = gl.getParameter(info.UNMASKED_RENDERER_WEBGL);
  return typeof name === 'string' ? name : undefined;
}

/**
 * Adds the gpu.js backend to `registry` (default: core's default registry, which `getBackend()`
 * uses). `gpujs` (priority 20, above the CPU's 0)
 * offers itself to automatic choice only on a GL device it can name as hardware: without GL, on a
 * software renderer, or where the renderer cannot be named (headless-gl in Node), its factory
 * fails with BACKEND_UNAVAILABLE saying why, and the registry moves on.
 * Its modes are also registered by name, never chosen automatically: `gpujs-gl` (GL, software
 * renderers too), `gpujs-webasm` and `gpujs-cpu` (gpu.js's own fallbacks, slower than the CPU
 * backend).
 */
export function registerGpujsBackend(priority = 20, registry: BackendRegistry = defaultRegistry): void {
  registry.register('gpujs', async () => {
    const b = createGpujsBackend({ mode: 'gpu' });
    try {
      await b.ready();
    } catch (e) {
      await b.dispose();
      throw e;
    }
    const renderer = hardwareRendererOf(b.context);
    if (renderer === undefined || SOFTWARE_RENDERERS.test(renderer)) {
      await b.dispose();
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'gpujs' }, renderer === undefined
        ? "the GL renderer cannot be named here (headless-gl), so it may be software, slower than the CPU backend; ask for 'gpujs-gl' by name to use it"
        : `GL renders in software here (${renderer}), slower than the CPU backend; ask for 'gpujs-gl' by name to use it anyway`);
    }
    return b;
  }, { priority });
  registry.register('gpujs-gl', () => createGpujsBackend({ mode: 'gpu' }), { priority, automatic: false });
  registry.register('gpujs-webasm', () => createGpujsBackend({ mode: 'webasm' }), { priority, automatic: false });
  registry.register('gpujs-cpu', () => createGpujsBackend({ mode: 'cpu' }), { priority, automatic: false });
}
