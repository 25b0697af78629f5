/**
 * Scalar math for the kernels, as JavaScript source in the subset gpu.js transpiles (to GLSL for the
 * GL modes, to WebAssembly for 'webasm', to plain JS for 'cpu'). Two libraries with the same names:
 *
 * - GL_MATH: the GPU's own exp/log are not accurate enough (measured on llvmpipe: exp 64 ulp,
 *   log 5984 ulp near 1), so exp, expm1 and log1p are built here from + − × ÷ and floor only:
 *   Cody–Waite range reduction and short Taylor/atanh series, each within ~1 ulp in float32.
 * - NATIVE_MATH: in 'webasm' and 'cpu' Math.exp/expm1/log1p are the host's float64 functions
 *   (webasm imports them and rounds the result to float32), which are more accurate than any
 *   float32 polynomial, so they are used directly.
 *
 * Both also define mexpa(x, a) = a·e^x (the same reduction, e^r from the library's own exp).
 * On top of either: sigmoid, its derivative, tanh and its derivative, a·Φ + c·φ for gelu, the
 * two-product error term and gelu-tanh's float-float exponent, written once (COMMON_MATH). Helpers
 * that call other helpers are each reached once per kernel: gpu.js 2.24 orders a helper that is
 * reached twice before its own callees, which GLSL rejects. Sources are strings (not functions) so no TypeScript or bundler
 * transform can rewrite them before gpu.js parses them.
 */

export interface MathFunction {
  readonly source: string;
  readonly argumentTypes: Record<string, 'Number'>;
}

const num = (...names: string[]): Record<string, 'Number'> => Object.fromEntries(names.map((n) => [n, 'Number' as const]));

/**
 * mexpa(x, a) = a·e^x with one rounding where the result is tiny: e^x = 2^k·e^r (|r| ≤ 0.35, e^r from
 * expr), a·e^r is formed first and scaled by 2^h·2^(k−h) last, so a result that is normal (or,
 * without flush-to-zero, subnormal) does not go through a flushed or subnormal e^x (x·σ(x) at
 * x = −88, α·e^x, 4e^(−2|x|), …). For x ≤ 88.7; below −174 the result is 0. A leaf function: gpu.js
 * orders nested helpers wrongly when a helper that calls another is reached twice.
 */
function mexpaSource(expr: string): MathFunction {
  return {
    source: `function mexpa(x, a) {
  // Below −174 the result is a zero of a's sign (a literal: a·0.0 would be folded to +0 by the GLSL compiler).
  if (x < -174.0) {
    if (a < 0.0) { return -0.0; }
    return 0.0;
  }
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = (x - k * 0.693359375) + k * 2.1219444005469057e-4;
  const h = Math.floor(k * 0.5);
  // a near the top of the range: a/4 first (exact), so a·e^r (|r| ≤ 0.35) does not overflow before 2^k.
  let sc = 1.0;
  if (Math.abs(a) > 1.0e37) { sc = 4.0; }
  let y = (a / sc) * (${expr});
  for (let part = 0; part < 2; part++) {
    let j = h;
    if (part > 0) { j = k - h; }
    let rest = Math.abs(j);
    let power = 1.0;
    let square = 2.0;
    for (let bit = 0; bit < 7; bit++) {
      const half = Math.floor(rest * 0.5);
      if (rest - 2.0 * half > 0.5) { power = power * square; }
      square = square * square;
      rest = half;
    }
    if (j < 0.0) { power = 1.0 / power; }
    y = y * power;
  }
  return y * sc;
}`,
    argumentTypes: num('x', 'a'),
  };
}

export const GL_MATH: readonly MathFunction[] = [
  {
    // exp(x): k = round(x/ln2), r = x − k·ln2 in two parts (k·C1 is exact), Taylor to r^7 on |r| ≤ 0.35.
    source: `function mexp(x) {
  if (x !== x) { return x; }
  if (x > 88.72283) { return x * 1.0e38; }
  if (x < -103.98) { return 0.0; }
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = (x - k * 0.693359375) + k * 2.1219444005469057e-4;
  const p = 1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * 1.984126984126984e-4))))));
  // p·2^k as p·2^h·2^(k−h), each factor a normal float; 2^j by binary powering, inline
  // (GLSL ES 1.0 has no ldexp, and gpu.js emits nested helper functions in an unreliable order).
  const h = Math.floor(k * 0.5);
  let y = p;
  for (let part = 0; part < 2; part++) {
    let j = h;
    if (part > 0) { j = k - h; }
    let rest = Math.abs(j);
    let power = 1.0;
    let square = 2.0;
    for (let bit = 0; bit < 7; bit++) {
      const half = Math.floor(rest * 0.5);
      if (rest - 2.0 * half > 0.5) { power = power * square; }
      square = square * square;
      rest = half;
    }
    if (j < 0.0) { power = 1.0 / power; }
    y = y * power;
  }
  return y;
}`,
    argumentTypes: num('x'),
  },
  {
    // expm1(x): Taylor near 0; else 2^k·expm1(r) + (2^k − 1), where 2^k − 1 is exact for |k| ≤ 24.
    source: `function mexpm1(x) {
  if (x !== x) { return x; }
  if (x === 0.0) { return x; } // ±0 as given (the series' x + x²·… gives +0 for −0)
  if (x > -0.34657359 && x < 0.34657359) {
    return x + x * x * (0.5 + x * (0.16666666666666666 + x * (0.041666666666666664 + x * (0.008333333333333333 + x * (0.001388888888888889 + x * (1.984126984126984e-4 + x * (2.48015873015873e-5 + x * 2.7557319223985893e-6)))))));
  }
  if (x < -17.0) { return mexp(x) - 1.0; }
  if (x > 16.0) { return mexp(x) - 1.0; }
  const k = Math.floor(x * 1.4426950408889634 + 0.5);
  const r = (x - k * 0.693359375) + k * 2.1219444005469057e-4;
  const em = r + r * r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * (1.984126984126984e-4 + r * (2.48015873015873e-5 + r * 2.7557319223985893e-6)))))));
  // 2^k, |k| ≤ 25, by binary powering (inline, as in mexp)
  let rest = Math.abs(k);
  let power = 1.0;
  let square = 2.0;
  for (let bit = 0; bit < 7; bit++) {
    const half = Math.floor(rest * 0.5);
    if (rest - 2.0 * half > 0.5) { power = power * square; }
    square = square * square;
    rest = half;
  }
  if (k < 0.0) { power = 1.0 / power; }
  return power * em + (power - 1.0);
}`,
    argumentTypes: num('x'),
  },
  mexpaSource('1.0 + r * (1.0 + r * (0.5 + r * (0.16666666666666666 + r * (0.041666666666666664 + r * (0.008333333333333333 + r * (0.001388888888888889 + r * (1.984126984126984e-4 + r * 2.48015873015873e-5)))))))'),
  {
    // log1p(e) for 0 ≤ e ≤ 1 (all the softplus tail needs): 2·atanh(s), s = e/(2+e) ≤ 1/3; e itself
    // below 2^-60 (s would be flushed where e/2 is subnormal).
    source: `function mlog1p01(e) {
  if (e < 8.673617379884035e-19) { return e; }
  const s = e / (2.0 + e);
  const s2 = s * s;
  return 2.0 * s * (1.0 + s2 * (0.3333333333333333 + s2 * (0.2 + s2 * (0.14285714285714285 + s2 * (0.1111111111111111 + s2 * (0.09090909090909091 + s2 * (0.07692307692307693 + s2 * (0.06666666666666667 + s2 * 0.058823529411764705))))))));
}`,
    argumentTypes: num('e'),
  },
];

export const NATIVE_MATH: readonly MathFunction[] = [
  { source: `function mexp(x) { return Math.exp(x); }`, argumentTypes: num('x') },
  { source: `function mexpm1(x) { return Math.expm1(x); }`, argumentTypes: num('x') },
  { source: `function mlog1p01(e) { return Math.log1p(e); }`, argumentTypes: num('e') },
  mexpaSource('Math.exp(r)'),
];

export const COMMON_MATH: readonly MathFunction[] = [
  {
    // The rounding error of the float32 product p = a·b (Dekker's two-product, Veltkamp splits),
    // so a·b = p + mtpe(a, b, p) exactly. Needs |a|, |b| < 2^100; measured exact on llvmpipe and wasm.
    source: `function mtpe(a, b, p) {
  const ca = 4097.0 * a;
  const ah = ca - (ca - a);
  const al = a - ah;
  const cb = 4097.0 * b;
  const bh = cb - (cb - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}`,
    argumentTypes: num('a', 'b', 'p'),
  },
  {
    // gelu-tanh's exponent 2u = c1·(x + c2·x³) (c1 = 2√(2/π), c2 = 0.044715) in float-float: mgeluu
    // is the float32 head, mgeluue(x, one, head) the tail, from two-products (mtpe) and a two-sum.
    // 'one' is a uniform equal to 1: multiplying the sum by it keeps the GLSL compiler from folding
    // (a + b) − a into b (Mesa's inexact algebraic rules), which would zero the two-sum's error term.
    source: `function mgeluu(v, one) {
  const s2 = v * v;
  const c3 = v * s2;
  const d = 0.044714998453855515 * c3;
  const w = (v + d) * one;
  return 1.5957691669464111 * w;
}`,
    argumentTypes: num('v', 'one'),
  },
  {
    source: `function mgeluue(v, one, u) {
  const s2 = v * v;
  const s2e = mtpe(v, v, s2);
  const c3 = v * s2;
  const c3e = mtpe(v, s2, c3) + v * s2e;
  const d = 0.044714998453855515 * c3;
  const de = mtpe(0.044714998453855515, c3, d) + (0.044714998453855515 * c3e + 1.5461444832776117e-9 * c3);
  const w = (v + d) * one;
  const bb = w - v;
  const we = ((v - (w - bb)) + (d - bb)) + de;
  return mtpe(1.5957691669464111, w, u) + (1.5957691669464111 * we - 4.534068032135963e-8 * w);
}`,
    argumentTypes: num('v', 'one', 'u'),
  },
  {
    // σ split by sign: neither branch overflows or cancels.
    source: `function msig(x) {
  if (x !== x) { return x; }
  if (x >= 0.0) { return 1.0 / (1.0 + mexp(0.0 - x)); }
  const e = mexp(x);
  return e / (1.0 + e);
}`,
    argumentTypes: num('x'),
  },
  {
    // σ′ = e/(1+e)² with e = exp(−|x|): no 1 − σ cancellation.
    source: `function mdsig(x) {
  if (x !== x) { return x; }
  const e = mexp(0.0 - Math.abs(x));
  const d = 1.0 + e;
  return e / (d * d);
}`,
    argumentTypes: num('x'),
  },
  {
    // tanh|x| = −expm1(−2|x|)/(2 + expm1(−2|x|)): accurate near 0 (tanh x ≈ x) and saturating to 1.
    source: `function mtanh(x) {
  if (x !== x) { return x; }
  if (x === 0.0) { return x; } // tanh(±0) = ±0 (the quotient below loses the sign)
  const e = mexpm1(-2.0 * Math.abs(x));
  const t = (0.0 - e) / (2.0 + e);
  if (x < 0.0) { return 0.0 - t; }
  return t;
}`,
    argumentTypes: num('x'),
  },
  {
    // tanh′ = 4e/(1+e)² with e = exp(−2|x|): no 1 − tanh² cancellation.
    source: `function mdtanh(x) {
  if (x !== x) { return x; }
  const e = mexp(-2.0 * Math.abs(x));
  const d = 1.0 + e;
  return mexpa(-2.0 * Math.abs(x), 4.0) / (d * d);
}`,
    argumentTypes: num('x'),
  },
  {
    // a·Φ(x) + c·φ(x), Φ(x) = ½·erfc(−x/√2). erfc by the Chebyshev-fitted form t·exp(−z² + P(t)),
    // t = 1/(1 + z/2) (Numerical Recipes' erfcc, fractional error < 1.2e-7 everywhere): relative
    // accuracy in the lower tail, where 1 + erf(x) would cancel to nothing. exp(−x²/2) is split
    // as exp(−s²/2)·exp(−(|x|−s)(|x|+s)/2) with s = |x| to 8 fraction bits (s² exact), and the first
    // factor is applied last through mexpa, so x·Φ(x) near −13 stays normal. gelu = (x, 0), gelu′ = (1, x).
    source: `function mPhia(x, a, c) {
  if (x !== x) { return x; }
  const z = Math.abs(x);
  if (z < 1.0e-30) {
    // ½·a alone where c = 0 (gelu): ½·x + 0 would turn ½·x = −0 (x = −2^-149) into +0.
    if (c === 0.0) { return 0.5 * a; }
    return 0.5 * a + 0.3989422804014327 * c;
  }
  if (z >= 15.0) {
    if (x < 0.0) { return -0.0; } // the lower tail underflows from below: x·Φ(x) and Φ + x·φ are tiny negatives
    return a;
  }
  const t = 1.0 / (1.0 + 0.35355339059327373 * z);
  const p = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const s = Math.floor(z * 256.0) / 256.0;
  const w = -0.5 * (z - s) * (z + s);
  const aq = a * (0.5 * t) * mexp(w + p);
  const cf = c * 0.3989422804014327 * mexp(w);
  if (x < 0.0) { return mexpa(-0.5 * s * s, aq + cf); }
  return a - mexpa(-0.5 * s * s, aq - cf);
}`,
    argumentTypes: num('x', 'a', 'c'),
  },
  {
    // x·a for a factor a given as scaledFactor's [q, U, D1, D2, F] (ops.ts): ((x·U)·U)·q where U > 1, else
    // (((x·q)·D1)·D2)·F. NaN and ±∞·a are returned first (∞ with the signs; NaN for a = 0); every other step is
    // clamped to ±FLT_MAX, which changes no value (only the last step can overflow, and then a clamped
    // FLT_MAX times q ≥ 2^99 still does) but keeps the GLSL compiler from reassociating the uniforms
    // into one factor beyond float32 (U·U·q = ∞: x = 0 gave NaN).
    source: `function mscaled(x, q, u, d1, d2, f) {
  if (x !== x) { return x; } // NaN (a dy of NaN): the clamps would turn it into ±FLT_MAX
  if (Math.abs(x) > 3.4028234663852886e38) { return x * q; }
  if (u > 1.0) {
    const a = Math.min(Math.max(x * u, -3.4028234663852886e38), 3.4028234663852886e38);
    const b = Math.min(Math.max(a * u, -3.4028234663852886e38), 3.4028234663852886e38);
    return b * q;
  }
  const c = Math.min(Math.max(x * q, -3.4028234663852886e38), 3.4028234663852886e38);
  const d = Math.min(Math.max(c * d1, -3.4028234663852886e38), 3.4028234663852886e38);
  const e = Math.min(Math.max(d * d2, -3.4028234663852886e38), 3.4028234663852886e38);
  return e * f;
}`,
    argumentTypes: num('x', 'q', 'u', 'd1', 'd2', 'f'),
  },
  {
    // ONNX hardsigmoid's α·x + β as α·(x − x0) (see ops.ts): p0 + p1 = α, p3 + p4 = x0; p2 = 2: p0·x + p3.
    source: `function monnxt(v, p0, p1, p2, p3, p4) {
  if (p2 > 1.5) { return p0 * v + p3; } // p2 = 1 or 1.25: α·(x − x0)
  const d = (v - p3) - p4;
  let t = p0 * d;
  if (Math.abs(d) < 1.0e30) { t = t + p1 * d; }
  return t;
}`,
    argumentTypes: num('v', 'p0', 'p1', 'p2', 'p3', 'p4'),
  },
];
