/**
 * Element-wise kernels over typed arrays, each computing the elements [start, end) of the whole
 * input (so the worker backend can run the same code on chunks; indices stay global, which keeps
 * noisy_relu's noise and PReLU's channels the same however the work is split).
 *
 * float32 calls of the ops users run most (relu, relu6, leaky_relu, gelu, silu, mish, softplus,
 * sigmoid; relu′ and gelu′) go to the WebAssembly SIMD kernels of @rectifier/kernels-wasm where
 * the platform has them (within the declared 1 ulp; selection ops bit-exact). Everything else,
 * and every op where WebAssembly SIMD is missing or RECTIFIER_WASM=off, runs the JS loops below:
 * the select/clamp ops have their own loops (tight, monomorphic, no calls); the transcendental
 * ops call core's float64 scalar definition from one shared loop, where the function's cost
 * dwarfs the call. Storing into a Float32Array rounds the float64 result once, so float32
 * results are the reference rounded (0 ulp from it).
 *
 * A forward call with `precision: 'fast'` (which BackendBase passes only for the ops in
 * FAST_BOUNDS, float32) takes the float32-lane kernels of kernels-wasm's assembly/fast.ts where
 * one exists for its parameters; anything else runs the exact path above.
 */
import {
  gradientProduct, noisyReluInput, OPS, type FastBound, type GradientCall, type OpCall, type OpName, type Precision,
  type ResolvedParams, type ScalarFn, type TypedArray,
} from '@rectifier/core';
import { wasmKernels, type GradientKernel, type UnaryKernel } from '@rectifier/kernels-wasm';

/** This thread's WebAssembly kernels, or undefined (no SIMD, or RECTIFIER_WASM=off). */
const WASM = wasmKernels();

/**
 * The bounds of the `precision: 'fast'` kernels (assembly/fast.ts), in float32 ulps against the
 * exact value: the worst errors measured on 4M inputs (tails to underflow, every bit pattern) were
 * sigmoid 4, silu 5, tanh 6 (MLAS's rational form), gelu (erf) 8 and gelu (tanh) 198 ulp — the
 * last from 2u = x·(a + b·x²) rounded in float32, an error of about |2u|·2^-22 in σ(2u) far in the
 * negative tail; gelu's one bound covers both. silu with β ≠ 1 keeps its exact kernel under 'fast'
 * (the exact path meets every bound).
 */
export const FAST_BOUNDS: Readonly<Partial<Record<OpName, FastBound>>> = Object.freeze({
  sigmoid: Object.freeze({ ulp: 8 }),
  silu: Object.freeze({ ulp: 8 }),
  tanh: Object.freeze({ ulp: 8 }),
  gelu: Object.freeze({ ulp: 512 }),
});

/** The 'fast' kernel of op `name` with params p, if it has one (BackendBase passes 'fast' only for declared ops). */
function fastKernel(name: OpName, p: ResolvedParams): [UnaryKernel, number, number] | undefined {
  switch (name) {
    case 'sigmoid': return ['sigmoid_fast_f32', 0, 0];
    case 'silu': return p.beta === 1 ? ['silu_fast_f32', 1, 0] : undefined;
    case 'tanh': return ['tanh_fast_f32', 0, 0];
    case 'gelu': return p.approximate === 'tanh' ? ['gelu_tanh_fast_f32', 0, 0] : ['gelu_erf_fast_f32', 0, 0];
    default: return undefined;
  }
}

/**
 * The WebAssembly kernel computing op `name` with params p at `precision`, and its two numeric
 * parameters: the fast kernel where 'fast' has one, else the exact one.
 */
export function wasmForwardKernel(name: OpName, p: ResolvedParams, precision: Precision = 'exact'): [UnaryKernel, number, number] | undefined {
  if (precision === 'fast') {
    const fast = fastKernel(name, p);
    if (fast !== undefined) return fast;
  }
  switch (name) {
    case 'relu': return ['relu_f32', 0, 0];
    case 'relu6': return ['relu6_f32', 0, 0];
    case 'leaky_relu': return ['leaky_relu_f32', p.alpha as number, 0];
    case 'gelu': return [p.approximate === 'tanh' ? 'gelu_tanh_f32' : 'gelu_erf_f32', 0, 0];
    case 'silu': return ['silu_f32', p.beta as number, 0];
    case 'mish': return ['mish_f32', 0, 0];
    case 'softplus': return ['softplus_f32', p.beta as number, p.threshold as number];
    case 'sigmoid': return ['sigmoid_f32', 0, 0];
    default: return undefined;
  }
}

/**
 * The exact activation kernel of op `name` as a GEMM epilogue takes it (kernels-wasm's
 * GemmEpilogue['activation']), where this module has one; undefined otherwise (no WebAssembly, no
 * kernel for the op).
 */
export function wasmActivation(name: OpName, p: ResolvedParams): { kernel: UnaryKernel; p0: number; p1: number } | undefined {
  const kernel = wasmForwardKernel(name, p);
  return WASM === undefined || kernel === undefined || !WASM.has(kernel[0]) ? undefined : { kernel: kernel[0], p0: kernel[1], p1: kernel[2] };
}

function wasmGradientKernel(name: OpName, p: ResolvedParams): GradientKernel | undefined {
  if (name === 'relu') return 'relu_grad_f32';
  if (name === 'gelu' && p.approximate !== 'tanh') return 'gelu_erf_grad_f32';
  return undefined;
}

/** Runs the float32 forward op in WebAssembly if there is a kernel for it; false otherwise. */
function wasmForward(
  name: OpName, x: TypedArray, y: TypedArray, p: ResolvedParams, start: number, end: number, precision: Precision = 'exact',
): boolean {
  if (WASM === undefined || !(x instanceof Float32Array) || !(y instanceof Float32Array)) return false;
  const kernel = wasmForwardKernel(name, p, precision);
  if (kernel === undefined || !WASM.has(kernel[0])) return false;
  WASM.unary(kernel[0], x, y, start, end, kernel[1], kernel[2]);
  return true;
}

/** Runs the float32 gradient in WebAssembly if there is a kernel for it; false otherwise. */
function wasmGradient(name: OpName, x: TypedArray, dy: TypedArray, dx: TypedArray, p: ResolvedParams, start: number, end: number): boolean {
  if (WASM === undefined || !(x instanceof Float32Array) || !(dy instanceof Float32Array) || !(dx instanceof Float32Array)) return false;
  const kernel = wasmGradientKernel(name, p);
  if (kernel === undefined || !WASM.has(kernel)) return false;
  WASM.gradient(kernel, x, dy, dx, start, end);
  return true;
}

/** Whether element-wise float32 kernels run in WebAssembly on this thread. */
export const WASM_ELEMENTWISE = WASM !== undefined;

type Loop = (x: TypedArray, y: TypedArray, p: ResolvedParams, start: number, end: number) => void;
type GradLoop = (x: TypedArray, dy: TypedArray, dx: TypedArray, p: ResolvedParams, start: number, end: number) => void;

/** y[i] = f(x[i]) for any catalogue function (the generic path). */
function mapScalar(f: ScalarFn, x: TypedArray, y: TypedArray, p: ResolvedParams, start: number, end: number): void {
  for (let i = start; i < end; i++) y[i] = f(x[i], p);
}

/** dx[i] = f′(x[i])·dy[i] with the exact-zero rule (generic path). */
function mapGradient(df: ScalarFn, x: TypedArray, dy: TypedArray, dx: TypedArray, p: ResolvedParams, start: number, end: number): void {
  for (let i = start; i < end; i++) dx[i] = gradientProduct(df(x[i], p), dy[i]);
}

/** Forward loops written out for the ops that only compare, select, clamp or scale. */
const FAST_FORWARD: Partial<Record<OpName, Loop>> = {
  relu: (x, y, _p, s, e) => {
    for (let i = s; i < e; i++) { const v = x[i]; y[i] = v <= 0 ? 0 : v; }
  },
  relu6: (x, y, _p, s, e) => {
    for (let i = s; i < e; i++) { const v = x[i]; y[i] = v <= 0 ? 0 : v >= 6 ? 6 : v; }
  },
  leaky_relu: (x, y, p, s, e) => {
    const alpha = p.alpha as number;
    for (let i = s; i < e; i++) { const v = x[i]; y[i] = v > 0 ? v : alpha * v; }
  },
  thresholded_relu: (x, y, p, s, e) => {
    const threshold = p.alpha as number; // ONNX's name for it
    for (let i = s; i < e; i++) { const v = x[i]; y[i] = v <= threshold ? 0 : v; }
  },
  hardtanh: (x, y, p, s, e) => {
    const lo = p.min as number;
    const hi = p.max as number;
    for (let i = s; i < e; i++) { const v = x[i]; const t = v < lo ? lo : v; y[i] = t > hi ? hi : t; }
  },
  hardshrink: (x, y, p, s, e) => {
    const lambda = p.lambda as number;
    for (let i = s; i < e; i++) { const v = x[i]; y[i] = Math.abs(v) <= lambda ? 0 : v; }
  },
  relu_squared: (x, y, _p, s, e) => {
    for (let i = s; i < e; i++) { const v = x[i]; const r = v <= 0 ? 0 : v; y[i] = r * r; }
  },
};

const FAST_GRADIENT: Partial<Record<OpName, GradLoop>> = {
  relu: (x, dy, dx, _p, s, e) => {
    for (let i = s; i < e; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : v <= 0 ? 0 : v; }
  },
  leaky_relu: (x, dy, dx, p, s, e) => {
    const alpha = p.alpha as number;
    for (let i = s; i < e; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : v <= 0 ? gradientProduct(alpha, dy[i]) : v; }
  },
};

const step = (v: number): number => (v > 0 ? 1 : v <= 0 ? 0 : NaN);

/**
 * Computes outputs for the input elements [start, end) (default: all) into y, which has the
 * output's full length. For crelu, input element i of row r writes y[2·r·last + j] and y[… + last].
 */
export function forwardKernel(call: OpCall, y: TypedArray, start = 0, end = call.inputs[0].size): void {
  const { op, params: p } = call;
  const x = call.inputs[0].data;
  switch (op.kind) {
    case 'unary': {
      if (wasmForward(op.name, x, y, p, start, end, call.precision)) return;
      const fast = FAST_FORWARD[op.name];
      if (fast !== undefined) fast(x, y, p, start, end);
      else mapScalar(op.f!, x, y, p, start, end);
      return;
    }
    case 'glu': {
      const f = op.f!;
      const value = call.inputs[1].data;
      for (let i = start; i < end; i++) y[i] = f(x[i], p) * value[i];
      return;
    }
    case 'prelu': {
      const slopes = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      // Walk x in runs of `inner` elements that share one slope: no division per element.
      let i = start;
      for (let run = Math.floor(start / inner); i < end; run++) {
        const slope = slopes[run % channels];
        const stop = Math.min((run + 1) * inner, end);
        for (; i < stop; i++) { const v = x[i]; y[i] = v > 0 ? v : slope * v; }
      }
      return;
    }
    case 'crelu': {
      const last = call.inputs[0].shape[call.inputs[0].rank - 1];
      for (let i = start; i < end; i++) {
        const row = Math.floor(i / last);
        const positive = i + row * last; // 2·row·last + j: the row's first half, then -x in its second
        const v = x[i];
        y[positive] = v <= 0 ? 0 : v;
        y[positive + last] = -v <= 0 ? 0 : -v;
      }
      return;
    }
    case 'noisy': {
      for (let i = start; i < end; i++) { const z = noisyReluInput(x[i], i, p); y[i] = z <= 0 ? 0 : z; }
      return;
    }
  }
}

/**
 * Writes the gradients for the input elements [start, end) into `out` (one full-length array per
 * input, in the op's input order). PReLU's slope gradient is a reduction: its float64 partial sums
 * for this range are added into `slopeSums` (one per weight element) when given, otherwise the
 * range is the whole input and the sums are stored into out[1].
 */
export function gradientKernel(
  call: GradientCall, out: TypedArray[], start = 0, end = call.inputs[0].size, slopeSums?: Float64Array,
): void {
  const { op, params: p } = call;
  const x = call.inputs[0].data;
  const dy = call.dy.data;
  const dx = out[0];
  switch (op.kind) {
    case 'unary': {
      if (wasmGradient(op.name, x, dy, dx, p, start, end)) return;
      const fast = FAST_GRADIENT[op.name];
      if (fast !== undefined) fast(x, dy, dx, p, start, end);
      else mapGradient(op.df!, x, dy, dx, p, start, end);
      return;
    }
    case 'glu': {
      const f = op.f!;
      const df = op.df!;
      const value = call.inputs[1].data;
      const dvalue = out[1];
      for (let i = start; i < end; i++) {
        const gate = x[i];
        dx[i] = gradientProduct(df(gate, p), dy[i] * value[i]);
        dvalue[i] = gradientProduct(f(gate, p), dy[i]);
      }
      return;
    }
    case 'prelu': {
      const slopes = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      const sums = slopeSums ?? new Float64Array(slopes.length); // slope sums accumulate in float64
      let i = start;
      for (let run = Math.floor(start / inner); i < end; run++) {
        const channel = run % channels;
        const slope = slopes[channel];
        const stop = Math.min((run + 1) * inner, end);
        let runSum = 0;
        for (; i < stop; i++) {
          const v = x[i];
          if (v > 0) {
            dx[i] = dy[i];
          } else {
            dx[i] = v <= 0 ? gradientProduct(slope, dy[i]) : v;
            runSum += gradientProduct(v, dy[i]);
          }
        }
        sums[channel] += runSum;
      }
      if (slopeSums === undefined) out[1].set(sums);
      return;
    }
    case 'crelu': {
      const last = call.inputs[0].shape[call.inputs[0].rank - 1];
      for (let i = start; i < end; i++) {
        const positive = i + Math.floor(i / last) * last;
        const v = x[i];
        dx[i] = gradientProduct(step(v), dy[positive]) - gradientProduct(step(-v), dy[positive + last]);
      }
      return;
    }
    case 'noisy': {
      for (let i = start; i < end; i++) dx[i] = gradientProduct(step(noisyReluInput(x[i], i, p)), dy[i]);
      return;
    }
  }
}

/** Applies a unary or GLU activation to z (and zv) into h over [start, end) — used by the FFN. */
export function activate(
  opName: OpName, z: TypedArray, zv: TypedArray | undefined, h: TypedArray, p: ResolvedParams, start = 0, end = z.length,
): void {
  const op = OPS[opName];
  if (op.kind === 'glu') {
    const f = op.f!;
    for (let i = start; i < end; i++) h[i] = f(z[i], p) * zv![i];
    return;
  }
  if (wasmForward(opName, z, h, p, start, end)) return;
  const fast = FAST_FORWARD[opName];
  if (fast !== undefined) fast(z, h, p, start, end);
  else mapScalar(op.f!, z, h, p, start, end);
}

/** Backpropagates dh through the activation over [start, end): dz (and dzv for GLU). */
export function activateBackward(
  opName: OpName, z: TypedArray, zv: TypedArray | undefined, dh: TypedArray, dz: TypedArray, dzv: TypedArray | undefined,
  p: ResolvedParams, start = 0, end = z.length,
): void {
  const op = OPS[opName];
  if (op.kind === 'glu') {
    const f = op.f!;
    const df = op.df!;
    for (let i = start; i < end; i++) {
      dz[i] = gradientProduct(df(z[i], p), dh[i] * zv![i]);
      dzv![i] = gradientProduct(f(z[i], p), dh[i]);
    }
    return;
  }
  if (wasmGradient(opName, z, dh, dz, p, start, end)) return;
  const fast = FAST_GRADIENT[opName];
  if (fast !== undefined) fast(z, dh, dz, p, start, end);
  else mapGradient(op.df!, z, dh, dz, p, start, end);
}
