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
import { drive, settled, type Steps } from './steps.js';

/**
 * The modes this backend runs gpu.js in: a GL context (headless-gl in Node, WebGL2/WebGL in a
 * browser), WebGPU compute shaders (a browser's navigator.gpu, or Dawn's `webgpu` package in Node),
 * WebAssembly, or plain JS.
 */
export type GpujsMode = 'gpu' | 'webgpu' | 'webasm' | 'cpu';

/**
 * The largest inner dimension a matmul loop runs over (GLSL ES 1.0 loops need a constant bound,
 * `loopMaxIterations` = MAX_INNER + 1). Measured on headless-gl (Mesa llvmpipe): with a bound of
 * 65536, a sum of k = 65536 terms dropped its last one (ones·ones gave 65535), while k = 65535 is
 * exact; the conformance suite's maxInner test runs a product of exactly this length.
 */
export const MAX_INNER = 65535;

/* Minimal shapes of the gpu.js objects we use (its own typings are looser than we need). */
/** A result left on the device: a GL texture (renderRawOutput) or a WebGPU storage buffer (toArray). */
interface GpuTexture {
  renderRawOutput?: () => Float32Array;
  toArray?: () => Promise<Float32Array>;
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
  /** gpu.js's WebGPU device singleton (its browser build hangs every export on GPU). */
  WebGPUContext?: WebGpuContextStatic;
}

/** What WebGPU says about its adapter (GPUAdapterInfo), as the backend reports it. */
export interface WebGpuAdapterInfo {
  /** The adapter's vendor as the browser or Dawn names it (e.g. "nvidia", "google"); "" where not given. */
  readonly vendor: string;
  /** Its architecture (e.g. "hopper", "swiftshader"); "" where not given. */
  readonly architecture: string;
  /** Its device name or id; "" where not given. */
  readonly device: string;
  /** A human-readable description (e.g. the driver's name); "" where not given. */
  readonly description: string;
  /** A fallback adapter: software, or otherwise slow (SwiftShader's is). */
  readonly isFallbackAdapter: boolean;
}
interface WebGpuAdapter {
  info?: Partial<WebGpuAdapterInfo>;
  isFallbackAdapter?: boolean;
  limits: { maxStorageBufferBindingSize: number; maxBufferSize: number };
}
/** gpu.js's shared WebGPU device: acquired once per page (or process), lost when `isLost`. */
interface WebGpuContext {
  adapter: WebGpuAdapter;
  device: { limits: { maxStorageBufferBindingSize: number; maxBufferSize: number } };
  isLost: boolean;
}
interface WebGpuContextStatic {
  acquire(): Promise<WebGpuContext>;
}

async function loadGpuJs(): Promise<GpuStatic> {
  const mod = (await import('gpu.js')) as unknown as { GPU?: GpuStatic; WebGPUContext?: WebGpuContextStatic; default?: { GPU?: GpuStatic; WebGPUContext?: WebGpuContextStatic } };
  const GPU = mod.GPU ?? mod.default?.GPU;
  if (GPU === undefined) throw new Error("the 'gpu.js' module has no GPU export");
  GPU.WebGPUContext ??= mod.WebGPUContext ?? mod.default?.WebGPUContext;
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

/**
 * Gives Node a navigator.gpu from Dawn (the `webgpu` package, an optional dependency) where none is
 * there; returns why WebGPU is not available here, or undefined. Its linux-x64 binary needs a newer
 * C++ runtime than Debian 12's (glibc ≥ 2.38, GLIBCXX_3.4.32): there the load error is the reason.
 */
async function webgpuApiMissing(): Promise<string | undefined> {
  const nav = (globalThis as { navigator?: { gpu?: unknown } }).navigator;
  if (nav?.gpu) return undefined;
  if (!inNode) {
    return 'this browser has no navigator.gpu (WebGPU is off or not offered: Chromium headless needs --enable-unsafe-webgpu; the page must be a secure context)';
  }
  let dawn: { create(options: string[]): unknown; globals: object };
  try {
    const specifier = 'webgpu'; // not a literal: bundlers must leave this Node-only module alone
    dawn = (await import(/* @vite-ignore */ specifier)) as typeof dawn;
  } catch (e) {
    return `the 'webgpu' package (Dawn for Node) does not load here: ${e instanceof Error ? e.message : String(e)}`;
  }
  Object.assign(globalThis, dawn.globals);
  const gpu = dawn.create([]);
  if (nav === undefined) Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
  return undefined;
}

/** What a probe kernel showed the device does with the values the suite's capabilities are about. */
export interface ProbedNumerics {
  /** Subnormal inputs kept, and a subnormal result of normal operands kept (not flushed to ±0). */
  readonly subnormals: boolean;
  /** −0 kept through a product, from a −0 operand, and as the literal −0.0. */
  readonly signedZeros: boolean;
  /** NaN recognised by v !== v, and ±∞ kept. */
  readonly nonFinite: boolean;
}

export class Runtime {
  readonly mode: GpujsMode;
  /** The gpu.js kernel class in use: HeadlessGLKernel, WebGL2Kernel, WebGLKernel, WebAssemblyKernel or CPUKernel. */
  readonly kernelClass: string;
  readonly maxTextureSize: number;
  /** WebGPU: the adapter's own account of itself; undefined in the other modes. */
  adapterInfo: WebGpuAdapterInfo | undefined;
  /** WebGPU: the most float32 elements one storage buffer binding holds on this device. */
  maxBufferElements = Infinity;
  /** WebGPU: what the probe kernel showed (subnormals, signed zeros, NaN and ∞); undefined in the other modes, whose declarations are fixed. */
  probed: ProbedNumerics | undefined;
  readonly #gpu: GpuInstance;
  #webgpu: WebGpuContext | undefined;
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
      let webgpu: WebGpuContext | undefined;
      if (mode === 'webgpu') {
        const missing = await webgpuApiMissing();
        if (missing !== undefined || GPU.WebGPUContext === undefined) {
          failures.push(`webgpu: ${missing ?? 'this gpu.js has no WebGPU backend (WebGPUContext)'}`);
          continue;
        }
        try {
          webgpu = await GPU.WebGPUContext.acquire();
        } catch (e) {
          failures.push(`webgpu: ${e instanceof Error ? e.message : String(e)}`);
          continue;
        }
        gpuMode = 'webgpu';
      } else if (mode === 'gpu') {
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
        if (webgpu !== undefined) rt.#useWebGpu(webgpu);
        shieldedFromPrototypeKeys(() => rt.#registerFunctions());
        await drive(rt.#probe());
        if (mode === 'gpu') rt.#watchContext(); // gpu.js creates the context with the first kernel
        if (mode === 'webgpu') rt.probed = await drive(rt.#probeNumerics());
        return rt;
      } catch (e) {
        failures.push(`${mode}: ${e instanceof Error ? e.message : String(e)}`);
        await gpu?.destroy().catch(() => undefined);
      }
    }
    throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'ready' },
      `${backendName}: ${requested === 'auto' ? 'no gpu.js mode works here' : `the requested mode '${requested}' is unavailable`} (${failures.join('; ')})`);
  }

  /** WebGPU: the shared device gpu.js acquired, its adapter's info and its buffer limits. */
  #useWebGpu(context: WebGpuContext): void {
    this.#webgpu = context;
    const { adapter, device } = context;
    const info = adapter.info ?? {};
    this.adapterInfo = Object.freeze({
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
    });
    this.maxBufferElements = Math.floor(Math.min(device.limits.maxStorageBufferBindingSize, device.limits.maxBufferSize) / 4);
  }

  #registerFunctions(): void {
    // WebGPU takes the GL library too: WGSL's exp and log are specified only to 3 + 2|x| ulp and
    // "absolute error 2^-21" (WGSL §15.7.4), like GLSL's, far from the declared 8 ulp.
    const gl = this.mode === 'gpu' || this.mode === 'webgpu';
    for (const fn of [...(gl ? GL_MATH : NATIVE_MATH), ...COMMON_MATH]) {
      this.#gpu.addFunction(this.#forDevice(fn.source), { argumentTypes: fn.argumentTypes, returnType: 'Number' });
    }
    for (const source of allOpFunctions()) {
      this.#gpu.addFunction(this.#forDevice(source), { argumentTypes: { v: 'Number', g: 'Number', p0: 'Number', p1: 'Number', p2: 'Number', p3: 'Number', p4: 'Number' }, returnType: 'Number' });
    }
    this.#gpu.addFunction(FLOORDIV, { argumentTypes: { o: 'Number', w: 'Number' }, returnType: 'Number' });
    if (this.mode === 'webgpu') this.#gpu.addFunction(this.#forDevice(NEGATIVE_ZERO_PROBE), { argumentTypes: { v: 'Number' }, returnType: 'Number' });
  }

  /**
   * A kernel source as this device needs it; WebGPU takes two rewrites, each measured on
   * SwiftShader's adapter, where WGSL lets the shader compiler assume no NaN and ignore the sign of
   * a zero (the numerics probe runs the rewritten forms, so where a compiler folds those too, the
   * mode declares nonFinite or signedZeros false):
   * - every NaN test `v !== v` becomes `!(v === v)`: gpu.js writes the first as WGSL's `v != v`,
   *   which was folded to false (NaN went through), while `!(v == v)` took the NaN branch;
   * - every literal −0.0 (a zero of the right sign where a result underflows from below) becomes
   *   −(0.0·min(|v|, 1)), v the function's first parameter (finite or ±∞ at each such return):
   *   the literal came back as +0, the product of 0.0 and a run-time value as −0.
   */
  #forDevice(source: string): string {
    if (this.mode !== 'webgpu') return source;
    const first = /^\s*function\s*\w*\s*\(\s*(\w+)/.exec(source)?.[1];
    const negativeZero = first === undefined ? '-0.0' : `-(0.0 * Math.min(Math.abs(${first}), 1.0))`;
    return source.replace(/\b(\w+) !== \1\b/g, '!($1 === $1)').replace(/-0\.0(?![\d.eE])/g, negativeZero);
  }

  /** Proves the mode computes (compiles and runs a copy kernel) and that gpu.js kept the kernel type asked for. */
  *#probe(): Steps<void> {
    const want = { gpu: /GL/, webgpu: /WebGPU/, webasm: /WebAssembly/, cpu: /CPU/ }[this.mode];
    if (!want.test(this.kernelClass)) throw new Error(`gpu.js chose ${this.kernelClass}`);
    const y = yield* this.run('probe', `function (x) { return x[this.thread.x] * 2.0; }`, 3, [new Float32Array([1, -2, 0.5])]);
    const out = yield* this.read(y, 3);
    if (out[0] !== 2 || out[1] !== -4 || out[2] !== 1) throw new Error(`the probe kernel returned [${Array.from(out)}]`);
  }

  /**
   * What the device does with subnormals, signed zeros, NaN and ∞ (WGSL allows flushing subnormals,
   * ignoring the sign of a zero and assuming no NaN or ∞, so WebGPU's are measured, not assumed):
   * x·y for x = [s, −0, 2^-126, 1, ∞, NaN], y = [1, 1, 0.5, −0, 1, 1] (s the subnormal 3·2^-149;
   * y an array, so no compiler folds the products), NaN tested as v !== v (→ 7), and the literal
   * −0.0 returned by a helper function as the op functions return it (element 6), each in the form
   * the kernels run (#forDevice).
   */
  *#probeNumerics(): Steps<ProbedNumerics> {
    const s = 3 * 2 ** -149;
    const x = new Float32Array([s, -0, 2 ** -126, 1, Infinity, NaN, 0]);
    const y = new Float32Array([1, 1, 0.5, -0, 1, 1, 1]);
    const r = yield* this.run('probe:numerics', `function (x, y) {
  const i = this.thread.x;
  if (i > 5.5) { return mnegzeroprobe(1.0 + x[i]); }
  const v = x[i];
  if (v !== v) { return 7.0; }
  return v * y[i];
}`, 7, [x, y]);
    const out = yield* this.read(r, 7);
    return Object.freeze({
      subnormals: out[0] === s && out[2] === 2 ** -127,
      signedZeros: Object.is(out[1], -0) && Object.is(out[3], -0) && Object.is(out[6], -0),
      nonFinite: out[4] === Infinity && out[5] === 7,
    });
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
    if (this.#webgpu?.isLost === true) this.#lost = true;
    const gl = this.#gpu.context as { isContextLost?: () => boolean } | null;
    if (this.mode === 'gpu' && typeof gl?.isContextLost === 'function' && gl.isContextLost()) this.#lost = true;
    return this.#lost;
  }

  /** Throws BACKEND_UNAVAILABLE where the context is lost. */
  assertAlive(op: string): void {
    if (this.lost) {
      throw new RectifierError(ErrorCode.BackendUnavailable, { op },
        `${this.#backendName}: the ${this.mode === 'webgpu' ? 'WebGPU device' : 'GL context'} was lost during or before this call; its results are discarded (the backend creates a new ${this.mode === 'webgpu' ? 'device' : 'context'} on the next call)`);
    }
  }

  /** The GL context (GL modes), for tests that count textures; null in WebGPU mode. */
  get context(): unknown {
    return this.#gpu.context;
  }

  /** Compiled kernels so far (one per op, direction and variant; sizes are dynamic). */
  get kernelCount(): number {
    return this.#kernels.size;
  }

  /**
   * Runs the kernel `key` (compiled from `source` on first use, then cached: sizes are dynamic
   * uniforms, so one compiled program serves every size) over `n` output elements. A step: GL,
   * WebAssembly and CPU kernels answer at once; a WebGPU kernel's Promise is yielded (steps.ts).
   */
  *run(key: string, source: string, n: number, args: readonly unknown[]): Steps<KernelValue> {
    const out = shieldedFromPrototypeKeys(() => this.#run(key, source, n, args));
    try {
      const value = yield* settled(out);
      this.assertAlive(key);
      return value;
    } catch (e) {
      throw this.#failure(key, e);
    }
  }

  /** A kernel's failure as a typed error: BACKEND_UNAVAILABLE where the context or device is lost, else WORKER_FAILURE. */
  #failure(key: string, e: unknown): RectifierError {
    if (e instanceof RectifierError) return e;
    this.assertAlive(key);
    return new RectifierError(ErrorCode.WorkerFailure, { op: key, cause: e }, `gpu.js (${this.kernelClass}) failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  #run(key: string, source: string, n: number, args: readonly unknown[]): KernelValue | Promise<KernelValue> {
    // An empty output has nothing to compute (and gpu.js cannot make a zero-sized output or texture).
    if (n === 0) return new Float32Array(0);
    if (this.mode === 'gpu') {
      const max = this.maxTextureSize;
      if (n > max * max) {
        throw new RectifierError(ErrorCode.TooLarge, { op: key, argument: 'output', expected: `at most ${max}×${max} elements (the GL maximum texture size)`, received: `${n}` });
      }
    }
    if (n > this.maxBufferElements) {
      throw new RectifierError(ErrorCode.TooLarge, { op: key, argument: 'output', expected: `at most ${this.maxBufferElements} elements (the WebGPU device's storage buffer binding size)`, received: `${n}` });
    }
    // One gpu.js kernel per argument signature (array vs device texture): gpu.js would otherwise
    // switch one kernel object between signatures, and on GL a kernel switched back computed wrong.
    const signature = `${key}|${args.map((a) => (a instanceof Float32Array ? 'a' : typeof a === 'number' ? 'n' : 't')).join('')}`;
    let kernel = this.#kernels.get(signature);
    if (kernel === undefined) {
      kernel = this.#gpu.createKernel(this.#forDevice(source), {
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
      const out = kernel(...args) as KernelValue | Promise<KernelValue>;
      this.assertAlive(key);
      return out;
    } catch (e) {
      throw this.#failure(key, e);
    }
  }

  /** Copies a kernel result into a new Float32Array of n elements and releases the result (a step, as run). */
  *read(value: KernelValue, n: number): Steps<Float32Array> {
    if (value instanceof Float32Array) return value.slice(0, n);
    if (this.mode !== 'webgpu' || value.toArray === undefined) return shieldedFromPrototypeKeys(() => this.#readTexture(value, n));
    // A WebGPU storage buffer: mapped and copied asynchronously by gpu.js, tightly packed.
    this.assertAlive('read');
    let data: Float32Array;
    try {
      data = yield* settled(shieldedFromPrototypeKeys(() => value.toArray!()));
    } catch (e) {
      this.assertAlive('read');
      throw new RectifierError(ErrorCode.WorkerFailure, { op: 'read', cause: e }, `gpu.js (${this.kernelClass}) failed to read a result: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.assertAlive('read');
    const out = data.slice(0, n);
    this.release(value);
    return out;
  }

  #readTexture(value: GpuTexture, n: number): Float32Array {
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

/** The numerics probe's −0.0, returned from a helper as the op functions return theirs. */
const NEGATIVE_ZERO_PROBE = `function mnegzeroprobe(v) {
  if (v > 0.5) { return -0.0; }
  return v;
}`;

/** ⌊o / w⌋ for integer-valued floats, corrected by one either way (float division can round onto the next integer). */
const FLOORDIV = `function mfloordiv(o, w) {
  let r = Math.floor(o / w);
  if (r * w > o) { r = r - 1.0; }
  if ((r + 1.0) * w <= o) { r = r + 1.0; }
  return r;
}`;
