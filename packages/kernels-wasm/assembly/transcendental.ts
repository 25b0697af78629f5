// Transcendental activations: float32 in and out, computed in float64 SIMD lanes (f64x2).
//
// Accuracy: every float32 result is within 1 ulp of the float64 reference (@rectifier/core)
// rounded to float32, over the whole float32 range. The float64 computation below has a relative
// error of a few 1e-9 at most; the bound that guarantees the contract is 2^-25 ≈ 3e-8 (then
// |y' − y| ≤ ½ ulp(y), and rounding y' lands at most 1 ulp from fround(y)). Special values (NaN,
// ±0, ±∞, the saturated tails) give exactly the reference's float32 value, sign of zero included.
//
// Building blocks (coefficients fitted by scripts/fit-transcendental.py, which writes them as
// transcendental.generated.ts):
//  - 2^u = 2^k·2^f, k = round(u) by the 1.5·2^52 shifter, |f| ≤ ½, 2^f = 1 + f·P5(f) (4.5e-9
//    relative; the constant term is exactly 1, so σ(tiny) is exactly ½ as in the reference), 2^k
//    put in by adding k << 52 to the bit pattern. e^x is 2^(x·log2 e), log2 e folded into the
//    kernel's own multiplier. Each kernel clamps x (or u) so that u stays within [−1010, 1000]:
//    2^u is then always a normal float64 (no overflow/underflow/subnormal paths in the exp), and
//    the clamp is placed where the clamped value still gives the reference's float32 result (each
//    kernel's comment says why); the few lanes where it would not are fixed up with masks.
//  - log1p(u), u ∈ [0, 1] (softplus): 2·atanh(s), s = u/(2+u) ∈ [0, 1/3], atanh(s)/s a degree-5
//    polynomial in s² (1e-10).
//  - Φ(−a) = e^(−a²/2)·R(t), t = 1/(1 + a/4), R a degree-10 polynomial in t fitted on a ∈ [0, 15]
//    (8.4e-9; with the exp's 4.5e-9 still 2.3× inside 2^−25; degree 9 gives 3.4e-8, too much),
//    its R(1) exactly ½ in float64;
//    a² is exact in float64 (a is a float32), so e^(−a²/2) keeps its relative accuracy.
//    Φ(x) = x < 0 ? Φ(−|x|) : 1 − Φ(−|x|).
//  - gelu′(x) = Φ(x) + xφ(x) = e^(−a²/2)·G(a) (x < 0), 1 − e^(−a²/2)·G(a) (x ≥ 0), with
//    G(a) = R(a) − a/√(2π) = (a − a0)·H(t), H of degree 11 fitted on a ∈ [0, 20.75] (1.9e-11): the
//    root a0 is factored out (a0 as two doubles), so gelu′ keeps its relative accuracy next to its
//    zero at x ≈ −0.7518.
//
// Speed: V8 (TurboFan, x64) materialises every v128.const at each use inside a loop (a 64-bit
// immediate moved to a GPR, then to an XMM register, then duplicated: three instructions and a
// GPR→XMM transfer each), which made the constants the bottleneck. So the kernels make their
// constants on entry from values Binaryen cannot fold back into constants (splat OR a zero derived
// from n) and keep them in locals, passed down to the inlined per-vector code. A local stays in a
// register or in one spill slot; a mutable global (the earlier scheme, still used by the kernels
// not yet converted: softplus, silu's tiny-β path, the gradient) is reloaded at every use (one load
// into a fresh vector register per use per vector, never shared between uses). Without those loads,
// on an L1-resident chunk (bench/transcendental-floor.mjs, Node 20, 2026-12-02) sigmoid went from
// ≈ 38 to ≈ 26 cycles per four elements, gelu (tanh) from ≈ 45 to ≈ 33, gelu (erf) from ≈ 85 to
// ≈ 72, with the same bits (under Node 24, whose V8 already ran the globals' version about that
// fast, the change is within ±15 % either way: kernels-wasm README, "Constants in locals").
// V8 computes such a local where it is used, so it must be used outside the loop too or it lands
// inside it: every kernel here has a tail after its main loop that uses every constant, which is
// what makes TurboFan compute them once before the loop (bench/floor.ts shows the other case).
//
// Memory: x, y (and dy, dx) are byte offsets; y may alias x (dx may alias dy): every element is
// loaded before it is stored. Four elements per iteration (two f64x2), then 2 and 1 for the tail.

import {
  A0_HI, A0_LO, E0, E1, E2, E3, E4, E5, E6, GELU_P,
  H0, H1, H10, H11, H2, H3, H4, H5, H6, H7, H8, H9,
  L0, L1, L2, L3, L4, L5,
  R0, R1, R10, R2, R3, R4, R5, R6, R7, R8, R9,
} from './transcendental.generated';
import { opaqueSplat64, opaqueZero64 } from './opaque';

const LOG2E: f64 = 1.4426950408889634;
const SHIFTER: f64 = 6755399441055744.0; // 1.5·2^52: u + SHIFTER rounds u to an integer in the low bits
const SQRT_2_OVER_PI: f64 = 0.7978845608028654;
const GELU_TANH_COEFF: f64 = 0.044715;
/** −2·log2 e·√(2/π): gelu (tanh)'s exponent per unit of x. */
const GELU_TANH_C1: f64 = -2.0 * LOG2E * SQRT_2_OVER_PI;
/** Just above float32's largest finite value: x clamped to ±X_CLAMP is x for every finite float32, and ±∞ → ±X_CLAMP still rounds back to ±∞. */
const X_CLAMP: f64 = 3.5e38;
/**
 * The largest float32 x where the float64 reference gelu′(x) is exactly zero (x·φ(x) + Φ(x) below
 * the smallest subnormal double; the reference computes it to 1 ulp, so down to −38.674766540527344
 * it is a negative subnormal, whose product with dy rounds to −0 in float32).
 */
const GELU_GRAD_ZERO_AT: f64 = -38.67477035522461;

// ---------- constants as v128 globals (see "Speed" above) ----------

let gE0: v128 = i64x2.splat(0);
let gE1: v128 = i64x2.splat(0);
let gE2: v128 = i64x2.splat(0);
let gE3: v128 = i64x2.splat(0);
let gE4: v128 = i64x2.splat(0);
let gE5: v128 = i64x2.splat(0);
let gE6: v128 = i64x2.splat(0);
let gL0: v128 = i64x2.splat(0);
let gL1: v128 = i64x2.splat(0);
let gL2: v128 = i64x2.splat(0);
let gL3: v128 = i64x2.splat(0);
let gL4: v128 = i64x2.splat(0);
let gL5: v128 = i64x2.splat(0);
let gGELU_P: v128 = i64x2.splat(0);
let gA0_HI: v128 = i64x2.splat(0);
let gA0_LO: v128 = i64x2.splat(0);
let gH0: v128 = i64x2.splat(0);
let gH1: v128 = i64x2.splat(0);
let gH2: v128 = i64x2.splat(0);
let gH3: v128 = i64x2.splat(0);
let gH4: v128 = i64x2.splat(0);
let gH5: v128 = i64x2.splat(0);
let gH6: v128 = i64x2.splat(0);
let gH7: v128 = i64x2.splat(0);
let gH8: v128 = i64x2.splat(0);
let gH9: v128 = i64x2.splat(0);
let gH10: v128 = i64x2.splat(0);
let gH11: v128 = i64x2.splat(0);
let gSH: v128 = i64x2.splat(0);
let gONE: v128 = i64x2.splat(0);
let gTWO: v128 = i64x2.splat(0);
let gZERO: v128 = i64x2.splat(0);
let gNEG0: v128 = i64x2.splat(0);
let gU_LO: v128 = i64x2.splat(0);
let gU_HI: v128 = i64x2.splat(0);
let gXC_LO: v128 = i64x2.splat(0);
let gXC_HI: v128 = i64x2.splat(0);
// Each kernel's own constants (written on entry by the kernels that use them):
let gSILU_EXP_SCALE: v128 = i64x2.splat(0);
let gLOG2E: v128 = i64x2.splat(0);
let gSOFTPLUS_BETA: v128 = i64x2.splat(0);
let gSOFTPLUS_Z_ZERO_BELOW: v128 = i64x2.splat(0);
let gSOFTPLUS_THRESHOLD: v128 = i64x2.splat(0);
let gSOFTPLUS_INV_BETA: v128 = i64x2.splat(0);
let gNEG_HALF_LOG2E: v128 = i64x2.splat(0);
let gHALF: v128 = i64x2.splat(0);
let gGELU_GRAD_ONE_ABOVE: v128 = i64x2.splat(0);
let gGELU_GRAD_TINY: v128 = i64x2.splat(0);
let gGELU_GRAD_TINY_BELOW: v128 = i64x2.splat(0);
let gGELU_GRAD_ZERO_AT: v128 = i64x2.splat(0);
let gTWO_PHI0: v128 = i64x2.splat(0);
let gGELU_GRAD_LINEAR_BELOW: v128 = i64x2.splat(0);


// @ts-ignore: decorator
@inline function initCommon(z: v128): void {
  gE0 = opaqueSplat64(E0, z); gE1 = opaqueSplat64(E1, z); gE2 = opaqueSplat64(E2, z); gE3 = opaqueSplat64(E3, z); gE4 = opaqueSplat64(E4, z); gE5 = opaqueSplat64(E5, z); gE6 = opaqueSplat64(E6, z);
  gSH = opaqueSplat64(SHIFTER, z); gONE = opaqueSplat64(1.0, z); gTWO = opaqueSplat64(2.0, z); gZERO = z; gNEG0 = opaqueSplat64(-0.0, z);
  gU_LO = opaqueSplat64(-360.0, z); gU_HI = opaqueSplat64(1000.0, z); gXC_LO = opaqueSplat64(-X_CLAMP, z); gXC_HI = opaqueSplat64(X_CLAMP, z);
}
// @ts-ignore: decorator
@inline function initLog(z: v128): void {
  gL0 = opaqueSplat64(L0, z); gL1 = opaqueSplat64(L1, z); gL2 = opaqueSplat64(L2, z); gL3 = opaqueSplat64(L3, z); gL4 = opaqueSplat64(L4, z); gL5 = opaqueSplat64(L5, z);
}
// @ts-ignore: decorator
@inline function initH(z: v128): void {
  gH0 = opaqueSplat64(H0, z); gH1 = opaqueSplat64(H1, z); gH2 = opaqueSplat64(H2, z); gH3 = opaqueSplat64(H3, z); gH4 = opaqueSplat64(H4, z); gH5 = opaqueSplat64(H5, z);
  gH6 = opaqueSplat64(H6, z); gH7 = opaqueSplat64(H7, z); gH8 = opaqueSplat64(H8, z); gH9 = opaqueSplat64(H9, z); gH10 = opaqueSplat64(H10, z); gH11 = opaqueSplat64(H11, z);
}

// ---------- f64x2 helpers ----------

// @ts-ignore: decorator
@inline function vadd(a: v128, b: v128): v128 { return f64x2.add(a, b); }
// @ts-ignore: decorator
@inline function vsub(a: v128, b: v128): v128 { return f64x2.sub(a, b); }
// @ts-ignore: decorator
@inline function vmul(a: v128, b: v128): v128 { return f64x2.mul(a, b); }
// @ts-ignore: decorator
@inline function vdiv(a: v128, b: v128): v128 { return f64x2.div(a, b); }
/** a·b + c */
// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 { return f64x2.add(f64x2.mul(a, b), c); }
/** clamp(a, lo, hi), NaN stays NaN (pmax/pmin return their first operand unless it is out of range). */
// @ts-ignore: decorator
@inline function clamp(a: v128, lo: v128, hi: v128): v128 { return f64x2.pmin(f64x2.pmax(a, lo), hi); }

/**
 * 2^u for u ∈ [−1010, 1000] (or NaN, which stays NaN), relative error < 4.5e-9; the shifter and
 * E0…E6 passed in (locals made on entry, see "Speed"; {@link vexp2} passes the globals).
 */
// @ts-ignore: decorator
@inline function vexp2c(u: v128, cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128): v128 {
  const t = vadd(u, cSH);
  const f = vsub(u, vsub(t, cSH)); // |f| ≤ ½, exact
  // Estrin: shorter dependency chains than Horner, same count of operations (plus one).
  const f2 = vmul(f, f);
  const a = madd(f, cE1, cE0);
  const b = madd(f, cE3, cE2);
  const c = madd(f, cE5, cE4);
  const f4 = vmul(f2, f2);
  const p = vadd(madd(f2, b, a), vmul(f4, madd(f2, cE6, c)));
  return i64x2.add(p, i64x2.shl(t, 52));
}

/** {@link vexp2c} with the constants from the globals (the kernels not yet given locals). */
// @ts-ignore: decorator
@inline function vexp2(u: v128): v128 { return vexp2c(u, gSH, gE0, gE1, gE2, gE3, gE4, gE5, gE6); }

/** log1p(u) for u ∈ [0, 1], relative error < 1e-10 (plus u's own). */
// @ts-ignore: decorator
@inline function vlog1p01(u: v128): v128 {
  const s = vdiv(u, vadd(u, gTWO));
  const w = vmul(s, s);
  let p = madd(w, gL5, gL4);
  p = madd(p, w, gL3);
  p = madd(p, w, gL2);
  p = madd(p, w, gL1);
  p = madd(p, w, gL0);
  return vmul(vadd(s, s), p);
}

/**
 * R(t) ≈ e^(a²/2)·Φ(−a), t = 1/(1 + GELU_P·a), degree 10. The fit script evaluates R(1) in this
 * order (its estrin_r_at_1) and sets R0 so that it is exactly ½: change one, change both.
 */
// @ts-ignore: decorator
@inline function polyR(t: v128, cR0: v128, cR1: v128, cR2: v128, cR3: v128, cR4: v128, cR5: v128, cR6: v128, cR7: v128, cR8: v128, cR9: v128, cR10: v128): v128 {
  const t2 = vmul(t, t);
  const t4 = vmul(t2, t2);
  const a = madd(t2, madd(t, cR3, cR2), madd(t, cR1, cR0));
  const b = madd(t2, madd(t, cR7, cR6), madd(t, cR5, cR4));
  const c = madd(t2, cR10, madd(t, cR9, cR8));
  return madd(t4, madd(t4, c, b), a);
}

/** H(t) ≈ (R(a) − a·φ(0))/(a − a0). */
// @ts-ignore: decorator
@inline function polyH(t: v128): v128 {
  const t2 = vmul(t, t);
  const t4 = vmul(t2, t2);
  const a = madd(t2, madd(t, gH3, gH2), madd(t, gH1, gH0));
  const b = madd(t2, madd(t, gH7, gH6), madd(t, gH5, gH4));
  const c = madd(t2, madd(t, gH11, gH10), madd(t, gH9, gH8));
  return madd(t4, madd(t4, c, b), a);
}

// ---------- the activations on one f64x2 ----------

/**
 * x·σ(z) as x/(1 + e^(−z)), given m = −z·log2 e (computed by the caller, folding log2 e into its
 * multiplier). No cancellation anywhere: 1 + e^(−z) is a sum of positives. Where −z > 1000/log2 e
 * the denominator is clamped at 1 + 2^1000, which still sends every finite x to ±0; x itself is
 * clamped to ±3.5e38 so x = ±∞ gives 3.5e38/(1 + 2^1000) → ±0 (σ(−∞)·∞) or 3.5e38 → ±∞ (rounds
 * back to ∞ in float32), never ∞/∞. (The general path: silu with 0 < |β| < 1e-250.)
 */
// @ts-ignore: decorator
@inline function xSigmoid(x: v128, m: v128): v128 {
  const e = vexp2(clamp(m, gU_LO, gU_HI));
  return vdiv(clamp(x, gXC_LO, gXC_HI), vadd(e, gONE));
}

// @ts-ignore: decorator
@inline function siluSlowV(x: v128): v128 {
  return xSigmoid(x, vmul(x, gSILU_EXP_SCALE)); // gSILU_EXP_SCALE = −β·log2 e
}

/**
 * silu for β ≥ 1e-250 (β < 0 runs it on −x with −β and negates): x·σ(βx) = xl/(1 + 2^(−β·log2e·xe))
 * with xl = max(x, L), xe = min(xl, H), L = −1000/(β·log2 e), H = 360/(β·log2 e), so the exponent
 * stays in [−360, 1000]. Below L the result is xl·2^−1000 → ±0 in float32 (|L| < 7.5e255), as the
 * exact value (βx < −693) is; above H, 1 + 2^−360 = 1 gives x. x = −∞ lands on L, +∞ stays ∞.
 */
// @ts-ignore: decorator
@inline function siluV(x: v128, negate: bool, cX_LO: v128, cX_HI: v128, cSCALE: v128, cONE: v128, cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128): v128 {
  const xs = negate ? f64x2.neg(x) : x;
  const xl = f64x2.pmax(xs, cX_LO); // cX_LO = L
  const e = vexp2c(vmul(f64x2.pmin(xl, cX_HI), cSCALE), cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6); // cX_HI = H, cSCALE = −|β|·log2 e
  const y = vdiv(xl, vadd(e, cONE));
  return negate ? f64x2.neg(y) : y;
}

/**
 * x·σ(2u), u = √(2/π)(x + 0.044715x³), as xl/(1 + 2^m) with xl = max(x, −20) and the exponent
 * m = −2u·log2 e = xe·(C1 + C2·xe²) computed from xe = min(xl, 20) (C1 = −2·log2 e·√(2/π),
 * C2 = 0.044715·C1: two multiplies and an add fewer than u first, then the scale). The exponent
 * stays within ±870. Below −20 the result rounds to −0 (|x|·2^−869), as the exact one does; above
 * 20, 2^−870 vanishes next to 1 and gives x. Folding the constants moves m by a few float64
 * roundings (|Δm| < 1e-12 at |m| = 870): a relative change below 1e-12 in 2^m, far inside the bound.
 */
// @ts-ignore: decorator
@inline function geluTanhV(x: v128, cX_LO: v128, cX_HI: v128, cC1: v128, cC2: v128, cONE: v128, cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128): v128 {
  const xl = f64x2.pmax(x, cX_LO); // cX_LO = −20
  const xe = f64x2.pmin(xl, cX_HI); // cX_HI = 20
  const m = vmul(xe, madd(vmul(xe, xe), cC2, cC1));
  const e = vexp2c(m, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
  return vdiv(xl, vadd(e, cONE));
}

/** 1/(1 + e^(−x)) with x clamped to [−693, 249] (2^1000 .. 2^−360): x = −∞ → +0 in float32, +∞ → 1. */
// @ts-ignore: decorator
@inline function sigmoidV(x: v128, cX_LO: v128, cX_HI: v128, cNEG_LOG2E: v128, cONE: v128, cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128): v128 {
  const e = vexp2c(vmul(clamp(x, cX_LO, cX_HI), cNEG_LOG2E), cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6); // x clamped to [−693, 249]
  return vdiv(cONE, vadd(e, cONE));
}

/** x·tanh(log(1 + eˣ)) = x·n/(n + 2), n = eˣ(eˣ + 2): one exp, no cancellation. */
// @ts-ignore: decorator
@inline function mishV(x: v128, cX_LO: v128, cX_HI: v128, cLOG2E: v128, cTWO: v128, cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128): v128 {
  // xl = max(x, −700): below, the result rounds to −0 (|x|·2^−1009) as the exact one does, and
  // −∞ gives −700·tiny = −0. The exponent uses min(xl, 249) so n = e(e + 2) stays finite; above
  // 249, n/(n + 2) = 1 exactly and the result is x.
  const xl = f64x2.pmax(x, cX_LO); // cX_LO = −700
  const e = vexp2c(vmul(f64x2.pmin(xl, cX_HI), cLOG2E), cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6); // cX_HI = 249
  const n = vmul(e, vadd(e, cTWO));
  return vdiv(vmul(xl, n), vadd(n, cTWO));
}

/** βx > threshold ? x : softplus(βx)/β; softplus(z) = max(z, 0) + log1p(e^(−|z|)). */
// @ts-ignore: decorator
@inline function softplusV(x: v128, byReciprocal: bool): v128 {
  const z = vmul(x, gSOFTPLUS_BETA);
  const e = vexp2(f64x2.pmax(vmul(v128.or(z, gNEG0), gLOG2E), gU_LO)); // −|z|
  const sp = vadd(f64x2.pmax(z, gZERO), vlog1p01(e));
  // /β as ·(1/β) where 1/β is a normal float64 (one more rounding at 1e-16: immaterial).
  let y = byReciprocal ? vmul(sp, gSOFTPLUS_INV_BETA) : vdiv(sp, gSOFTPLUS_BETA);
  // z < −200: the exact result is below e^−200/β with β ≥ 200/3.4e38 (x is a finite float32),
  // which rounds to +0; z = −∞ (x = −∞) gives 0 too. The clamp of −|z| would not.
  y = v128.bitselect(gZERO, y, f64x2.lt(z, gSOFTPLUS_Z_ZERO_BELOW)); // gSOFTPLUS_Z_ZERO_BELOW = −200
  return v128.bitselect(x, y, f64x2.gt(z, gSOFTPLUS_THRESHOLD)); // NaN z: false, y is NaN
}

/**
 * x·Φ(x), computed as xl·Φ(xe) with xl = max(x, −15) and xe = min(xl, 15): below −15 the result
 * is −15·Φ(−15) ≈ −5.5e-50, which rounds to −0 as the exact one does (−∞ included); above 15,
 * Φ(15) = 1 − 3.7e-51 = 1 exactly in float64 and the result is x. The exponent −xe²/2·log2 e stays
 * above −163. For |x| < 2^−52, t = 1 and 2^(−x²/2·log2 e) = 1 exactly, so Φ = R(1) = ½ exactly
 * (the fit makes it so), as in the reference: subnormal x·½ ties round alike with no select.
 */
// @ts-ignore: decorator
@inline function geluErfV(
  x: v128, cX_LO: v128, cX_HI: v128, cP: v128, cNEG_HALF_LOG2E: v128, cONE: v128, cZERO: v128,
  cSH: v128, cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128,
  cR0: v128, cR1: v128, cR2: v128, cR3: v128, cR4: v128, cR5: v128, cR6: v128, cR7: v128, cR8: v128, cR9: v128, cR10: v128,
): v128 {
  const xl = f64x2.pmax(x, cX_LO); // cX_LO = −15
  const xe = f64x2.pmin(xl, cX_HI); // cX_HI = 15
  const a = f64x2.abs(xe);
  const t = vdiv(cONE, madd(a, cP, cONE));
  const e = vexp2c(vmul(vmul(xe, xe), cNEG_HALF_LOG2E), cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
  const q = vmul(e, polyR(t, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cR10)); // Φ(−|x|)
  return vmul(xl, v128.bitselect(q, vsub(cONE, q), f64x2.lt(xe, cZERO)));
}

/** gradientProduct(gelu′(x), dy). */
// @ts-ignore: decorator
@inline function geluErfGradV(x: v128, dy: v128): v128 {
  const a = f64x2.abs(x);
  const t = vdiv(gONE, madd(a, gGELU_P, gONE));
  const e = vexp2(f64x2.pmax(vmul(vmul(x, x), gNEG_HALF_LOG2E), gU_LO));
  const g = vmul(vmul(e, vsub(vsub(a, gA0_HI), gA0_LO)), polyH(t)); // e^(−a²/2)·G(a)
  let d = v128.bitselect(g, vsub(gONE, g), f64x2.lt(x, gZERO));
  // |x| < 2^−20: ½ + 2φ(0)·x to float64 accuracy (the x³ term is below 2^−60 relative), so that
  // d·dy rounds like the reference's where it lands next to a tie (subnormal dy).
  d = v128.bitselect(madd(x, gTWO_PHI0, gHALF), d, f64x2.lt(a, gGELU_GRAD_LINEAR_BELOW)); // gGELU_GRAD_LINEAR_BELOW = 2^−20
  // x > 20: gelu′ = 1 exactly in float64 (incl. +∞). x < −20.5: gelu′ is in (−5e-91, 0), so d·dy
  // rounds to ±0 in float32 for finite dy and is ∓∞ for dy = ±∞: any tiny negative d does the same.
  d = v128.bitselect(gONE, d, f64x2.gt(x, gGELU_GRAD_ONE_ABOVE)); // gGELU_GRAD_ONE_ABOVE = 20
  d = v128.bitselect(gGELU_GRAD_TINY, d, f64x2.lt(x, gGELU_GRAD_TINY_BELOW)); // gGELU_GRAD_TINY_BELOW = −20.5, gGELU_GRAD_TINY = −1e-200
  const dx = vmul(d, dy);
  // Where the reference's gelu′ is exactly 0 (x ≤ −38.5755, incl. −∞) the product is +0 whatever dy is.
  return v128.bitselect(gZERO, dx, f64x2.le(x, gGELU_GRAD_ZERO_AT));
}

// ---------- loads and stores: 2 float32 ↔ one f64x2 ----------

// @ts-ignore: decorator
@inline function ld2(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }
// @ts-ignore: decorator
@inline function st2(p: usize, v: v128): void { v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0); }
// @ts-ignore: decorator
@inline function ld1(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load32_zero(p)); }
// @ts-ignore: decorator
@inline function st1(p: usize, v: v128): void { v128.store32_lane(p, f32x4.demote_f64x2_zero(v), 0); }

// ---------- the kernels ----------

export function gelu_erf_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  const cSH = opaqueSplat64(SHIFTER, z); const cE0 = opaqueSplat64(E0, z); const cE1 = opaqueSplat64(E1, z); const cE2 = opaqueSplat64(E2, z);
  const cE3 = opaqueSplat64(E3, z); const cE4 = opaqueSplat64(E4, z); const cE5 = opaqueSplat64(E5, z); const cE6 = opaqueSplat64(E6, z);
  const cX_LO = opaqueSplat64(-15.0, z); const cX_HI = opaqueSplat64(15.0, z); const cP = opaqueSplat64(GELU_P, z);
  const cNEG_HALF_LOG2E = opaqueSplat64(-0.5 * LOG2E, z); const cONE = opaqueSplat64(1.0, z); const cZERO = z;
  const cR0 = opaqueSplat64(R0, z); const cR1 = opaqueSplat64(R1, z); const cR2 = opaqueSplat64(R2, z); const cR3 = opaqueSplat64(R3, z);
  const cR4 = opaqueSplat64(R4, z); const cR5 = opaqueSplat64(R5, z); const cR6 = opaqueSplat64(R6, z); const cR7 = opaqueSplat64(R7, z);
  const cR8 = opaqueSplat64(R8, z); const cR9 = opaqueSplat64(R9, z); const cR10 = opaqueSplat64(R10, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = geluErfV(ld2(x + o), cX_LO, cX_HI, cP, cNEG_HALF_LOG2E, cONE, cZERO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cR10);
    const b = geluErfV(ld2(x + o + 8), cX_LO, cX_HI, cP, cNEG_HALF_LOG2E, cONE, cZERO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cR10);
    st2(y + o, a);
    st2(y + o + 8, b);
  }
  if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, geluErfV(ld2(x + o), cX_LO, cX_HI, cP, cNEG_HALF_LOG2E, cONE, cZERO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cR10)); i += 2; }
  if (i < n) { const o = <usize>i << 2; st1(y + o, geluErfV(ld1(x + o), cX_LO, cX_HI, cP, cNEG_HALF_LOG2E, cONE, cZERO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cR0, cR1, cR2, cR3, cR4, cR5, cR6, cR7, cR8, cR9, cR10)); }
}

export function gelu_tanh_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  const cSH = opaqueSplat64(SHIFTER, z); const cE0 = opaqueSplat64(E0, z); const cE1 = opaqueSplat64(E1, z); const cE2 = opaqueSplat64(E2, z);
  const cE3 = opaqueSplat64(E3, z); const cE4 = opaqueSplat64(E4, z); const cE5 = opaqueSplat64(E5, z); const cE6 = opaqueSplat64(E6, z);
  const cX_LO = opaqueSplat64(-20.0, z); const cX_HI = opaqueSplat64(20.0, z); const cONE = opaqueSplat64(1.0, z);
  const cC1 = opaqueSplat64(GELU_TANH_C1, z); const cC2 = opaqueSplat64(GELU_TANH_C1 * GELU_TANH_COEFF, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = geluTanhV(ld2(x + o), cX_LO, cX_HI, cC1, cC2, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    const b = geluTanhV(ld2(x + o + 8), cX_LO, cX_HI, cC1, cC2, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    st2(y + o, a);
    st2(y + o + 8, b);
  }
  if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, geluTanhV(ld2(x + o), cX_LO, cX_HI, cC1, cC2, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); i += 2; }
  if (i < n) { const o = <usize>i << 2; st1(y + o, geluTanhV(ld1(x + o), cX_LO, cX_HI, cC1, cC2, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
}

/** p0 = β. β = 0 (either sign) is x/2, as the reference special-cases it (0·∞ would be NaN). */
export function silu_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  let i = 0;
  if (p0 == 0) {
    const h = f64x2.splat(0.5);
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a = vmul(ld2(x + o), h);
      const b = vmul(ld2(x + o + 8), h);
      st2(y + o, a);
      st2(y + o + 8, b);
    }
    if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, vmul(ld2(x + o), h)); i += 2; }
    if (i < n) { const o = <usize>i << 2; st1(y + o, vmul(ld1(x + o), h)); }
    return;
  }
  const z = opaqueZero64(n);
  initCommon(z);
  const beta = Math.abs(p0);
  if (beta < 1e-250) {
    gSILU_EXP_SCALE = opaqueSplat64(-p0 * LOG2E, z);
    for (; i + 2 <= n; i += 2) { const o = <usize>i << 2; st2(y + o, siluSlowV(ld2(x + o))); }
    if (i < n) { const o = <usize>i << 2; st1(y + o, siluSlowV(ld1(x + o))); }
    return;
  }
  const cSH = opaqueSplat64(SHIFTER, z); const cE0 = opaqueSplat64(E0, z); const cE1 = opaqueSplat64(E1, z); const cE2 = opaqueSplat64(E2, z);
  const cE3 = opaqueSplat64(E3, z); const cE4 = opaqueSplat64(E4, z); const cE5 = opaqueSplat64(E5, z); const cE6 = opaqueSplat64(E6, z);
  const cX_LO = opaqueSplat64(-1000.0 / (beta * LOG2E), z); const cX_HI = opaqueSplat64(360.0 / (beta * LOG2E), z);
  // −β·log2 e rounded once: a relative error of 1e-16 in the exponent, immaterial.
  const cSCALE = opaqueSplat64(-beta * LOG2E, z); const cONE = opaqueSplat64(1.0, z);
  if (p0 > 0) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a = siluV(ld2(x + o), false, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
      const b = siluV(ld2(x + o + 8), false, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
      st2(y + o, a);
      st2(y + o + 8, b);
    }
    if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, siluV(ld2(x + o), false, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); i += 2; }
    if (i < n) { const o = <usize>i << 2; st1(y + o, siluV(ld1(x + o), false, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
  } else {
    // x·σ(βx) = −((−x)·σ((−β)(−x))), exactly (negation is exact).
    for (; i + 2 <= n; i += 2) { const o = <usize>i << 2; st2(y + o, siluV(ld2(x + o), true, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
    if (i < n) { const o = <usize>i << 2; st1(y + o, siluV(ld1(x + o), true, cX_LO, cX_HI, cSCALE, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
  }
}

export function mish_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  const cSH = opaqueSplat64(SHIFTER, z); const cE0 = opaqueSplat64(E0, z); const cE1 = opaqueSplat64(E1, z); const cE2 = opaqueSplat64(E2, z);
  const cE3 = opaqueSplat64(E3, z); const cE4 = opaqueSplat64(E4, z); const cE5 = opaqueSplat64(E5, z); const cE6 = opaqueSplat64(E6, z);
  const cX_LO = opaqueSplat64(-700.0, z); const cX_HI = opaqueSplat64(249.0, z); const cLOG2E = opaqueSplat64(LOG2E, z); const cTWO = opaqueSplat64(2.0, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = mishV(ld2(x + o), cX_LO, cX_HI, cLOG2E, cTWO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    const b = mishV(ld2(x + o + 8), cX_LO, cX_HI, cLOG2E, cTWO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    st2(y + o, a);
    st2(y + o + 8, b);
  }
  if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, mishV(ld2(x + o), cX_LO, cX_HI, cLOG2E, cTWO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); i += 2; }
  if (i < n) { const o = <usize>i << 2; st1(y + o, mishV(ld1(x + o), cX_LO, cX_HI, cLOG2E, cTWO, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
}

/** p0 = β (> 0), p1 = threshold (may be ±∞). */
export function softplus_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  initCommon(z); initLog(z);
  gSOFTPLUS_BETA = opaqueSplat64(p0, z); gLOG2E = opaqueSplat64(LOG2E, z); gSOFTPLUS_Z_ZERO_BELOW = opaqueSplat64(-200.0, z); gSOFTPLUS_THRESHOLD = opaqueSplat64(p1, z); gSOFTPLUS_INV_BETA = opaqueSplat64(1.0 / p0, z);
  let i = 0;
  if (p0 > 1e-300 && p0 < 1e300) {
    for (; i + 4 <= n; i += 4) {
      const o = <usize>i << 2;
      const a = softplusV(ld2(x + o), true);
      const b = softplusV(ld2(x + o + 8), true);
      st2(y + o, a);
      st2(y + o + 8, b);
    }
    if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, softplusV(ld2(x + o), true)); i += 2; }
    if (i < n) { const o = <usize>i << 2; st1(y + o, softplusV(ld1(x + o), true)); }
  } else {
    for (; i + 2 <= n; i += 2) { const o = <usize>i << 2; st2(y + o, softplusV(ld2(x + o), false)); }
    if (i < n) { const o = <usize>i << 2; st1(y + o, softplusV(ld1(x + o), false)); }
  }
}

export function sigmoid_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  const cSH = opaqueSplat64(SHIFTER, z); const cE0 = opaqueSplat64(E0, z); const cE1 = opaqueSplat64(E1, z); const cE2 = opaqueSplat64(E2, z);
  const cE3 = opaqueSplat64(E3, z); const cE4 = opaqueSplat64(E4, z); const cE5 = opaqueSplat64(E5, z); const cE6 = opaqueSplat64(E6, z);
  const cX_LO = opaqueSplat64(-693.0, z); const cX_HI = opaqueSplat64(249.0, z); const cONE = opaqueSplat64(1.0, z);
  const cNEG_LOG2E = opaqueSplat64(-LOG2E, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = sigmoidV(ld2(x + o), cX_LO, cX_HI, cNEG_LOG2E, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    const b = sigmoidV(ld2(x + o + 8), cX_LO, cX_HI, cNEG_LOG2E, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6);
    st2(y + o, a);
    st2(y + o + 8, b);
  }
  if (i + 2 <= n) { const o = <usize>i << 2; st2(y + o, sigmoidV(ld2(x + o), cX_LO, cX_HI, cNEG_LOG2E, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); i += 2; }
  if (i < n) { const o = <usize>i << 2; st1(y + o, sigmoidV(ld1(x + o), cX_LO, cX_HI, cNEG_LOG2E, cONE, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6)); }
}

export function gelu_erf_grad_f32(x: usize, dy: usize, dx: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero64(n);
  initCommon(z); initH(z);
  gGELU_P = opaqueSplat64(GELU_P, z); gNEG_HALF_LOG2E = opaqueSplat64(-0.5 * LOG2E, z); gA0_HI = opaqueSplat64(A0_HI, z); gA0_LO = opaqueSplat64(A0_LO, z);
  gGELU_GRAD_ONE_ABOVE = opaqueSplat64(20.0, z); gGELU_GRAD_TINY = opaqueSplat64(-1e-200, z);
  gGELU_GRAD_TINY_BELOW = opaqueSplat64(-20.5, z); gGELU_GRAD_ZERO_AT = opaqueSplat64(GELU_GRAD_ZERO_AT, z);
  gTWO_PHI0 = opaqueSplat64(0.7978845608028654, z); gHALF = opaqueSplat64(0.5, z); gGELU_GRAD_LINEAR_BELOW = opaqueSplat64(9.5367431640625e-7, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = geluErfGradV(ld2(x + o), ld2(dy + o));
    const b = geluErfGradV(ld2(x + o + 8), ld2(dy + o + 8));
    st2(dx + o, a);
    st2(dx + o + 8, b);
  }
  if (i + 2 <= n) { const o = <usize>i << 2; st2(dx + o, geluErfGradV(ld2(x + o), ld2(dy + o))); i += 2; }
  if (i < n) { const o = <usize>i << 2; st1(dx + o, geluErfGradV(ld1(x + o), ld1(dy + o))); }
}
