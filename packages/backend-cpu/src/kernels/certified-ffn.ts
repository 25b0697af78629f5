/**
 * The certified sparse FFN forward (`sparse: 'certified'`) over token rows [rowStart, rowEnd):
 * core's certificate (certifyRows: an int16×int8 pass with a rigorous error bound) proves which
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
 * Where the module has them, the certificate's integer pass and W1's quantisation, and the units of
 * the WebAssembly GEMM's wide tiles, run in WebAssembly (kernels-wasm's assembly/certify.ts); the
 * column tail's units and the other arithmetics run here.
 */
import { certifyRows, type CertificatePass, type TypedArray, type W1Quantiser } from '@rectifier/core';
import { wasmKernels, wasmVariant } from '@rectifier/kernels-wasm';
import { activate, wasmForwardKernel } from './elementwise.js';
import type { FfnOperands } from './ffn.js';
import { biasedAccumulator, denseLayerF32, FLOAT32_ACCUMULATION, gemmAccumulate, type Accumulator } from './matmul.js';

const WASM = wasmKernels();
/** gemm.ts's KC: the k-block after which the GEMM adds its block sum into C. */
const GEMM_KC = 512;

/** How the dense first layer sums one element (see the module comment). */
type UnitArithmetic = 'float64' | 'float32-js' | 'wasm-fused' | 'wasm-unfused';

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

/** The arithmetic of the dense first layer for these operands and rows. */
function unitArithmetic(c: FfnOperands, rows: number): UnitArithmetic {
  if (c.dtype === 'float64' || FLOAT32_ACCUMULATION === 'float64' || WASM === undefined) return 'float64';
  if (!(c.x instanceof Float32Array && c.w1 instanceof Float32Array)) return 'float64';
  if (!WASM.gemmFits(rows, c.d, c.f)) return 'float32-js';
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

/** Units per group of gemm_units_f32: one token's four lanes. */
const GROUP = 4;

/** z for unit j as the dense first layer computes it: x[xAt..xAt+d)·W1[:, j] + bias, W1 [d, f]. */
function unitPreActivation(arith: UnitArithmetic, x: TypedArray, xAt: number, w1: TypedArray, j: number, f: number, d: number, bias: number | undefined, tail: boolean): number {
  if (arith === 'float64') {
    let s = bias ?? 0;
    for (let p = 0; p < d; p++) s += x[xAt + p] * w1[p * f + j];
    return s;
  }
  if (arith === 'float32-js') {
    let s = fround(bias ?? 0);
    for (let p = 0; p < d; p++) s = fround(s + x[xAt + p] * w1[p * f + j]);
    return s;
  }
  const fused = arith === 'wasm-fused' && !tail;
  let acc = bias;
  for (let k0 = 0; k0 < d; k0 += GEMM_KC) {
    const k1 = Math.min(d, k0 + GEMM_KC);
    let block = 0;
    if (fused) for (let p = k0; p < k1; p++) block = fma32(x[xAt + p], w1[p * f + j], block);
    else for (let p = k0; p < k1; p++) block = fround(block + fround(x[xAt + p] * w1[p * f + j]));
    acc = acc === undefined ? block : fround(acc + block);
  }
  return acc ?? 0;
}

/**
 * The certified forward pass of tokens [rowStart, rowEnd): writes their hidden rows into `h`,
 * returns their rows of y, and the number of units its certificate skipped.
 */
export function certifiedForwardRows(c: FfnOperands, rowStart: number, rowEnd: number, h: TypedArray): { y: Accumulator; certified: number } {
  const { d, f, dtype } = c;
  const rows = rowEnd - rowStart;
  const { mask, certified } = certifyRows(c.x, c.w1, c.b1, d, f, c.zeroThreshold, dtype, rowStart, rowEnd, fastCertificate);
  const arith = unitArithmetic(c, rows);
  const z = dtype === 'float32' ? new Float32Array(rows * f) : new Float64Array(rows * f);
  const tailStart = f - (f % 4); // the GEMM's column tail
  // The WebAssembly GEMM's wide-tile units in WebAssembly, four of a token at a time; the rest here.
  const inWasm = (arith === 'wasm-fused' || arith === 'wasm-unfused') && z instanceof Float32Array
    && wasmUnits(c, rowStart, rows, mask, tailStart, z);
  for (let r = 0; r < rows; r++) {
    const xAt = (rowStart + r) * d;
    for (let j = inWasm ? tailStart : 0; j < f; j++) {
      if (mask[r * f + j] === 1) continue; // proved zero; its placeholder z (0) is overwritten below
      z[r * f + j] = unitPreActivation(arith, c.x, xAt, c.w1, j, f, d, c.b1?.[j], j >= tailStart);
    }
  }
  const hRows = h.subarray(rowStart * f, rowEnd * f);
  activate(c.activation, z, undefined, hRows, c.activationParams);
  for (let i = 0; i < rows * f; i++) if (mask[i] === 1) hRows[i] = 0; // the activation's +0 (its zeroAtOrBelow fact)
  return { y: outputLayerRows(c, hRows, rows, arith !== 'float64' && arith !== 'float32-js'), certified };
}

/**
 * z of every uncertified unit left of the column tail, by gemm_units_f32 (groups of four units of
 * one token, the last group of a token padded by repeating a unit); false if the module refused.
 */
function wasmUnits(c: FfnOperands, rowStart: number, rows: number, mask: Uint8Array, tailStart: number, z: Float32Array): boolean {
  const { d, f } = c;
  const list: number[] = [];
  for (let r = 0; r < rows; r++) {
    let inGroup = 0;
    for (let j = 0; j < tailStart; j++) {
      if (mask[r * f + j] === 1) continue;
      if (inGroup === 0) list.push(r);
      list.push(j);
      if (++inGroup === GROUP) inGroup = 0;
    }
    if (inGroup !== 0) for (const last = list[list.length - 1]; inGroup < GROUP; inGroup++) list.push(last);
  }
  const groups = list.length / (GROUP + 1);
  if (groups === 0) return true;
  const out = new Float32Array(groups * GROUP);
  const x = (c.x as Float32Array).subarray(rowStart * d, (rowStart + rows) * d);
  if (!WASM!.gemmUnits(x, rows, d, c.w1 as Float32Array, f, c.b1 as Float32Array | undefined, Int32Array.from(list), groups, out)) return false;
  for (let g = 0; g < groups; g++) {
    const entry = g * (GROUP + 1);
    const r = list[entry];
    for (let i = 0; i < GROUP; i++) z[r * f + list[entry + 1 + i]] = out[g * GROUP + i];
  }
  return true;
}

/**
 * y = h·W2 + b2 for the block, skipping zero rows of W2, as `ffnForwardRows` computes it: fused in
 * one WebAssembly call where its first layer would have been fused too, else the separate steps.
 */
function outputLayerRows(c: FfnOperands, hRows: TypedArray, rows: number, wasmFirstLayer: boolean): Accumulator {
  const { f, dOut, dtype } = c;
  const kernel = wasmForwardKernel(c.activation, c.activationParams);
  const firstFused = wasmFirstLayer && kernel !== undefined && WASM!.has(kernel[0]) && (c.b1 === undefined || c.b1 instanceof Float32Array);
  if (firstFused && hRows instanceof Float32Array && c.w2 instanceof Float32Array && (c.b2 === undefined || c.b2 instanceof Float32Array)) {
    const y = new Float32Array(rows * dOut);
    if (denseLayerF32(hRows, c.w2, c.b2, rows, f, dOut, undefined, true, y)) return y;
  }
  const yAcc = biasedAccumulator(rows, dOut, c.b2, dtype);
  gemmAccumulate(yAcc, hRows, f, 1, c.w2, rows, f, dOut, true);
  return yAcc;
}
