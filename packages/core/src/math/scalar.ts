/**
 * Float64 scalar primitives shared by the op references and by the JS kernels of the backends.
 * Each is written for accuracy over the whole range (tails included) and for IEEE special values:
 * NaN propagates, infinities give the mathematical limit.
 */
import { divDD, mulDD, mulExpDD, twoProd, twoSum } from './dd.js';
import { erfc } from './erf.js';

export { erf, erfc } from './erf.js';

/**
 * c·σ(zh + zl) for a double-double factor c and argument z (zl: the rounding error of an argument
 * like βx or 2u, which σ ≈ e^z in the lower tail would otherwise amplify by |z|), rounded once.
 * z ≤ 0: c·e·(1 + zl)/(1 + e·(1 + zl)), e = exp(zh); z > 0: c/(1 + E·(1 − zl)), E = exp(−zh).
 * The sums and the quotient are double-double, so the error is Math.exp's (< 1 ulp, fdlibm, damped
 * by d log σ/d log e = 1 − σ ≤ 1) plus the final rounding: < 1.5 ulp. Below z = −40, 1 + e is 1 to
 * 2⁻⁵⁷ and the product goes through mulExpDD, which keeps subnormal results to one rounding.
 */
export function sigmoidTimes(ch: number, cl: number, zh: number, zl: number): number {
  if (ch === 0) return zh === zh ? ch : zh; // ±0 keeps its sign (σ ≥ 0)
  if (zh <= 0) {
    if (zh < -40) return mulExpDD(ch, cl, zh, zl);
    const e = Math.exp(zh);
    const [dh, d0] = twoSum(1, e);
    const [fh, fl] = divDD(ch, cl, dh, d0 + e * zl);
    const [p, pe] = twoProd(fh, e);
    return p + (pe + (p * zl + fl * e));
  }
  const E = Math.exp(-zh); // NaN lands here and propagates
  const [dh, d0] = twoSum(1, E);
  const [q, r] = divDD(ch, cl, dh, d0 - E * zl);
  return q + r;
}

/** Logistic sigmoid σ(x) = 1/(1 + e^−x), split by sign so that neither branch overflows or cancels. */
export function sigmoid(x: number): number {
  return sigmoidTimes(1, 0, x, 0);
}

/**
 * c·e/(1 + e)² with e = exp(−a), a ≥ 0 (σ′ and tanh′): no 1 − σ cancellation, and the square of
 * 1 + e and the quotient in double-double, so the error is exp's (< 1 ulp; d log/d log e ≤ 1) plus
 * one rounding. Past a = 40 the denominator is 1 to 2⁻⁵⁶: c·e, subnormals rounded once.
 */
function expOverSquaredOnePlusExp(c: number, a: number): number {
  if (!(a <= 40)) return a === a ? mulExpDD(c, 0, -a, 0) : a;
  const e = Math.exp(-a);
  const [dh, dl] = twoSum(1, e);
  const [sh, sl] = mulDD(dh, dl, dh, dl);
  const [q, r] = divDD(c * e, 0, sh, sl); // c is 1 or 4: c·e is exact
  return q + r;
}

/**
 * tanh with one rounding after one libm call (Math.tanh is up to 2 ulp: its t + 2 and quotient round
 * separately). |x| < 1: t/(t + 2), t = expm1(2|x|) (the weight of t's error, d log/d log t = 2/(t + 2),
 * is ≤ 1); beyond: (1 − e)/(1 + e), e = exp(−2|x|) (weight 2e/(1 − e²) ≤ 0.28); sums and quotient in
 * double-double, so the error is expm1's or exp's (< 1 ulp) times its weight plus ½ ulp.
 */
export function tanh(x: number): number {
  const a = Math.abs(x);
  if (!(a > 0)) return x; // ±0, NaN
  if (a > 40) return Math.sign(x);
  let q: number;
  let r: number;
  if (a < 1) {
    const t = Math.expm1(2 * a);
    const [dh, dl] = twoSum(t, 2);
    [q, r] = divDD(t, 0, dh, dl);
  } else {
    const e = Math.exp(-2 * a);
    const [nh, nl] = twoSum(1, -e);
    const [dh, dl] = twoSum(1, e);
    [q, r] = divDD(nh, nl, dh, dl);
  }
  const y = q + r;
  return x < 0 ? -y : y;
}

/** σ′(x) = σ(x)·σ(−x) = e/(1+e)² with e = exp(−|x|). */
export function sigmoidPrime(x: number): number {
  return expOverSquaredOnePlusExp(1, Math.abs(x));
}

/** tanh′(x) = sech²(x) = 4e/(1+e)² with e = exp(−2|x|). */
export function tanhPrime(x: number): number {
  return expOverSquaredOnePlusExp(4, 2 * Math.abs(x));
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
/** 0.044715, the cubic coefficient of the gelu-tanh approximation ½x(1+tanh(√(2/π)(x+0.044715x³))). */
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
