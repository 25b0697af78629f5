/**
 * The cost model that decides, per call, whether the pool is worth it: the calling thread's time
 * for the call (measured per op and dtype with the CPU backend's kernels, on the README's machine:
 * `node bench/costs.mjs`), against what the pool costs — every input and the output copied through
 * shared memory, and a round trip to the threads.
 *
 * The pool divides the kernel time by the thread count but adds the staging, which does not
 * divide: an op whose kernel runs near copy speed (relu in WebAssembly, 0.45 ns per element) never
 * gains, however large the call. Float32 costs are those of the WebAssembly kernels where they
 * exist; where WebAssembly SIMD is missing the JS kernels are slower than the table says, so the
 * pool is then chosen later than it could be, never earlier.
 */
import type { DType, FfnCall, OpName } from '@rectifier/core';

/**
 * Nanoseconds per element, by op: every op of the catalogue has an entry (each table is checked
 * with `satisfies CostTable`, so an op added to core without a cost here fails to compile).
 */
export type CostTable = Readonly<Record<OpName, number>>;

/** Nanoseconds per element of each op's forward kernel on the calling thread (into an output). */
export const FORWARD_NS: Readonly<Record<DType, CostTable>> = Object.freeze({
  float32: Object.freeze({
    relu: 0.45, relu6: 0.45, leaky_relu: 0.6, prelu: 7, elu: 18, celu: 18, selu: 20, gelu: 6.5, silu: 3.5,
    softplus: 7, mish: 3.5, hardsigmoid: 10, hardswish: 10, squareplus: 36, relu_squared: 1.5,
    thresholded_relu: 1.5, crelu: 3.5, noisy_relu: 75, sigmoid: 2.5, tanh: 27, hardtanh: 1.7, softsign: 10,
    hardshrink: 1.5, softshrink: 9, reglu: 2, geglu: 52, swiglu: 28,
  } satisfies CostTable),
  float64: Object.freeze({
    relu: 2.5, relu6: 2, leaky_relu: 2.7, prelu: 11, elu: 27, celu: 18, selu: 20, gelu: 52, silu: 37,
    softplus: 42, mish: 75, hardsigmoid: 18, hardswish: 18, squareplus: 56, relu_squared: 3.6,
    thresholded_relu: 3.6, crelu: 6.3, noisy_relu: 88, sigmoid: 25, tanh: 30, hardtanh: 2.2, softsign: 11,
    hardshrink: 1.9, softshrink: 11, reglu: 9.4, geglu: 54, swiglu: 46,
  } satisfies CostTable),
});

/** Nanoseconds per element of each op's gradient (every input's) on the calling thread. */
export const GRADIENT_NS: Readonly<Record<DType, CostTable>> = Object.freeze({
  float32: Object.freeze({
    relu: 3.4, relu6: 7, leaky_relu: 4.8, prelu: 15, elu: 27, celu: 19, selu: 21, gelu: 13, silu: 42,
    softplus: 31, mish: 107, hardsigmoid: 12, hardswish: 13, squareplus: 53, relu_squared: 10,
    thresholded_relu: 10, crelu: 9.5, noisy_relu: 79, sigmoid: 26, tanh: 28, hardtanh: 10, softsign: 12,
    hardshrink: 11, softshrink: 11, reglu: 6, geglu: 127, swiglu: 69,
  } satisfies CostTable),
  float64: Object.freeze({
    relu: 3.8, relu6: 12, leaky_relu: 7.1, prelu: 15, elu: 27, celu: 17, selu: 19, gelu: 63, silu: 41,
    softplus: 31, mish: 128, hardsigmoid: 19, hardswish: 21, squareplus: 63, relu_squared: 20,
    thresholded_relu: 19, crelu: 15, noisy_relu: 78, sigmoid: 28, tanh: 30, hardtanh: 12, softsign: 14,
    hardshrink: 13, softshrink: 22, reglu: 21, geglu: 122, swiglu: 66,
  } satisfies CostTable),
});

/** Nanoseconds per multiply-add of matmul and the FFN (float32: the WebAssembly GEMM; float64: the JS loop). */
export const MULTIPLY_ADD_NS: Readonly<Record<DType, number>> = Object.freeze({ float32: 0.06, float64: 2.6 });

/**
 * What the pool adds per element it moves (each input copied into shared memory, the output
 * faulted in and read back), and the fraction of a thread's solo speed that each of the threads
 * keeps when they all run (on the README's 2-core VM two GEMM halves run 1.3–1.6× slower side by
 * side than alone). Calibrated against bench/threshold.mjs: float32 gelu (WebAssembly) breaks
 * about even at 2^20 elements, hardswish (JS loop) pays from 2^20, matmul from 512³.
 */
export const STAGING_NS_PER_ELEMENT = 1.5;
/** The fraction (0.75) of its solo speed each pool thread keeps while all of them run, as the cost model assumes. */
export const PARALLEL_EFFICIENCY = 0.75;

/** The default minimum saving for a call to go to the pool: a round trip to the threads (0.1–0.5 ms here) and a margin for the model's error. */
export const DEFAULT_MIN_SAVING_NS = 500_000;

/** The calling thread's estimated time for an element-wise call of `elements` input elements. */
export function elementwiseNs(op: OpName, dtype: DType, direction: 'forward' | 'gradient', elements: number): number {
  return elements * (direction === 'forward' ? FORWARD_NS : GRADIENT_NS)[dtype][op];
}

/** The calling thread's estimated time for `multiplyAdds` of a matrix product. */
export function multiplyAddNs(dtype: DType, multiplyAdds: number): number {
  return multiplyAdds * MULTIPLY_ADD_NS[dtype];
}

/**
 * How much time running the call on `threads` threads is estimated to save over the calling
 * thread alone, staging `stagedElements` elements through shared memory (negative: it would lose).
 */
export function poolSavingNs(singleThreadNs: number, stagedElements: number, threads: number): number {
  const parallelNs = singleThreadNs / (threads === 1 ? 1 : threads * PARALLEL_EFFICIENCY);
  return singleThreadNs - parallelNs - STAGING_NS_PER_ELEMENT * stagedElements;
}

/**
 * What gathering one element of a weight gradient's A operand costs, in multiply-adds of its GEMM:
 * dW1 = xᵀ·dz and dW2 = hᵀ·dy take A transposed, read column-wise from x and h (gemmAccumulate's
 * strided copy). Measured from dW2 (512 multiply-adds per gathered element at the bench's shapes)
 * running 13 % slower than dW1 (2048 per element) at the same multiply-adds, on one thread of the
 * README's machine.
 */
export const GATHERED_ELEMENT_MULTIPLY_ADDS = 96;

/**
 * The cost per token of one row of dW1 (with dV's row, for a GLU) and of one row of dW2, in
 * multiply-adds: what the backward pass's second round balances across threads.
 */
export function weightGradientRowCosts(c: Pick<FfnCall, 'f' | 'dOut' | 'v'>): readonly [number, number] {
  const products = c.v === undefined ? 1 : 2; // dV's row runs its own GEMM, gathering x's column again
  return [products * (c.f + GATHERED_ELEMENT_MULTIPLY_ADDS), c.dOut + GATHERED_ELEMENT_MULTIPLY_ADDS];
}
