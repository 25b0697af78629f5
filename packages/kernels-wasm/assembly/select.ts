// Select / clamp / scale kernels (float32, SIMD128).
//
// Every kernel takes byte offsets into the imported memory and works in place when the output
// aliases an input: each element is read before its own output is written, and no element is read
// after a different element's output was stored over it. The main loops take 16 floats (four
// v128) per iteration; the tails (n mod 16) run a 4-float loop and then scalars, with the same
// semantics bit for bit.
//
// Semantics (matched against @rectifier/core's float64 references, rounded to float32):
//   relu        x ≤ 0 → +0, NaN → NaN (the input NaN), else x
//   relu6       x ≤ 0 → +0, x ≥ 6 → 6, NaN → NaN, else x
//   leaky_relu  x > 0 → x, else fround(alpha·x) with the product taken in float64 (as the reference),
//               or in float32 when alpha is a float32 (the same bits, faster)
//   relu_grad   x > 0 → dy, x ≤ 0 → +0 (whatever dy is), x NaN → NaN
//
// Constants (zero, six, a float32 alpha) are opaque values, not literal splats: V8's Turboshaft
// (Node 24) rematerialises a literal at every use inside the loop (opaque.ts).

import { opaqueSplat, opaqueZero } from './opaque';

// pmax(v, 0) = v < 0 ? 0 : v keeps NaN and −0; adding +0 turns −0 into +0 and leaves the rest
// (NaN included) alone. Two cheap instructions, no NaN canonicalisation sequence as with max.
// @ts-ignore: decorator
@inline function reluV(v: v128, zero: v128): v128 {
  return f32x4.add(f32x4.pmax(v, zero), zero);
}

// pmin(v, 6) = 6 < v ? 6 : v keeps NaN.
// @ts-ignore: decorator
@inline function relu6V(v: v128, zero: v128, six: v128): v128 {
  return f32x4.add(f32x4.pmin(f32x4.pmax(v, zero), six), zero);
}

// @ts-ignore: decorator
@inline function reluS(v: f32): f32 {
  return v <= 0 ? <f32>0 : v;
}

// @ts-ignore: decorator
@inline function relu6S(v: f32): f32 {
  return v <= 0 ? <f32>0 : v >= 6 ? <f32>6 : v;
}

/** y = relu(x), n floats. y may be x. */
export function relu_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const zero = opaqueZero(n);
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  const d = y - x;
  let p = x;
  while (p < end16) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    v128.store(p + d, reluV(a, zero));
    v128.store(p + d, reluV(b, zero), 16);
    v128.store(p + d, reluV(c, zero), 32);
    v128.store(p + d, reluV(e, zero), 48);
    p += 64;
  }
  while (p + 16 <= end) {
    v128.store(p + d, reluV(v128.load(p), zero));
    p += 16;
  }
  while (p < end) {
    store<f32>(p + d, reluS(load<f32>(p)));
    p += 4;
  }
}

/** y = min(max(x, 0), 6), n floats. y may be x. */
export function relu6_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  const zero = opaqueZero(n);
  const six = opaqueSplat(6, zero);
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  const d = y - x;
  let p = x;
  while (p < end16) {
    const a = v128.load(p);
    const b = v128.load(p, 16);
    const c = v128.load(p, 32);
    const e = v128.load(p, 48);
    v128.store(p + d, relu6V(a, zero, six));
    v128.store(p + d, relu6V(b, zero, six), 16);
    v128.store(p + d, relu6V(c, zero, six), 32);
    v128.store(p + d, relu6V(e, zero, six), 48);
    p += 64;
  }
  while (p + 16 <= end) {
    v128.store(p + d, relu6V(v128.load(p), zero, six));
    p += 16;
  }
  while (p < end) {
    store<f32>(p + d, relu6S(load<f32>(p)));
    p += 4;
  }
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

// The same when alpha is a float32: the float32 product of two float32s is their exact product
// (48 bits, well inside float64's range) rounded once, which is what fround(alpha·x) gives too.
// @ts-ignore: decorator
@inline function leakyV32(v: v128, zero: v128, alpha: v128): v128 {
  return v128.bitselect(v, f32x4.mul(v, alpha), f32x4.gt(v, zero));
}

/** y = x > 0 ? x : alpha·x, n floats (alpha = p0). y may be x. */
export function leaky_relu_f32(x: usize, y: usize, n: i32, alpha: f64, p1: f64): void {
  const zero = opaqueZero(n);
  const end = x + (<usize>max(n, 0) << 2);
  const end16 = x + (<usize>(max(n, 0) & ~15) << 2);
  const d = y - x;
  let p = x;
  if (<f64><f32>alpha == alpha) {
    const a32 = <f32>alpha;
    const av = opaqueSplat(a32, zero);
    while (p < end16) {
      const a = v128.load(p);
      const b = v128.load(p, 16);
      const c = v128.load(p, 32);
      const e = v128.load(p, 48);
      v128.store(p + d, leakyV32(a, zero, av));
      v128.store(p + d, leakyV32(b, zero, av), 16);
      v128.store(p + d, leakyV32(c, zero, av), 32);
      v128.store(p + d, leakyV32(e, zero, av), 48);
      p += 64;
    }
    while (p + 16 <= end) {
      v128.store(p + d, leakyV32(v128.load(p), zero, av));
      p += 16;
    }
    while (p < end) {
      const v = load<f32>(p);
      store<f32>(p + d, v > 0 ? v : a32 * v);
      p += 4;
    }
    return;
  }
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
