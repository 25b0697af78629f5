// The GEMM tiles' one multiply-add per k-step, c + a·b on four float32 lanes. The build compiles
// the module twice: with `--enable relaxed-simd` this is f32x4.relaxed_madd (one rounding where
// the machine fuses it: vfmadd on x64 with FMA3), otherwise mul then add (two roundings). The
// GEMM's bound, (k + 2)·2⁻²⁴·Σ|a||b|, holds either way. Only the GEMM uses it: the element-wise
// kernels are the same instructions, bit for bit, in both builds.

// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}

/**
 * madd on (a, b, c) in every lane, lane 0 returned: the loader calls it with values where fused
 * and unfused differ (a·b + c exact ≠ round(round(a·b) + c)) to learn which this machine does.
 */
export function madd_probe_f32(a: f32, b: f32, c: f32): f32 {
  return f32x4.extract_lane(madd(f32x4.splat(a), f32x4.splat(b), f32x4.splat(c)), 0);
}
