/**
 * The gpu.js backend: core's BackendBase (validation, dispose checks, typed errors) plus kernels
 * that run on gpu.js. See README.md for what each mode declares and why.
 */
import {
  activationStatsOf, BackendBase, describeValue, ErrorCode, noisyReluInput, OPS, RectifierError, Tensor,
  type Capabilities, type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type GradientCall, type Kernels, type MatmulCall, type OpCall, type OpDefinition, type ResolvedParams,
} from '@rectifier/core';
import { elementwiseOp, functionName, gradientFunctionName } from './kernels/ops.js';
import { MAX_INNER, Runtime, type GpujsMode, type KernelValue } from './runtime.js';

export type { GpujsMode };

/** Options of the gpu.js backend: a forced mode and the backend's name. */
export interface GpujsBackendOptions {
  /** Force a mode; default: the best that works here (gpu → webasm → cpu). A forced mode never changes silently. */
  mode?: GpujsMode;
  /** The backend's name (default 'gpujs'). */
  name?: string;
}

/** The declared maximum tensor size: 2^24 elements (a 4096² texture; float32 indices stay exact below 2^24). */
export const GPUJS_MAX_ELEMENTS = 2 ** 24;

/**
 * The parameters that scale a value (multiply, divide, or enter an exponent) travel to the kernels
 * as float32 numbers, where α·e^x, x/α, 1/β, βx and scale·α are formed: their magnitudes must be 0 or
 * within [1e-12, 1e12] (two of them multiplied stay far inside float32's range). A value beyond
 * (alpha = 1e300, beta = 1e-300, b = 1e39) gives UNSUPPORTED_VALUE. Thresholds and clamp bounds
 * (thresholded_relu, hardshrink, softshrink, hardtanh, softplus's threshold) take every valid value.
 */
const SCALE_RANGE = Object.freeze({ min: 1e-12, max: 1e12 });
export const GPUJS_PARAM_LIMITS: NonNullable<Capabilities['paramLimits']> = Object.freeze({
  elu: { alpha: SCALE_RANGE },
  celu: { alpha: SCALE_RANGE },
  selu: { alpha: SCALE_RANGE, scale: SCALE_RANGE },
  silu: { beta: SCALE_RANGE },
  swiglu: { beta: SCALE_RANGE },
  softplus: { beta: SCALE_RANGE },
  squareplus: { b: SCALE_RANGE },
  hardsigmoid: { alpha: SCALE_RANGE, beta: SCALE_RANGE },
});

/** Refuses a parameter outside GPUJS_PARAM_LIMITS with UNSUPPORTED_VALUE naming it and the range. */
function checkParamLimits(op: OpDefinition, params: ResolvedParams): void {
  for (const [name, { min, max }] of Object.entries(GPUJS_PARAM_LIMITS[op.name] ?? {})) {
    const v = params[name];
    if (typeof v !== 'number' || v === 0 || !Number.isFinite(v) || (Math.abs(v) >= min && Math.abs(v) <= max)) continue;
    throw new RectifierError(ErrorCode.UnsupportedValue, {
      op: op.name, argument: name, received: describeValue(v),
      expected: `0 or a magnitude within [${min}, ${max}] (capabilities.paramLimits: the gpu.js kernels take this parameter as a float32 number)`,
    });
  }
}

/** What every mode declares alike: float32 only, computed in float32 on the device, NaN/±∞/±0 kept. */
const COMMON_CAPABILITIES = {
  dtypes: Object.freeze(['float32'] as const),
  sync: false,
  ulp: Object.freeze({ float32: 8 }),
  accumulation: 'float32',
  signedZeros: true,
  nonFinite: true,
  maxElements: GPUJS_MAX_ELEMENTS,
  maxInner: MAX_INNER,
  paramLimits: GPUJS_PARAM_LIMITS,
} as const;

/** What each mode declares (README.md explains every line). */
export const GPUJS_CAPABILITIES: Readonly<Record<GpujsMode, Capabilities>> = Object.freeze({
  // The GL device runs with flush-to-zero (llvmpipe; most GPUs): subnormal inputs read as ±0 and
  // subnormal results come back as ±0 (the suite accepts a flushed result where this is false).
  gpu: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: false }),
  webasm: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: true }),
  cpu: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: true }),
});

const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);
const f32 = (data: Float32Array, shape: readonly number[]): Tensor => new Tensor(data, shape);

/**
 * The gpu.js backend (float32, asynchronous only): kernels compiled by gpu.js for a GL device, its
 * WebAssembly mode or its CPU mode; a lost GL context is replaced on the next call.
 */
export class GpujsBackend extends BackendBase {
  readonly name: string;
  readonly #requested: GpujsMode | 'auto';
  #runtime: Runtime | undefined;
  #init: Promise<Runtime> | undefined;
  protected readonly kernels: Kernels;

  constructor(options: GpujsBackendOptions = {}) {
    super();
    const mode = options.mode;
    if (mode !== undefined && mode !== 'gpu' && mode !== 'webasm' && mode !== 'cpu') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'createGpujsBackend', argument: 'mode', expected: "'gpu', 'webasm' or 'cpu'", received: String(mode) });
    }
    this.#requested = mode ?? 'auto';
    this.name = options.name ?? 'gpujs';
    this.kernels = new GpujsKernels(() => this.#rt(), () => this.#readyRuntime());
  }

  /** The mode in use ('gpu', 'webasm' or 'cpu'); undefined until ready() has resolved. */
  get mode(): GpujsMode | undefined {
    return this.#runtime?.mode;
  }

  /** gpu.js's kernel class in use (HeadlessGLKernel, WebGL2Kernel, WebAssemblyKernel, …); undefined before ready(). */
  get kernelClass(): string | undefined {
    return this.#runtime?.kernelClass;
  }

  /** The GL context in the GL modes (for diagnostics and leak tests); undefined otherwise. */
  get context(): unknown {
    return this.#runtime?.mode === 'gpu' ? this.#runtime.context : undefined;
  }

  /** How many times a lost GL context was replaced by a new one. */
  contextsRecreated = 0;

  /** Compiled kernels so far. */
  get compiledKernels(): number {
    return this.#runtime?.kernelCount ?? 0;
  }

  /**
   * The declared capabilities of the mode in use. Before ready() resolves, a forced mode's are
   * known; with automatic selection the most conservative set (the GL mode's) is reported.
   */
  get capabilities(): Capabilities {
    const mode = this.#runtime?.mode ?? (this.#requested === 'auto' ? 'gpu' : this.#requested);
    return GPUJS_CAPABILITIES[mode];
  }

  /** Loads gpu.js and creates the runtime of the forced mode, or the first of gpu → webasm → cpu that works; rejects with `BACKEND_UNAVAILABLE`. */
  override async ready(): Promise<void> {
    await super.ready();
    await this.#rt();
  }

  /** The runtime where it is created and its context alive (kernels then run at once); else undefined. */
  #readyRuntime(): Runtime | undefined {
    return this.#runtime !== undefined && !this.#runtime.lost ? this.#runtime : undefined;
  }

  #rt(): Promise<Runtime> {
    this.assertLive('ready');
    if (this.#runtime?.lost) {
      // The GL context was lost: the call that saw it failed with BACKEND_UNAVAILABLE; this one gets a new context.
      this.#init = undefined;
      this.#runtime = undefined;
      this.contextsRecreated++;
    }
    this.#init ??= Runtime.create(this.#requested, this.name).then((rt) => {
      this.#runtime = rt;
      return rt;
    });
    return this.#init;
  }

  protected override async release(): Promise<void> {
    const init = this.#init;
    this.#init = undefined;
    this.#runtime = undefined;
    const rt = await init?.catch(() => undefined);
    await rt?.destroy();
  }
}

/* ---------------- kernel sources ---------------- */

const PRODUCT = (d: string, g: string): string => `if (${d} === 0.0) { return 0.0; }\n  return ${d} * ${g};`;

const SOURCES = {
  unary: (fn: string) => `function (x, p0, p1, p2, p3, p4) {\n  return ${fn}(x[this.thread.x], p0, p1, p2, p3, p4);\n}`,
  // scaled: f′ leaves out a factor p0, applied after the product (relu_squared: 2·x·dy as (x·dy)·p0
  // with p0 = 2, so 2·x does not overflow where the gradient is finite; a uniform, not the constant
  // 2.0, which the GLSL compiler would reassociate back into 2·x).
  unaryGrad: (dfn: string, scaled = false) => `function (x, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  const d = ${dfn}(x[i], p0, p1, p2, p3, p4);\n  ${scaled ? 'if (d === 0.0) { return 0.0; }\n  const q = d * dy[i];\n  if (Math.abs(q) < 1.0e-30 && Math.abs(d) < 1.0e30) { return (d * p0) * dy[i]; }\n  return q * p0;' : PRODUCT('d', 'dy[i]')}\n}`,
  // An op's whole gradient element (ElementwiseOp.grad), where f′ cannot be a float32 factor.
  unaryGradElement: (gfn: string) => `function (x, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  return ${gfn}(x[i], dy[i], p0, p1, p2, p3, p4);\n}`,
  glu: (fn: string) => `function (g, val, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  return ${fn}(g[i], p0, p1, p2, p3, p4) * val[i];\n}`,
  // f′(gate)·(dy·value): where dy·value overflows but the product does not, the other orders.
  gluGate: (dfn: string) => `function (g, val, dy, p0, p1, p2, p3, p4) {
  const i = this.thread.x;
  const d = ${dfn}(g[i], p0, p1, p2, p3, p4);
  if (d === 0.0) { return 0.0; }
  const a = dy[i];
  const b = val[i];
  let p = d * (a * b);
  const big = 3.4028234663852886e38;
  if (Math.abs(p) > big && Math.abs(d) <= big && Math.abs(a) <= big && Math.abs(b) <= big) {
    p = (d * a) * b;
    if (Math.abs(p) > big) { p = (d * b) * a; }
  }
  return p;
}`,
  gluValue: (fn: string) => `function (g, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  const f = ${fn}(g[i], p0, p1, p2, p3, p4);\n  ${PRODUCT('f', 'dy[i]')}\n}`,
  // prelu: w is expanded to one slope per element on the host (exact integer channel arithmetic in
  // WebGL1 floats is fragile, and the expansion costs one upload).
  prelu: `function (x, w) {
  const v = x[this.thread.x];
  if (v !== v) { return v; }
  if (v > 0.0) { return v; }
  return w[this.thread.x] * v;
}`,
  preluDx: `function (x, w, dy) {
  const i = this.thread.x;
  const v = x[i];
  if (v !== v) { return v; }
  if (v > 0.0) { return dy[i]; }
  const s = w[i];
  ${PRODUCT('s', 'dy[i]')}
}`,
  // Per-element terms of ∂/∂w (summed per channel on the host): x·dy where x ≤ 0.
  preluDwTerms: `function (x, dy) {
  const i = this.thread.x;
  const v = x[i];
  if (v !== v) { return v; }
  if (v > 0.0) { return 0.0; }
  ${PRODUCT('v', 'dy[i]')}
}`,
  // crelu: output row r is [relu(x_r), relu(−x_r)], last axis L.
  crelu: `function (x, L) {
  const o = this.thread.x;
  const w = L + L;
  const r = mfloordiv(o, w);
  const j = o - r * w;
  let v = 0.0;
  if (j < L) { v = x[r * L + j]; } else { v = 0.0 - x[r * L + j - L]; }
  if (v !== v) { return v; }
  if (v > 0.0) { return v; }
  return 0.0;
}`,
  creluGrad: `function (x, dy, L) {
  const o = this.thread.x;
  const r = mfloordiv(o, L);
  const j = o - r * L;
  const v = x[o];
  if (v !== v) { return v; }
  let a = 0.0;
  let b = 0.0;
  if (v > 0.0) { a = dy[r * (L + L) + j]; }
  if (v < 0.0) { b = dy[r * (L + L) + L + j]; }
  return a - b;
}`,
  // C[i,j] = Σ_p A[i*sA0 + p*sA1]·B[p*sB0 + j*sB1] (+ c[j] when cMode = 1, + c[o] when cMode = 2).
  // sparse = 1 skips zero terms of A (the FFN's sparsity-aware second product).
  matmul: `function (a, b, c, n, k, sA0, sA1, sB0, sB1, cMode, sparse) {
  const o = this.thread.x;
  const i = mfloordiv(o, n);
  const j = o - i * n;
  let s = 0.0;
  if (cMode > 1.5) { s = c[o]; } else { if (cMode > 0.5) { s = c[j]; } }
  for (let p = 0; p < k; p++) {
    const av = a[i * sA0 + p * sA1];
    if (sparse < 0.5 || av !== 0.0) { s += av * b[p * sB0 + j * sB1]; }
  }
  return s;
}`,
};

class GpujsKernels implements Kernels {
  readonly #rt: () => Promise<Runtime>;
  readonly #readyRuntime: () => Runtime | undefined;

  constructor(rt: () => Promise<Runtime>, readyRuntime: () => Runtime | undefined) {
    this.#rt = rt;
    this.#readyRuntime = readyRuntime;
  }

  /**
   * Runs `compute` on the call's inputs as they are when the call is made. With the runtime ready it
   * runs at once: gpu.js uploads (GL) or reads (webasm, cpu) every input synchronously, so nothing the
   * caller writes after the call reaches the result. Before that (the first call, or the first after
   * a lost context) the call's tensors are copied, then the runtime is awaited.
   */
  async #compute<C extends object, T>(call: C, compute: (rt: Runtime, call: C) => T): Promise<T> {
    const ready = this.#readyRuntime();
    if (ready !== undefined) return compute(ready, call);
    const own = snapshotOf(call);
    return compute(await this.#rt(), own);
  }

  forward(call: OpCall): Promise<Tensor> {
    checkParamLimits(call.op, call.params);
    return this.#compute(call, (rt, c) => this.#forward(rt, c));
  }

  gradient(call: GradientCall): Promise<Tensor[]> {
    checkParamLimits(call.op, call.params);
    return this.#compute(call, (rt, c) => this.#gradient(rt, c));
  }

  matmul(call: MatmulCall): Promise<Tensor> {
    return this.#compute(call, (rt, c) => this.#matmul(rt, c));
  }

  ffn(call: FfnCall): Promise<FfnResult> {
    checkParamLimits(call.activation, call.activationParams);
    return this.#compute(call, (rt, c) => this.#ffn(rt, c));
  }

  ffnBackward(call: FfnBackwardCall): Promise<FfnGradients> {
    checkParamLimits(call.activation, call.activationParams);
    return this.#compute(call, (rt, c) => this.#ffnBackward(rt, c));
  }

  #forward(rt: Runtime, call: OpCall): Tensor {
    const n = sizeOf(call.outShape);
    const x = call.inputs[0].data as Float32Array;
    const def = call.op;
    if (n === 0) return f32(new Float32Array(0), call.outShape);
    switch (def.kind) {
      case 'prelu': {
        const w = expandSlopes(call);
        return f32(rt.read(rt.run('prelu', SOURCES.prelu, n, [x, w]), n), call.outShape);
      }
      case 'crelu': {
        const L = call.inputs[0].shape[call.inputs[0].rank - 1];
        return f32(rt.read(rt.run('crelu', SOURCES.crelu, n, [x, L]), n), call.outShape);
      }
      case 'noisy': {
        // The noise is core's counter-based generator (32-bit integer hashing, which WebGL1 floats
        // cannot express), so the noisy pre-activation x + std·z is formed on the host in float64
        // and uploaded; the device applies relu. Every backend thus draws the same noise.
        const z = noisyInputs(call);
        return f32(rt.read(this.#unary(rt, 'relu', false, z, call.params), n), call.outShape);
      }
      case 'glu': {
        const v = call.inputs[1].data as Float32Array;
        const fn = functionName(def.name, false);
        const args = elementwiseOp(def.name)!.args(call.params);
        return f32(rt.read(rt.run(`glu:${fn}`, SOURCES.glu(fn), n, [x, v, ...args]), n), call.outShape);
      }
      default: {
        return f32(rt.read(this.#unary(rt, def.name, false, x, call.params), n), call.outShape);
      }
    }
  }

  /** f(x) or f′-style gradient kernels of a unary op on an array or a device result. */
  #unary(rt: Runtime, op: OpCall['op']['name'], derivative: boolean, x: Float32Array | KernelValue, params: ResolvedParams, dy?: Float32Array | KernelValue, n?: number): KernelValue {
    const e = elementwiseOp(op)!;
    const size = n ?? (x as Float32Array).length;
    if (!derivative) {
      const fn = functionName(op, false);
      return rt.run(`unary:${fn}`, SOURCES.unary(fn), size, [x, ...e.args(params)]);
    }
    const dargs = (e.dargs ?? e.args)(params);
    if (e.grad !== undefined) {
      const gfn = gradientFunctionName(op);
      return rt.run(`grad:${gfn}`, SOURCES.unaryGradElement(gfn), size, [x, dy, ...dargs]);
    }
    const dfn = functionName(op, true);
    return rt.run(`grad:${dfn}`, SOURCES.unaryGrad(dfn, e.gradScaledByP0 === true), size, [x, dy, ...dargs]);
  }

  #gradient(rt: Runtime, call: GradientCall): Tensor[] {
    const def = call.op;
    const x = call.inputs[0].data as Float32Array;
    const g = call.dy.data as Float32Array;
    const n = x.length;
    const xShape = call.inputs[0].shape;
    if (n === 0) return call.inputs.map((t) => f32(new Float32Array(t.size), t.shape));
    switch (def.kind) {
      case 'prelu': {
        const w = expandSlopes(call);
        const dx = rt.read(rt.run('prelu:dx', SOURCES.preluDx, n, [x, w, g]), n);
        // ∂/∂w = Σ_{x≤0} x·dy per channel, summed on the host in float64 (float32 terms on the device
        // overflow to ±∞ where the float64 sum is finite, and ∞ − ∞ would give NaN).
        const { channels, inner } = call.prelu!;
        const dw = new Float64Array(channels);
        for (let i = 0; i < n; i++) {
          const v = x[i];
          const term = v !== v ? v : v > 0 || v === 0 ? 0 : v * g[i];
          dw[Math.floor(i / inner) % channels] += term;
        }
        return [f32(dx, xShape), f32(Float32Array.from(dw), call.inputs[1].shape)];
      }
      case 'crelu': {
        const L = xShape[xShape.length - 1];
        return [f32(rt.read(rt.run('crelu:grad', SOURCES.creluGrad, n, [x, g, L]), n), xShape)];
      }
      case 'noisy': {
        // relu′ of the noisy input depends only on its sign: the float64 sign is uploaded (1, 0 or NaN), so
        // a noisy input that rounds (or flushes) to 0 in float32 keeps the reference's decision.
        const z = noisyInputs(call, true);
        return [f32(rt.read(this.#unary(rt, 'relu', true, z, call.params, g), n), xShape)];
      }
      case 'glu': {
        const v = call.inputs[1].data as Float32Array;
        const e = elementwiseOp(def.name)!;
        const fn = functionName(def.name, false);
        const dfn = functionName(def.name, true);
        const args = e.args(call.params);
        const dgate = rt.read(rt.run(`glu:gate:${dfn}`, SOURCES.gluGate(dfn), n, [x, v, g, ...(e.dargs ?? e.args)(call.params)]), n);
        const dvalue = rt.read(rt.run(`glu:value:${fn}`, SOURCES.gluValue(fn), n, [x, g, ...args]), n);
        return [f32(dgate, xShape), f32(dvalue, call.inputs[1].shape)];
      }
      default: {
        return [f32(rt.read(this.#unary(rt, def.name, true, x, call.params, g), n), xShape)];
      }
    }
  }

  #matmul(rt: Runtime, c: MatmulCall): Tensor {
    const out = matmulOnDevice(rt, c.a.data as Float32Array, c.b.data as Float32Array, c.m, c.k, c.n, c.transposeA, c.transposeB);
    return f32(rt.read(out, c.m * c.n), [c.m, c.n]);
  }

  /** The FFN forward on the device: z = x·W1 + b1, h = act(z) (⊙ (x·V + bv)), y = h·W2 + b2, chained as textures. */
  #ffnForward(rt: Runtime, c: FfnCall, sparse: boolean): { z: KernelValue; zv: KernelValue | undefined; h: KernelValue; y: KernelValue } {
    const { T, d, f, dOut } = c;
    const x = c.x.data as Float32Array;
    const z = linear(rt, x, c.w1.data as Float32Array, c.b1?.data as Float32Array | undefined, T, d, f);
    const zv = c.v === undefined ? undefined : linear(rt, x, c.v.data as Float32Array, c.bv?.data as Float32Array | undefined, T, d, f);
    const act = c.activation;
    const args = elementwiseOp(act.name)!.args(c.activationParams);
    const fn = functionName(act.name, false);
    const h = zv === undefined
      ? rt.run(`unary:${fn}`, SOURCES.unary(fn), T * f, [z, ...args])
      : rt.run(`glu:${fn}`, SOURCES.glu(fn), T * f, [z, zv, ...args]);
    const y = linear(rt, h, c.w2.data as Float32Array, c.b2?.data as Float32Array | undefined, T, f, dOut, sparse);
    return { z, zv, h, y };
  }

  #ffn(rt: Runtime, c: FfnCall): FfnResult {
    checkInner(c.d, c.f);
    if (c.T * c.f === 0) {
      // No hidden layer: nothing to run; y is b2 broadcast (a sum over f = 0 terms is 0). With
      // dOut = 0 alone the hidden layer is still computed (it is returned, and counted by stats).
      const y = new Float32Array(c.T * c.dOut);
      if (c.b2) for (let i = 0; i < y.length; i++) y[i] = c.b2.data[i % c.dOut];
      const h = new Float32Array(c.T * c.f);
      return { y: f32(y, [c.T, c.dOut]), ...(c.returnHidden ? { hidden: f32(h, [c.T, c.f]) } : {}), ...(c.stats ? { stats: activationStatsOf(h, c.T, c.f) } : {}) };
    }
    const fw = this.#ffnForward(rt, c, c.sparse);
    rt.release(fw.z);
    rt.release(fw.zv);
    const y = rt.read(fw.y, c.T * c.dOut);
    let h: Float32Array | undefined;
    if (c.returnHidden || c.stats) h = rt.read(fw.h, c.T * c.f);
    else rt.release(fw.h);
    return {
      y: f32(y, [c.T, c.dOut]),
      ...(c.returnHidden ? { hidden: f32(h!, [c.T, c.f]) } : {}),
      ...(c.stats ? { stats: activationStatsOf(h!, c.T, c.f) } : {}),
    };
  }

  #ffnBackward(rt: Runtime, c: FfnBackwardCall): FfnGradients {
    const { T, d, f, dOut } = c;
    checkInner(d, f, T, dOut);
    const x = c.x.data as Float32Array;
    const dy = c.dy.data as Float32Array;
    const live: KernelValue[] = [];
    const keep = (v: KernelValue): KernelValue => (live.push(v), v);
    try {
      const fw = this.#ffnForward(rt, c, false);
      keep(fw.z);
      if (fw.zv) keep(fw.zv);
      keep(fw.h);
      rt.release(fw.y);
      const act = c.activation;
      const args = elementwiseOp(act.name)!.args(c.activationParams);
      // dh = dy·W2ᵀ [T, f]; dW2 = hᵀ·dy [f, dOut]
      const dh = keep(matmulOnDevice(rt, dy, c.w2.data as Float32Array, T, dOut, f, false, true));
      const dw2 = rt.read(matmulOnDevice(rt, fw.h, dy, f, T, dOut, true, false), f * dOut);
      let dz: KernelValue;
      let dzv: KernelValue | undefined;
      if (fw.zv !== undefined) {
        const fn = functionName(act.name, false);
        const dfn = functionName(act.name, true);
        const e = elementwiseOp(act.name)!;
        dz = keep(rt.run(`glu:gate:${dfn}`, SOURCES.gluGate(dfn), T * f, [fw.z, fw.zv, dh, ...(e.dargs ?? e.args)(c.activationParams)]));
        dzv = keep(rt.run(`glu:value:${fn}`, SOURCES.gluValue(fn), T * f, [fw.z, dh, ...args]));
      } else {
        dz = keep(this.#unary(rt, act.name, true, fw.z, c.activationParams, dh, T * f));
      }
      // dW1 = xᵀ·dz [d, f]; dx = dz·W1ᵀ (+ dzv·Vᵀ) [T, d]
      const dw1 = rt.read(matmulOnDevice(rt, x, dz, d, T, f, true, false), d * f);
      let dxv = matmulOnDevice(rt, dz, c.w1.data as Float32Array, T, f, d, false, true);
      let dv: Float32Array | undefined;
      if (dzv !== undefined) {
        dv = rt.read(matmulOnDevice(rt, x, dzv, d, T, f, true, false), d * f);
        const sum = matmulOnDevice(rt, dzv, c.v!.data as Float32Array, T, f, d, false, true, dxv);
        rt.release(dxv);
        dxv = sum;
      }
      const dx = rt.read(dxv, T * d);
      const ones = new Float32Array(T).fill(1);
      const colSums = (m: KernelValue | Float32Array, cols: number): Float32Array => rt.read(matmulOnDevice(rt, ones, m, 1, T, cols, false, false), cols);
      return {
        dx: f32(dx, [T, d]),
        dw1: f32(dw1, [d, f]),
        dw2: f32(dw2, [f, dOut]),
        ...(c.b1 ? { db1: f32(colSums(dz, f), [f]) } : {}),
        ...(c.b2 ? { db2: f32(colSums(dy, dOut), [dOut]) } : {}),
        ...(dv ? { dv: f32(dv, [d, f]) } : {}),
        ...(dzv && c.bv ? { dbv: f32(colSums(dzv, f), [f]) } : {}),
      };
    } finally {
      for (const v of live) rt.release(v);
    }
  }
}

function checkInner(...dims: number[]): void {
  for (const k of dims) {
    if (k > MAX_INNER) {
      throw new RectifierError(ErrorCode.TooLarge, { op: 'matmul', argument: 'k', expected: `an inner dimension of at most ${MAX_INNER} (the kernel's loop bound)`, received: `${k}` });
    }
  }
}

/** op(A)[m,k]·op(B)[k,n] (+ acc [m,n]) on the device; zero-size products give zeros. */
function matmulOnDevice(
  rt: Runtime, a: Float32Array | KernelValue, b: Float32Array | KernelValue, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, acc?: KernelValue, sparse = false,
): KernelValue {
  checkInner(k);
  if (m * n === 0) return new Float32Array(0);
  if (k === 0 && acc === undefined) return new Float32Array(m * n);
  const [sA0, sA1] = transposeA ? [1, m] : [k, 1];
  const [sB0, sB1] = transposeB ? [1, k] : [n, 1];
  // Zero-length arrays cannot be textures: an unused operand is a one-element placeholder.
  const nonEmpty = (v: Float32Array | KernelValue): Float32Array | KernelValue => (v instanceof Float32Array && v.length === 0 ? new Float32Array(1) : v);
  return rt.run('matmul', SOURCES.matmul, m * n, [nonEmpty(a), nonEmpty(b), acc ?? new Float32Array(1), n, k, sA0, sA1, sB0, sB1, acc === undefined ? 0 : 2, sparse ? 1 : 0]);
}

/** a[rows,k]·w[k,cols] + bias, on the device. */
function linear(rt: Runtime, a: Float32Array | KernelValue, w: Float32Array, bias: Float32Array | undefined, rows: number, k: number, cols: number, sparse = false): KernelValue {
  checkInner(k);
  const nonEmpty = (v: Float32Array | KernelValue): Float32Array | KernelValue => (v instanceof Float32Array && v.length === 0 ? new Float32Array(1) : v);
  return rt.run('matmul', SOURCES.matmul, rows * cols, [nonEmpty(a), nonEmpty(w), bias ?? new Float32Array(1), cols, k, k, 1, cols, 1, bias === undefined ? 0 : 1, sparse ? 1 : 0]);
}

/** The call with copies of its input tensors (its caller-provided output, `out`, stays the caller's). */
function snapshotOf<C extends object>(call: C): C {
  const copy = (v: unknown): unknown => (v instanceof Tensor ? new Tensor(v.data.slice(), v.shape) : Array.isArray(v) ? v.map(copy) : v);
  return Object.fromEntries(Object.entries(call).map(([k, v]) => [k, k === 'out' ? v : copy(v)])) as C;
}

/** One PReLU slope per element of x. */
function expandSlopes(call: OpCall): Float32Array {
  const w = call.inputs[1].data;
  const n = call.inputs[0].size;
  const { channels, inner } = call.prelu!;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = w[Math.floor(i / inner) % channels];
  return out;
}

/** noisy_relu's pre-activation x + std·z per element, in float64 on the host, rounded once. */
function noisyInputs(call: OpCall, signOnly = false): Float32Array {
  const x = call.inputs[0].data;
  const z = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = noisyReluInput(x[i], i, call.params);
    z[i] = signOnly ? (v > 0 ? 1 : v !== v ? v : 0) : v;
  }
  return z;
}

export type { OpDefinition };
export { OPS };
