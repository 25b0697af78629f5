// The `precision: 'fast'` kernels: float32 in and out, computed in float32 SIMD lanes (f32x4, four
// elements per instruction where transcendental.ts's exact kernels get two), after oneMKL VM's
// lower-accuracy modes. Each op's bound, in float32 ulps against the exact value, is declared by
// the CPU backend (capabilities.fastPrecision) and checked by the conformance suite; the measured
// worst cases are in the kernels-wasm README.
//
// Every kernel but tanh is num·σ(s) for some s (sigmoid: 1·σ(x); silu: x·σ(x); gelu tanh: x·σ(2u)), computed as num·q/(1 + e) with e = e^(−|s|) and q = e (s < 0) or 1 (s ≥ 0):
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
// Four elements per iteration, then one at a time for the tail.

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

// Constants as v128 globals written on entry (see transcendental.ts, "Speed": V8 rematerialises a
// v128.const at every use inside a loop; a global is one load).
let gLOG2E: v128 = i32x4.splat(0);
let gLN2_HI: v128 = i32x4.splat(0);
let gLN2_LO: v128 = i32x4.splat(0);
let gP0: v128 = i32x4.splat(0);
let gP1: v128 = i32x4.splat(0);
let gP2: v128 = i32x4.splat(0);
let gP3: v128 = i32x4.splat(0);
let gT_LO: v128 = i32x4.splat(0);
let gSHIFTER: v128 = i32x4.splat(0);
let gONE: v128 = i32x4.splat(0);
let gBIAS: v128 = i32x4.splat(0);
let gSIGN: v128 = i32x4.splat(0);
let gZERO: v128 = i32x4.splat(0);
let gX_LO: v128 = i32x4.splat(0);
let gGT_A: v128 = i32x4.splat(0);
let gGT_B: v128 = i32x4.splat(0);
let gTA13: v128 = i32x4.splat(0);
let gTA11: v128 = i32x4.splat(0);
let gTA9: v128 = i32x4.splat(0);
let gTA7: v128 = i32x4.splat(0);
let gTA5: v128 = i32x4.splat(0);
let gTA3: v128 = i32x4.splat(0);
let gTA1: v128 = i32x4.splat(0);
let gTB6: v128 = i32x4.splat(0);
let gTB4: v128 = i32x4.splat(0);
let gTB2: v128 = i32x4.splat(0);
let gTB0: v128 = i32x4.splat(0);
let gTANH_HI: v128 = i32x4.splat(0);
let gTANH_LO: v128 = i32x4.splat(0);
let gTANH_TINY: v128 = i32x4.splat(0);
let gMINUS_ONE: v128 = i32x4.splat(0);

/** A zero Binaryen cannot prove to be zero (n is never negative). */
// @ts-ignore: decorator
@inline function opaqueZero(n: i32): v128 { return i32x4.splat(<i32>(<u32>n >>> 31)); }
// @ts-ignore: decorator
@inline function opaqueSplat(c: f32, z: v128): v128 { return v128.or(f32x4.splat(c), z); }

// @ts-ignore: decorator
@inline function initExp(n: i32): void {
  const z = opaqueZero(n);
  gLOG2E = opaqueSplat(LOG2E, z); gLN2_HI = opaqueSplat(LN2_HI, z); gLN2_LO = opaqueSplat(LN2_LO, z);
  gP0 = opaqueSplat(P0, z); gP1 = opaqueSplat(P1, z); gP2 = opaqueSplat(P2, z); gP3 = opaqueSplat(P3, z);
  gT_LO = opaqueSplat(T_LO, z); gSHIFTER = opaqueSplat(SHIFTER, z); gONE = opaqueSplat(1.0, z);
  gBIAS = v128.or(i32x4.splat(127), z);
  gSIGN = v128.or(i32x4.splat(0x80000000), z);
  gZERO = z;
  gX_LO = opaqueSplat(X_LO, z); gGT_A = opaqueSplat(GT_A, z); gGT_B = opaqueSplat(GT_B, z);
}

/**
 * num·σ(s), four lanes: num·q/(1 + e)·(s2 or 1), e = e^(−|s|) = m·s2, q = m for s < 0 (then
 * num·σ(s) = num·e/(1 + e)) and 1 for s ≥ 0 (including ±0 and NaN, which the quotient keeps).
 * `one` says num is 1 (sigmoid: the multiply is left out).
 */
// @ts-ignore: decorator
@inline function numTimesSigmoid(num: v128, s: v128, one: bool): v128 {
  const t = f32x4.pmax(v128.or(s, gSIGN), gT_LO); // pmax: t < T_LO ? T_LO : t, one instruction, NaN kept
  // k = nearest(t·log2 e) by the shifter: adding 1.5·2^23 rounds to an integer, which then sits in
  // the low bits of the sum's pattern (no nearest/trunc_sat, which cost several x64 instructions).
  const j = f32x4.add(f32x4.mul(t, gLOG2E), gSHIFTER);
  const k = f32x4.sub(j, gSHIFTER);
  const ki = i32x4.sub(j, gSHIFTER);
  const r = f32x4.sub(f32x4.sub(t, f32x4.mul(k, gLN2_HI)), f32x4.mul(k, gLN2_LO));
  const p = f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(gP3, r), gP2), r), gP1), r), gP0);
  const er = f32x4.add(f32x4.add(gONE, r), f32x4.mul(f32x4.mul(r, r), p));
  const k1 = i32x4.shr_s(ki, 1);
  const s1 = i32x4.shl(i32x4.add(k1, gBIAS), 23);
  const s2 = i32x4.shl(i32x4.add(i32x4.sub(ki, k1), gBIAS), 23);
  const m = f32x4.mul(er, s1);
  const den = f32x4.add(gONE, f32x4.mul(m, s2));
  const neg = f32x4.lt(s, gZERO);
  const q = v128.bitselect(m, gONE, neg);
  const numer = one ? q : f32x4.mul(num, q);
  return f32x4.mul(f32x4.div(numer, den), v128.bitselect(s2, gONE, neg));
}

// @ts-ignore: decorator
@inline function ld(p: usize): v128 { return v128.load(p); }
// @ts-ignore: decorator
@inline function ld1(p: usize): v128 { return v128.load32_zero(p); }
// @ts-ignore: decorator
@inline function st1(p: usize, v: v128): void { v128.store32_lane(p, v, 0); }

// @ts-ignore: decorator
@inline function sigmoidV(x: v128): v128 { return numTimesSigmoid(gONE, x, true); }

/** σ(x) = 1/(1 + e^−x): σ(±0) = ½, σ(+∞) = 1, σ(−∞) = 0. */
export function sigmoid_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  initExp(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, sigmoidV(ld(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; st1(y + o, sigmoidV(ld1(x + o))); }
}

/** x·σ(x); x is clamped at X_LO in the product only, so silu(−∞) = −0 (the exact path's value). */
// @ts-ignore: decorator
@inline function siluV(x: v128): v128 { return numTimesSigmoid(f32x4.pmax(x, gX_LO), x, false); }

/** silu with β = 1 only (the caller keeps the exact kernel for any other β). */
export function silu_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  initExp(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, siluV(ld(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; st1(y + o, siluV(ld1(x + o))); }
}

/**
 * gelu (tanh) = ½x(1 + tanh(u)) = x·σ(2u), 2u = x·(2√(2/π) + 2√(2/π)·0.044715·x²), all in float32:
 * 2u's roundings (about 3·2^-24 relative) become an error of about |2u|·3·2^-24 in σ(2u) far in the
 * negative tail, which is what the declared bound allows for. x² = ∞ for huge |x| gives 2u = ±∞,
 * which σ maps to 0 or 1 as the exact value does.
 */
// @ts-ignore: decorator
@inline function geluTanhV(x: v128): v128 {
  const s = f32x4.mul(x, f32x4.add(gGT_A, f32x4.mul(gGT_B, f32x4.mul(x, x))));
  return numTimesSigmoid(f32x4.pmax(x, gX_LO), s, false);
}

export function gelu_tanh_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  initExp(n);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, geluTanhV(ld(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; st1(y + o, geluTanhV(ld1(x + o))); }
}

/**
 * tanh(x) = x·A(x²)/B(x²) with x clamped to [−9, 9] (pmin/pmax keep NaN), the quotient clamped to
 * [−1, 1] (so ±∞ and every |x| ≥ 9 give ±1, as the exact value rounds to), and x itself below 4e-4
 * (tanh(±0) = ±0, subnormals kept).
 */
// @ts-ignore: decorator
@inline function tanhV(x: v128): v128 {
  const c = f32x4.pmax(f32x4.pmin(x, gTANH_HI), gTANH_LO);
  const z = f32x4.mul(c, c);
  let a = f32x4.add(f32x4.mul(gTA13, z), gTA11);
  a = f32x4.add(f32x4.mul(a, z), gTA9);
  a = f32x4.add(f32x4.mul(a, z), gTA7);
  a = f32x4.add(f32x4.mul(a, z), gTA5);
  a = f32x4.add(f32x4.mul(a, z), gTA3);
  a = f32x4.mul(f32x4.add(f32x4.mul(a, z), gTA1), c);
  let b = f32x4.add(f32x4.mul(gTB6, z), gTB4);
  b = f32x4.add(f32x4.mul(b, z), gTB2);
  b = f32x4.add(f32x4.mul(b, z), gTB0);
  const r = f32x4.pmax(f32x4.pmin(f32x4.div(a, b), gONE), gMINUS_ONE);
  return v128.bitselect(x, r, f32x4.lt(f32x4.abs(x), gTANH_TINY));
}

export function tanh_fast_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero(n);
  gTA13 = opaqueSplat(TA13, z); gTA11 = opaqueSplat(TA11, z); gTA9 = opaqueSplat(TA9, z); gTA7 = opaqueSplat(TA7, z);
  gTA5 = opaqueSplat(TA5, z); gTA3 = opaqueSplat(TA3, z); gTA1 = opaqueSplat(TA1, z);
  gTB6 = opaqueSplat(TB6, z); gTB4 = opaqueSplat(TB4, z); gTB2 = opaqueSplat(TB2, z); gTB0 = opaqueSplat(TB0, z);
  gTANH_HI = opaqueSplat(TANH_CLAMP, z); gTANH_LO = opaqueSplat(-TANH_CLAMP, z); gTANH_TINY = opaqueSplat(TANH_TINY, z);
  gONE = opaqueSplat(1.0, z); gMINUS_ONE = opaqueSplat(-1.0, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) { const o = <usize>i << 2; v128.store(y + o, tanhV(ld(x + o))); }
  for (; i < n; i++) { const o = <usize>i << 2; st1(y + o, tanhV(ld1(x + o))); }
}
