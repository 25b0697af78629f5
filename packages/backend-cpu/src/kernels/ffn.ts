/**
 * The FFN block over token rows: h = act(x·W1 + b1) (⊙ (x·V + bv) for a GLU), y = h·W2 + b2, and
 * its backward pass. Each function computes a [rowStart, rowEnd) block of tokens (or, for the
 * weight gradients, of the weights' own rows), so the CPU backend runs them over every row on the
 * calling thread and the worker backend runs the same code on one block per thread — the same
 * sums in the same order, so the results agree bit for bit.
 *
 * Arrays passed in are whole ([T, ·] for per-token ones); a block function reads and writes only
 * its rows of them. What a GEMM produces comes back as the block's accumulator: the caller keeps
 * it (`inDtype`) or stores it at the block's rows (`set`, which rounds to float32 exactly as
 * `inDtype` does). Intermediates (z, the hidden layer, dh, dz) are kept in the call's dtype.
 */
import {
  allocate, ffnBiasGradients, OPS, type DType, type FfnBiasGradients, type FfnCall, type OpName, type ResolvedParams, type TypedArray,
} from '@rectifier/core';
import { certifiedForwardRows, selectedProducts, zeroRegionUnits } from './certified-ffn.js';
import { activate, activateBackward } from './elementwise.js';
import {
  accumulator, biasedAccumulator, columnSums, denseLayerF32, ffnLayersF32, gemmAccumulate, inDtype, sparseProductOfTransposedA, transpose, type Accumulator,
} from './matmul.js';

/** An FFN call's operands as typed arrays (what travels to a worker), its sizes and its activation. */
export interface FfnOperands {
  /** [T, d] */
  readonly x: TypedArray;
  /** [d, f] */
  readonly w1: TypedArray;
  readonly b1: TypedArray | undefined;
  /** [f, dOut] */
  readonly w2: TypedArray;
  readonly b2: TypedArray | undefined;
  /** [d, f], GLU activations only */
  readonly v: TypedArray | undefined;
  readonly bv: TypedArray | undefined;
  /**
   * W1ᵀ ([f, d]), W2ᵀ ([dOut, f]) and Vᵀ, when the caller has them already (the worker backend
   * makes them once per call for all its threads): the backward pass then reads them instead of
   * transposing. Each must equal `transpose` of its weight, so the results are the same bits.
   */
  readonly w1t?: TypedArray;
  readonly w2t?: TypedArray;
  readonly vt?: TypedArray;
  readonly T: number;
  readonly d: number;
  readonly f: number;
  readonly dOut: number;
  readonly activation: OpName;
  readonly activationParams: ResolvedParams;
  readonly sparse: boolean;
  /** `sparse: 'certified'`: units proved zero skip their column of W1 (certified-ffn.ts) */
  readonly certified: boolean;
  /** the activation's zero threshold θ where `certified` (NaN otherwise) */
  readonly zeroThreshold: number;
  readonly dtype: DType;
}

/** A validated call's operands, each array passed through `place` (the worker backend: into shared memory). */
export function ffnOperands(c: FfnCall, place: (data: TypedArray) => TypedArray = (data) => data): FfnOperands {
  const placeOptional = (data: TypedArray | undefined): TypedArray | undefined => (data === undefined ? undefined : place(data));
  return {
    x: place(c.x.data), w1: place(c.w1.data), b1: placeOptional(c.b1?.data), w2: place(c.w2.data), b2: placeOptional(c.b2?.data),
    v: placeOptional(c.v?.data), bv: placeOptional(c.bv?.data),
    T: c.T, d: c.d, f: c.f, dOut: c.dOut, activation: c.activation.name, activationParams: c.activationParams,
    sparse: c.sparse, certified: c.certified, zeroThreshold: c.zeroThreshold, dtype: c.dtype,
  };
}

/** The pre-activations of tokens [rowStart, rowEnd): z = x·W1 + b1 and, for a GLU, zv = x·V + bv ([rows, f] each). */
function preActivationRows(c: FfnOperands, rowStart: number, rowEnd: number): { z: TypedArray; zv: TypedArray | undefined } {
  const { d, f, dtype } = c;
  const rows = rowEnd - rowStart;
  const x = c.x.subarray(rowStart * d, rowEnd * d);
  const layer = (w: TypedArray, b: TypedArray | undefined): TypedArray => {
    const fused = x instanceof Float32Array ? biasedLayerF32(x, w, b, rows, d, f) : undefined;
    if (fused !== undefined) return fused;
    const acc = biasedAccumulator(rows, f, b, dtype);
    gemmAccumulate(acc, x, d, 1, w, rows, d, f, false);
    return inDtype(acc, dtype);
  };
  return { z: layer(c.w1, c.b1), zv: c.v === undefined ? undefined : layer(c.v, c.bv) };
}

/**
 * x·w + b ([rows, n]) as one float32 WebAssembly dense layer, the bias filled in the module's
 * memory: the bits of biasedAccumulator then gemmAccumulate, without their pass over JS memory.
 * Undefined where that path does not apply.
 */
function biasedLayerF32(x: Float32Array, w: TypedArray, b: TypedArray | undefined, rows: number, k: number, n: number): Float32Array | undefined {
  if (!(w instanceof Float32Array) || !(b === undefined || b instanceof Float32Array)) return undefined;
  const out = new Float32Array(rows * n);
  // No bias: a +0 one, so the sums start at +0 as biasedAccumulator's (a block of −0 stays −0 without it).
  return denseLayerF32(x, w, b ?? new Float32Array(n), rows, k, n, undefined, false, out) ? out : undefined;
}

/**
 * The forward pass of tokens [rowStart, rowEnd): writes their rows of the hidden layer into `h`
 * ([T, f], the call's dtype; undefined where the caller does not want it) and returns their rows
 * of y ([rows, dOut]). Where it can (float32, a non-GLU activation with a WebAssembly kernel) the
 * whole pass is one WebAssembly call, the biases and the activation fused into the two GEMMs and
 * the hidden layer kept in the module between them, which gives the same bits as the separate
 * steps. A certified call runs certifiedForwardRows (the same bits as `sparse: true`, skipping the
 * units its certificate proves zero) and adds how many it skipped to `counts.certified` when given.
 */
export function ffnForwardRows(c: FfnOperands, rowStart: number, rowEnd: number, h: TypedArray | undefined, counts?: { certified: number }): Accumulator {
  const { d, f, dOut, dtype } = c;
  const rows = rowEnd - rowStart;
  const hRows = h?.subarray(rowStart * f, rowEnd * f);
  if (c.certified) {
    const { y, certified } = certifiedForwardRows(c, rowStart, rowEnd, hRows ?? allocate(dtype, rows * f));
    if (counts !== undefined) counts.certified += certified;
    return y;
  }
  const fused = c.v === undefined ? fusedForwardRows(c, rowStart, rowEnd, hRows) : undefined;
  if (fused !== undefined) return fused;
  const { z, zv } = preActivationRows(c, rowStart, rowEnd);
  const hidden = hRows ?? allocate(dtype, rows * f);
  activate(c.activation, z, zv, hidden, c.activationParams);
  const yAcc = biasedAccumulator(rows, dOut, c.b2, dtype);
  gemmAccumulate(yAcc, hidden, f, 1, c.w2, rows, f, dOut, c.sparse);
  return yAcc;
}

/**
 * The forward pass as one WebAssembly call (ffnLayersF32), hidden rows into `hRows` where given;
 * undefined where that path does not apply (then `ffnForwardRows` runs the separate steps).
 */
function fusedForwardRows(c: FfnOperands, rowStart: number, rowEnd: number, hRows: TypedArray | undefined): Float32Array | undefined {
  const { x, w1, b1, w2, b2, d, f, dOut } = c;
  const f32 = (t: TypedArray | undefined): t is Float32Array | undefined => t === undefined || t instanceof Float32Array;
  if (!(x instanceof Float32Array && w1 instanceof Float32Array && w2 instanceof Float32Array)) return undefined;
  if (!f32(hRows) || !f32(b1) || !f32(b2)) return undefined;
  const rows = rowEnd - rowStart;
  const activation = { name: c.activation, params: c.activationParams };
  const y = new Float32Array(rows * dOut);
  return ffnLayersF32(x.subarray(rowStart * d, rowEnd * d), w1, b1, activation, w2, b2, rows, d, f, dOut, c.sparse, hRows, y) ? y : undefined;
}

/** The per-token arrays of the backward pass ([T, f] each, the call's dtype), which it writes. */
export interface FfnBackwardRowOutputs {
  /** the hidden layer, recomputed */
  readonly h: TypedArray;
  /** ∂L/∂z */
  readonly dz: TypedArray;
  /** ∂L/∂zv, GLU activations only */
  readonly dzv: TypedArray | undefined;
}

/**
 * The per-token part of the backward pass for tokens [rowStart, rowEnd), given dy ([T, dOut]):
 * recomputes their hidden rows, writes their rows of h, dz (and dzv) into `out` and returns their
 * rows of dx = dz·W1ᵀ (+ dzv·Vᵀ) ([rows, d]). The weight gradients, which sum over every token,
 * are {@link ffnWeightGradientRows}'. A sparse call (`sparse: true` or `'certified'`) zeroes dh
 * in the activation's zero region ({@link outputGradient}) and skips dz's zeros in dx (the
 * sparse-A GEMM).
 */
export function ffnBackwardRows(c: FfnOperands, rowStart: number, rowEnd: number, dy: TypedArray, out: FfnBackwardRowOutputs): Accumulator {
  const { d, f, dOut, dtype } = c;
  const rows = rowEnd - rowStart;
  const { z, zv } = preActivationRows(c, rowStart, rowEnd);
  activate(c.activation, z, zv, out.h.subarray(rowStart * f, rowEnd * f), c.activationParams);
  const dyRows = dy.subarray(rowStart * dOut, rowEnd * dOut);
  const dh = outputGradient(c, z, dyRows, rows);
  const dz = out.dz.subarray(rowStart * f, rowEnd * f);
  const dzv = out.dzv?.subarray(rowStart * f, rowEnd * f);
  activateBackward(c.activation, z, zv, dh, dz, dzv, c.activationParams);
  const dx = accumulator(dtype, rows * d); // dz·W1ᵀ (+ dzv·Vᵀ)
  gemmAccumulate(dx, dz, f, 1, c.w1t ?? transpose(c.w1, d, f), rows, f, d, c.sparse);
  if (dzv !== undefined && c.v !== undefined) gemmAccumulate(dx, dzv, f, 1, c.vt ?? transpose(c.v, d, f), rows, f, d, c.sparse);
  return dx;
}

/**
 * gemm_units_f32's cost per multiply-add against the GEMM's (measured ≈ 5× on 512 × 512 × 2048 at
 * 5–30 % of the units, with the list-making and the copies around it): a sparse call computes dh
 * unit by unit only where fewer than 1/this of the units are outside the zero region, else
 * densely. Both give the dense GEMM's bits.
 */
const UNIT_COST = 5;

/**
 * dh = dy·W2ᵀ of a block ([rows, f], the call's dtype). For a sparse call whose activation has an
 * exact zero region (`zeroAtOrBelow`: θ with act(z) = +0 and act′(z) = 0 for z ≤ θ), the units with
 * z ≤ θ get dh = +0: their dz is +0 whatever dh is, and a ±∞ or NaN in their row of W2 or in dy
 * never reaches it. Where few units are left (UNIT_COST) only theirs are computed, with the dense
 * GEMM's bits (selectedProducts; dh's accumulator starts at zero, so a zero bias; W2 read as
 * W2ᵀ's transpose, so none is made); else the dense product runs and the others are zeroed.
 */
function outputGradient(c: FfnOperands, z: TypedArray, dyRows: TypedArray, rows: number): TypedArray {
  const { f, dOut, dtype } = c;
  const dense = (): TypedArray => {
    const dhAcc = accumulator(dtype, rows * f);
    gemmAccumulate(dhAcc, dyRows, dOut, 1, c.w2t ?? transpose(c.w2, f, dOut), rows, dOut, f, false);
    return inDtype(dhAcc, dtype);
  };
  const theta = c.sparse && c.v === undefined ? OPS[c.activation].zeroAtOrBelow?.(c.activationParams) : undefined;
  if (theta === undefined) return dense();
  const { skip, known } = zeroRegionUnits(z, rows, f, theta);
  if (known.computed * UNIT_COST >= rows * f) {
    const dh = dense();
    for (let i = 0; i < rows * f; i++) if (skip[i] === 1) dh[i] = 0;
    return dh;
  }
  const dh = dtype === 'float32' ? new Float32Array(rows * f) : new Float64Array(rows * f);
  const zeroBias = dtype === 'float32' ? new Float32Array(f) : new Float64Array(f);
  selectedProducts({ a: dyRows, b: c.w2, bTransposed: true, bias: zeroBias, rows, k: dOut, n: f, dtype }, skip, dh, known);
  return dh;
}

/**
 * Blocks of the weight gradients: rows [dStart, dEnd) of dW1 and dV ([·, f]) — or, for a sparse
 * call (`byUnits`), their columns [fStart, fEnd) of every row ([d, ·]) — and rows [fStart, fEnd)
 * of dW2 ([·, dOut]).
 */
export interface FfnWeightGradientBlocks {
  readonly dw1: Accumulator;
  /** GLU activations only */
  readonly dv: Accumulator | undefined;
  readonly dw2: Accumulator;
  /** dw1 and dv are columns [fStart, fEnd) of every row */
  readonly byUnits: boolean;
}

/** Stores blocks of {@link ffnWeightGradientRows} at their place in whole dW1 / dV ([d, f]) and dW2 ([f, dOut]). */
export function storeWeightGradientBlocks(
  c: FfnOperands, blocks: FfnWeightGradientBlocks, [dStart]: readonly [number, number], [fStart, fEnd]: readonly [number, number],
  out: { readonly dw1: TypedArray; readonly dv: TypedArray | undefined; readonly dw2: TypedArray },
): void {
  const { d, f, dOut } = c;
  const input = (block: Accumulator, whole: TypedArray): void => {
    if (!blocks.byUnits) { whole.set(block, dStart * f); return; }
    const width = fEnd - fStart;
    if (width > 0) for (let p = 0; p < d; p++) whole.set(block.subarray(p * width, (p + 1) * width), p * f + fStart);
  };
  input(blocks.dw1, out.dw1);
  if (blocks.dv !== undefined && out.dv !== undefined) input(blocks.dv, out.dv);
  out.dw2.set(blocks.dw2, fStart * dOut);
}

/**
 * Rows of the weight gradients, from the per-token arrays of the whole call (h, dy, dz, dzv):
 * rows [dStart, dEnd) of dW1 = xᵀ·dz (and dV = xᵀ·dzv), rows [fStart, fEnd) of dW2 = hᵀ·dy. Each
 * row is a sum over every token, so a block of rows needs no reduction across blocks. A sparse
 * call skips h's zeros in dW2 and dz's (dzv's) in dW1 (dV): the sparse-A GEMM skips zeros of its
 * A operand, so it runs on hᵀ and dzᵀ (transposed in the WebAssembly module's memory for float32,
 * else made here from their non-zeros), and dW1 runs as the transposed product dzᵀ·x by units —
 * columns [fStart, fEnd) of dW1 (dV), `byUnits` ({@link transposedGradientColumns}); place the
 * blocks with {@link storeWeightGradientBlocks}.
 */
export function ffnWeightGradientRows(
  c: FfnOperands, perToken: FfnBackwardRowOutputs & { readonly dy: TypedArray },
  [dStart, dEnd]: readonly [number, number], [fStart, fEnd]: readonly [number, number],
): FfnWeightGradientBlocks {
  const { x, T, d, f, dOut, dtype } = c;
  const dRows = dEnd - dStart;
  const fRows = fEnd - fStart;
  const inputGradient = (dzOf: TypedArray): Accumulator => {
    if (c.sparse) return transposedGradientColumns(c, dzOf, fStart, fEnd);
    const acc = accumulator(dtype, dRows * f); // xᵀ·dz
    if (dRows > 0) gemmAccumulate(acc, x.subarray(dStart), 1, d, dzOf, dRows, T, f, false);
    return acc;
  };
  const dw1 = inputGradient(perToken.dz);
  const dv = perToken.dzv === undefined ? undefined : inputGradient(perToken.dzv); // xᵀ·dzv
  const sparseDw2 = (): Accumulator => {
    const inModule = sparseProductOfTransposedA(perToken.h.subarray(fStart), f, fRows, T, perToken.dy, dOut, dtype, false);
    if (inModule !== undefined) return inModule;
    const acc = accumulator(dtype, fRows * dOut);
    gemmAccumulate(acc, transposeNonZeros(perToken.h, T, f, fStart, fEnd), T, 1, perToken.dy, fRows, T, dOut, true);
    return acc;
  };
  if (fRows > 0 && c.sparse) return { dw1, dv, dw2: sparseDw2(), byUnits: true };
  const dw2 = accumulator(dtype, fRows * dOut); // hᵀ·dy
  if (fRows > 0) gemmAccumulate(dw2, perToken.h.subarray(fStart), 1, f, perToken.dy, fRows, T, dOut, false);
  return { dw1, dv, dw2, byUnits: c.sparse };
}

/**
 * Columns [fStart, fEnd) of xᵀ·dz ([d, fEnd − fStart]) as (dz[:, fStart:fEnd]ᵀ·x)ᵀ, skipping dz's
 * zeros: each element is the same sum over tokens in the same order as the dense product's
 * (a·b = b·a), less its zero terms. By units, so that each worker transposes only its own columns
 * of dz.
 */
function transposedGradientColumns(c: FfnOperands, dz: TypedArray, fStart: number, fEnd: number): Accumulator {
  const { x, T, d, f, dtype } = c;
  const width = fEnd - fStart;
  if (width === 0) return accumulator(dtype, 0);
  // float32: dz's columns transposed, the product and its transpose all in the module's memory
  const inModule = sparseProductOfTransposedA(dz.subarray(fStart), f, width, T, x, d, dtype, true);
  if (inModule !== undefined) return inModule;
  const product = accumulator(dtype, width * d);
  gemmAccumulate(product, transposeNonZeros(dz, T, f, fStart, fEnd), T, 1, x, width, T, d, true);
  return transpose(product, width, d) as Accumulator;
}

/**
 * Columns [start, end) of a row-major [rows, cols] matrix, transposed ([end − start, rows]), with
 * only its non-zero entries written (its zeros are +0 there; the sparse GEMM skips ±0 alike): at
 * high sparsity a pass over the source instead of a transpose's strided writes.
 */
function transposeNonZeros(src: TypedArray, rows: number, cols: number, start: number, end: number): TypedArray {
  const width = end - start;
  const out = new (src.constructor as Float32ArrayConstructor | Float64ArrayConstructor)(width * rows);
  for (let r = 0; r < rows; r++) {
    const at = r * cols;
    for (let j = start; j < end; j++) {
      const v = src[at + j];
      if (v !== 0) out[(j - start) * rows + r] = v;
    }
  }
  return out;
}

/** The bias gradients a call asks for, summed over its tokens in row order in float64 ({@link columnSums}), then in the call's dtype. */
export function ffnBiasSums(c: FfnCall, perToken: { readonly dz: TypedArray; readonly dy: TypedArray; readonly dzv: TypedArray | undefined }): FfnBiasGradients {
  return ffnBiasGradients(c, perToken, (m, cols) => inDtype(columnSums(m, c.T, cols), c.dtype));
}
