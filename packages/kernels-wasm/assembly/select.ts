// Select / clamp / scale kernels (float32, SIMD128).
//
// Every kernel takes byte offsets into the imported memory and works in place when the output
// aliases an input: each element is read before its own output is written, and no element is read
// after a different element's output was stored over it. The main loops take 16 floats (four
// v128) per iteration (relu and relu6: 32); the tails run a 4-float loop and then scalars, with the
// same semantics bit for bit.
//
// Semantics (matched against @rectifier/core's float64 references, rounded to float32):
//   relu        x ≤ 0 → +0, NaN → NaN (the input NaN), else x
//   relu6       x ≤ 0 → +0, x ≥ 6 → 6, NaN → NaN, else x
//   leaky_relu  x > 0 → x, else alpha·x: in float32 lanes as fround(alpha)·x when alpha is a float32
//               (then bit-exact) or |alpha| ≤ 1 with a normal float32 rounding (then within 1 ulp of
//               the exact product; see leakyFloat32Lanes), otherwise in float64 lanes as the
//               reference's fround(alpha·x), bit for bit
//   relu_grad   x > 0 → dy, x ≤ 0 → +0 (whatever dy is), x NaN → NaN
//
// Constants (zero, six, a float32 alpha) are opaque values, not literal splats: V8's Turboshaft
// (Node 24) rematerialises a literal at every use inside the loop (opaque.ts).

import { opaqueSplat, opaqueZero } from './opaque';

// pmax(v, 0) = v < 0 ? 0 : v keeps NaN but also −0, the one input below +0 it returns itself. So −0
// goes first to −2^-149 (the negative float32 nearest zero, bits 0x80000001), which pmax maps to +0
// as it does every negative: i32x4.max_s(v, 0x80000001) changes no other input, since −0's bits
// (0x80000000) are the least signed 32-bit integer and every other pattern is at least 0x80000001.
// Negative floats stay negative and NaNs (either sign) keep their bits, signalling NaNs included.
// The integer max runs beside the float pipes: relu6 in one integer and two float instructions
// took about 0.7x the time of pmax, pmin and a +0 add (the former −0 fix, whose add also quietened
// signalling NaNs) on an L1-resident chunk under Node 24, Zen 5 (bench/transcendental-floor.mjs
// --only=relu6-ceiling).
// @ts-ignore: decorator
@inline function notMinusZero(v: v128, negTiny: v128): v128 {
  return i32x4.max_s(v, negTiny);
}

// @ts-ignore: decorator
@inline function reluV(v: v128, zero: v128, negTiny: v128): v128 {
  return f32x4.pmax(notMinusZero(v, negTiny), zero);
}

// pmin(v, 6) = 6 < v ? 6 : v keeps NaN.
// @ts-ignore: decorator
@inline function relu6V(v: v128, zero: v128, six: v128, negTiny: v128): v128 {
  return f32x4.pmin(f32x4.pmax(notMinusZero(v, negTiny), zero), six);
}

/** The bits 0x80000001 (−2^-149) in every lane, opaque (opaque.ts). */
// @ts-ignore: decorator
@inline function negTinyOf(zero: v128): v128 {
  return v128.or(i32x4.splat(0x80000001), zero);
}

// @ts-ignore: decorator
@inline function reluS(v: f32): f32 {
  return v <= 0 ? <f32>0 : v;
}

// @ts-ignore: decorator
@inline function relu6S(v: f32): f32 {
  return v <= 0 ? <f32>0 : v >= 6 ? <f32>6 : v;
}

const RELU = 0;
const RELU6 = 1;

// @ts-ignore: decorator
@inline function clampV(v: v128, kind: i32, zero: v128, six: v128, negTiny: v128): v128 {
  return kind == RELU ? reluV(v, zero, negTiny) : relu6V(v, zero, six, negTiny);
}

// relu and relu6 take 32 floats (eight v128) per iteration, not the 16 of the other loops: Node 20's
// TurboFan does not unroll, and its per-iteration stack check and branch then cost about a tenth of
// the staged call at 2^20 (relu6 2.4x against 2.7x the copy, bench/transcendental-floor.mjs
// --only=relu6-ceiling, Zen 5); Node 24's Turboshaft unrolls either shape to the same time.
// `kind` is a constant at each call, so each export keeps only its own code.
// @ts-ignore: decorator
@inline function clampLoop(x: usize, y: usize, n: i32, kind: i32): void {
  const zero = opaqueZero(n);
  const six = opaqueSplat(6, zero);
  const negTiny = negTinyOf(zero);
  const end = x + (<usize>max(n, 0) << 2);
  const end32 = x + (<usize>(max(n, 0) & ~31) << 2);
  const d = y - x;
  let p = x;
  while (p < end32) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    const f = v128.load(p, 64);
    const g = v128.load(p, 80);
    const h = v128.load(p, 96);
    const k = v128.load(p, 112);
    v128.store(p + d, clampV(a, kind, zero, six, negTiny));
    v128.store(p + d, clampV(b, kind, zero, six, negTiny), 16);
    v128.store(p + d, clampV(c, kind, zero, six, negTiny), 32);
    v128.store(p + d, clampV(e, kind, zero, six, negTiny), 48);
    v128.store(p + d, clampV(f, kind, zero, six, negTiny), 64);
    v128.store(p + d, clampV(g, kind, zero, six, negTiny), 80);
    v128.store(p + d, clampV(h, kind, zero, six, negTiny), 96);
    v128.store(p + d, clampV(k, kind, zero, six, negTiny), 112);
    p += 128;
  }
  while (p + 16 <= end) {
    v128.store(p + d, clampV(v128.load(p), kind, zero, six, negTiny));
    p += 16;
  }
  while (p < end) {
    const v = load<f32>(p);
    store<f32>(p + d, kind == RELU ? reluS(v) : relu6S(v));
    p += 4;
  }
}

/** y = relu(x), n floats. y may be x. */
export function relu_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  clampLoop(x, y, n, RELU);
}

/** y = min(max(x, 0), 6), n floats. y may be x. */
export function relu6_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  clampLoop(x, y, n, RELU6);
}

// x > 0 ? x : fround(alpha·x), the product in float64 lanes (promote, multiply, demote): the same
// double rounding as the reference's Math.fround(alpha * x), so bit-exact, −0, ±∞ and NaN included.
// @ts-ignore: decorator
@inline function leakyV(v: v128, zero: v128, alpha: v128): v128 {
  const lo = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(v), alpha));
  const hi = f32x4.demote_f64x2_zero(f64x2.mul(f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3)), alpha));
  const prod = i32x4.shuffle(lo, hi, 0, 1, 4, 5);
  return v128.bitselect(v, prod, f32x4.gt(v, zero));
}

// The same in float32 lanes, with a = fround(alpha): a·x rounded once. When alpha is a float32
// that is its exact product rounded once, which is what fround(alpha·x) gives too (bit-exact).
// @ts-ignore: decorator
@inline function leakyV32(v: v128, zero: v128, alpha: v128): v128 {
  return v128.bitselect(v, f32x4.mul(v, alpha), f32x4.gt(v, zero));
}

// Whether the float32-lane product fround(a·x), a = fround(alpha), stays within 1 ulp of the exact
// alpha·x (distance in float32 steps from its correct rounding, the conformance suite's measure):
// - alpha a float32: exact product rounded once, 0 ulp.
// - |alpha| ≤ 1 and a normal: a = alpha(1 + δ) with |δ| < 2^-24, so a·x is less than one spacing of
//   the float32 grid at y = alpha·x away from y (|y| < 2^24 spacings; where a·x crosses into the
//   binade below y's, less than one of that binade's finer spacings). Two values less than one
//   spacing apart round to neighbouring floats at most: ≤ 1 ulp from fround(y), float64's 2^-53 in
//   the reference's own rounding included. |a| ≤ 1 keeps |a·x| ≤ |x|, so the product never
//   overflows where y does not; subnormal results keep |y·δ| < half the subnormal spacing.
//   This is what PyTorch, ONNX Runtime and TensorFlow compute (their alpha is a float32), and
//   about 1.8× faster through the cpu backend at 2^20 than float64 lanes, which convert twice
//   each way per four floats (kernels-wasm README, "leaky_relu in float32 lanes").
// - otherwise (a subnormal, which loses alpha's bits, or |alpha| > 1): float64 lanes.
// @ts-ignore: decorator
@inline function leakyFloat32Lanes(alpha: f64): bool {
  const a = <f32>alpha;
  return <f64>a == alpha || (abs(alpha) <= 1 && abs(a) >= <f32>1.17549435e-38);
}

// With 0 < a ≤ 1, x > 0 ? x : a·x is pmax(a·x, x) (= a·x < x ? x : a·x), one instruction for the
// compare and the select: for x > 0, a·x ≤ x (rounding is monotonic); for x ≤ 0, a·x ≥ x, and
// the equal cases (x = ±0, a = 1) give a·x, the same value with the product's sign of zero; NaN
// fails the compare and gives a·x, a NaN. (a = 0 would turn +∞ into 0·∞ = NaN; a > 1 or < 0 would
// select the wrong one: those take the bitselect.)
// @ts-ignore: decorator
@inline function leakyMaxV32(v: v128, alpha: v128): v128 {
  return f32x4.pmax(f32x4.mul(v, alpha), v);
}

// The float32-lane loops, by the pmax form or by bitselect (byMax is a constant at each call site,
// so each inlined copy keeps one of them).
// @ts-ignore: decorator
@inline function leakyLanes32(x: usize, d: usize, n: i32, a32: f32, zero: v128, byMax: bool): void {
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  const av = opaqueSplat(a32, zero);
  let p = x;
  while (p < end16) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    v128.store(p + d, byMax ? leakyMaxV32(a, av) : leakyV32(a, zero, av));
    v128.store(p + d, byMax ? leakyMaxV32(b, av) : leakyV32(b, zero, av), 16);
    v128.store(p + d, byMax ? leakyMaxV32(c, av) : leakyV32(c, zero, av), 32);
    v128.store(p + d, byMax ? leakyMaxV32(e, av) : leakyV32(e, zero, av), 48);
    p += 64;
  }
  while (p + 16 <= end) {
    const v = v128.load(p);
    v128.store(p + d, byMax ? leakyMaxV32(v, av) : leakyV32(v, zero, av));
    p += 16;
  }
  while (p < end) {
    const v = load<f32>(p);
    store<f32>(p + d, v > 0 ? v : a32 * v);
    p += 4;
  }
}

/** y = x > 0 ? x : alpha·x, n floats (alpha = p0). y may be x. */
export function leaky_relu_f32(x: usize, y: usize, n: i32, alpha: f64, p1: f64): void {
  const zero = opaqueZero(n);
  const d = y - x;
  if (leakyFloat32Lanes(alpha)) {
    const a32 = <f32>alpha;
    if (a32 > 0 && a32 <= 1) leakyLanes32(x, d, n, a32, zero, true);
    else leakyLanes32(x, d, n, a32, zero, false);
    return;
  }
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  let p = x;
  const av = f64x2.splat(alpha);
  while (p < end16) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    v128.store(p + d, leakyV(a, zero, av));
    v128.store(p + d, leakyV(b, zero, av), 16);
    v128.store(p + d, leakyV(c, zero, av), 32);
    v128.store(p + d, leakyV(e, zero, av), 48);
    p += 64;
  }
  while (p + 16 <= end) {
    v128.store(p + d, leakyV(v128.load(p), zero, av));
    p += 16;
  }
  while (p < end) {
    const v = load<f32>(p);
    store<f32>(p + d, v > 0 ? v : <f32>(alpha * <f64>v));
    p += 4;
  }
}

// x > 0 → dy; x ≤ 0 → +0; x NaN → x (a NaN): bitselect(dy, x, x > 0) with the x ≤ 0 lanes cleared.
// @ts-ignore: decorator
@inline function reluGradV(v: v128, g: v128, zero: v128): v128 {
  return v128.andnot(v128.bitselect(g, v, f32x4.gt(v, zero)), f32x4.le(v, zero));
}

/** dx = relu′(x)·dy with the exact-zero rule, n floats. dx may be dy (or x). */
export function relu_grad_f32(x: usize, dy: usize, dx: usize, n: i32, p0: f64, p1: f64): void {
  const zero = opaqueZero(n);
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  const dg = dy - x;
  const dd = dx - x;
  let p = x;
  while (p < end16) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    const ga = v128.load(p + dg);
    const gb = v128.load(p + dg, 16);
    const gc = v128.load(p + dg, 32);
    const ge = v128.load(p + dg, 48);
    v128.store(p + dd, reluGradV(a, ga, zero));
    v128.store(p + dd, reluGradV(b, gb, zero), 16);
    v128.store(p + dd, reluGradV(c, gc, zero), 32);
    v128.store(p + dd, reluGradV(e, ge, zero), 48);
    p += 64;
  }
  while (p + 16 <= end) {
    v128.store(p + dd, reluGradV(v128.load(p), v128.load(p + dg), zero));
    p += 16;
  }
  while (p < end) {
    const v = load<f32>(p);
    const g = load<f32>(p + dg);
    store<f32>(p + dd, v > 0 ? g : v <= 0 ? <f32>0 : v);
    p += 4;
  }
}
