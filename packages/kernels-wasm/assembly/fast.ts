// The `precision: 'fast'` kernels: float32 in and out, computed in float32 SIMD lanes (f32x4, four
// elements per instruction where transcendental.ts's exact kernels get two), after oneMKL VM's
// lower-accuracy modes. Each op's bound, in float32 ulps against the exact value, is declared by
// the CPU backend (capabilities.fastPrecision) and checked by the conformance suite; the measured
// worst cases are in the kernels-wasm README.
//
// Every kernel but tanh and gelu (erf) is num·σ(s) for some s (sigmoid: 1·σ(x); silu: x·σ(x); gelu
// tanh: x·σ(2u)), computed as num·q/(1 + e) with e = e^(−|s|) and q = e (s < 0) or 1 (s ≥ 0):
// e^(−|s|) never overflows, and tiny results keep their relative accuracy down to the subnormals.
//
// e^t, t = max(−|s|, −120): t = k·ln2 + r, k = nearest(t·log2 e), |r| ≤ ½ln2, r = t − k·LN2_HI −
// k·LN2_LO (Cody–Waite: LN2_HI has 12 significant bits, so k·LN2_HI is exact for |k| ≤ 2^11 and
// t − k·LN2_HI is exact by Sterbenz' lemma); e^r = 1 + r + r²·P(r), P of degree 3 (relative error
// 1.1e-7 ≈ 1.8·2^-24 on |r| ≤ ½ln2; a weighted least-squares fit, reweighted by Lawson's iteration).
// 2^k is two factors s1 = 2^⌊k/2⌋, s2 = 2^(k−⌊k/2⌋), each a normal float32 (k ≥ −174): the quotient
// is formed with m = e^r·s1 (normal) and multiplied by s2 last, so a result in the subnormals is
// rounded once there, as a float32 multiply would. e^−120 is far below the smallest subnormal: a
// t clamped there gives 0 after the last multiply, as the exact value rounds to. NaN propagates
// (f32x4.pmax(t, lo) = t < lo ? lo : t keeps NaN; the shifter's sum of NaN is NaN).
//
// Memory: x and y are byte offsets; y may alias x (every element is loaded before it is stored).
// Eight elements (two vectors) per iteration, then four, then one at a time for the tail.

import { opaqueSplat, opaqueZero } from './opaque';

const LOG2E: f32 = 1.44269504088896341;
const LN2_HI: f32 = 0.693359375; // 0x3F318000: 12 significant bits
const LN2_LO: f32 = -2.12194440e-4; // ln 2 − LN2_HI
const P0: f32 = 0.499992311000824;
const P1: f32 = 0.16667115688323975;
const P2: f32 = 0.04189033433794975;
const P3: f32 = 0.008312503807246685;
const T_LO: f32 = -120.0;
const SHIFTER: f32 = 12582912.0; // 1.5·2^23
/** silu and gelu multiply by x: clamped below here, where the result is −0 anyway, so −∞·0 never happens. */
const X_LO: f32 = -1.0e4;
/** 2u = x·(GT_A + GT_B·x²) for gelu tanh: 2√(2/π) and 2√(2/π)·0.044715. */
const GT_A: f32 = 1.5957691216057308;
const GT_B: f32 = 0.07135481627159168;
/**
 * tanh(x) = x·A(x²)/B(x²) on [−9, 9] (x clamped there), Eigen's and MLAS's rational form (no exp):
 * α₁…α₁₃, β₀…β₆ as published in onnxruntime/core/mlas/lib/tanh.cpp. Below 4e-4, tanh(x) = x
 * within a third of an ulp (and the rational form would lose subnormal x's bits in x·α₁).
 */
const TA13: f32 = -2.76076847742355e-16;
const TA11: f32 = 2.00018790482477e-13;
const TA9: f32 = -8.60467152213735e-11;
const TA7: f32 = 5.12229709037114e-08;
const TA5: f32 = 1.48572235717979e-05;
const TA3: f32 = 6.37261928875436e-04;
const TA1: f32 = 4.89352455891786e-03;
const TB6: f32 = 1.19825839466702e-06;
const TB4: f32 = 1.18534705686654e-04;
const TB2: f32 = 2.26843463243900e-03;
const TB0: f32 = 4.89352518554385e-03;
const TANH_CLAMP: f32 = 9.0;
const TANH_TINY: f32 = 4.0e-4;

// Constants: V8 rematerialises a v128.const at every use inside a loop (see transcendental.ts,
// "Speed"), so each kernel makes its constants on entry as locals Binaryen cannot fold back into
// constants (splat OR a zero derived from n) and passes them down to the inlined per-vector code.
// Locals rather than mutable globals: a global is reloaded at every use (one load into a fresh
// vector register per use, per vector), while V8 keeps a local in a register or one spill slot; with two
// independent vectors per iteration as well, that took the kernels alone on an L1-resident chunk
// from ≈ 30 to ≈ 23 cycles per vector (bench/transcendental-floor.mjs, Node 20, 2026-12-02; under
// Node 24 the globals' version was already near that, and the change is 0–20 % there).
// The tails after the main loop use every constant too, which keeps V8 from computing them inside
// the loop (transcendental.ts, "Speed").

/** The kinds of num·σ(s) kernel (compile-time constants: each kernel's loop keeps only its own code). */
const SIGMOID = 0;
const SILU = 1;
const GELU_TANH = 2;

/**
 * num·σ(s), four lanes: num·q/(1 + e)·(s2 or 1), e = e^(−|s|) = er·2^k, 2^k = s1·s2,
 * q = er·s1 for s < 0 (then num·σ(s) = num·e/(1 + e)) and 1 for s ≥ 0 (including ±0 and NaN,
 * which the quotient keeps). The kernel's kind gives num and s from x:
 *  - sigmoid: 1·σ(x) (the multiply by num is left out);
 *  - silu: x·σ(x), x clamped at X_LO in the product only, so silu(−∞) = −0 (the exact path's value);
 *  - gelu tanh: x·σ(2u), 2u = x·(2√(2/π) + 2√(2/π)·0.044715·x²), all in float32: 2u's roundings
 *    (about 3·2^-24 relative) become an error of about |2u|·3·2^-24 in σ(2u) far in the negative
 *    tail, which is what the declared bound allows for. x² = ∞ for huge |x| gives 2u = ±∞, which σ
 *    maps to 0 or 1 as the exact value does.
 */
// @ts-ignore: decorator
@inline function sigmoidFamilyV(
  x: v128, kind: i32,
  cSIGN: v128, cT_LO: v128, cLOG2E: v128, cSHIFTER: v128, cLN2_HI: v128, cLN2_LO: v128,
  cP0: v128, cP1: v128, cP2: v128, cP3: v128, cONE: v128, cZERO: v128, cBIAS: v128,
  cX_LO: v128, cGT_A: v128, cGT_B: v128,
): v128 {
  const s = kind == GELU_TANH ? f32x4.mul(x, f32x4.add(cGT_A, f32x4.mul(cGT_B, f32x4.mul(x, x)))) : x;
  const t = f32x4.pmax(v128.or(s, cSIGN), cT_LO); // pmax: t < T_LO ? T_LO : t, one instruction, NaN kept
  // k = nearest(t·log2 e) by the shifter: adding 1.5·2^23 rounds to an integer, which then sits in
  // the low bits of the sum's pattern (no nearest/trunc_sat, which cost several x64 instructions).
  const j = f32x4.add(f32x4.mul(t, cLOG2E), cSHIFTER);
  const k = f32x4.sub(j, cSHIFTER);
  const ki = i32x4.sub(j, cSHIFTER);
  const r = f32x4.sub(f32x4.sub(t, f32x4.mul(k, cLN2_HI)), f32x4.mul(k, cLN2_LO));
  const p = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(cP3, r), cP2), r), cP1), r), cP0);
  const er = f32x4.add(f32x4.add(cONE, r), f32x4.mul(f32x4.mul(r, r), p));
  // Off the chain from er (the integer work overlaps the polynomial): k1 = ⌊k/2⌋, k2 = k − k1, and
  // the scale factors, those that are 1 for s ≥ 0 selected by an integer mask on the exponent
  // (one AND where a bitselect is three x64 instructions).
  const neg = f32x4.lt(s, cZERO);
  const k1 = i32x4.shr_s(ki, 1);
  const k2 = i32x4.sub(ki, k1);
  const s1 = i32x4.shl(i32x4.add(k1, cBIAS), 23);
  const s2 = i32x4.shl(i32x4.add(k2, cBIAS), 23);
  const s1neg = i32x4.shl(i32x4.add(v128.and(k1, neg), cBIAS), 23); // s1 (s < 0) or 1
  const s2neg = i32x4.shl(i32x4.add(v128.and(k2, neg), cBIAS), 23); // s2 (s < 0) or 1
  // e = er·2^k as er·(s1·s2): s1·s2 = 2^k exactly down to 2^−149 (a subnormal power of two), so for
  // k ≥ −149 this is the one rounding of er·2^k that (er·s1)·s2 makes (er·s1 is exact), and below,
  // where s1·s2 rounds to 0, 1 + e = 1 either way: the same bits with one multiply fewer on the
  // chain to the division.
  const den = f32x4.add(cONE, f32x4.mul(er, f32x4.mul(s1, s2)));
  // The numerator num·q: for s < 0, er·(num·s1) rounds the same product once as num·(er·s1) would
  // (both scalings by s1 ≤ 1 are exact: |num·s1| stays normal for every input, since k ≠ 0 needs |s| > ⅓ and so |num| > 0.1).
  const erNeg = v128.bitselect(er, cONE, neg);
  const numer = kind == SIGMOID ? f32x4.mul(erNeg, s1neg) : f32x4.mul(erNeg, f32x4.mul(f32x4.pmax(x, cX_LO), s1neg));
  return f32x4.mul(f32x4.div(numer, den), s2neg);
}

// @ts-ignore: decorator
@inline function ld(p: usize): v128 { return v128.load(p); }
// @ts-ignore: decorator
@inline function ld1(p: usize): v128 { return v128.load32_zero(p); }
// @ts-ignore: decorator
@inline function st1(p: usize, v: v128): void { v128.store32_lane(p, v, 0); }

/**
 * The loop of the num·σ(s) kernels: two independent vectors per iteration (their chains overlap;
 * four measured no faster), then one, then one element at a time.
 */
// @ts-ignore: decorator
@inline function sigmoidFamily(x: usize, y: usize, n: i32, kind: i32): void {
  const z = opaqueZero(n);
  const cSIGN = v128.or(i32x4.splat(0x80000000), z); const cT_LO = opaqueSplat(T_LO, z);
  const cLOG2E = opaqueSplat(LOG2E, z); const cSHIFTER = opaqueSplat(SHIFTER, z);
  const cLN2_HI = opaqueSplat(LN2_HI, z); const cLN2_LO = opaqueSplat(LN2_LO, z);
  const cP0 = opaqueSplat(P0, z); const cP1 = opaqueSplat(P1, z); const cP2 = opaqueSplat(P2, z); const cP3 = opaqueSplat(P3, z);
  const cONE = opaqueSplat(1.0, z); const cZERO = z; const cBIAS = v128.or(i32x4.splat(127), z);
  const cX_LO = opaqueSplat(X_LO, z); const cGT_A = opaqueSplat(GT_A, z); const cGT_B = opaqueSplat(GT_B, z);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = sigmoidFamilyV(ld(x + o), kind, cSIGN, cT_LO, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3, cONE, cZERO, cBIAS, cX_LO, cGT_A, cGT_B);
    const b = sigmoidFamilyV(ld(x + o + 16), kind, cSIGN, cT_LO, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3, cONE, cZERO, cBIAS, cX_LO, cGT_A, cGT_B);
    v128.store(y + o, a);
    v128.store(y + o + 16, b);
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    v128.store(y + o, sigmoidFamilyV(ld(x + o), kind, cSIGN, cT_LO, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3, cONE, cZERO, cBIAS, cX_LO, cGT_A, cGT_B));
    i += 4;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st1(y + o, sigmoidFamilyV(ld1(x + o), kind, cSIGN, cT_LO, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3, cONE, cZERO, cBIAS, cX_LO, cGT_A, cGT_B));
  }
}

/** σ(x) = 1/(1 + e^−x): σ(±0) = ½, σ(+∞) = 1, σ(−∞) = 0. */
export function sigmoid_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { sigmoidFamily(x, y, n, SIGMOID); }

/** silu with β = 1 only (the caller keeps the exact kernel for any other β). */
export function silu_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { sigmoidFamily(x, y, n, SILU); }

/** gelu (tanh) = ½x(1 + tanh(u)) = x·σ(2u), u = √(2/π)(x + 0.044715x³). */
export function gelu_tanh_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { sigmoidFamily(x, y, n, GELU_TANH); }

/**
 * tanh(x) = x·A(x²)/B(x²) with x clamped to [−9, 9] (pmin/pmax keep NaN), the quotient clamped to
 * [−1, 1] (so ±∞ and every |x| ≥ 9 give ±1, as the exact value rounds to), and x itself below 4e-4
 * (tanh(±0) = ±0, subnormals kept).
 */
// @ts-ignore: decorator
@inline function tanhV(
  x: v128,
  cTA13: v128, cTA11: v128, cTA9: v128, cTA7: v128, cTA5: v128, cTA3: v128, cTA1: v128,
  cTB6: v128, cTB4: v128, cTB2: v128, cTB0: v128,
  cHI: v128, cLO: v128, cTINY: v128, cONE: v128, cMINUS_ONE: v128,
): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, cHI), cLO);
  const z = f32x4.mul(c, c);
  let a = f32x4.add(f32x4.mul(cTA13, z), cTA11);
  a = f32x4.add(f32x4.mul(a, z), cTA9);
  a = f32x4.add(f32x4.mul(a, z), cTA7);
  a = f32x4.add(f32x4.mul(a, z), cTA5);
  a = f32x4.add(f32x4.mul(a, z), cTA3);
  a = f32x4.mul(f32x4.add(f32x4.mul(a, z), cTA1), c);
  let b = f32x4.add(f32x4.mul(cTB6, z), cTB4);
  b = f32x4.add(f32x4.mul(b, z), cTB2);
  b = f32x4.add(f32x4.mul(b, z), cTB0);
  const r = f32x4.pmax(f32x4.pmin(f32x4.div(a, b), cONE), cMINUS_ONE);
  return v128.bitselect(x, r, f32x4.lt(f32x4.abs(x), cTINY));
}

export function tanh_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero(n);
  const cTA13 = opaqueSplat(TA13, z); const cTA11 = opaqueSplat(TA11, z); const cTA9 = opaqueSplat(TA9, z); const cTA7 = opaqueSplat(TA7, z);
  const cTA5 = opaqueSplat(TA5, z); const cTA3 = opaqueSplat(TA3, z); const cTA1 = opaqueSplat(TA1, z);
  const cTB6 = opaqueSplat(TB6, z); const cTB4 = opaqueSplat(TB4, z); const cTB2 = opaqueSplat(TB2, z); const cTB0 = opaqueSplat(TB0, z);
  const cHI = opaqueSplat(TANH_CLAMP, z); const cLO = opaqueSplat(-TANH_CLAMP, z); const cTINY = opaqueSplat(TANH_TINY, z);
  const cONE = opaqueSplat(1.0, z); const cMINUS_ONE = opaqueSplat(-1.0, z);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = tanhV(ld(x + o), cTA13, cTA11, cTA9, cTA7, cTA5, cTA3, cTA1, cTB6, cTB4, cTB2, cTB0, cHI, cLO, cTINY, cONE, cMINUS_ONE);
    const b = tanhV(ld(x + o + 16), cTA13, cTA11, cTA9, cTA7, cTA5, cTA3, cTA1, cTB6, cTB4, cTB2, cTB0, cHI, cLO, cTINY, cONE, cMINUS_ONE);
    v128.store(y + o, a);
    v128.store(y + o + 16, b);
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    v128.store(y + o, tanhV(ld(x + o), cTA13, cTA11, cTA9, cTA7, cTA5, cTA3, cTA1, cTB6, cTB4, cTB2, cTB0, cHI, cLO, cTINY, cONE, cMINUS_ONE));
    i += 4;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st1(y + o, tanhV(ld1(x + o), cTA13, cTA11, cTA9, cTA7, cTA5, cTA3, cTA1, cTB6, cTB4, cTB2, cTB0, cHI, cLO, cTINY, cONE, cMINUS_ONE));
  }
}

/**
 * gelu (erf) = x·Φ(x), Φ(x) = ½·erfc(−x/√2), in float32 lanes. For z = |x|/√2 (x clamped to
 * ±GE_CLAMP, past which the result is x or −0 in float32), Numerical Recipes' erfcc (Press et al.,
 * §6.2, a Chebyshev fit with fractional error below 1.2e-7 for every z ≥ 0):
 *   erfc(z) = t·e^a, t = 1/(1 + z/2), a = −z² + R(t), R a polynomial of degree 9,
 * so E = ½·erfc(z) = ½t·e^a keeps its relative accuracy deep into the tail. −z² = −x²/2 is taken
 * exactly enough: x = xh + xl with xh x's top 12 significand bits (xh² exact in float32), so
 * a = −xh²/2 + (R(t) − xl·(x + xh)/2), and the Cody–Waite reduction subtracts k·LN2_HI from the
 * exact part first (k ≥ 4 there, so by Sterbenz' lemma without error) before adding the small
 * part — the rounding of x² alone would cost up to x²·2^-24 relative (about 100 ulp at x = −14).
 * e^a = er·2^k as in sigmoidFamilyV (2^k = s1·s2, the product scaled by s2 last, so a subnormal
 * result is rounded once). Then y = x·E for x ≤ 0, x clamped at −GE_CLAMP in that product (E is
 * computed at the clamped x, so it is −0 below, and gelu(−∞) = −0), and x·(1 − E) for x > 0 (1 − E
 * ≥ ½ loses nothing that matters; x − x·E would round the smallest subnormals' halves twice).
 * x ≤ 0 (not < 0) keeps gelu(−0) = −0. NaN propagates (pmin/pmax keep it, and so do the products).
 */
const GE_CLAMP: f32 = 14.5; // |x·Φ(x)| < 2^-150 below −14.5: −0, and Φ(x) rounds to 1 long before +14.5
const GE_HALF_RSQRT2: f32 = 0.35355339059327373; // 1/(2√2): t = 1/(1 + |x|·this)
const GE_R0: f32 = -1.26551223;
const GE_R1: f32 = 1.00002368;
const GE_R2: f32 = 0.37409196;
const GE_R3: f32 = 0.09678418;
const GE_R4: f32 = -0.18628806;
const GE_R5: f32 = 0.27886807;
const GE_R6: f32 = -1.13520398;
const GE_R7: f32 = 1.48851587;
const GE_R8: f32 = -0.82215223;
const GE_R9: f32 = 0.17087277;

// @ts-ignore: decorator
@inline function geluErfV(
  x: v128,
  cHI: v128, cLO: v128, cHALF_RSQRT2: v128, cHALF: v128, cONE: v128, cZERO: v128, cSPLIT: v128, cBIAS: v128,
  cR0: v128, cR1: v128, cR2: v128, cR3: v128, cR4: v128, cR5: v128, cR6: v128, cR7: v128, cR8: v128, cR9: v128,
  cLOG2E: v128, cSHIFTER: v128, cLN2_HI: v128, cLN2_LO: v128, cP0: v128, cP1: v128, cP2: v128, cP3: v128,
): v128 {
  const xc = f32x4.pmax(f32x4.pmin(x, cHI), cLO);
  const t = f32x4.div(cONE, f32x4.add(cONE, f32x4.mul(f32x4.abs(xc), cHALF_RSQRT2)));
  // R(t) by Estrin's scheme (pairs, then t², t⁴, t⁸): six operations deep where Horner's is
  // eighteen, and this kernel waits on its chain (the division, R, then the exponential).
  const t2 = f32x4.mul(t, t);
  const t4 = f32x4.mul(t2, t2);
  const r01 = f32x4.add(f32x4.mul(cR1, t), cR0), r23 = f32x4.add(f32x4.mul(cR3, t), cR2);
  const r45 = f32x4.add(f32x4.mul(cR5, t), cR4), r67 = f32x4.add(f32x4.mul(cR7, t), cR6);
  const r89 = f32x4.add(f32x4.mul(cR9, t), cR8);
  const r03 = f32x4.add(f32x4.mul(r23, t2), r01);
  const r47 = f32x4.add(f32x4.mul(r67, t2), r45);
  const rt = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(r89, t4), r47), t4), r03);
  const xh = v128.and(xc, cSPLIT);
  const xl = f32x4.sub(xc, xh);
  const aHi = f32x4.mul(f32x4.mul(xh, xh), cHALF); // −(this) is the exact part; negated below
  const aLo = f32x4.sub(rt, f32x4.mul(f32x4.mul(xl, f32x4.add(xc, xh)), cHALF));
  const j = f32x4.add(f32x4.mul(f32x4.sub(aLo, aHi), cLOG2E), cSHIFTER);
  const k = f32x4.sub(j, cSHIFTER);
  const ki = i32x4.sub(j, cSHIFTER);
  const r = f32x4.sub(f32x4.add(f32x4.sub(f32x4.neg(aHi), f32x4.mul(k, cLN2_HI)), aLo), f32x4.mul(k, cLN2_LO));
  const p = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(cP3, r), cP2), r), cP1), r), cP0);
  const er = f32x4.add(f32x4.add(cONE, r), f32x4.mul(f32x4.mul(r, r), p));
  const k1 = i32x4.shr_s(ki, 1);
  const s1 = i32x4.shl(i32x4.add(k1, cBIAS), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ki, k1), cBIAS), 23);
  const xm = f32x4.pmax(x, cLO);
  const h = f32x4.mul(f32x4.mul(t, cHALF), er);
  const below = f32x4.mul(f32x4.mul(f32x4.mul(xm, h), s1), s2);
  const above = f32x4.mul(x, f32x4.sub(cONE, f32x4.mul(f32x4.mul(h, s1), s2)));
  return v128.bitselect(below, above, f32x4.le(x, cZERO));
}

export function gelu_erf_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero(n);
  const cHI = opaqueSplat(GE_CLAMP, z); const cLO = opaqueSplat(-GE_CLAMP, z);
  const cHALF_RSQRT2 = opaqueSplat(GE_HALF_RSQRT2, z); const cHALF = opaqueSplat(0.5, z); const cONE = opaqueSplat(1.0, z);
  const cSPLIT = v128.or(i32x4.splat(0xFFFFF000), z); const cBIAS = v128.or(i32x4.splat(127), z);
  const cR0 = opaqueSplat(GE_R0, z); const cR1 = opaqueSplat(GE_R1, z); const cR2 = opaqueSplat(GE_R2, z); const cR3 = opaqueSplat(GE_R3, z);
  const cR4 = opaqueSplat(GE_R4, z); const cR5 = opaqueSplat(GE_R5, z); const cR6 = opaqueSplat(GE_R6, z); const cR7 = opaqueSplat(GE_R7, z);
  const cR8 = opaqueSplat(GE_R8, z); const cR9 = opaqueSplat(GE_R9, z);
  const cLOG2E = opaqueSplat(LOG2E, z); const cSHIFTER = opaqueSplat(SHIFTER, z);
  const cLN2_HI = opaqueSplat(LN2_HI, z); const cLN2_LO = opaqueSplat(LN2_LO, z);
  const cP0 = opaqueSplat(P0, z); const cP1 = opaqueSplat(P1, z); const cP2 = opaqueSplat(P2, z); const cP3 = opaqueSplat(P3, z);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const o = <usize>i << 2;
    const a = geluErfV(ld(x + o), cHI, cLO, cHALF_RSQRT2, cHALF, cONE, z, cSPLIT, cBIAS, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3);
    const b = geluErfV(ld(x + o + 16), cHI, cLO, cHALF_RSQRT2, cHALF, cONE, z, cSPLIT, cBIAS, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3);
    v128.store(y + o, a);
    v128.store(y + o + 16, b);
  }
  if (i + 4 <= n) {
    const o = <usize>i << 2;
    v128.store(y + o, geluErfV(ld(x + o), cHI, cLO, cHALF_RSQRT2, cHALF, cONE, z, cSPLIT, cBIAS, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3));
    i += 4;
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    st1(y + o, geluErfV(ld1(x + o), cHI, cLO, cHALF_RSQRT2, cHALF, cONE, z, cSPLIT, cBIAS, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cLOG2E, cSHIFTER, cLN2_HI, cLN2_LO, cP0, cP1, cP2, cP3));
  }
}
