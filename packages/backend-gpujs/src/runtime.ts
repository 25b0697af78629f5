/**
 * The gpu.js side: picking and proving a mode, the GPU instance, the compiled-kernel cache, moving
 * data in and out, and releasing it all. gpu.js is loaded lazily with a dynamic import, so merely
 * importing this package costs nothing and a bundler can swap in gpu.js's browser build (its
 * package.json `browser` field); the Node-only 'gl' (headless-gl) is required by gpu.js itself,
 * inside a try, and only in Node.
 */
import { ErrorCode, RectifierError } from '@rectifier/core';
import { COMMON_MATH, GL_MATH, NATIVE_MATH } from './kernels/math.js';
import { allOpFunctions } from './kernels/ops.js';
import { shieldedFromPrototypeKeys } from './quarantine.js';

/** The modes this backend runs gpu.js in: a GL context (headless-gl in Node, WebGL2/WebGL in a browser), WebAssembly, or plain JS. */
export type GpujsMode = 'gpu' | 'webasm' | 'cpu';

/**
 * The largest inner dimension a matmul loop runs over (GLSL ES 1.0 loops need a constant bound,
 * `loopMaxIterations` = MAX_INNER + 1). Measured on headless-gl (Mesa llvmpipe): with a bound of
 * 65536, a sum of k = 65536 terms dropped its last one (ones·ones gave 65535), while k = 65535 is
 * exact; the conformance suite's maxInner test runs a product of exactly this length.
 */
export const MAX_INNER = 65535;

/* Minimal shapes of the gpu.js objects we use (its own typings are looser than we need). */
interface GpuTexture {
  renderRawOutput?: () => Float32Array;
  delete?: () => void;
  output: number[];
}
export type KernelValue = Float32Array | GpuTexture;
export interface GpuKernel {
  (...args: unknown[]): unknown;
  setOutput(output: number[]): GpuKernel;
  destroy?: (removeCanvasReferences?: boolean) => void;
  /** The gpu.js kernel object behind the function (GL modes: with its cache of uploaded float uniforms). */
  kernel?: { uniform1fCache?: Record<string, number> };
}
interface GpuInstance {
  mode: string;
  Kernel: { name: string; getMaxTextureSize?: () => number; features?: { maxTextureSize?: number } } | null;
  context: unknown;
  kernels: unknown[];
  createKernel(source: string, settings: object): GpuKernel;
  addFunction(source: string, settings: object): void;
  destroy(): Promise<void>;
}
interface GpuStatic {
  new (settings: object): GpuInstance;
  isHeadlessGLSupported: boolean;
  isWebGL2Supported: boolean;
  isWebGLSupported: boolean;
  isWebAssemblySupported: boolean;
}

async function loadGpuJs(): Promise<GpuStatic> {
  const mod = (await import('gpu.js')) as unknown as { GPU?: GpuStatic; default?: { GPU?: GpuStatic } };
  const GPU = mod.GPU ?? mod.default?.GPU;
  if (GPU === undefined) throw new Error("the 'gpu.js' module has no GPU export");
  return GPU;
}

const inNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';

/** The gpu.js kernel name for a mode, or why the mode is not available here. */
function glKernelName(GPU: GpuStatic): string | { reason: string } {
  if (inNode) {
    if (GPU.isHeadlessGLSupported) return 'headlessgl';
    const display = process.env.DISPLAY;
    return {
      reason: display === undefined || display === ''
        ? "headless-gl created no context: no X display (DISPLAY is unset). Run under an X server, e.g. 'xvfb-run -a …', or start Xvfb and set DISPLAY; the optional 'gl' package must also be built (it needs libxi-dev libx11-dev libxext-dev libgl1-mesa-dev pkg-config)"
        : `headless-gl created no context on DISPLAY=${display}: the optional 'gl' package is not installed or not built here (it needs libxi-dev libx11-dev libxext-dev libgl1-mesa-dev pkg-config), or the X server is not reachable`,
    };
  }
  if (GPU.isWebGL2Supported) return 'webgl2';
  if (GPU.isWebGLSupported) return 'webgl';
  return { reason: 'this browser offers neither WebGL2 nor WebGL' };
}

export class Runtime {
  readonly mode: GpujsMode;
  /** The gpu.js kernel class in use: HeadlessGLKernel, WebGL2Kernel, WebGLKernel, WebAssemblyKernel or CPUKernel. */
  readonly kernelClass: string;
  readonly maxTextureSize: number;
  readonly #gpu: GpuInstance;
  readonly #kernels = new Map<string, GpuKernel>();
  readonly #backendName: string;
  #lost = false;

  private constructor(gpu: GpuInstance, mode: GpujsMode, backendName = 'gpujs') {
    this.#gpu = gpu;
    this.mode = mode;
    this.#backendName = backendName;
    this.kernelClass = gpu.Kernel?.name ?? 'unknown';
    const max = gpu.Kernel?.getMaxTextureSize?.() ?? gpu.Kernel?.features?.maxTextureSize ?? Infinity;
    this.maxTextureSize = typeof max === 'number' && max > 0 ? max : Infinity;
  }

  /** Creates the runtime for a mode ('auto': the first of gpu, webasm, cpu that works); rejects with BACKEND_UNAVAILABLE. */
  static async create(requested: GpujsMode | 'auto', backendName: string): Promise<Runtime> {
    let GPU: GpuStatic;
    try {
      GPU = await loadGpuJs();
    } catch (e) {
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'ready', cause: e }, `${backendName}: gpu.js could not be loaded (${String(e)})`);
    }
    const order: GpujsMode[] = requested === 'auto' ? ['gpu', 'webasm', 'cpu'] : [requested];
    const failures: string[] = [];
    for (const mode of order) {
      let gpuMode: string;
      if (mode === 'gpu') {
        const k = glKernelName(GPU);
        if (typeof k !== 'string') {
          failures.push(`gpu: ${k.reason}`);
          continue;
        }
        gpuMode = k;
      } else if (mode === 'webasm') {
        if (!GPU.isWebAssemblySupported) {
          failures.push('webasm: WebAssembly is not supported here');
          continue;
        }
        gpuMode = 'webasm';
      } else {
        gpuMode = 'cpu';
      }
      let gpu: GpuInstance | undefined;
      try {
        // Naming gpu.js's own kernel type ('headlessgl', 'webasm', …) rather than its 'gpu' mode:
        // gpu.js's 'gpu' falls back to WebAssembly silently, and a forced mode must never change.
        gpu = shieldedFromPrototypeKeys(() => new GPU({ mode: gpuMode }));
        const rt = new Runtime(gpu, mode, backendName);
        shieldedFromPrototypeKeys(() => rt.#registerFunctions());
        rt.#probe();
        if (mode === 'gpu') rt.#watchContext(); // gpu.js creates the context with the first kernel
        return rt;
      } catch (e) {
        failures.push(`${mode}: ${e instanceof Error ? e.message : String(e)}`);
        await gpu?.destroy().catch(() => undefined);
      }
    }
    throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'ready' },
      `${backendName}: ${requested === 'auto' ? 'no gpu.js mode works here' : `the requested mode '${requested}' is unavailable`} (${failures.join('; ')})`);
  }

  #registerFunctions(): void {
    const gl = this.mode === 'gpu';
    for (const fn of [...(gl ? GL_MATH : NATIVE_MATH), ...COMMON_MATH]) {
      this.#gpu.addFunction(fn.source, { argumentTypes: fn.argumentTypes, returnType: 'Number' });
    }
    for (const source of allOpFunctions()) {
      this.#gpu.addFunction(source, { argumentTypes: { v: 'Number', g: 'Number', p0: 'Number', p1: 'Number', p2: 'Number', p3: 'Number', p4: 'Number' }, returnType: 'Number' });
    }
    this.#gpu.addFunction(FLOORDIV, { argumentTypes: { o: 'Number', w: 'Number' }, returnType: 'Number' });
  }

  /** Proves the mode computes (compiles and runs a copy kernel) and that gpu.js kept the kernel type asked for. */
  #probe(): void {
    const want = this.mode === 'gpu' ? /GL/ : this.mode === 'webasm' ? /WebAssembly/ : /CPU/;
    if (!want.test(this.kernelClass)) throw new Error(`gpu.js chose ${this.kernelClass}`);
    const y = this.run('probe', `function (x) { return x[this.thread.x] * 2.0; }`, 3, [new Float32Array([1, -2, 0.5])]);
    const out = this.read(y, 3);
    if (out[0] !== 2 || out[1] !== -4 || out[2] !== 1) throw new Error(`the probe kernel returned [${Array.from(out)}]`);
  }

  /**
   * Learns of a lost GL context: headless-gl's STACKGL_destroy_context and WebGL's WEBGL_lose_context
   * are wrapped (their extension objects are cached by the context, so every later user gets the
   * wrapped ones), and isContextLost() is asked where the context has it.
   */
  #watchContext(): void {
    const gl = this.#gpu.context as { getExtension?: (name: string) => unknown } | null;
    if (gl === null || typeof gl?.getExtension !== 'function') return;
    const wrap = (name: string, method: string): void => {
      const ext = gl.getExtension!(name) as Record<string, unknown> | null;
      const fn = ext?.[method];
      if (ext && typeof fn === 'function') {
        ext[method] = (...a: unknown[]) => { this.#lost = true; return (fn as (...x: unknown[]) => unknown).apply(ext, a); };
      }
    };
    wrap('STACKGL_destroy_context', 'destroy');
    wrap('WEBGL_lose_context', 'loseContext');
  }

  /** Whether the GL context is gone (destroyed or lost): every later use must fail, never compute. */
  get lost(): boolean {
    if (this.#lost) return true;
    const gl = this.#gpu.context as { isContextLost?: () => boolean } | null;
    if (this.mode === 'gpu' && typeof gl?.isContextLost === 'function' && gl.isContextLost()) this.#lost = true;
    return this.#lost;
  }

  /** Throws BACKEND_UNAVAILABLE where the context is lost. */
  assertAlive(op: string): void {
    if (this.lost) {
      throw new RectifierError(ErrorCode.BackendUnavailable, { op },
        `${this.#backendName}: the GL context was lost during or before this call; its results are discarded (the backend creates a new context on the next call)`);
    }
  }

  /** The GL context (GL modes), for tests that count textures. */
  get context(): unknown {
    return this.#gpu.context;
  }

  /** Compiled kernels so far (one per op, direction and variant; sizes are dynamic). */
  get kernelCount(): number {
    return this.#kernels.size;
  }

  /**
   * Runs the kernel `key` (compiled from `source` on first use, then cached: sizes are dynamic
   * uniforms, so one compiled program serves every size) over `n` output elements.
   */
  run(key: string, source: string, n: number, args: readonly unknown[]): KernelValue {
    return shieldedFromPrototypeKeys(() => this.#run(key, source, n, args));
  }

  #run(key: string, source: string, n: number, args: readonly unknown[]): KernelValue {
    // An empty output has nothing to compute (and gpu.js cannot make a zero-sized output or texture).
    if (n === 0) return new Float32Array(0);
    if (this.mode === 'gpu') {
      const max = this.maxTextureSize;
      if (n > max * max) {
        throw new RectifierError(ErrorCode.TooLarge, { op: key, argument: 'output', expected: `at most ${max}×${max} elements (the GL maximum texture size)`, received: `${n}` });
      }
    }
    // One gpu.js kernel per argument signature (array vs device texture): gpu.js would otherwise
    // switch one kernel object between signatures, and on GL a kernel switched back computed wrong.
    const signature = `${key}|${args.map((a) => (a instanceof Float32Array ? 'a' : typeof a === 'number' ? 'n' : 't')).join('')}`;
    let kernel = this.#kernels.get(signature);
    if (kernel === undefined) {
      kernel = this.#gpu.createKernel(source, {
        output: [Math.max(n, 1)],
        dynamicOutput: true,
        dynamicArguments: true,
        // Results stay on the device (textures on GL) so kernels chain without a read-back;
        // immutable: every call gets its own output texture, which read()/release() delete.
        pipeline: true,
        immutable: true,
        precision: 'single',
        tactic: 'precision',
        loopMaxIterations: MAX_INNER + 1, // the bound that computed k = MAX_INNER exactly (see MAX_INNER)
      });
      this.#kernels.set(signature, kernel);
    }
    this.assertAlive(key);
    forgetZeroUniforms(kernel);
    kernel.setOutput([n]);
    try {
      const out = kernel(...args) as KernelValue;
      this.assertAlive(key);
      return out;
    } catch (e) {
      if (e instanceof RectifierError) throw e;
      this.assertAlive(key);
      throw new RectifierError(ErrorCode.WorkerFailure, { op: key, cause: e }, `gpu.js (${this.kernelClass}) failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Copies a kernel result into a new Float32Array of n elements and releases the result. */
  read(value: KernelValue, n: number): Float32Array {
    return shieldedFromPrototypeKeys(() => this.#read(value, n));
  }

  #read(value: KernelValue, n: number): Float32Array {
    if (value instanceof Float32Array) return value.slice(0, n);
    this.assertAlive('read');
    let raw: Float32Array | undefined;
    try {
      raw = value.renderRawOutput?.();
    } catch (e) {
      this.assertAlive('read'); // a lost context: BACKEND_UNAVAILABLE
      throw new RectifierError(ErrorCode.WorkerFailure, { op: 'read', cause: e }, `gpu.js (${this.kernelClass}) failed to read a result: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.assertAlive('read');
    if (raw === undefined) throw new RectifierError(ErrorCode.WorkerFailure, { op: 'read' }, 'gpu.js returned a result that cannot be read');
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = raw[4 * i]; // one float per RGBA texel, in the red channel
    this.release(value);
    return out;
  }

  /** Deletes a device-side result (a texture); plain arrays need nothing. */
  release(value: KernelValue | undefined): void {
    if (this.#lost) return; // nothing to delete in a context that is gone
    if (value !== undefined && !(value instanceof Float32Array)) shieldedFromPrototypeKeys(() => value.delete?.());
  }

  /** Deletes every kernel and texture and destroys the context. */
  async destroy(): Promise<void> {
    this.#kernels.clear();
    if (this.#lost) return; // the context is gone already; gpu.js would call into it
    await shieldedFromPrototypeKeys(() => this.#gpu.destroy());
  }
}

/**
 * gpu.js (GL) skips uploading a float uniform whose value === the one it uploaded last, and −0 === +0:
 * a zero parameter would keep the sign of the previous call's zero (leaky_relu with alpha +0 after
 * alpha −0 gave −0 at x = +0). Forgetting the cached zeros makes every call upload its own.
 */
function forgetZeroUniforms(kernel: GpuKernel): void {
  const cache = kernel.kernel?.uniform1fCache;
  if (cache === undefined) return;
  for (const name of Object.keys(cache)) if (cache[name] === 0) delete cache[name];
}

/** ⌊o / w⌋ for integer-valued floats, corrected by one either way (float division can round onto the next integer). */
const FLOORDIV = `function mfloordiv(o, w) {
  let r = Math.floor(o / w);
  if (r * w > o) { r = r - 1.0; }
  if ((r + 1.0) * w <= o) { r = r + 1.0; }
  return r;
}`;
