/**
 * The gpu.js backend: core's BackendBase (validation, dispose checks, typed errors) plus kernels
 * that run on gpu.js. This file is its lifecycle (mode, runtime creation, a lost GL context,
 * release); capabilities.ts says what it declares, device-kernels.ts runs the calls (elementwise.ts,
 * matmul.ts, ffn.ts; the kernel sources in kernels/). See README.md for what each mode declares and why.
 */
import { BackendBase, ErrorCode, RectifierError, type Capabilities, type Kernels } from '@rectifier/core';
import { declaredCapabilities, GPUJS_CAPABILITIES } from './capabilities.js';
import { GpujsKernels } from './device-kernels.js';
import { Runtime, type GpujsMode, type WebGpuAdapterInfo } from './runtime.js';

export type { GpujsMode, WebGpuAdapterInfo };
export { GPUJS_CAPABILITIES, GPUJS_MAX_ELEMENTS, GPUJS_PARAM_LIMITS } from './capabilities.js';

/** Options of the gpu.js backend: a forced mode and the backend's name. */
export interface GpujsBackendOptions {
  /**
   * Force a mode; default: the best that works here (gpu → webasm → cpu; 'webgpu' is taken only when
   * asked for). A forced mode never changes silently.
   */
  mode?: GpujsMode;
  /** The backend's name (default 'gpujs'). */
  name?: string;
}

/**
 * The gpu.js backend (float32, asynchronous only): kernels compiled by gpu.js for a GL device, its
 * WebAssembly mode or its CPU mode; a lost GL context is replaced on the next call.
 */
export class GpujsBackend extends BackendBase {
  readonly name: string;
  readonly #requested: GpujsMode | 'auto';
  #runtime: Runtime | undefined;
  #capabilities: Capabilities | undefined;
  #init: Promise<Runtime> | undefined;
  protected readonly kernels: Kernels;

  constructor(options: GpujsBackendOptions = {}) {
    super();
    const mode = options.mode;
    if (mode !== undefined && mode !== 'gpu' && mode !== 'webgpu' && mode !== 'webasm' && mode !== 'cpu') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'createGpujsBackend', argument: 'mode', expected: "'gpu', 'webgpu', 'webasm' or 'cpu'", received: String(mode) });
    }
    this.#requested = mode ?? 'auto';
    this.name = options.name ?? 'gpujs';
    this.kernels = new GpujsKernels(() => this.#loadRuntime(), () => this.#readyRuntime());
  }

  /** The mode in use ('gpu', 'webgpu', 'webasm' or 'cpu'); undefined until ready() has resolved. */
  get mode(): GpujsMode | undefined {
    return this.#runtime?.mode;
  }

  /** gpu.js's kernel class in use (HeadlessGLKernel, WebGL2Kernel, WebGPUKernel, WebAssemblyKernel, …); undefined before ready(). */
  get kernelClass(): string | undefined {
    return this.#runtime?.kernelClass;
  }

  /** The GL context in the GL modes (for diagnostics and leak tests); undefined otherwise. */
  get context(): unknown {
    return this.#runtime?.mode === 'gpu' ? this.#runtime.context : undefined;
  }

  /**
   * WebGPU mode: the adapter's info (vendor, architecture, device, description, isFallbackAdapter:
   * SwiftShader's says 'google', 'swiftshader', true); undefined in the other modes and before ready().
   */
  get adapterInfo(): WebGpuAdapterInfo | undefined {
    return this.#runtime?.adapterInfo;
  }

  /** How many times a lost GL context was replaced by a new one. */
  contextsRecreated = 0;

  /** Compiled kernels so far. */
  get compiledKernels(): number {
    return this.#runtime?.kernelCount ?? 0;
  }

  /**
   * The declared capabilities of the mode in use (WebGPU: as its probe measured them). Before ready()
   * resolves, a forced mode's fixed set is reported; with automatic selection the most conservative
   * one (the GL mode's).
   */
  get capabilities(): Capabilities {
    if (this.#runtime !== undefined) return (this.#capabilities ??= declaredCapabilities(this.#runtime));
    return GPUJS_CAPABILITIES[this.#requested === 'auto' ? 'gpu' : this.#requested];
  }

  /** Loads gpu.js and creates the runtime of the forced mode, or the first of gpu → webasm → cpu that works; rejects with `BACKEND_UNAVAILABLE`. */
  override async ready(): Promise<void> {
    await super.ready();
    await this.#loadRuntime();
  }

  /** The runtime where it is created and its context alive (kernels then run at once); else undefined. */
  #readyRuntime(): Runtime | undefined {
    return this.#runtime !== undefined && !this.#runtime.lost ? this.#runtime : undefined;
  }

  /** The runtime, created on the first call (and again after a lost GL context). */
  #loadRuntime(): Promise<Runtime> {
    this.assertLive('ready');
    if (this.#runtime?.lost) {
      // The GL context was lost: the call that saw it failed with BACKEND_UNAVAILABLE; this one gets a new context.
      this.#init = undefined;
      this.#runtime = undefined;
      this.contextsRecreated++;
    }
    this.#init ??= Runtime.create(this.#requested, this.name).then((rt) => {
      this.#runtime = rt;
      this.#capabilities = undefined;
      return rt;
    });
    return this.#init;
  }

  protected override async release(): Promise<void> {
    const init = this.#init;
    this.#init = undefined;
    this.#runtime = undefined;
    this.#capabilities = undefined;
    const rt = await init?.catch(() => undefined);
    await rt?.destroy();
  }
}
