/** Shared by the tfjs tests: tfjs on its CPU backend, Rectifier's CPU backend, inputs and the accuracy bounds. */
import { createCpuBackend } from '@rectifier/backend-cpu';
import { epsilon, OPS, Tensor, ulpDistance, type OpDefinition, type OpName } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients of its own ops (tf.mul, tf.sum, …): tfjs-layers (or the @tensorflow/tfjs bundle) does.
import '@tensorflow/tfjs-layers';

await tf.setBackend('cpu');
export { tf };

/** Rectifier's CPU backend: synchronous, so it can sit under tf.customGrad. */
export const cpu = createCpuBackend();

/** Rows × cols float32 values evenly over [lo, hi] (row-major), then small magnitudes and 0 in the last row's place. */
export function grid(rows: number, cols: number, lo: number, hi: number): Float32Array {
  const n = rows * cols;
  const v = Float32Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
  [1e-3, -1e-3, 1e-6, -1e-6, 0].forEach((s, i) => (v[i * 7 + 3] = s));
  return v;
}

/** A deterministic pseudo-random float32 array in [lo, hi) (a linear congruential generator; `seed` picks the sequence). */
export function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

/** The same values as a Rectifier tensor and as a tf.Tensor. */
export function both(data: Float32Array, shape: number[]): { r: Tensor; t: tf.Tensor } {
  return { r: new Tensor(Float32Array.from(data), shape), t: tf.tensor(Float32Array.from(data), shape, 'float32') };
}

/** The CPU backend's declared forward bound in float32 ulps, as the conformance suite reads it: exact 0, scaled 1, else `capabilities.ulp`. */
export function forwardUlps(def: OpDefinition): number {
  return def.accuracy === 'exact' ? 0 : def.accuracy === 'scaled' ? 1 : (cpu.capabilities.ulp.float32 ?? 0);
}

/** The gradient bound: the forward one plus one rounding for the product with dy (two for a GLU), as the conformance suite. */
export function gradientUlps(def: OpDefinition): number {
  return def.accuracy === 'exact' ? 0 : forwardUlps(def) + (def.kind === 'glu' ? 2 : 1);
}

/** Indices where `got` is more than `ulps` float32 ulps from the float64 `want` rounded to float32 (NaN only matches NaN). */
export function ulpMisses(got: ArrayLike<number>, want: ArrayLike<number>, ulps: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < got.length; i++) {
    const w = Math.fround(want[i]);
    if (Number.isNaN(got[i]) || Number.isNaN(w)) {
      if (!(Number.isNaN(got[i]) && Number.isNaN(w))) bad.push(i);
    } else if (!Object.is(got[i], w) && ulpDistance(got[i], w, 'float32') > ulps) bad.push(i);
  }
  return bad;
}

/** Indices where |got − want| > atol + rtol·|want|. */
export function closeMisses(got: ArrayLike<number>, want: ArrayLike<number>, atol: number, rtol: number): number[] {
  const bad: number[] = [];
  for (let i = 0; i < got.length; i++) if (!(Math.abs(got[i] - want[i]) <= atol + rtol * Math.abs(want[i]))) bad.push(i);
  return bad;
}

/** float32's machine epsilon. */
export const EPS32 = epsilon('float32');

/** Every catalogue op with its input list: x alone, [x, slope] for prelu, [gate, value] for the GLUs. */
export function opInputs(op: OpName, x: { r: Tensor; t: tf.Tensor }, cols: number): { r: Tensor[]; t: tf.Tensor[] }[] {
  const def = OPS[op];
  if (def.kind === 'prelu') {
    const scalar = both(Float32Array.of(0.25), []);
    const perChannel = both(Float32Array.from({ length: cols }, (_, i) => -0.5 + 0.2 * i), [cols]);
    return [scalar, perChannel].map((w) => ({ r: [x.r, w.r], t: [x.t, w.t] }));
  }
  if (def.kind === 'glu') {
    const value = both(uniform(x.r.size, -2, 2, 7), [...x.r.shape]);
    return [{ r: [x.r, value.r], t: [x.t, value.t] }];
  }
  return [{ r: [x.r], t: [x.t] }];
}
