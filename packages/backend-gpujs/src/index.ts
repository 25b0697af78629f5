/**
 * @rectifier/backend-gpujs — Rectifier's GPU backend on gpu.js: GL (headless-gl in Node, WebGL2/WebGL
 * in a browser) and WebGPU, with gpu.js's WebAssembly and CPU modes as declared fallbacks.
 */
import { defaultRegistry, ErrorCode, RectifierError, type BackendRegistry } from '@rectifier/core';
import { GpujsBackend, type GpujsBackendOptions, type GpujsMode, type WebGpuAdapterInfo } from './backend.js';

export { GPUJS_CAPABILITIES, GPUJS_MAX_ELEMENTS, GpujsBackend, type GpujsBackendOptions, type GpujsMode, type WebGpuAdapterInfo } from './backend.js';

/** A new gpu.js backend. Call `await backend.ready()` to pick (or prove) the mode; `backend.mode` then says which. */
export function createGpujsBackend(options?: GpujsBackendOptions): GpujsBackend {
  return new GpujsBackend(options);
}

/**
 * GL renderers that rasterise on the CPU: slower than the CPU backend for everything Rectifier
 * does, so never chosen automatically (measured here: llvmpipe 8× slower for gelu, 35× for the FFN).
 */
const SOFTWARE_RENDERERS = /llvmpipe|softpipe|swiftshader|software|swrast|lavapipe/i;

/** Why a WebGPU adapter is software (a fallback adapter, or one named as software), or undefined for a hardware one. */
export function softwareAdapter(info: WebGpuAdapterInfo): string | undefined {
  const named = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.trim();
  if (info.isFallbackAdapter) return `a fallback adapter (${named || 'unnamed'})`;
  return SOFTWARE_RENDERERS.test(named) ? `a software adapter (${named})` : undefined;
}

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

/** A ready backend of `mode`, or why not (its ready() error, the backend disposed). */
async function readyBackend(mode: GpujsMode): Promise<GpujsBackend | { error: unknown }> {
  const b = createGpujsBackend({ mode });
  try {
    await b.ready();
    return b;
  } catch (error) {
    await b.dispose();
    return { error };
  }
}

const reasonOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** A hardware WebGPU adapter's backend, or why there is none here. */
async function hardwareWebGpu(): Promise<GpujsBackend | string> {
  const b = await readyBackend('webgpu');
  if (!(b instanceof GpujsBackend)) return `webgpu: ${reasonOf(b.error)}`;
  const software = softwareAdapter(b.adapterInfo!);
  if (software === undefined) return b;
  await b.dispose();
  return `webgpu: ${software}, slower than the CPU backend; ask for 'gpujs-webgpu' by name to use it anyway`;
}

/** A hardware GL device's backend, or why there is none here. */
async function hardwareGl(): Promise<GpujsBackend | string> {
  const b = await readyBackend('gpu');
  if (!(b instanceof GpujsBackend)) return `gl: ${reasonOf(b.error)}`;
  const renderer = hardwareRendererOf(b.context);
  if (renderer !== undefined && !SOFTWARE_RENDERERS.test(renderer)) return b;
  await b.dispose();
  return renderer === undefined
    ? "gl: the GL renderer cannot be named here (headless-gl), so it may be software, slower than the CPU backend; ask for 'gpujs-gl' by name to use it"
    : `gl: GL renders in software here (${renderer}), slower than the CPU backend; ask for 'gpujs-gl' by name to use it anyway`;
}

/**
 * Adds the gpu.js backend to `registry` (default: core's default registry, which `getBackend()`
 * uses). `gpujs` (priority 20, above the CPU's 0) offers itself to automatic choice only on hardware:
 * a WebGPU adapter that is not a fallback or software adapter (SwiftShader's is one) first, else a GL
 * device it can name as hardware. Without either (no WebGPU, a software adapter or renderer, or a
 * renderer that cannot be named: headless-gl in Node), its factory fails with BACKEND_UNAVAILABLE
 * saying why for each, and the registry moves on.
 * Its modes are also registered by name, never chosen automatically: `gpujs-webgpu` and `gpujs-gl`
 * (software adapters and renderers too), `gpujs-webasm` and `gpujs-cpu` (gpu.js's own fallbacks,
 * slower than the CPU backend).
 */
export function registerGpujsBackend(priority = 20, registry: BackendRegistry = defaultRegistry): void {
  registry.register('gpujs', async () => {
    const webgpu = await hardwareWebGpu();
    if (webgpu instanceof GpujsBackend) return webgpu;
    const gl = await hardwareGl();
    if (gl instanceof GpujsBackend) return gl;
    throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'gpujs' }, `no hardware device for gpu.js here (${webgpu}; ${gl})`);
  }, { priority });
  registry.register('gpujs-webgpu', () => createGpujsBackend({ mode: 'webgpu' }), { priority, automatic: false });
  registry.register('gpujs-gl', () => createGpujsBackend({ mode: 'gpu' }), { priority, automatic: false });
  registry.register('gpujs-webasm', () => createGpujsBackend({ mode: 'webasm' }), { priority, automatic: false });
  registry.register('gpujs-cpu', () => createGpujsBackend({ mode: 'cpu' }), { priority, automatic: false });
}
