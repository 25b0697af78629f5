/** Shared by the ONNX tests: ONNX Runtime sessions on exported bytes, and input data. */
import { createRequire } from 'node:module';
import { Tensor, ulpDistance, type DType } from '@rectifier/core';

const require = createRequire(import.meta.url);
/** onnxruntime-node (CommonJS), CPU execution provider. */
export const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

/** Runs ONNX model bytes in ONNX Runtime on the given inputs; resolves to each output's data. */
export async function runOrt(bytes: Uint8Array, inputs: Record<string, Tensor>): Promise<Record<string, { data: Float32Array | Float64Array; dims: readonly number[] }>> {
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  try {
    const feeds = Object.fromEntries(Object.entries(inputs).map(([k, t]) => [k, new ort.Tensor(t.dtype, t.data, [...t.shape])]));
    const r = await session.run(feeds);
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, { data: v.data as Float32Array, dims: v.dims }]));
  } finally {
    await session.release();
  }
}

/** Finite float32 values over [−lo, hi]: a grid, values near 0 and subnormals-free small magnitudes. */
export function grid(lo: number, hi: number, n: number, dtype: DType = 'float32'): Tensor {
  const v: number[] = [];
  for (let i = 0; i < n; i++) v.push(lo + ((hi - lo) * i) / (n - 1));
  for (const s of [1e-3, 1e-6, 1e-20]) v.push(s, -s);
  v.push(0);
  return new Tensor(dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v), [v.length]);
}

/** The largest ulp distance between two arrays (NaN = NaN counts as 0; a NaN against a number as ∞). */
export function maxUlp(a: ArrayLike<number>, b: ArrayLike<number>, dtype: DType = 'float32'): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (Number.isNaN(x) || Number.isNaN(y)) return Infinity;
    if (x === y) continue;
    worst = Math.max(worst, ulpDistance(x, y, dtype));
  }
  return worst;
}

/** The largest |a − b| / (atol + |b|) — below 1 when a is within atol + rtol·|b| for rtol = 1 (scale it). */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    if (Number.isNaN(a[i]) && Number.isNaN(b[i])) continue;
    const d = Math.abs(a[i] - b[i]);
    worst = Math.max(worst, Number.isNaN(d) ? Infinity : d);
  }
  return worst;
}
