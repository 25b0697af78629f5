// Vector constants that neither Binaryen nor V8 can treat as constants.
//
// A `splat` of a literal is a constant to both compilers, and V8's optimising tier (Turboshaft, in
// Node 24) then rematerialises it at every use inside a loop instead of keeping it in a register:
// a vpxor per use for a zero, and a 64-bit immediate move, a move into a vector register and an
// unpack per use for anything else (seen in --print-wasm-code for relu6_f32: three instructions per
// vector for the 6 alone). Node 20's TurboFan hoisted them. A value computed from a runtime
// argument is no constant to either: it is computed once, before the loop, and kept in a register
// (or one spill slot). Every kernel is called with n ≥ 0 where it does any work (its loops run
// n elements), so n >>> 31 is 0 there; for a negative n the loops do not run and the value is unused.

/** A float32-lane (or integer-lane) zero vector that no compiler can fold; n ≥ 0. */
// @ts-ignore: decorator
@inline export function opaqueZero(n: i32): v128 { return i32x4.splat(<i32>(<u32>n >>> 31)); }
/** f32x4.splat(c) as a value no compiler can fold: c's bits OR an opaque zero. */
// @ts-ignore: decorator
@inline export function opaqueSplat(c: f32, z: v128): v128 { return v128.or(f32x4.splat(c), z); }

/** The float64-lane zero vector, the same way; n ≥ 0. */
// @ts-ignore: decorator
@inline export function opaqueZero64(n: i32): v128 { return f64x2.splat(<f64>(<u32>n >>> 31)); }
/** f64x2.splat(c) as a value no compiler can fold. */
// @ts-ignore: decorator
@inline export function opaqueSplat64(c: f64, z: v128): v128 { return v128.or(f64x2.splat(c), z); }
