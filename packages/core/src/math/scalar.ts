/**
 * Float64 scalar primitives shared by the op references and by the JS kernels of the backends.
 * Each is written for accuracy over the whole range (tails included) and for IEEE special values:
 * NaN propagates, infinities give the mathematical limit.
 */
import { erfc } from './erf.js';

export { erf, erfc } from './erf.js';

/** Logistic sigmoid, split by sign so neither branch overflows or cancels. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x); // NaN lands here too and propagates
  return e / (1 + e);
}

/** σ′(x) = σ(x)·σ(−x) = e/(1+e)² with e = exp(−|x|): no 1 − σ cancellation for large |x|. */
export function sigmoidPrime(x: number): number {
  const e = Math.exp(-Math.abs(x));
  const d = 1 + e;
  return e / (d * d);
}

/** tanh′(x) = sech²(x) = 4e/(1+e)² with e = exp(−2|x|): no 1 − tanh² cancellation. */
export function tanhPrime(x: number): number {
  const e = Math.exp(-2 * Math.abs(x));
  const d = 1 + e;
  return (4 * e) / (d * d);
}

/** log(1 + eˣ) = max(x, 0) + log1p(exp(−|x|)): never overflows, exact limits at ±∞. */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** Standard normal CDF Φ(x) = ½·erfc(−x/√2): accurate in the lower tail where 1 + erf cancels. */
export function normalCdf(x: number): number {
  return 0.5 * erfc(-x * Math.SQRT1_2);
}

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

/** Standard normal density φ(x). */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** √(2/π), the gelu-tanh constant. */
export const SQRT_2_OVER_PI = 0.7978845608028654;
export const GELU_TANH_COEFF = 0.044715;

/* ---------------- the seeded Gaussian noise of noisy_relu ---------------- */

/** A 32-bit integer hash with full avalanche (Chris Wellons' lowbias32). */
function hash32(v: number): number {
  v ^= v >>> 16;
  v = Math.imul(v, 0x21f0aaad);
  v ^= v >>> 15;
  v = Math.imul(v, 0x735a2d97);
  v ^= v >>> 15;
  return v >>> 0;
}

/**
 * The standard-normal sample for element `index` under `seed`: counter based (a hash of seed and
 * index, then Box–Muller), so every backend and every chunking of the work draws the same noise.
 */
export function gaussianNoise(seed: number, index: number): number {
  const lo = index % 0x80000000; // index < 2^32 · 2^31 covers every tensor size
  const hi = Math.floor(index / 0x80000000);
  const base = hash32(hash32(seed ^ 0x9e3779b9) ^ hash32(hi + 0x632be5ab));
  const a = hash32(base ^ (lo * 2));
  const b = hash32(base ^ (lo * 2 + 1));
  const u1 = (a + 0.5) / 4294967296; // (0, 1): log(u1) is finite
  const u2 = b / 4294967296;
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}
