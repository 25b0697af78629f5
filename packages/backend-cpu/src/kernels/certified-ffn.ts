/**
 * The certified sparse FFN forward (`sparse: 'certified'`) over token rows [rowStart, rowEnd):
 * core's certificate (certifyRows: a 14-bit × int8 integer pass with a rigorous error bound) proves which
 * hidden units are zero; those are set to the activation's +0 without their dot product; every
 * other unit's pre-activation is computed here one unit at a time with exactly the arithmetic the
 * dense first layer of `ffnForwardRows` gives that element; then the activation and the second
 * layer (which skips the zero rows of W2) run as in `sparse: true`. So y and the hidden layer are
 * bit for bit those of `sparse: true`, 0·∞ included (a zero unit's row of W2 is never multiplied
 * in either path).
 *
 * Which arithmetic the dense first layer gives element (t, j), z = x[t]·W1[:, j] + b1[j]:
 * - float64 sums (float64 calls; float32 calls where WebAssembly is off — then rounded once to
 *   float32): z starts as b1[j] (or 0) and adds x[t, p]·W1[p, j] for p = 0, 1, … (matmul.ts's loop);
 * - float32 in JS (the WebAssembly GEMM refused the size): the same loop, each step rounded to float32;
 * - the WebAssembly GEMM (kernels-wasm/assembly/gemm.ts): k in blocks of KC = 512; per block a
 *   float32 sum from 0 over the block's p in order, each step `madd` (f32x4.relaxed_madd, fused,
 *   in the relaxed build; mul then add in the plain one), except the last n mod 4 columns (the
 *   column tail), which are always mul then add; after each block C = C + block sum, C starting
 *   as b1[j] (or the first block's sum where there is no bias). The GEMM's bits for an element do
 *   not depend on its row, the number of rows, or the packing of B.
 * The tests check each against the dense path; a change of gemm.ts's blocking must change KC here.
 * For float32 calls on the WebAssembly GEMM with no column tail (f a multiple of 4) and θ ≥ 0, the
 * whole first layer is one WebAssembly call (kernels-wasm's certifiedUnits: the tokens'
 * quantisation, the integer pass, the bound, the uncertified units, the activation), with W1's
 * levels, facts and transpose kept per weight buffer (preparedW1s). Elsewhere, where the module has
 * them, the certificate's integer pass and W1's quantisation, and the units of the GEMM's wide
 * tiles, run in WebAssembly (kernels-wasm's assembly/certify.ts); the column tail's units and the
 * other arithmetics run here.
 */
import {
  certificateBound, certificateColumnFacts, certifyRows, quantiseW1,
  type CertificatePass, type DType, type QuantisedW1, type TypedArray, type W1Quantiser,
} from '@rectifier/core';
import { wasmKernels, wasmVariant } from '@rectifier/kernels-wasm';
import { activate, wasmActivation } from './elementwise.js';
import type { FfnOperands } from './ffn.js';
import { biasedAccumulator, denseLayerF32, FLOAT32_ACCUMULATION, gemmAccumulate, type Accumulator } from './matmul.js';

const WASM = wasmKernels();
/** gemm.ts's KC: the k-block after which the GEMM adds its block sum into C. */
const GEMM_KC = 512;

/** How the dense first layer sums one element (see the module comment). */
export type UnitArithmetic = 'float64' | 'float32-js' | 'wasm-fused' | 'wasm-unfused';

const fround = Math.fround;
const FLOAT32_MAX = 3.4028234663852886e38;
const FLOAT32_OVERFLOW_EDGE = 2 ** 128 - 2 ** 103;

/**
 * The float32 a·b + c rounded once (a fused multiply-add), from float32 a, b, c: a·b is exact in
 * float64; a·b + c rounded to float64 and then to float32 is right except where the float64 sum
 * lands exactly on a float32 midpoint with a non-zero remainder (then the remainder's sign decides).
 * Exported for its test (against exact BigInt arithmetic).
 */
export function fma32(a: number, b: number, c: number): number {
  const p = a * b;
  const s = p + c;
  const r = fround(s);
  if (r === s || !Number.isFinite(s)) return r;
  const bb = s - p; // two-sum: p + c = s + e exactly
  const e = (p - (s - bb)) + (c - bb);
  if (e === 0) return r;
  if (!Number.isFinite(r)) {
    // s at or past the overflow boundary (the midpoint of the largest float32 and 2¹²⁸): exactly on
    // it with the remainder pointing back, the exact sum rounds to the largest float32.
    return Math.abs(s) === FLOAT32_OVERFLOW_EDGE && (e > 0) !== (s > 0) ? Math.sign(s) * FLOAT32_MAX : r;
  }
  const other = 2 * s - r; // the float32 on s's other side, if s is their midpoint
  if (fround(other) !== other) return r; // s is not a midpoint: the float64 rounding did not change the float32 one
  return (e > 0) === (other > r) ? other : r;
}

/**
 * One GEMM of which only chosen elements are wanted: a [rows, k] and b [k, n], both row-major (or
 * b given as bᵀ, [n, k], `bTransposed`); C starts as `bias` (or, without one, as the first
 * k-block's sum). The certified forward's first layer (a = the block's x, b = W1) and the sparse
 * backward's dh = dy·W2ᵀ (bᵀ = W2 itself, a zero bias, as dh's accumulator starts at zero) are
 * such products.
 */
export interface SelectedProduct {
  readonly a: TypedArray;
  readonly b: TypedArray;
  readonly bTransposed?: boolean;
  readonly bias: TypedArray | undefined;
  readonly rows: number;
  readonly k: number;
  readonly n: number;
  readonly dtype: DType;
}

/** The arithmetic the dense GEMM gives this product's elements. */
function unitArithmetic(p: SelectedProduct): UnitArithmetic {
  if (p.dtype === 'float64' || FLOAT32_ACCUMULATION === 'float64' || WASM === undefined) return 'float64';
  if (!(p.a instanceof Float32Array && p.b instanceof Float32Array)) return 'float64';
  if (!WASM.gemmFits(p.rows, p.k, p.n)) return 'float32-js';
  return wasmVariant() === 'relaxed-simd' ? 'wasm-fused' : 'wasm-unfused';
}

/** The certificate's integer pass and W1's quantisation in WebAssembly where this thread has the kernels (core's JS loops otherwise). */
const fastCertificate: { pass?: CertificatePass; quantiser?: W1Quantiser } = WASM === undefined ? {} : {
  pass: (xl, rows, d, wl, f, rowFacts, colFacts, bias, bound, mask) => WASM.certify(xl, rows, d, wl, f, rowFacts, colFacts, bias, bound, mask),
  quantiser: {
    facts: (w1, d, f, l1, maxAbs, finite) => w1 instanceof Float32Array && WASM.columnFacts(w1, d, f, l1, maxAbs, finite),
    levels: (w1, d, f, inverse, levels) => w1 instanceof Float32Array && WASM.quantiseColumns(w1, d, f, inverse, levels),
  },
};

/** What a caller of {@link selectedProducts} may know of its elements already. */
export interface KnownUnits {
  /** how many elements skip leaves, or more */
  readonly computed: number;
  /** those left of the column tail in gemm_units_f32's groups (5 i32 each: the row, four columns) */
  readonly groups?: { readonly list: Int32Array; readonly count: number };
}

/** Elements per group of gemm_units_f32: one row's four lanes. */
const GROUP = 4;

/**
 * Element (row at aAt, column j) as the dense GEMM computes it: a[aAt..aAt+k)·b[:, j] + bias, b's
 * element (p, j) at b[bAt + p·bStride] (bAt = j, bStride = n for b [k, n]; j·k and 1 for bᵀ).
 */
function unitProduct(arith: UnitArithmetic, a: TypedArray, aAt: number, b: TypedArray, bAt: number, bStride: number, k: number, bias: number | undefined, tail: boolean): number {
  if (arith === 'float64') {
    let s = bias ?? 0;
    for (let p = 0; p < k; p++) s += a[aAt + p] * b[bAt + p * bStride];
    return s;
  }
  if (arith === 'float32-js') {
    let s = fround(bias ?? 0);
    for (let p = 0; p < k; p++) s = fround(s + a[aAt + p] * b[bAt + p * bStride]);
    return s;
  }
  const fused = arith === 'wasm-fused' && !tail;
  let acc = bias;
  for (let k0 = 0; k0 < k; k0 += GEMM_KC) {
    const k1 = Math.min(k, k0 + GEMM_KC);
    let block = 0;
    if (fused) for (let p = k0; p < k1; p++) block = fma32(a[aAt + p], b[bAt + p * bStride], block);
    else for (let p = k0; p < k1; p++) block = fround(block + fround(a[aAt + p] * b[bAt + p * bStride]));
    acc = acc === undefined ? block : fround(acc + block);
  }
  return acc ?? 0;
}

/**
 * out[r·n + j] = a[r]·b[:, j] (+ bias[j]) for every element whose skip[r·n + j] is 0 (the others
 * are left as they are), each with exactly the arithmetic the dense GEMM gives that element (see
 * the module comment): the wide tiles' elements in WebAssembly, four of a row at a time, where the
 * GEMM is WebAssembly's; the rest here. Returns that arithmetic. `known`, where the caller has
 * them: how many elements skip leaves (or more), which saves a pass over skip, and the unit groups
 * of the columns left of the column tail as gemm_units_f32 takes them (kernels-wasm's unitGroups).
 */
export function selectedProducts(p: SelectedProduct, skip: Uint8Array, out: TypedArray, known?: KnownUnits): UnitArithmetic {
  const { rows, k, n } = p;
  const arith = unitArithmetic(p);
  const bStride = p.bTransposed === true ? 1 : n;
  const tailStart = n - (n % 4); // the GEMM's column tail
  const inWasm = (arith === 'wasm-fused' || arith === 'wasm-unfused') && out instanceof Float32Array
    && wasmUnits(p, skip, tailStart, out, known);
  for (let r = 0; r < rows; r++) {
    for (let j = inWasm ? tailStart : 0; j < n; j++) {
      if (skip[r * n + j] === 1) continue;
      out[r * n + j] = unitProduct(arith, p.a, r * k, p.b, p.bTransposed === true ? j * k : j, bStride, k, p.bias?.[j], j >= tailStart);
    }
  }
  return arith;
}

/**
 * The certified forward pass of tokens [rowStart, rowEnd): writes their hidden rows into `hRows`
 * ([rowEnd − rowStart, f]), returns their rows of y, and the number of units its certificate skipped.
 */
export function certifiedForwardRows(c: FfnOperands, rowStart: number, rowEnd: number, hRows: TypedArray): { y: Accumulator; certified: number } {
  const { d, f, dtype } = c;
  const rows = rowEnd - rowStart;
  const inModule = moduleFirstLayer(c, rowStart, rowEnd, hRows);
  if (inModule !== undefined) return { y: outputLayerRows(c, hRows, rows, true), certified: inModule };
  const { mask, certified } = certifyRows(c.x, c.w1, c.b1, d, f, c.zeroThreshold, dtype, rowStart, rowEnd, fastCertificate);
  // Proved-zero units keep their placeholder z (0); the activation's +0 overwrites it below.
  const z = dtype === 'float32' ? new Float32Array(rows * f) : new Float64Array(rows * f);
  const arith = selectedProducts({ a: c.x.subarray(rowStart * d, rowEnd * d), b: c.w1, bias: c.b1, rows, k: d, n: f, dtype }, mask, z);
  activate(c.activation, z, undefined, hRows, c.activationParams);
  for (let i = 0; i < rows * f; i++) if (mask[i] === 1) hRows[i] = 0; // the activation's +0 (its zeroAtOrBelow fact)
  return { y: outputLayerRows(c, hRows, rows, arith !== 'float64' && arith !== 'float32-js'), certified };
}

/** What the certified first layer needs of a float32 W1 besides W1 itself, made from it once. */
interface PreparedW1 {
  /** W1's bits when this was made: reused only while they are unchanged */
  readonly bits: Int32Array;
  readonly quantised: QuantisedW1;
  /** certificateColumnFacts of `quantised` */
  readonly colFacts: Float64Array;
  /** W1ᵀ [f, d], each unit's weights contiguous, as gemm_units_f32 reads many units */
  readonly w1t: Float32Array;
}

/**
 * PreparedW1 per weight array, for calls that reuse their weights (a model's layers): W1's
 * quantisation, facts and transpose cost 0.1 of the dense FFN at d 512 × f 2048, comparing W1's
 * bits with those it was made from about a tenth of that. A tensor's elements stay writable
 * (core's Tensor), so an entry is used only after that comparison, never on identity alone. Keyed
 * by W1's buffer (a weak key) and its place in it, as validation hands the kernels a fresh view of
 * a tensor's data at every call. A place seen once gets a `null` entry, one seen again its
 * PreparedW1 (W1's bits, its levels and its transpose: 2.25× W1's bytes, held as long as the
 * buffer lives); a worker's operands, on a buffer object new at every task, never get past `null`,
 * so they never pay for the copy.
 */
const preparedW1s = new WeakMap<ArrayBufferLike, Map<string, PreparedW1 | null>>();

function sameBits(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** W1's quantisation, facts and transpose (see preparedW1s); undefined where the module refuses the transpose. */
function preparedW1(w1: Float32Array, d: number, f: number): Omit<PreparedW1, 'bits'> | undefined {
  let places = preparedW1s.get(w1.buffer);
  if (places === undefined) preparedW1s.set(w1.buffer, places = new Map());
  const place = `${w1.byteOffset} ${d} ${f}`;
  const entry = places.get(place);
  const bits = new Int32Array(w1.buffer, w1.byteOffset, d * f);
  if (entry != null && sameBits(entry.bits, bits)) return entry;
  const quantised = quantiseW1(w1, d, f, fastCertificate.quantiser);
  const w1t = new Float32Array(d * f);
  if (!WASM!.transpose(w1, d, f, w1t)) return undefined;
  const made = { quantised, colFacts: certificateColumnFacts(quantised), w1t };
  places.set(place, entry === undefined ? null : { ...made, bits: bits.slice() });
  return made;
}

/**
 * The certified first layer of tokens [rowStart, rowEnd) in one WebAssembly call
 * (WasmKernels.certifiedUnits: the certificate, the units it leaves, the activation), its hidden
 * rows written into hRows; returns the number certified, or undefined where that path does not apply:
 * it needs float32 operands summed by the WebAssembly GEMM, no column tail (f a multiple of 4) and
 * θ ≥ 0 (a certified unit's placeholder z = +0 is then in the zero region, so act(+0) is the
 * activation's +0 without a pass over the mask).
 */
function moduleFirstLayer(c: FfnOperands, rowStart: number, rowEnd: number, hRows: TypedArray): number | undefined {
  const { d, f } = c;
  const rows = rowEnd - rowStart;
  const { x, w1, b1 } = c;
  if (WASM === undefined || !(x instanceof Float32Array && w1 instanceof Float32Array && hRows instanceof Float32Array)) return undefined;
  if (!(b1 === undefined || b1 instanceof Float32Array) || f % GROUP !== 0 || !(c.zeroThreshold >= 0)) return undefined;
  const arith = unitArithmetic({ a: x, b: w1, bias: b1, rows, k: d, n: f, dtype: c.dtype });
  if (arith !== 'wasm-fused' && arith !== 'wasm-unfused') return undefined;
  const bound = certificateBound(d, c.zeroThreshold, c.dtype);
  if (bound === undefined) return undefined;
  const prepared = preparedW1(w1, d, f);
  if (prepared === undefined) return undefined;
  const activation = wasmActivation(c.activation, c.activationParams);
  const out = activation === undefined ? new Float32Array(rows * f) : hRows;
  const certified = WASM.certifiedUnits(
    x.subarray(rowStart * d, rowEnd * d), rows, d, prepared.quantised.levels, f, prepared.colFacts,
    b1 === undefined ? undefined : Float64Array.from(b1), bound, prepared.w1t, b1, activation, out,
  );
  if (certified < 0) return undefined;
  if (activation === undefined) activate(c.activation, out, undefined, hRows, c.activationParams); // z's certified units are +0: act gives +0
  return certified;
}

/**
 * The product's unskipped elements left of the column tail, by gemm_units_f32 (groups of four
 * elements of one row, the last group of a row padded by repeating an element); false if the
 * module refused.
 */
function wasmUnits(p: SelectedProduct, skip: Uint8Array, tailStart: number, out: Float32Array, known: KnownUnits | undefined): boolean {
  const { rows, k, n } = p;
  const { list, groups } = known?.groups === undefined ? unitGroups(skip, rows, n, tailStart, known?.computed) : { list: known.groups.list, groups: known.groups.count };
  if (groups === 0) return true;
  const values = new Float32Array(groups * GROUP);
  if (!WASM!.gemmUnits(p.a as Float32Array, rows, k, p.b as Float32Array, n, p.bias as Float32Array | undefined, list, groups, values, p.bTransposed === true)) return false;
  for (let g = 0; g < groups; g++) {
    const entry = g * (GROUP + 1);
    const row = list[entry] * n;
    for (let i = 0; i < GROUP; i++) out[row + list[entry + 1 + i]] = values[g * GROUP + i];
  }
  return true;
}

/**
 * The elements of z [rows, n] outside an activation's zero region (z ≤ θ skipped): skip, their
 * count, and — in WebAssembly, for float32 z, in the same pass — those left of the column tail as
 * gemm_units_f32's groups, for {@link selectedProducts}.
 */
export function zeroRegionUnits(z: TypedArray, rows: number, n: number, theta: number): { skip: Uint8Array; known: KnownUnits } {
  const skip = new Uint8Array(rows * n);
  const grouped = WASM !== undefined && z instanceof Float32Array ? WASM.unitGroups(z, rows, n, n - (n % GROUP), theta, skip) : undefined;
  if (grouped !== undefined) return { skip, known: { computed: grouped.active, groups: { list: grouped.list, count: grouped.groups } } };
  let computed = 0;
  for (let i = 0; i < rows * n; i++) {
    if (z[i] <= theta) skip[i] = 1;
    else computed++;
  }
  return { skip, known: { computed } };
}

/** The unskipped elements left of the column tail as gemm_units_f32's groups (each row's last padded by repeating an element). */
function unitGroups(skip: Uint8Array, rows: number, n: number, tailStart: number, computed: number | undefined): { list: Int32Array; groups: number } {
  // A typed list (a number[] pushed a few hundred thousand times cost a third of the kernel's own
  // time at 10 % of the units), sized by the caller's count of the unskipped elements (at most
  // one partly filled group per row more) or else by a counting pass.
  let capacity = 0;
  if (computed !== undefined) capacity = Math.ceil(computed / GROUP) + rows;
  else {
    for (let r = 0; r < rows; r++) {
      let units = 0;
      for (let j = r * n, end = r * n + tailStart; j < end; j++) units += 1 - skip[j];
      capacity += Math.ceil(units / GROUP);
    }
  }
  const list = new Int32Array(capacity * (GROUP + 1));
  let at = 0;
  for (let r = 0; r < rows; r++) {
    let inGroup = 0;
    for (let j = 0; j < tailStart; j++) {
      if (skip[r * n + j] === 1) continue;
      if (inGroup === 0) list[at++] = r;
      list[at++] = j;
      if (++inGroup === GROUP) inGroup = 0;
    }
    if (inGroup !== 0) for (const last = list[at - 1]; inGroup < GROUP; inGroup++) list[at++] = last;
  }
  return { list, groups: at / (GROUP + 1) };
}

/**
 * y = h·W2 + b2 for the block, skipping zero rows of W2, as `ffnForwardRows` computes it: fused in
 * one WebAssembly call where its first layer would have been fused too, else the separate steps.
 */
function outputLayerRows(c: FfnOperands, hRows: TypedArray, rows: number, wasmFirstLayer: boolean): Accumulator {
  const { f, dOut, dtype } = c;
  const firstFused = wasmFirstLayer && wasmActivation(c.activation, c.activationParams) !== undefined && (c.b1 === undefined || c.b1 instanceof Float32Array);
  if (firstFused && hRows instanceof Float32Array && c.w2 instanceof Float32Array && (c.b2 === undefined || c.b2 instanceof Float32Array)) {
    const y = new Float32Array(rows * dOut);
    if (denseLayerF32(hRows, c.w2, c.b2, rows, f, dOut, undefined, true, y)) return y;
  }
  const yAcc = biasedAccumulator(rows, dOut, c.b2, dtype);
  gemmAccumulate(yAcc, hRows, f, 1, c.w2, rows, f, dOut, true);
  return yAcc;
}
