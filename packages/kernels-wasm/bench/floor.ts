// Bench-only micro-kernels (AssemblyScript): the floor under the exact transcendental kernels.
// bench/transcendental-floor.mjs compiles this file together with assembly/index.ts at bench time;
// it is never part of the package's embedded module. Same calling convention, loop shape (four
// floats per iteration as two f64x2), loads/stores and constant handling (locals made on entry
// from splats Binaryen cannot fold, passed down to the inlined code; see assembly/transcendental.ts
// "Speed") as the shipped kernels, so the
// difference between a row here and a shipped kernel is the shipped kernel's own arithmetic.
//
//   floor_stage_f32     nothing: the wrapper's copy in + copy out through the module's memory
//   floor_exp_f32       y = 2^(x·log2 e) in f64x2: clamp, range reduction, 2^f = 1 + f·P5(f)
//                       (degree 6, 4.5e-9 ≈ 2^−27.7 relative: the cheapest polynomial under the
//                       2^−25 that ≤ 1 ulp after one rounding needs), 2^k by an integer add
//   floor_exp7_f32      the same with a degree-7 polynomial (2^−34): the cost of one more term
//   floor_exp_div_f32   floor_exp_f32 plus one f64x2 division: 1/(1 + 2^u)
//   floor_exp_f32x4     floor_exp_f32's operations in float32 lanes (f32x4, four floats per
//                       instruction): what the same work costs without the float64 widening
//   floor_exp_rcp_f32   floor_exp_div_f32 with the division as an f32x4 reciprocal of both
//                       halves at once and one Newton step in float64 (relative error ≈ 2^−46)
//
// The sigmoid ceiling (issue 14, target 4: precision 'fast' at half ONNX Runtime's time): float32-lane
// toys far LOOSER than the 8 ulp that sigmoid_fast_f32 declares, four vectors per iteration, so no
// kernel meeting that bound can be faster than the fastest of them (staged the same way):
//   floor_copy_f32x4                  v128 load and store only: the kernel's pass over the data
//   floor_softsign_f32x4              x/(1 + |x|): abs, add, one f32x4.div (not σ: a cost model of
//                                     the cheapest sigmoid-shaped function with a division)
//   floor_sigmoid_schraudolph_f32x4   1/(1 + e^−x), e^−x by Schraudolph's exponent trick (the
//                                     float32 pattern of 2^(−x·log2 e) built by one truncation;
//                                     relative error ≈ 4 %), then one f32x4.div
//   floor_sigmoid_schraudolph2_f32x4  the same with 2^f of the pattern's fraction corrected by a
//                                     degree-2 polynomial (relative error ≈ 2.7e-3)
//
// The relu6 ceiling (issue 14, target 1: relu6 into a caller's output ≤ 2.5× the copy at 2^20): the
// same loop with the select instructions alone, to set the shipped relu6_f32 (one i32x4.max_s, one
// pmax, one pmin per vector; assembly/select.ts) beside what fewer or other instructions cost:
//   floor_pmin_f32x4         one f32x4.pmin per vector (not relu6: the cost of one float instruction)
//   floor_relu6_two_f32x4    pmin(pmax(x, 0), 6): relu6 but for −0 (kept as −0), two float
//                            instructions: the least a float-only relu6 can do
//   floor_relu6_add_f32x4    the same plus a +0 add (turning −0 into +0): relu6_f32 until
//                            2026-12-04, three float instructions

// 2^f on |f| ≤ ½ (the shipped kernels' coefficients, transcendental.generated.ts).
import { E0, E1, E2, E3, E4, E5, E6 } from '../assembly/transcendental.generated';

const LOG2E: f64 = 1.4426950408889634;
const SHIFTER: f64 = 6755399441055744.0;
// 2^f on |f| ≤ ½, degree 7 (weighted least squares at Chebyshev nodes, Lawson-reweighted; 4.7e-11 ≈ 2^−34 relative).
const F0: f64 = 1.0;
const F1: f64 = 0.6931471807057117;
const F2: f64 = 0.2402265106880024;
const F3: f64 = 0.05550410362928146;
const F4: f64 = 0.009618037766579504;
const F5: f64 = 0.001333393660431545;
const F6: f64 = 0.00015466883170055408;
const F7: f64 = 1.5196034996543296e-5;

// @ts-ignore: decorator
@inline function opaqueZero(n: i32): v128 { return f64x2.splat(<f64>(<u32>n >>> 31)); }
// @ts-ignore: decorator
@inline function opaqueSplat(c: f64, z: v128): v128 { return v128.or(f64x2.splat(c), z); }
// @ts-ignore: decorator
@inline function opaqueSplat32(c: f32, z: v128): v128 { return v128.or(f32x4.splat(c), z); }


// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 { return f64x2.add(f64x2.mul(a, b), c); }
// @ts-ignore: decorator
@inline function clamp(a: v128, lo: v128, hi: v128): v128 { return f64x2.pmin(f64x2.pmax(a, lo), hi); }

/** The f64x2 floors' constants, as locals made on entry and passed down (as the shipped kernels do). */
// @ts-ignore: decorator
@inline function exp2d(
  u: v128, degree7: bool, cSH: v128,
  cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128, cE7: v128,
): v128 {
  const t = f64x2.add(u, cSH);
  const f = f64x2.sub(u, f64x2.sub(t, cSH));
  const f2 = f64x2.mul(f, f);
  const a = madd(f, cE1, cE0);
  const b = madd(f, cE3, cE2);
  const c = madd(f, cE5, cE4);
  const d = degree7 ? madd(f, cE7, cE6) : cE6;
  const f4 = f64x2.mul(f2, f2);
  const p = f64x2.add(madd(f2, b, a), f64x2.mul(f4, madd(f2, d, c)));
  return i64x2.add(p, i64x2.shl(t, 52));
}

/** 2^(x·log2 e), x clamped; degree 6 (the shipped vexp2) or, with `degree7`, one more term. */
// @ts-ignore: decorator
@inline function expV(
  x: v128, degree7: bool, cLOG2E: v128, cU_LO: v128, cU_HI: v128, cSH: v128,
  cE0: v128, cE1: v128, cE2: v128, cE3: v128, cE4: v128, cE5: v128, cE6: v128, cE7: v128,
): v128 {
  return exp2d(clamp(f64x2.mul(x, cLOG2E), cU_LO, cU_HI), degree7, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cE7);
}

// @ts-ignore: decorator
@inline function ld2(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }
// @ts-ignore: decorator
@inline function st2(p: usize, v: v128): void { v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0); }

export function floor_stage_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {}

const EXP = 0;
const EXP7 = 1;
const EXP_DIV = 2;
const EXP_RCP = 3;

/**
 * The shipped kernels' loop: four floats per iteration as two f64x2 (n a multiple of 4 here), the
 * constants as locals; `kind` is a constant at every call, so the branches fold away.
 */
// @ts-ignore: decorator
@inline function floorLoop(x: usize, y: usize, n: i32, kind: i32): void {
  const z = opaqueZero(n);
  const degree7 = kind == EXP7;
  const cE0 = opaqueSplat(degree7 ? F0 : E0, z); const cE1 = opaqueSplat(degree7 ? F1 : E1, z); const cE2 = opaqueSplat(degree7 ? F2 : E2, z);
  const cE3 = opaqueSplat(degree7 ? F3 : E3, z); const cE4 = opaqueSplat(degree7 ? F4 : E4, z); const cE5 = opaqueSplat(degree7 ? F5 : E5, z);
  const cE6 = opaqueSplat(degree7 ? F6 : E6, z); const cE7 = opaqueSplat(F7, z);
  const cSH = opaqueSplat(SHIFTER, z); const cONE = opaqueSplat(1.0, z); const cTWO = opaqueSplat(2.0, z); const cLOG2E = opaqueSplat(LOG2E, z);
  const cU_LO = opaqueSplat(-1010.0, z); const cU_HI = opaqueSplat(1000.0, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let a = expV(ld2(x + o), degree7, cLOG2E, cU_LO, cU_HI, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cE7);
    let b = expV(ld2(x + o + 8), degree7, cLOG2E, cU_LO, cU_HI, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cE7);
    if (kind == EXP_RCP) {
      rcp2(f64x2.add(a, cONE), f64x2.add(b, cONE), cTWO, y + o);
      continue;
    }
    if (kind == EXP_DIV) {
      a = f64x2.div(cONE, f64x2.add(a, cONE));
      b = f64x2.div(cONE, f64x2.add(b, cONE));
    }
    st2(y + o, a);
    st2(y + o + 8, b);
  }
  // A tail as the shipped kernels have (n is a multiple of 4 here, so it never runs): it uses the
  // constants outside the loop, which is what keeps V8 from computing them inside it (see
  // transcendental.ts, "Speed").
  if (i < n) st2(y + (<usize>i << 2), expV(ld2(x + (<usize>i << 2)), degree7, cLOG2E, cU_LO, cU_HI, cSH, cE0, cE1, cE2, cE3, cE4, cE5, cE6, cE7));
}

export function floor_exp_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP); }
export function floor_exp7_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP7); }
export function floor_exp_div_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP_DIV); }
export function floor_exp_rcp_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP_RCP); }

/** 1/d for two f64x2 at once: one f32x4 division (relative error 2^−24), one Newton step in f64 (≈ 2^−46). */
// @ts-ignore: decorator
@inline function rcp2(da: v128, db: v128, cTWO: v128, out: usize): void {
  const q = f32x4.div(f32x4.splat(1.0), i8x16.shuffle(f32x4.demote_f64x2_zero(da), f32x4.demote_f64x2_zero(db), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  const ra = f64x2.promote_low_f32x4(q);
  const rb = f64x2.promote_low_f32x4(i8x16.shuffle(q, q, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
  st2(out, f64x2.mul(ra, f64x2.sub(cTWO, f64x2.mul(da, ra))));
  st2(out + 8, f64x2.mul(rb, f64x2.sub(cTWO, f64x2.mul(db, rb))));
}


// @ts-ignore: decorator
@inline function maddS(a: v128, b: v128, c: v128): v128 { return f32x4.add(f32x4.mul(a, b), c); }

export function floor_exp_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero(n);
  const sE0 = opaqueSplat32(1.0, z); const sE1 = opaqueSplat32(<f32>E1, z); const sE2 = opaqueSplat32(<f32>E2, z); const sE3 = opaqueSplat32(<f32>E3, z);
  const sE4 = opaqueSplat32(<f32>E4, z); const sE5 = opaqueSplat32(<f32>E5, z);
  const sSH = opaqueSplat32(12582912.0, z); const sLOG2E = opaqueSplat32(<f32>LOG2E, z); const sU_LO = opaqueSplat32(-126.0, z); const sU_HI = opaqueSplat32(127.0, z);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const u = f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(x + o), sLOG2E), sU_LO), sU_HI);
    const t = f32x4.add(u, sSH);
    const f = f32x4.sub(u, f32x4.sub(t, sSH));
    const f2 = f32x4.mul(f, f);
    const p = f32x4.add(maddS(f2, maddS(f, sE3, sE2), maddS(f, sE1, sE0)), f32x4.mul(f32x4.mul(f2, f2), maddS(f, sE5, sE4)));
    v128.store(y + o, i32x4.add(p, i32x4.shl(t, 23)));
  }
  // Never runs (n is a multiple of 4 here); keeps the constants out of the loop (see floorLoop).
  if (i < n) v128.store32_lane(y + (<usize>i << 2), f32x4.add(f32x4.mul(v128.load32_zero(x + (<usize>i << 2)), sLOG2E), f32x4.add(f32x4.add(sE0, sE1), f32x4.add(f32x4.add(sE2, sE3), f32x4.add(f32x4.add(sE4, sE5), f32x4.add(f32x4.add(sSH, sU_LO), sU_HI))))), 0);
}


// ---- the sigmoid ceiling: float32-lane toys looser than any shipped bound ----

/** −log2(e)·2^23: t = −x·log2 e in units of the float32 exponent field's lowest bit. */
const SCH_A: f32 = -12102203.161561485;
/** 127·2^23 (the exponent bias in place) less Schraudolph's 486408, which centres the error of 2^f ≈ 1 + f. */
const SCH_B: f32 = 1064866808.0;
const SCH_B_EXACT: f32 = 1065353216.0; // 127·2^23: no centring, the polynomial corrects 2^f instead
/** Clamp of the pattern: 0 (e = +0, σ = 1) to 254·2^23 (e = 2^127, σ ≈ 5.9e-39), never an infinity or NaN pattern. */
const SCH_HI: f32 = 2130706432.0;
/** 2^f ≈ 1 + f·(C1 + C2·f) on [0, 1) (equal at both ends; relative error ≈ 2.7e-3). */
const SCH_C1: f32 = 0.66025;
const SCH_C2: f32 = 0.33975;

const COPY = 0;
const SOFTSIGN = 1;
const SCHRAUDOLPH = 2;
const SCHRAUDOLPH2 = 3;
const PMIN = 4;
const RELU6_TWO = 5;
const RELU6_ADD = 6;

/** One vector of a toy kernel; `kind` is a constant at every call, so only its own code stays. */
// @ts-ignore: decorator
@inline function toyV(
  x: v128, kind: i32,
  cONE: v128, cA: v128, cB: v128, cZERO: v128, cHI: v128, cMANT: v128, cEXP: v128, cC1: v128, cC2: v128, cSIX: v128,
): v128 {
  if (kind == COPY) return x;
  if (kind == PMIN) return f32x4.pmin(x, cSIX);
  if (kind == RELU6_TWO) return f32x4.pmin(f32x4.pmax(x, cZERO), cSIX);
  if (kind == RELU6_ADD) return f32x4.add(f32x4.pmin(f32x4.pmax(x, cZERO), cSIX), cZERO);
  if (kind == SOFTSIGN) return f32x4.div(x, f32x4.add(cONE, f32x4.abs(x)));
  const i = i32x4.trunc_sat_f32x4_s(f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(x, cA), cB), cZERO), cHI));
  let e = i;
  if (kind == SCHRAUDOLPH2) {
    // i = (127 + k)·2^23 + f·2^23: 2^k from its exponent field, 1 + f from its mantissa under exponent 0.
    const m = v128.or(v128.and(i, cMANT), cONE); // 1 + f: ONE's pattern is exponent 0, mantissa 0
    const f = f32x4.sub(m, cONE);
    e = f32x4.mul(v128.and(i, cEXP), f32x4.add(cONE, f32x4.mul(f, f32x4.add(cC1, f32x4.mul(cC2, f)))));
  }
  return f32x4.div(cONE, f32x4.add(cONE, e));
}

/** The toys' loop: four independent vectors per iteration (n a multiple of 16 here), constants as locals (see floorLoop). */
// @ts-ignore: decorator
@inline function toyLoop(x: usize, y: usize, n: i32, kind: i32): void {
  const z = opaqueZero(n);
  const cONE = opaqueSplat32(1.0, z); const cA = opaqueSplat32(SCH_A, z); const cZERO = z; const cHI = opaqueSplat32(SCH_HI, z);
  const cB = opaqueSplat32(kind == SCHRAUDOLPH2 ? SCH_B_EXACT : SCH_B, z);
  const cMANT = v128.or(i32x4.splat(0x007fffff), z); const cEXP = v128.or(i32x4.splat(0x7f800000), z);
  const cC1 = opaqueSplat32(SCH_C1, z); const cC2 = opaqueSplat32(SCH_C2, z); const cSIX = opaqueSplat32(6, z);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const o = <usize>i << 2;
    const a = toyV(v128.load(x + o), kind, cONE, cA, cB, cZERO, cHI, cMANT, cEXP, cC1, cC2, cSIX);
    const b = toyV(v128.load(x + o + 16), kind, cONE, cA, cB, cZERO, cHI, cMANT, cEXP, cC1, cC2, cSIX);
    const c = toyV(v128.load(x + o + 32), kind, cONE, cA, cB, cZERO, cHI, cMANT, cEXP, cC1, cC2, cSIX);
    const d = toyV(v128.load(x + o + 48), kind, cONE, cA, cB, cZERO, cHI, cMANT, cEXP, cC1, cC2, cSIX);
    v128.store(y + o, a);
    v128.store(y + o + 16, b);
    v128.store(y + o + 32, c);
    v128.store(y + o + 48, d);
  }
  // The tail, one vector at a time (never needed for a multiple of 16 but kept correct for the
  // accuracy grid's length): it uses the constants outside the loop (see floorLoop).
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    v128.store(y + o, toyV(v128.load(x + o), kind, cONE, cA, cB, cZERO, cHI, cMANT, cEXP, cC1, cC2, cSIX));
  }
}

export function floor_copy_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, COPY); }
export function floor_pmin_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, PMIN); }
export function floor_relu6_two_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, RELU6_TWO); }
export function floor_relu6_add_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, RELU6_ADD); }
export function floor_softsign_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, SOFTSIGN); }
export function floor_sigmoid_schraudolph_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, SCHRAUDOLPH); }
export function floor_sigmoid_schraudolph2_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { toyLoop(x, y, n, SCHRAUDOLPH2); }
