// Select / clamp / scale kernels (float32, SIMD). Stub: filled in by the kernels work.
export function relu_f32(x: usize, y: usize, n: i32, p0: f64, p1: f64): void {
  for (let i = 0; i < n; i++) { const v = load<f32>(x + (<usize>i << 2)); store<f32>(y + (<usize>i << 2), v <= 0 ? 0 : v); }
}
