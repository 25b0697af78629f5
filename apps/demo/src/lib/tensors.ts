/**
 * The few element-wise chores the Backend API has no op for: adding a broadcast bias, scaling by a
 * scalar, a parameter update. They are plain loops here, kept out of the way; every activation,
 * gradient, matmul and FFN in the experiments goes through the backend.
 */
import { Tensor, allocate, ulpDistance, type Tensor as T } from '@rectifier/core';

/** x + b with b [n] broadcast over the rows of x [m, n]. */
export function addBias(x: T, b: T): Tensor {
  const n = b.size;
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < x.size; i++) out[i] = x.data[i] + b.data[i % n];
  return new Tensor(out, [...x.shape]);
}

/** a·x, computed in the tensor's dtype (one rounding, so exact for powers of two). */
export function scale(x: T, a: number): Tensor {
  const out = allocate(x.dtype, x.size);
  for (let i = 0; i < x.size; i++) out[i] = a * x.data[i];
  return new Tensor(out, [...x.shape]);
}

/** w ← w − lr·g, in place on the model's own parameters. */
export function sgdStep(w: T, g: T, lr: number): void {
  for (let i = 0; i < w.size; i++) w.data[i] -= lr * g.data[i];
}

/** Frobenius norm, accumulated in float64. */
export function norm(x: T): number {
  let s = 0;
  for (let i = 0; i < x.size; i++) s += x.data[i] * x.data[i];
  return Math.sqrt(s);
}

/** max |a − b| / max |b|: the normwise relative difference (0 means bit-identical values). */
export function relDiff(a: T, b: T): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.size; i++) {
    d = Math.max(d, Math.abs(a.data[i] - b.data[i]));
    m = Math.max(m, Math.abs(b.data[i]));
  }
  return m === 0 ? d : d / m;
}

/** How many elements differ in value or in the sign of zero. */
export function bitMismatches(a: T, b: T): number {
  let n = 0;
  for (let i = 0; i < a.size; i++) if (!Object.is(a.data[i], b.data[i])) n++;
  return n;
}

/** Worst ulp distance of `got` (float32) from the float64 reference `want`, rounded once. */
export function maxUlpF32(got: T, want: T): number {
  let m = 0;
  for (let i = 0; i < got.size; i++) m = Math.max(m, ulpDistance(Math.fround(got.data[i]), Math.fround(want.data[i]), 'float32'));
  return m;
}

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1). */
export function std(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** Median of the values: timings are noisy, the median of a few runs is the steady figure. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}
