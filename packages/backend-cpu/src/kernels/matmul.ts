/**
 * Dense matrix products over an accumulator array.
 *
 * The accumulator's type is the summation precision: float64 calls always sum in float64 (one
 * rounding per output element); float32 calls sum in float32 in the WebAssembly SIMD GEMM of
 * @rectifier/kernels-wasm where the platform has it — the precision every peer library uses,
 * and what makes the FFN fast — and otherwise in float64 in the JS loop below.
 *
 * The JS loop order is i-k-j: the inner loop streams a row of B and a row of the accumulator, both
 * contiguous. `skipZeroA` skips the k-steps whose A entry is exactly zero — the sparsity-aware
 * path — which changes nothing in the sums except the 0·∞ = NaN products it never forms.
 */
import { columnSums as coreColumnSums, type DType, type MatmulCall, type OpName, type ResolvedParams, type TypedArray } from '@rectifier/core';
import { wasmKernels } from '@rectifier/kernels-wasm';
import { wasmActivation } from './elementwise.js';

const WASM = wasmKernels();

/** Where float32 sums are kept: float32 with the WebAssembly GEMM, float64 without it. */
export const FLOAT32_ACCUMULATION: DType = WASM !== undefined ? 'float32' : 'float64';

export type Accumulator = Float64Array | Float32Array;

/** A zeroed accumulator for a product in this dtype. */
export function accumulator(dtype: DType, length: number): Accumulator {
  return dtype === 'float32' && FLOAT32_ACCUMULATION === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

/** An accumulator [rows, cols] whose rows start as `bias` (or zeros). */
export function biasedAccumulator(rows: number, cols: number, bias: ArrayLike<number> | undefined, dtype: DType): Accumulator {
  const acc = accumulator(dtype, rows * cols);
  if (bias !== undefined) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[r * cols + c] = bias[c];
  return acc;
}

/** The accumulator's values in the dtype (float32 from float64 sums: rounded once). */
export function inDtype(acc: Accumulator, dtype: DType): TypedArray {
  if (dtype === 'float64' || acc instanceof Float32Array) return acc;
  return Float32Array.from(acc);
}

/** op(A) as a row-major float32 [m, k] (a view when it already is one). */
function rowMajor(a: Float32Array, sA0: number, sA1: number, m: number, k: number): Float32Array {
  if (sA1 === 1 && sA0 === k) return a.subarray(0, m * k);
  const out = new Float32Array(m * k);
  for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) out[i * k + p] = a[i * sA0 + p * sA1];
  return out;
}

/**
 * acc[m×n] += op(A)·B, where op(A)[i,p] = a[i*sA0 + p*sA1] and B is row-major [k, n].
 * Returns how many (i, p) steps were multiplied (for the sparse path's accounting).
 */
export function gemmAccumulate(
  acc: Accumulator, a: ArrayLike<number>, sA0: number, sA1: number, b: ArrayLike<number>,
  m: number, k: number, n: number, skipZeroA: boolean,
): number {
  if (WASM !== undefined && acc instanceof Float32Array && a instanceof Float32Array && b instanceof Float32Array) {
    const steps = WASM.gemm(rowMajor(a, sA0, sA1, m, k), b, acc, m, k, n, true, skipZeroA);
    if (steps >= 0) return steps; // else: too big for the module's memory, the JS loop does it
  }
  let steps = 0;
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = a[i * sA0 + p * sA1];
      if (skipZeroA && av === 0) continue;
      steps++;
      const bRow = p * n;
      for (let j = 0; j < n; j++) acc[row + j] += av * b[bRow + j];
    }
  }
  return steps;
}

/**
 * op(A)·B ([m, n], or its transpose [n, m] when `transposeOut`) skipping op(A)'s zeros, for A
 * given transposed: op(A)[i, p] = aT[p·lda + i] — the sparse backward's hᵀ·dy and dzᵀ·x, from h
 * and dz as they are. Float32 in WebAssembly, where both transposes are the module's tiled copies:
 * the bits of gemmAccumulate (C from zero, skipZeroA) on the transposed copy. Undefined where this
 * path does not apply (float64 sums, or the module refused); the caller then transposes itself.
 */
export function sparseProductOfTransposedA(
  aT: TypedArray, lda: number, m: number, k: number, b: TypedArray, n: number, dtype: DType, transposeOut: boolean,
): Float32Array | undefined {
  if (WASM === undefined || dtype !== 'float32' || FLOAT32_ACCUMULATION !== 'float32') return undefined;
  if (!(aT instanceof Float32Array && b instanceof Float32Array)) return undefined;
  const out = new Float32Array(m * n);
  return WASM.sparseGemmTransposedA(aT, lda, m, k, b, n, out, transposeOut) >= 0 ? out : undefined;
}

/**
 * A float32 dense layer in one WebAssembly call: out = act(a·b + bias) for row-major a [m, k] and
 * b [k, n], the bias and the activation fused into the GEMM while C is in the module's memory —
 * bit for bit what biasedAccumulator, gemmAccumulate and activate give, minus their passes over JS
 * memory. `activation` undefined: none (the FFN's output layer). Returns false where this path
 * does not apply (no WebAssembly, an activation without a WebAssembly kernel, operands beyond the
 * module's memory), with `out` untouched; the caller then runs the separate steps.
 */
export function denseLayerF32(
  a: Float32Array, b: Float32Array, bias: Float32Array | undefined, m: number, k: number, n: number,
  activation: { name: OpName; params: ResolvedParams } | undefined, sparse: boolean, out: Float32Array,
): boolean {
  if (WASM === undefined) return false;
  const kernel = activation === undefined ? undefined : wasmActivation(activation.name, activation.params);
  if (activation !== undefined && kernel === undefined) return false;
  return WASM.gemm(a, b, out, m, k, n, false, sparse, { bias, activation: kernel }) >= 0;
}

/**
 * The float32 FFN forward in one WebAssembly call: h = act(x·w1 + b1), y = h·w2 + b2 (x [m, k],
 * w1 [k, f], w2 [f, n]), h kept in the module's memory between the two products and copied into
 * `h` only where one is given — the bits of denseLayerF32 twice (the first with the activation,
 * the second skipping h's zeros when `sparse`). Returns false where that path does not apply, as
 * denseLayerF32, with y and h untouched.
 */
export function ffnLayersF32(
  x: Float32Array, w1: Float32Array, b1: Float32Array | undefined, activation: { name: OpName; params: ResolvedParams },
  w2: Float32Array, b2: Float32Array | undefined, m: number, k: number, f: number, n: number, sparse: boolean,
  h: Float32Array | undefined, y: Float32Array,
): boolean {
  const kernel = wasmActivation(activation.name, activation.params);
  if (WASM === undefined || kernel === undefined) return false;
  return WASM.ffnForward(x, w1, { bias: b1, activation: kernel }, w2, b2, m, k, f, n, sparse, h, y) >= 0;
}

/** A validated matmul call with its operands as typed arrays (what travels to a worker): op(A) is [m, k], op(B) [k, n]. */
export type MatmulOperands = Pick<MatmulCall, 'transposeA' | 'transposeB' | 'm' | 'k' | 'n' | 'dtype'> & {
  readonly a: TypedArray;
  readonly b: TypedArray;
};

/**
 * Rows [rowStart, rowEnd) of op(A)·op(B), as an accumulator [rowEnd − rowStart, n]: the CPU backend
 * computes all rows at once, each worker its block, with the same sums in the same order.
 */
export function matmulRows(op: MatmulOperands, rowStart: number, rowEnd: number): Accumulator {
  const { m, k, n } = op;
  const [sA0, sA1] = op.transposeA ? [1, m] : [k, 1];
  const bRowMajor = op.transposeB ? transpose(op.b, n, k) : op.b;
  const rows = rowEnd - rowStart;
  if (WASM !== undefined && op.dtype === 'float32' && op.a instanceof Float32Array && bRowMajor instanceof Float32Array) {
    // C starts as a +0 bias in the module's memory: the bits of gemmAccumulate onto the zeroed
    // accumulator below (+0 + s, so a sum of −0 comes out +0 in both), without copying the
    // accumulator's 4·rows·n zero bytes into the module first.
    const out = new Float32Array(rows * n);
    const a = rowMajor(op.a.subarray(rowStart * sA0), sA0, sA1, rows, k);
    if (denseLayerF32(a, bRowMajor, new Float32Array(n), rows, k, n, undefined, false, out)) return out;
  }
  const acc = accumulator(op.dtype, rows * n);
  // Row i of op(A) starts at a[i·sA0]: a block's rows are the same strides from an offset.
  gemmAccumulate(acc, op.a.subarray(rowStart * sA0), sA0, sA1, bRowMajor, rows, k, n, false);
  return acc;
}

/**
 * Core's columnSums (Σ over the rows of m [rows, cols], per column, in row order, in float64): for
 * a float32 m in WebAssembly (column_sums_f64, the same additions in the same order, so the same
 * bits; the JS loop took 2–5 ms for the bias gradients at 512 tokens × 2048 units).
 */
export function columnSums(m: TypedArray, rows: number, cols: number): Float64Array {
  const out = new Float64Array(cols);
  if (WASM !== undefined && m instanceof Float32Array && WASM.columnSums(m, rows, cols, out)) return out;
  return coreColumnSums(m, rows, cols);
}

/** Tiles of the transpose: TILE × TILE entries (4 KiB of float32 each way) stay in L1 while written. */
const TILE = 32;

/** A row-major transpose copy: [rows, cols] → [cols, rows], in tiles (the strided writes of a row at a time miss the cache). */
export function transpose(src: TypedArray, rows: number, cols: number): TypedArray {
  const out = new (src.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * cols);
  // float32: the module's tiled copy, several times faster than this loop on a large matrix
  if (WASM !== undefined && src instanceof Float32Array && out instanceof Float32Array && rows * cols >= TILE * TILE && WASM.transpose(src, rows, cols, out)) return out;
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = src[r * cols + c];
    }
  }
  return out;
}
