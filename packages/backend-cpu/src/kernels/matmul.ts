/**
 * Dense matrix products with float64 accumulation (one rounding per output element for float32).
 * The loop order is i-k-j: the inner loop streams a row of B and a row of the accumulator, both
 * contiguous. `skipZeroA` skips the k-steps whose A entry is exactly zero — the sparsity-aware
 * path — which changes nothing in the sums except the 0·∞ = NaN products it never forms.
 */
import type { TypedArray } from '@rectifier/core';

/**
 * acc[m×n] += op(A)·B, where op(A)[i,p] = a[i*sA0 + p*sA1] and B is row-major [k, n].
 * Returns how many (i, p) steps were multiplied (for the sparse path's accounting).
 */
export function gemmAccumulate(
  acc: Float64Array, a: ArrayLike<number>, sA0: number, sA1: number, b: ArrayLike<number>,
  m: number, k: number, n: number, skipZeroA: boolean,
): number {
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

/** A row-major transpose copy: [rows, cols] → [cols, rows]. */
export function transpose(src: TypedArray, rows: number, cols: number): TypedArray {
  const out = new (src.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = src[r * cols + c];
  return out;
}

/** An accumulator [rows, cols] whose rows start as `bias` (or zeros). */
export function biasedAccumulator(rows: number, cols: number, bias: ArrayLike<number> | undefined): Float64Array {
  const acc = new Float64Array(rows * cols);
  if (bias !== undefined) for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) acc[r * cols + c] = bias[c];
  return acc;
}
