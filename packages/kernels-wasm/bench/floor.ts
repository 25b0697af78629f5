// Bench-only micro-kernels (AssemblyScript): the floor under the exact transcendental kernels.
// bench/transcendental-floor.mjs compiles this file together with assembly/index.ts at bench time;
// it is never part of the package's embedded module. Same calling convention, loop shape (four
// floats per iteration as two f64x2), loads/stores and constant handling (mutable v128 globals
// written on entry, see assembly/transcendental.ts "Speed") as the shipped kernels, so the
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

let cE0: v128 = i64x2.splat(0);
let cE1: v128 = i64x2.splat(0);
let cE2: v128 = i64x2.splat(0);
let cE3: v128 = i64x2.splat(0);
let cE4: v128 = i64x2.splat(0);
let cE5: v128 = i64x2.splat(0);
let cE6: v128 = i64x2.splat(0);
let cE7: v128 = i64x2.splat(0);
let cSH: v128 = i64x2.splat(0);
let cONE: v128 = i64x2.splat(0);
let cTWO: v128 = i64x2.splat(0);
let cLOG2E: v128 = i64x2.splat(0);
let cU_LO: v128 = i64x2.splat(0);
let cU_HI: v128 = i64x2.splat(0);
// float32-lane constants
let sE0: v128 = i64x2.splat(0);
let sE1: v128 = i64x2.splat(0);
let sE2: v128 = i64x2.splat(0);
let sE3: v128 = i64x2.splat(0);
let sE4: v128 = i64x2.splat(0);
let sE5: v128 = i64x2.splat(0);
let sSH: v128 = i64x2.splat(0);
let sLOG2E: v128 = i64x2.splat(0);
let sU_LO: v128 = i64x2.splat(0);
let sU_HI: v128 = i64x2.splat(0);

// @ts-ignore: decorator
@inline function opaqueZero(n: i32): v128 { return f64x2.splat(<f64>(<u32>n >>> 31)); }
// @ts-ignore: decorator
@inline function opaqueSplat(c: f64, z: v128): v128 { return v128.or(f64x2.splat(c), z); }
// @ts-ignore: decorator
@inline function opaqueSplat32(c: f32, z: v128): v128 { return v128.or(f32x4.splat(c), z); }

// @ts-ignore: decorator
@inline function init(n: i32, degree7: bool): void {
  const z = opaqueZero(n);
  if (degree7) {
    cE0 = opaqueSplat(F0, z); cE1 = opaqueSplat(F1, z); cE2 = opaqueSplat(F2, z); cE3 = opaqueSplat(F3, z);
    cE4 = opaqueSplat(F4, z); cE5 = opaqueSplat(F5, z); cE6 = opaqueSplat(F6, z); cE7 = opaqueSplat(F7, z);
  } else {
    cE0 = opaqueSplat(E0, z); cE1 = opaqueSplat(E1, z); cE2 = opaqueSplat(E2, z); cE3 = opaqueSplat(E3, z);
    cE4 = opaqueSplat(E4, z); cE5 = opaqueSplat(E5, z); cE6 = opaqueSplat(E6, z);
  }
  cSH = opaqueSplat(SHIFTER, z); cONE = opaqueSplat(1.0, z); cTWO = opaqueSplat(2.0, z); cLOG2E = opaqueSplat(LOG2E, z);
  cU_LO = opaqueSplat(-1010.0, z); cU_HI = opaqueSplat(1000.0, z);
}

// @ts-ignore: decorator
@inline function madd(a: v128, b: v128, c: v128): v128 { return f64x2.add(f64x2.mul(a, b), c); }
// @ts-ignore: decorator
@inline function clamp(a: v128, lo: v128, hi: v128): v128 { return f64x2.pmin(f64x2.pmax(a, lo), hi); }

/** 2^u, u clamped by the caller; degree 6 (the shipped vexp2) or, with `degree7`, one more term. */
// @ts-ignore: decorator
@inline function exp2d(u: v128, degree7: bool): v128 {
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

// @ts-ignore: decorator
@inline function expV(x: v128): v128 { return exp2d(clamp(f64x2.mul(x, cLOG2E), cU_LO, cU_HI), false); }
// @ts-ignore: decorator
@inline function exp7V(x: v128): v128 { return exp2d(clamp(f64x2.mul(x, cLOG2E), cU_LO, cU_HI), true); }
// @ts-ignore: decorator
@inline function expDivV(x: v128): v128 { return f64x2.div(cONE, f64x2.add(expV(x), cONE)); }

// @ts-ignore: decorator
@inline function ld2(p: usize): v128 { return f64x2.promote_low_f32x4(v128.load64_zero(p)); }
// @ts-ignore: decorator
@inline function st2(p: usize, v: v128): void { v128.store64_lane(p, f32x4.demote_f64x2_zero(v), 0); }

export function floor_stage_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {}

const EXP = 0;
const EXP7 = 1;
const EXP_DIV = 2;

/** One of the f64x2 floors on v; `kind` is a constant at every call, so the branches fold away. */
// @ts-ignore: decorator
@inline function floorV(v: v128, kind: i32): v128 {
  if (kind == EXP7) return exp7V(v);
  if (kind == EXP_DIV) return expDivV(v);
  return expV(v);
}

/** The shipped kernels' loop: four floats per iteration as two f64x2 (n a multiple of 4 here). */
// @ts-ignore: decorator
@inline function floorLoop(x: usize, y: usize, n: i32, kind: i32): void {
  init(n, kind == EXP7);
  for (let i = 0; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const a = floorV(ld2(x + o), kind);
    const b = floorV(ld2(x + o + 8), kind);
    st2(y + o, a);
    st2(y + o + 8, b);
  }
}

export function floor_exp_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP); }
export function floor_exp7_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP7); }
export function floor_exp_div_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void { floorLoop(x, y, n, EXP_DIV); }

/** 1/d for two f64x2 at once: one f32x4 division (relative error 2^−24), one Newton step in f64 (≈ 2^−46). */
// @ts-ignore: decorator
@inline function rcp2(da: v128, db: v128, out: usize): void {
  const q = f32x4.div(f32x4.splat(1.0), i8x16.shuffle(f32x4.demote_f64x2_zero(da), f32x4.demote_f64x2_zero(db), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23));
  const ra = f64x2.promote_low_f32x4(q);
  const rb = f64x2.promote_low_f32x4(i8x16.shuffle(q, q, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
  st2(out, f64x2.mul(ra, f64x2.sub(cTWO, f64x2.mul(da, ra))));
  st2(out + 8, f64x2.mul(rb, f64x2.sub(cTWO, f64x2.mul(db, rb))));
}

export function floor_exp_rcp_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  init(n, false);
  for (let i = 0; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const da = f64x2.add(expV(ld2(x + o)), cONE);
    const db = f64x2.add(expV(ld2(x + o + 8)), cONE);
    rcp2(da, db, y + o);
  }
}

// @ts-ignore: decorator
@inline function maddS(a: v128, b: v128, c: v128): v128 { return f32x4.add(f32x4.mul(a, b), c); }

export function floor_exp_f32x4(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const z = opaqueZero(n);
  sE0 = opaqueSplat32(1.0, z); sE1 = opaqueSplat32(<f32>E1, z); sE2 = opaqueSplat32(<f32>E2, z); sE3 = opaqueSplat32(<f32>E3, z);
  sE4 = opaqueSplat32(<f32>E4, z); sE5 = opaqueSplat32(<f32>E5, z);
  sSH = opaqueSplat32(12582912.0, z); sLOG2E = opaqueSplat32(<f32>LOG2E, z); sU_LO = opaqueSplat32(-126.0, z); sU_HI = opaqueSplat32(127.0, z);
  for (let i = 0; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const u = f32x4.pmin(f32x4.pmax(f32x4.mul(v128.load(x + o), sLOG2E), sU_LO), sU_HI);
    const t = f32x4.add(u, sSH);
    const f = f32x4.sub(u, f32x4.sub(t, sSH));
    const f2 = f32x4.mul(f, f);
    const p = f32x4.add(maddS(f2, maddS(f, sE3, sE2), maddS(f, sE1, sE0)), f32x4.mul(f32x4.mul(f2, f2), maddS(f, sE5, sE4)));
    v128.store(y + o, i32x4.add(p, i32x4.shl(t, 23)));
  }
}
