// Reductions of the FFN backward (backend-cpu's ffnBiasSums): the bias gradients' column sums.

/**
 * out[j] (f64) = Σ over the rows of m f32 [rows, cols], in row order, of m[r·cols + j]: the same
 * float64 additions in the same order as core's columnSums (from +0, each float32 widened exactly),
 * two columns per f64x2, so the same bits.
 */
export function column_sums_f64(m: usize, rows: i32, cols: i32, out: usize): void {
  memory.fill(out, 0, <usize>max(cols, 0) << 3);
  const pairs = cols & ~1;
  for (let r = 0; r < rows; r++) {
    const row = m + ((<usize>r * <usize>cols) << 2);
    let j = 0;
    for (; j < pairs; j += 2) {
      const o = out + (<usize>j << 3);
      v128.store(o, f64x2.add(v128.load(o), f64x2.promote_low_f32x4(v128.load64_zero(row + (<usize>j << 2)))));
    }
    if (j < cols) {
      const o = out + (<usize>j << 3);
      store<f64>(o, load<f64>(o) + <f64>load<f32>(row + (<usize>j << 2)));
    }
  }
}
