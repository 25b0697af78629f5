/**
 * Result assembly for the FFN kernels, the same in every backend: which optional parts a call's
 * result has (the hidden layer, its statistics, each bias gradient) and the shapes of its tensors.
 * A backend computes the arrays where its data lives and hands them here, so the rules of what a
 * result holds are written once.
 */
import type { TypedArray } from './dtype.js';
import { certifiedUnitsOf, ffnStatsOf, type FfnGradients, type FfnResult } from './reference.js';
import { Tensor } from './tensor.js';
import type { FfnCall } from './validate.js';

/**
 * Σ over the rows of a row-major `[rows, cols]` matrix, per column, in row order and in float64:
 * the bias gradients' sums over tokens (every CPU-side backend sums in this order, so their
 * results agree bit for bit).
 */
export function columnSums(m: ArrayLike<number>, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) sums[j] += m[r * cols + j];
  return sums;
}

/**
 * What `ffn` returns for a validated call: `y` (`[T, dOut]`), and the hidden layer (`[T, f]`) and
 * its statistics where the call asks for them (`returnHidden`, `stats`). `hidden` may be undefined
 * only when the call asks for neither. `certifiedUnits`: for a certified call, how many units the
 * kernel's certificate skipped; a backend whose kernel does not count (it runs the exact sparse
 * path, or counts per block) leaves it undefined and the count is the certificate's, computed here
 * (the certificate is a function of x, W1, b1 and θ alone, so it is the same number either way).
 */
export function ffnResult(c: FfnCall, y: TypedArray, hidden: TypedArray | undefined, certifiedUnits?: number): FfnResult {
  if (hidden === undefined && (c.returnHidden || c.stats)) {
    throw new Error('ffnResult: the call asks for the hidden layer or its statistics, and none was given');
  }
  return {
    y: new Tensor(y, [c.T, c.dOut]),
    ...(c.returnHidden ? { hidden: new Tensor(hidden!, [c.T, c.f]) } : {}),
    ...(c.stats ? { stats: ffnStatsOf(hidden!, c.T, c.f, c.certified ? certifiedUnits ?? certifiedUnitsOf(c) : undefined) } : {}),
  };
}

/** The bias gradients of an FFN call, each present only where the call has that bias. */
export interface FfnBiasGradients {
  /** ∂L/∂b1 = Σ over tokens of dz, `[f]`; present when b1 was given. */
  readonly db1?: TypedArray;
  /** ∂L/∂b2 = Σ over tokens of dy, `[dOut]`; present when b2 was given. */
  readonly db2?: TypedArray;
  /** ∂L/∂bv = Σ over tokens of dzv, `[f]`; present for a GLU activation when bv was given. */
  readonly dbv?: TypedArray;
}

/**
 * The bias gradients a call asks for, each the column sums of a `[T, ·]` matrix: dz's for db1, dy's
 * for db2, dzv's (GLU) for dbv. `sum(m, cols)` sums one where it lives (`M` is whatever holds it:
 * a typed array, a device texture); it is called only for the biases the call has.
 */
export function ffnBiasGradients<M>(
  c: FfnCall, rows: { readonly dz: M; readonly dy: M; readonly dzv: M | undefined }, sum: (m: M, cols: number) => TypedArray,
): FfnBiasGradients {
  return {
    ...(c.b1 ? { db1: sum(rows.dz, c.f) } : {}),
    ...(c.b2 ? { db2: sum(rows.dy, c.dOut) } : {}),
    ...(rows.dzv !== undefined && c.bv ? { dbv: sum(rows.dzv, c.f) } : {}),
  };
}

/** The weight and input gradients of an FFN call, as computed by a backend (in the call's dtype). */
export interface FfnGradientArrays {
  /** ∂L/∂x, `[T, d]`. */
  readonly dx: TypedArray;
  /** ∂L/∂w1, `[d, f]`. */
  readonly dw1: TypedArray;
  /** ∂L/∂w2, `[f, dOut]`. */
  readonly dw2: TypedArray;
  /** ∂L/∂v, `[d, f]`; present exactly for a GLU activation. */
  readonly dv?: TypedArray;
}

/** What `ffnBackward` returns for a validated call: the gradients as tensors of their shapes (dx `[T, d]`). */
export function ffnGradients(c: FfnCall, g: FfnGradientArrays, biases: FfnBiasGradients): FfnGradients {
  const { T, d, f, dOut } = c;
  return {
    dx: new Tensor(g.dx, [T, d]),
    dw1: new Tensor(g.dw1, [d, f]),
    dw2: new Tensor(g.dw2, [f, dOut]),
    ...(biases.db1 ? { db1: new Tensor(biases.db1, [f]) } : {}),
    ...(biases.db2 ? { db2: new Tensor(biases.db2, [dOut]) } : {}),
    ...(g.dv ? { dv: new Tensor(g.dv, [d, f]) } : {}),
    ...(biases.dbv ? { dbv: new Tensor(biases.dbv, [f]) } : {}),
  };
}
