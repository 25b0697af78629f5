// GEMM (float32, SIMD). Stub: plain loops.
export function gemm_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let s: f32 = accumulate ? load<f32>(c + (<usize>(i * n + j) << 2)) : 0;
    for (let p = 0; p < k; p++) s += load<f32>(a + (<usize>(i * k + p) << 2)) * load<f32>(b + (<usize>(p * n + j) << 2));
    store<f32>(c + (<usize>(i * n + j) << 2), s);
  }
}
export function gemm_sparse_a_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): i32 {
  gemm_f32(a, b, c, m, k, n, accumulate);
  return m * k;
}
