/**
 * The element-wise ops as gpu.js kernel functions: for each unary/GLU op a forward f(v, p0..p4)
 * and a derivative df(v, p0..p4), in the JavaScript subset gpu.js transpiles. Parameters travel
 * as five float arguments (uniforms on GL), so one compiled kernel serves every parameter value;
 * parameters that are not float32 values travel as hi + lo pairs, and some ops take a uniform 1 (p4)
 * that keeps the GLSL compiler from simplifying float-float arithmetic away (see README.md).
 *
 * Special values are explicit: every function starts with a NaN test (`v !== v` survives the GLSL
 * and WebAssembly compilers here; comparisons alone would turn NaN into 0), and the ±∞ limits that
 * a product like ∞·0 would turn into NaN are returned before they are formed.
 */
import type { OpName, ResolvedParams } from '@rectifier/core';
import * as GENERATED from './roots.generated.js';
import type { RootPolynomial } from './roots.generated.js';

/** The ops built from an op function pair here: every op but the three with kernels of their own. */
export type ElementwiseOpName = Exclude<OpName, 'prelu' | 'crelu' | 'noisy_relu'>;

/** The five float arguments p0..p4 of every op function (unused ones are 0). */
export type Params = readonly [number, number, number, number, number];

export interface ElementwiseOp {
  /** The five float arguments of f and df, from the resolved parameters. */
  readonly args: (p: ResolvedParams) => Params;
  readonly f: string;
  readonly df: string;
  /** df leaves out a factor p0, which the gradient kernel applies after the product with dy. */
  readonly gradScaledByP0?: boolean;
  /** df's five float arguments where they differ from f's (default: `args`). */
  readonly dargs?: (p: ResolvedParams) => Params;
  /**
   * The whole gradient element g(v, g = dy, p0..p4), where f′·dy cannot be formed as a float32 f′
   * times dy (leaky_relu: f′ = α may be beyond float32); the gradient kernels call it instead of df.
   */
  readonly grad?: string;
}

const none = (): Params => [0, 0, 0, 0, 0];

/**
 * A derivative near its zero crossing x0 (gelu′ at −0.7518, gelu-tanh′ at −0.7525, silu′ at βx = −1.2785,
 * mish′ at −1.1924), where its terms cancel: f′ = δ·Q(δ) with δ = (x − x0h) − x0l (exact: Sterbenz) and
 * Q a degree-12 polynomial interpolated at Chebyshev nodes on |δ| ≤ 0.5 from a 50-digit evaluation
 * (mpmath; x0 and Q in roots.generated.ts, written by scripts/gen-root-polynomials.py). Measured in
 * float32 Horner on a dense grid: within 3 ulp. The ops multiply x − x0h by p4 = 1 (a uniform) so the
 * GLSL compiler cannot fold (x − x0h) − x0l into x − x0h. Returns the x0 pair and the polynomial's
 * source in \`d\`.
 */
function rootPoly({ x0h, x0l, coefficients: c }: RootPolynomial): { x0h: string; x0l: string; poly: string } {
  const lit = (v: number): string => (Number.isInteger(v) ? v.toFixed(1) : String(v));
  let poly = lit(c[c.length - 1]);
  for (let i = c.length - 2; i >= 0; i--) poly = `${lit(c[i])} + d * (${poly})`;
  return { x0h: lit(x0h), x0l: lit(x0l), poly: `d * (${poly})` };
}
const ROOT_GELU = rootPoly(GENERATED.ROOT_GELU);
const ROOT_GELUTANH = rootPoly(GENERATED.ROOT_GELU_TANH);
const ROOT_SILU = rootPoly(GENERATED.ROOT_SILU);
const ROOT_MISH = rootPoly(GENERATED.ROOT_MISH);

/** silu/swiglu: β as float32 hi + lo. */
function betaArgs(p: ResolvedParams): Params {
  const b = numberOr(p.beta);
  const h = Math.fround(b);
  return [h, Math.fround(b - h), 0, 0, 1];
}

/**
 * hardsigmoid's arguments: PyTorch form [0,0,0,0,0]; ONNX form [αh, αl, 1 (α > 0) or 1.25 (α < 0), x0h, x0l] with x0 = −β/α (or
 * [α, 0 or NaN, 2, β, sign(α)] for α = 0 or an x0 beyond float32: p1 = NaN is 0·∞, the value at x = ±∞ when α = 0).
 */
function hardsigmoidArgs(p: ResolvedParams): Params {
  if (p.alpha === undefined && p.beta === undefined) return [0, 0, 0, 0, 0];
  const a = numberOr(p.alpha, 1 / 6);
  const b = numberOr(p.beta, 0.5);
  const ah = Math.fround(a);
  const x0 = -b / a;
  if (a === 0 || !Number.isFinite(ah) || !(Math.abs(x0) < 1e37)) return [ah, a === 0 ? NaN : 0, 2, Math.fround(b), Math.sign(a)];
  const x0h = Math.fround(x0);
  return [ah, Math.fround(a - ah), a > 0 ? 1 : 1.25, x0h, Math.fround(x0 - x0h)];
}

const F32_MAX = 3.4028234663852886e38;
const f32Bits = new Float32Array(1);
const u32Bits = new Uint32Array(f32Bits.buffer);

/**
 * The largest float32 ≤ v (−∞ below −FLT_MAX). For a float32 x, x > v exactly where x > floorF32(v),
 * and x ≤ v exactly where x ≤ floorF32(v): a threshold between two floats, or beyond FLT_MAX
 * (where fround would give ∞, and ∞ > ∞ is false), is compared on the device as the float64
 * reference compares it.
 */
function floorF32(v: number): number {
  const h = Math.fround(v);
  if (!(h > v)) return h; // exact, below, or NaN
  if (h === Infinity) return F32_MAX;
  if (h === 0) return -(2 ** -149); // v is a negative beyond the subnormals
  f32Bits[0] = h;
  u32Bits[0] += h > 0 ? -1 : 1; // one float32 step towards −∞
  return f32Bits[0];
}

/** The smallest float32 ≥ v: x < v exactly where x < ceilF32(v), for a float32 x (see floorF32). */
const ceilF32 = (v: number): number => -floorF32(-v);

/** A float64 value as float32 hi + lo (lo 0 where hi is not finite). */
function split(v: number): [number, number] {
  const h = Math.fround(v);
  return [h, Number.isFinite(h) ? Math.fround(v - h) : 0];
}

/**
 * hardsigmoid′'s arguments [α, xah, xal, xbh, xbl]: f′ = α where x lies strictly between the kinks xa and
 * xb (either order), else 0. The kinks are where the float64 reference's t = α·x + β crosses them:
 * t ≤ 0 exactly where α·x + β ≤ 0 (x0 = −β/α), and t rounds to 1 from 1 − 2^-54 up (x1 = (1 − 2^-54 − β)/α),
 * so the kernel decides by comparing x with the kinks (exact near them), not by a float32 t that rounds
 * onto 1 far earlier. PyTorch form: α = 1/6 between −3 and 3.
 */
function hardsigmoidDargs(p: ResolvedParams): Params {
  if (p.alpha === undefined && p.beta === undefined) return [1 / 6, -3, 0, 3, 0];
  const a = numberOr(p.alpha, 1 / 6);
  const b = numberOr(p.beta, 0.5);
  if (a === 0) return [0, 0, 0, 0, 0];
  const [xah, xal] = split(-b / a);
  const [xbh, xbl] = split((1 - b) / a - 2 ** -54 / a);
  return [Math.fround(a), xah, xal, xbh, xbl];
}
/** The parameter's value where it is a number, else `fallback`. */
const numberOr = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : fallback);

/** An op's f and df bodies (with v the input and p0..p4 the parameters) as named functions. */
function op(name: ElementwiseOpName, args: ElementwiseOp['args'], f: string, df: string): ElementwiseOp {
  return {
    args,
    f: `function f_${name}(v, p0, p1, p2, p3, p4) {\n  if (v !== v) { return v; }\n${f}\n}`,
    df: `function d_${name}(v, p0, p1, p2, p3, p4) {\n  if (v !== v) { return v; }\n${df}\n}`,
  };
}

/** Adds the op's gradient element g(v, g, p0..p4) (ElementwiseOp.grad); NaN v gives NaN. */
function withGradient(name: ElementwiseOpName, o: ElementwiseOp, body: string): ElementwiseOp {
  return { ...o, grad: `function ${gradientFunctionName(name)}(v, g, p0, p1, p2, p3, p4) {\n  if (v !== v) { return v; }\n${body}\n}` };
}

/** 2^k for an integer k, exactly (|k| ≤ 1074 as float64). */
const pow2 = (k: number): number => 2 ** k;

/**
 * A float64 factor a as float32 arguments [q, U, D1, D2, F] for a product x·a with one rounding, for
 * every a (1e-300 to 1e300; float32 holds neither):
 * - a normal float32 a: [fround(a), 1, 1, 1, 1], i.e. x·fround(a) as before;
 * - |a| > FLT_MAX: a = q·U² with U = 2^u ≥ 1 and q ≈ ±2^100: x·U·U is exact (or a true overflow: q is
 *   large), then one rounding by q. Beyond 2^300, a stands in as 2^300: every non-zero float32 times
 *   either overflows;
 * - |a| < 2^-126: a = q·D1·D2·F with q = ±[0.5, 1): x·q is rounded once (it cannot overflow), then
 *   scaled down by D1, D2 ∈ {1, 2^-102} and a final F = 2^n ≥ 2^-126, the steps keeping x·q normal
 *   until the last (musl's scalbn order), so a result in the subnormals is rounded at most once more.
 *   Below 2^-330 every finite product is 0 whatever the stand-in.
 * 0 and ∞ keep their signs (no factor is 0 or ∞).
 */
export function scaledFactor(a: number): Params {
  const h = Math.fround(a);
  if (a === 0 || (Number.isFinite(h) && Math.abs(h) >= 2 ** -126)) return [h, 1, 1, 1, 1];
  const mag = Math.abs(a);
  let e = Math.floor(Math.log2(mag)); // the exact exponent: 2^e ≤ |a| < 2^(e+1)
  if (pow2(e) > mag) e--;
  if (pow2(e + 1) <= mag) e++;
  if (e > 0) {
    const u = Math.ceil((Math.min(e, 300) - 100) / 2);
    const q = e > 300 ? Math.sign(a) * pow2(100) : Math.fround(a / pow2(2 * u));
    return [q, pow2(u), 1, 1, 1];
  }
  const q = Math.fround(a / pow2(e + 1)); // ±[0.5, 1)
  let rest = e + 1;
  const steps: number[] = [];
  while (rest < -126 && steps.length < 2) {
    steps.push(pow2(-102));
    rest += 102;
  }
  return [q, 1, steps[0] ?? 1, steps[1] ?? 1, pow2(Math.max(rest, -126))];
}

function scaledByP0(o: ElementwiseOp): ElementwiseOp {
  return { ...o, gradScaledByP0: true };
}

/** The op functions of every unary/GLU op but the two that reuse another's (geglu, swiglu). */
const OP_FUNCTIONS = {
  relu: op('relu', none,
    '  if (v > 0.0) { return v; }\n  return 0.0;',
    '  if (v > 0.0) { return 1.0; }\n  return 0.0;'),
  relu6: op('relu6', none,
    '  if (v <= 0.0) { return 0.0; }\n  if (v >= 6.0) { return 6.0; }\n  return v;',
    '  if (v > 0.0 && v < 6.0) { return 1.0; }\n  return 0.0;'),
  // α as the factors of scaledFactor: every valid α, 1e-300 to 1e300, multiplies with one rounding.
  leaky_relu: withGradient('leaky_relu', op('leaky_relu', (p) => scaledFactor(numberOr(p.alpha)),
    `  if (v > 0.0) { return v; }
  return mscaled(v, p0, p1, p2, p3, p4);`,
    '  if (v > 0.0) { return 1.0; }\n  return p0;'),
  `  if (v > 0.0) { return g; }
  if (p0 === 0.0) { return 0.0; }
  return mscaled(g, p0, p1, p2, p3, p4);`),
  elu: op('elu', (p) => [numberOr(p.alpha), 0, 0, 0, 0],
    '  if (v > 0.0) { return v; }\n  return p0 * mexpm1(v);',
    '  if (v > 0.0) { return 1.0; }\n  return mexpa(v, p0);'),
  // x/α as q + lo: α = p0 + p1 (float32 hi + lo); q = x/p0 and its remainder x − q·p0 = (x − P) − mtpe(q, p0, P)
  // (x − P exact: Sterbenz), so e^(x/α) = e^q·(1 + lo) carries no |x/α|·2^-24 relative error.
  // p4 = 1 keeps the GLSL compiler from folding (x/p0)·p0 into x.
  celu: op('celu', (p) => { const a = numberOr(p.alpha); const h = Math.fround(a); return [h, Math.fround(a - h), 0, 0, 1]; },
    `  if (v > 0.0) { return v; }
  if (v > -1.0e-25) { return v; }
  const q = (v / p0) * p4;
  let lo = 0.0;
  if (Math.abs(v) < 1.0e30) {
    const pp = q * p0;
    lo = ((v - pp) - mtpe(q, p0, pp)) / p0 - q * (p1 / p0);
  }
  const em = mexpm1(q) + mexp(q) * lo;
  return p0 * em + p1 * em;`,
    `  if (v > 0.0) { return 1.0; }
  const q = (v / p0) * p4;
  let lo = 0.0;
  if (Math.abs(v) < 1.0e30) {
    const pp = q * p0;
    lo = ((v - pp) - mtpe(q, p0, pp)) / p0 - q * (p1 / p0);
  }
  return mexpa(q, 1.0 + lo);`),
  // scale·α first: a subnormal expm1(x) (x subnormal) times α would lose its missing bits before a large scale amplifies them.
  selu: op('selu', (p) => [numberOr(p.alpha), numberOr(p.scale), 0, 0, 0],
    '  if (v > 0.0) { return p1 * v; }\n  return (p1 * p0) * mexpm1(v);',
    '  if (v > 0.0) { return p1; }\n  return mexpa(v, p1 * p0);'),
  // p0 = 1 selects the tanh approximation; p4 = 1 is an opaque one for mgeluu's two-sum (see math.ts).
  // For x < −1.25 the exponent 2u = 2√(2/π)(x + 0.044715x³) is formed as float-float u + ue (mgeluu/mgeluue).
  // gelu = x·Φ(x); gelu-tanh = x·σ(2u) (no 1 + tanh cancellation).
  gelu: op('gelu', (p) => [p.approximate === 'tanh' ? 1 : 0, 0, 0, 0, 1],
    `  if (v === 0.0) { return v; } // gelu(±0) = ±0
  if (p0 > 0.5) {
    if (v > 10.0) { return v; }
    if (v < -20.0) { return -0.0; } // x·σ(2u) underflows from below
    if (v < -1.25) {
      const u = mgeluu(v, p4);
      const ue = mgeluue(v, p4, u);
      return mexpa(u, v * (1.0 + ue)) / (1.0 + mexp(u) * (1.0 + ue));
    }
    const u2 = 1.5957691216057308 * (v + 0.044715 * v * v * v);
    return v * msig(u2);
  }
  return mPhia(v, v, 0.0);`,
    `  if (p0 > 0.5) {
    if (v > 10.0) { return 1.0; }
    if (v < -20.0) { return 0.0; }
    if (v < -1.25) {
      const u = mgeluu(v, p4);
      const ue = mgeluue(v, p4, u);
      const d = 1.0 + mexp(u) * (1.0 + ue);
      return mexpa(u, (1.0 + ue) * (1.0 / d + v * 1.5957691216057308 * (1.0 + 0.134145 * v * v) / (d * d)));
    }
    if (Math.abs(v - ${ROOT_GELUTANH.x0h}) < 0.5) {
      const d = (v - ${ROOT_GELUTANH.x0h}) * p4 - ${ROOT_GELUTANH.x0l};
      return ${ROOT_GELUTANH.poly};
    }
    const u2 = 1.5957691216057308 * (v + 0.044715 * v * v * v);
    return msig(u2) + v * mdsig(u2) * 1.5957691216057308 * (1.0 + 0.134145 * v * v);
  }
  if (Math.abs(v - ${ROOT_GELU.x0h}) < 0.5) {
    const d = (v - ${ROOT_GELU.x0h}) * p4 - ${ROOT_GELU.x0l};
    return ${ROOT_GELU.poly};
  }
  return mPhia(v, 1.0, v);`),
  // β travels as float32 hi + lo (p0 + p1), and b = β·x as b + bl with bl the product's rounding
  // error (mtpe; on β·2^64 and x·2^-64 where |x| ≥ 1e30, beyond mtpe's range) plus p1·x, so e^(βx) = e^b·(1 + bl): no |βx|·2^-24 relative error from rounding βx.
  silu: op('silu', betaArgs,
    `  if (p0 === 0.0) { return v * 0.5; }
  const b = p0 * v;
  if (b > 100.0) { return v; }
  if (b < -174.0) {
    // x·σ(βx) underflows to a zero of x's sign (literals: the GLSL compiler folds v·0.0 to +0).
    if (v < 0.0) { return -0.0; }
    return 0.0;
  }
  let bl = 0.0;
  if (Math.abs(v) < 1.0e30) { bl = p1 * v + mtpe(p0, v, b); } else { if (Math.abs(b) < 1.0e30) { bl = p1 * v + mtpe(p0 * 1.8446744073709552e19, v * 5.421010862427522e-20, b); } }
  if (b >= 0.0) { return v / (1.0 + mexp(0.0 - b) * (1.0 - bl)); }
  const e = mexp(b) * (1.0 + bl);
  return mexpa(b, v * (1.0 + bl)) / (1.0 + e);`,
    `  if (p0 === 0.0) { return 0.5; }
  const b = p0 * v;
  if (b > 100.0) { return 1.0; }
  if (b < -174.0) { return 0.0; }
  let bl = 0.0;
  if (Math.abs(v) < 1.0e30) { bl = p1 * v + mtpe(p0, v, b); } else { if (Math.abs(b) < 1.0e30) { bl = p1 * v + mtpe(p0 * 1.8446744073709552e19, v * 5.421010862427522e-20, b); } }
  if (b >= 0.0) {
    const e = mexp(0.0 - b) * (1.0 - bl);
    const d = 1.0 + e;
    return (1.0 + e + (b + bl) * e) / (d * d);
  }
  if (Math.abs(b - ${ROOT_SILU.x0h}) < 0.5) {
    // δ = ((b − x0h) + bl) − x0l, in this order: bl (βx's rounding error, up to 6e-8) and x0l (1.3e-8)
    // can both exceed δ (~5e-9 next to the zero), so no step may round at their scale. b − x0h is a
    // multiple of b's ulp (exact, Sterbenz); adding bl (at most half that ulp) is exact or rounds
    // relative to the sum, and the sum lies within a factor 2 of x0l where δ is small (Sterbenz
    // again). The other order, ((b − x0h) − x0l) + bl, rounded at bl's scale: 11 ulp of silu′ there.
    const d = (((b - ${ROOT_SILU.x0h}) * p4) + bl) - ${ROOT_SILU.x0l};
    return ${ROOT_SILU.poly};
  }
  const e = mexp(b) * (1.0 + bl);
  const d = 1.0 + e;
  return mexpa(b, (((1.0 + b) + e) + bl) * (1.0 + bl)) / (d * d);`),
  // softplus(βx)/β = max(x, 0) + log1p(e^(−|βx|))/β, with βx as b + bl (see silu) and 1/β from β's hi + lo.
  // Linear where β·x > threshold, decided on the exact β·x (b + bl; b = threshold is a tie only the
  // tail bl breaks) against the threshold as floorF32 (p1), with p3 = 1 for a threshold below every
  // float (−∞: every x but −∞ is linear).
  softplus: op('softplus', (p) => { const b = numberOr(p.beta); const h = Math.fround(b); const t = numberOr(p.threshold); return [h, floorF32(t), Math.fround(b - h), t < -3.4028234663852886e38 ? 1 : 0, 0]; },
    `  if (p3 > 0.5) {
    if (v >= -3.4028234663852886e38) { return v; }
  }
  const b = p0 * v;
  let bl = 0.0;
  if (Math.abs(v) < 1.0e30) { bl = p2 * v + mtpe(p0, v, b); } else { if (Math.abs(b) < 1.0e30) { bl = p2 * v + mtpe(p0 * 1.8446744073709552e19, v * 5.421010862427522e-20, b); } }
  if (b > p1) { return v; }
  if (b === p1) {
    if (bl > 0.0) { return v; }
    if (b === 0.0 && v > 0.0) { return v; }
  }
  const ib = (1.0 / p0) * (1.0 - p2 / p0);
  if (b < -174.0) { return 0.0; } // +0: softplus is positive (where b is this far out, bl is not small and 1 + bl may be < 0)
  if (b < -20.0) { return mexpa(b, (1.0 + bl) * ib); }
  let m = 0.0;
  if (v > 0.0) { m = v; }
  let e = 0.0;
  if (b > 0.0) { e = mexp(0.0 - b) * (1.0 - bl); } else { e = mexp(b) * (1.0 + bl); }
  return m + mlog1p01(e) * ib;`,
    `  if (p3 > 0.5) {
    if (v >= -3.4028234663852886e38) { return 1.0; }
  }
  const b = p0 * v;
  let bl = 0.0;
  if (Math.abs(v) < 1.0e30) { bl = p2 * v + mtpe(p0, v, b); } else { if (Math.abs(b) < 1.0e30) { bl = p2 * v + mtpe(p0 * 1.8446744073709552e19, v * 5.421010862427522e-20, b); } }
  if (b > p1) { return 1.0; }
  if (b === p1) {
    if (bl > 0.0) { return 1.0; }
    if (b === 0.0 && v > 0.0) { return 1.0; }
  }
  if (b >= 0.0) { return 1.0 / (1.0 + mexp(0.0 - b) * (1.0 - bl)); }
  const e = mexp(b) * (1.0 + bl);
  return e / (1.0 + e);`),
  // tanh(softplus(x)) in closed form: with e = exp(−|x|), (1+2e)/(1+2e+2e²) for x ≥ 0 and
  // e(e+2)/(e(e+2)+2) for x < 0; 1 − tanh likewise, so sech² = (1−t)(1+t) does not cancel.
  mish: op('mish', () => [0, 0, 0, 0, 1],
    `  if (v < -174.0) { return -0.0; } // x·tanh(softplus(x)) underflows from below
  const e = mexp(0.0 - Math.abs(v));
  let t = 0.0;
  if (v >= 0.0) { t = (1.0 + 2.0 * e) / (1.0 + 2.0 * e + 2.0 * e * e); return v * t; }
  const q = e * (e + 2.0);
  return mexpa(v, v * (e + 2.0)) / (q + 2.0);`,
    `  if (v > 100.0) { return 1.0; }
  if (v < -174.0) { return 0.0; }
  const e = mexp(0.0 - Math.abs(v));
  let t = 0.0;
  let w = 0.0;
  if (v >= 0.0) { const d = 1.0 + 2.0 * e + 2.0 * e * e; t = (1.0 + 2.0 * e) / d; w = 2.0 * e * e / d; return t + v * (w * (1.0 + t)) * msig(v); }
  if (Math.abs(v - ${ROOT_MISH.x0h}) < 0.5) {
    const d = (v - ${ROOT_MISH.x0h}) * p4 - ${ROOT_MISH.x0l};
    return ${ROOT_MISH.poly};
  }
  // x < 0: every term carries a factor e = e^x, applied last (mexpa) so tiny results stay normal.
  const q = e * (e + 2.0);
  t = q / (q + 2.0);
  w = 2.0 / (q + 2.0);
  return mexpa(v, (e + 2.0) / (q + 2.0) + v * (w * (1.0 + t)) / (1.0 + e));`),
  // ONNX form max(0, min(1, α·x + β)) (p2 ≥ 1) or PyTorch's clamp(x + 3, 0, 6)/6 (p2 = 0). α·x + β cancels
  // near its zero, so it is evaluated as α·(x − x0) with x0 = −β/α: x − x0h is exact near x0
  // (Sterbenz), α and x0 travel as float32 hi + lo pairs (p0 + p1, p3 + p4), and every rounding is
  // relative to the result. p2 = 2 is the plain α·x + β for α = 0 or an x0 beyond float32.
  hardsigmoid: op('hardsigmoid', hardsigmoidArgs,
    `  if (p2 > 0.5) {
    if (p2 > 1.5) {
      if (Math.abs(v) > 3.4028234663852886e38) {
        // x = ±∞: NaN (p1) for α = 0 (0·∞), else ±∞ by α's sign (p4), known even where a tiny α is flushed.
        if (p4 === 0.0) { return p1; }
        if ((v > 0.0) === (p4 > 0.0)) { return 1.0; }
        return 0.0;
      }
    }
    if (p2 < 1.5 && Math.abs(v) > 3.4028234663852886e38) {
      // x = ±∞: α·x + β is ±∞ by α's sign (p2), known on the host even where the device flushes a tiny α.
      if ((v > 0.0) === (p2 < 1.125)) { return 1.0; }
      return 0.0;
    }
    const t = monnxt(v, p0, p1, p2, p3, p4);
    if (t <= 0.0) { return 0.0; }
    if (t >= 1.0) { return 1.0; }
    return t;
  }
  const s = v + 3.0;
  if (s <= 0.0) { return 0.0; }
  if (s >= 6.0) { return 1.0; }
  return s / 6.0;`,
    `  if (p0 === 0.0) { return 0.0; }
  const da = v - p1;
  const db = v - p3;
  let above = da > p2;
  let below = db < p4;
  if (p0 < 0.0) { above = db > p4; below = da < p2; }
  if (above && below) { return p0; }
  return 0.0;`),
  hardswish: op('hardswish', none,
    `  if (v <= -3.0) { return -0.0; } // x·0/6 with x < 0
  if (v >= 3.0) { return v; }
  return v * (v + 3.0) / 6.0;`,
    `  if (v <= -3.0) { return 0.0; }
  if (v >= 3.0) { return 1.0; }
  return (v + 1.5) / 3.0;`),
  // √(x²+b) without overflowing x²; x < 0 as b/(2(h − x)) (no cancellation).
  squareplus: op('squareplus', (p) => [numberOr(p.b), 0, 0, 0, 0],
    `  const a = Math.abs(v);
  if (a >= 1.0e18) {
    if (v > 0.0) { return v; }
    return (0.25 * p0) / a;
  }
  const h = Math.sqrt(a * a + p0);
  if (v >= 0.0) { return 0.5 * v + 0.5 * h; }
  return (0.5 * p0) / (h - v);`,
    `  const a = Math.abs(v);
  if (a >= 1.0e18) {
    if (v > 0.0) { return 1.0; }
    return ((0.5 * p0) / a) / (a + a);
  }
  const h = Math.sqrt(a * a + p0);
  if (v >= 0.0) { return 0.5 * (1.0 + v / h); }
  return ((0.5 * p0) / h) / (h - v);`),
  // f′ = 2·max(0, x), returned as max(0, x) with p0 = 2 applied after the product: (x·dy)·2, so 2·x
  // cannot overflow where the gradient is finite.
  relu_squared: scaledByP0(op('relu_squared', () => [2, 0, 0, 0, 0],
    '  if (v > 0.0) { return v * v; }\n  return 0.0;',
    '  if (v > 0.0) { return v; }\n  return 0.0;')),
  // Thresholds travel as floorF32 (see there): x > α, |x| ≤ λ decided as the float64 reference decides them.
  thresholded_relu: op('thresholded_relu', (p) => [floorF32(numberOr(p.alpha)), 0, 0, 0, 0],
    '  if (v > p0) { return v; }\n  return 0.0;',
    '  if (v > p0) { return 1.0; }\n  return 0.0;'),
  sigmoid: op('sigmoid', none, '  return msig(v);', '  return mdsig(v);'),
  tanh: op('tanh', none, '  return mtanh(v);', '  return mdtanh(v);'),
  // Bounds travel as the float32 values returned (p2, p3) and as the float32 thresholds that decide
  // x < min and x > max as the float64 reference does (p0 = ceilF32(min), p1 = floorF32(max)); p4 = 1
  // where min > max (max everywhere), decided in float64.
  hardtanh: op('hardtanh', (p) => { const lo = numberOr(p.min); const hi = numberOr(p.max); return [ceilF32(lo), floorF32(hi), Math.fround(lo), Math.fround(hi), lo > hi ? 1 : 0]; },
    '  if (p4 > 0.5) { return p3; }\n  if (v < p0) { return p2; }\n  if (v > p1) { return p3; }\n  return v;',
    '  if (v > p0 && v < p1) { return 1.0; }\n  return 0.0;'),
  softsign: op('softsign', none,
    `  const a = Math.abs(v);
  if (a > 1.0e30) { if (v > 0.0) { return 1.0; } return -1.0; }
  return v / (1.0 + a);`,
    `  const d = 1.0 + Math.abs(v);
  if (d > 1.0e19) { return (1.0 / d) / d; }
  return 1.0 / (d * d);`),
  hardshrink: op('hardshrink', (p) => [floorF32(numberOr(p.lambda)), 0, 0, 0, 0],
    '  if (Math.abs(v) <= p0) { return 0.0; }\n  return v;',
    '  if (Math.abs(v) > p0) { return 1.0; }\n  return 0.0;'),
  // softshrink: λ compared as floorF32 (p0) and subtracted as float32 hi + lo (p1 + p2; hi at most
  // FLT_MAX, so ∞ − λ stays ∞ where λ is beyond float32).
  softshrink: op('softshrink', (p) => { const l = numberOr(p.lambda); const [h, lo] = split(l); return [floorF32(l), Math.min(h, F32_MAX), lo, 0, 0]; },
    '  if (v > p0) { return (v - p1) - p2; }\n  if (v < 0.0 - p0) { return (v + p1) + p2; }\n  return 0.0;',
    '  if (Math.abs(v) > p0) { return 1.0; }\n  return 0.0;'),
  // GLU ops: the activation applied to the gate (the kernel multiplies by the value).
  reglu: op('reglu', none,
    '  if (v > 0.0) { return v; }\n  return 0.0;',
    '  if (v > 0.0) { return 1.0; }\n  return 0.0;'),
} satisfies Record<Exclude<ElementwiseOpName, 'geglu' | 'swiglu'>, ElementwiseOp>;

/**
 * Every unary/GLU op's functions. Exhaustive over ElementwiseOpName, so an op added to core's
 * catalogue without its functions here is a compile error (not a TypeError at its first call).
 */
const TABLE: Readonly<Record<ElementwiseOpName, ElementwiseOp>> = {
  ...OP_FUNCTIONS,
  hardsigmoid: { ...OP_FUNCTIONS.hardsigmoid, dargs: hardsigmoidDargs },
  // hardtanh′ = 1 where min < x < max: the thresholds that decide it for a float32 x.
  hardtanh: { ...OP_FUNCTIONS.hardtanh, dargs: (p) => [floorF32(numberOr(p.min)), ceilF32(numberOr(p.max)), 0, 0, 0] },
  // geglu and swiglu are gelu and silu on the gate (same parameters).
  geglu: OP_FUNCTIONS.gelu,
  swiglu: OP_FUNCTIONS.silu,
};

/** The unary/GLU op's functions; undefined for prelu, crelu and noisy_relu (their own kernels). */
export function elementwiseOp(name: OpName): ElementwiseOp | undefined {
  return Object.hasOwn(TABLE, name) ? TABLE[name as ElementwiseOpName] : undefined;
}

/** Every op function source (deduplicated), to register with gpu.js before kernels are created. */
export function allOpFunctions(): string[] {
  const seen = new Set<string>();
  for (const o of Object.values(TABLE)) {
    seen.add(o.f);
    seen.add(o.df);
    if (o.grad !== undefined) seen.add(o.grad);
  }
  return [...seen];
}

/** The name of an op's gradient element function (ElementwiseOp.grad). */
export function gradientFunctionName(name: OpName): string {
  return `g_${name}`;
}

/** The function name of an op's forward or derivative. */
export function functionName(name: OpName, derivative: boolean): string {
  const base = name === 'geglu' ? 'gelu' : name === 'swiglu' ? 'silu' : name;
  return `${derivative ? 'd' : 'f'}_${base}`;
}
