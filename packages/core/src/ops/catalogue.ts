/**
 * The op catalogue: every op's name, inputs, parameters (defaults and validation) and its float64
 * reference forward f and derivative f′. DESIGN.md §3 is the specification; this file is its code.
 * Backends implement kernels for these names; the conformance suite iterates over this table, so a
 * new op is one entry here plus one kernel per backend.
 */
import {
  geluErf, geluErfPrime, geluTanh, geluTanhPrime, mish, mishPrime, silu as siluForward, siluPrime as siluDerivative,
  softplusOp as softplusForward, softplusPrime as softplusDerivative, squareplus as squareplusOf, squareplusPrime as squareplusPrimeOf,
} from '../math/activations.js';
import { divDD, mulDD, mulExpDD, twoProd, twoSum, type DD } from '../math/dd.js';
import { sigmoid, sigmoidPrime, tanh, tanhPrime } from '../math/scalar.js';
import type { ParamSpec, ResolvedParams } from './params.js';

/** How an op treats its inputs (drives validation, shapes and the kernels' dispatch). */
export type OpKind =
  | 'unary' // y = f(x), same shape
  | 'prelu' // y = x > 0 ? x : w·x, w scalar / per channel / full shape
  | 'crelu' // y = concat(relu(x), relu(−x)) on the last axis
  | 'noisy' // y = relu(x + noise), seeded
  | 'glu'; // y = act(gate) ⊙ value

/**
 * The accuracy class of an op (DESIGN.md §4): `exact` ops only select or clamp and are bit-exact on
 * every backend; `scaled` ops also multiply by a parameter once (within 1 ulp); `transcendental` ops
 * — and hardsigmoid/hardswish, rational but with two or three roundings in a float32 kernel — are
 * held to the backend's declared ulp bound.
 */
export type AccuracyClass = 'exact' | 'scaled' | 'transcendental';

/** A scalar function of x and the resolved parameters, in float64. */
export type ScalarFn = (x: number, p: ResolvedParams) => number;

/** One entry of the op catalogue: an op's name, inputs, parameters, accuracy class and float64 reference. */
export interface OpDefinition {
  /** The op's canonical name (never an alias). */
  readonly name: OpName;
  /** How the op treats its inputs: unary, prelu, crelu, noisy or glu. */
  readonly kind: OpKind;
  /** Input names in order: ['x'], ['x', 'weight'] or ['gate', 'value']. */
  readonly inputs: readonly string[];
  /** The parameters the op accepts, with their rules and defaults (empty when it takes none). */
  readonly params: readonly ParamSpec[];
  /** The accuracy class a backend's kernel is held to for this op. */
  readonly accuracy: AccuracyClass;
  /** One line for docs and error messages. */
  readonly summary: string;
  /** For unary and glu ops: f(x) (for glu, the activation applied to the gate). */
  readonly f?: ScalarFn;
  /** For unary and glu ops: f′(x), with DESIGN.md's value at kinks; NaN for NaN. */
  readonly df?: ScalarFn;
  /**
   * For unary ops with an exact-zero region: θ such that f(x) is +0 for every x ≤ θ (−0 and −∞
   * included), in every backend's kernel too. The certified sparse FFN (`sparse: 'certified'`)
   * skips a hidden unit whose pre-activation it proves below θ; absent: the op has no such region
   * (or its zero there is −0, as hardswish's x·0), and the certified FFN refuses it.
   */
  readonly zeroAtOrBelow?: (p: ResolvedParams) => number;
}

const num = (name: string, rule: 'finite' | 'notNaN' | 'positive' | 'nonNegative' | 'uint32' | 'axis', def: number | undefined, doc: string): ParamSpec =>
  ({ name, type: 'number', rule, default: def, doc });
const APPROXIMATE: ParamSpec = { name: 'approximate', type: 'enum', values: ['none', 'tanh'], default: 'none', doc: "'none' (erf form) or 'tanh'" };

/** NaN-preserving step: 1 where x > 0, 0 where x ≤ 0, NaN for NaN. */
const step = (x: number): number => (x > 0 ? 1 : x <= 0 ? 0 : NaN);
const isNaNNumber = (x: number): boolean => x !== x;

/* ---------- scalar definitions (float64) ---------- */

const relu: ScalarFn = (x) => (x <= 0 ? 0 : x); // −0 → +0, NaN falls through
const reluPrime: ScalarFn = (x) => step(x);

const gelu: ScalarFn = (x, p) => (p.approximate === 'tanh' ? geluTanh(x) : geluErf(x));
const geluPrime: ScalarFn = (x, p) => (p.approximate === 'tanh' ? geluTanhPrime(x) : geluErfPrime(x));
const silu: ScalarFn = (x, p) => siluForward(x, p.beta as number);
const siluPrime: ScalarFn = (x, p) => siluDerivative(x, p.beta as number);
const softplusOp: ScalarFn = (x, p) => softplusForward(x, p.beta as number, p.threshold as number);
const softplusPrime: ScalarFn = (x, p) => softplusDerivative(x, p.beta as number, p.threshold as number);

/** PyTorch's hardsigmoid (x+3 clamped to [0,6], over 6) unless ONNX's alpha/beta are given. */
function hardsigmoid(x: number, p: ResolvedParams): number {
  if (p.alpha !== undefined || p.beta !== undefined) {
    const t = ((p.alpha ?? 1 / 6) as number) * x + ((p.beta ?? 0.5) as number);
    return t <= 0 ? 0 : t >= 1 ? 1 : t;
  }
  const t = x + 3;
  return (t <= 0 ? 0 : t >= 6 ? 6 : t) / 6;
}
function hardsigmoidPrime(x: number, p: ResolvedParams): number {
  if (isNaNNumber(x)) return x;
  if (p.alpha !== undefined || p.beta !== undefined) {
    const a = (p.alpha ?? 1 / 6) as number;
    const t = a * x + ((p.beta ?? 0.5) as number);
    return t > 0 && t < 1 ? a : 0;
  }
  return x > -3 && x < 3 ? 1 / 6 : 0;
}

function hardswish(x: number): number {
  if (x === -Infinity) return -0;
  const t = x + 3;
  return (x * (t <= 0 ? 0 : t >= 6 ? 6 : t)) / 6;
}
function hardswishPrime(x: number): number {
  if (isNaNNumber(x)) return x;
  // (x + 1.5)/3, not x/3 + ½: x + 1.5 is exact near the zero at −1.5, so the result is correctly rounded there.
  return x <= -3 ? 0 : x >= 3 ? 1 : (x + 1.5) / 3;
}

/** (x + √(x²+b))/2, with the x < 0 branch rewritten as b/(2(√(x²+b) − x)) to avoid cancellation. */
function squareplus(x: number, p: ResolvedParams): number {
  return squareplusOf(x, p.b as number);
}
function squareplusPrime(x: number, p: ResolvedParams): number {
  return squareplusPrimeOf(x, p.b as number);
}

function elu(x: number, p: ResolvedParams): number {
  return x > 0 ? x : (p.alpha as number) * Math.expm1(x);
}
/** α·eˣ with one rounding (mulExpDD: a subnormal eˣ is not multiplied by α after its own rounding). */
function eluPrime(x: number, p: ResolvedParams): number {
  return x > 0 ? 1 : mulExpDD(p.alpha as number, 0, x, 0);
}
/**
 * x/α as a double-double: e^(x/α) amplifies the rounding of x/α by |x/α| (16 ulp at x/α = −33), so its
 * error term is carried into the exp (celu′) and, to first order, into expm1 (celu).
 */
function celuArgument(x: number, a: number): DD {
  const uh = x / a;
  const [p, pe] = twoProd(uh, a);
  return [uh, ((x - p) - pe) / a];
}
function celu(x: number, p: ResolvedParams): number {
  const a = p.alpha as number;
  if (!(x <= 0)) return x; // x > 0, NaN
  const [uh, ul] = celuArgument(x, a);
  const m = Math.expm1(uh);
  if (m === -1) return -a;
  const [q, qe] = twoProd(a, m);
  // A zero head is the exact product's sign (celu(−0) = −0): adding the correction (+0) would lose it.
  if (q === 0) return q;
  return q + (qe + a * (m + 1) * ul); // expm1(uh + ul) = expm1(uh) + e^uh·ul
}
function celuPrime(x: number, p: ResolvedParams): number {
  if (!(x <= 0)) return x > 0 ? 1 : x;
  const [uh, ul] = celuArgument(x, p.alpha as number);
  return mulExpDD(1, 0, uh, ul === ul ? ul : 0);
}
/** λ·α as a double-double, so that λ·α·g rounds once. */
function seluFactor(p: ResolvedParams): DD {
  return twoProd(p.scale as number, p.alpha as number);
}
function selu(x: number, p: ResolvedParams): number {
  if (!(x <= 0)) return (p.scale as number) * x;
  const [ch, cl] = seluFactor(p);
  const m = Math.expm1(x);
  if (!Number.isFinite(ch)) return (p.scale as number) * ((p.alpha as number) * m); // λ·α overflows
  const [q, qe] = twoProd(ch, m);
  if (q === 0) return q; // keeps the product's sign of zero (selu(−0) = −0), as celu does
  return q + (qe + cl * m);
}
function seluPrime(x: number, p: ResolvedParams): number {
  if (!(x <= 0)) return x > 0 ? (p.scale as number) : x;
  const [ch, cl] = seluFactor(p);
  if (!Number.isFinite(ch)) return (p.scale as number) * ((p.alpha as number) * Math.exp(x)); // λ·α overflows
  return mulExpDD(ch, cl, x, 0);
}

/** x/(1 + |x|) with the denominator as a double-double: one rounding. */
function softsign(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  if (x === 0) return x;
  const [dh, dl] = twoSum(1, Math.abs(x));
  const [q, r] = divDD(x, 0, dh, dl);
  return q + r;
}
/** 1/(1 + |x|)² with the square and the quotient in double-double: one rounding (three before: 2 ulp). */
function softsignPrime(x: number): number {
  const a = Math.abs(x);
  if (!(a < 2 ** 500)) return a === a ? 1 / a / a : a; // 1 + a = a; (1+a)² would overflow
  const [dh, dl] = twoSum(1, a);
  const [sh, sl] = mulDD(dh, dl, dh, dl);
  const [q, r] = divDD(1, 0, sh, sl);
  return q + r;
}

function clamp(x: number, p: ResolvedParams): number {
  const lo = p.min as number;
  const hi = p.max as number;
  const t = x < lo ? lo : x; // NaN passes both tests unchanged
  return t > hi ? hi : t; // min > max gives max everywhere (PyTorch clamp, ONNX Clip)
}
function clampPrime(x: number, p: ResolvedParams): number {
  if (isNaNNumber(x)) return x;
  return x > (p.min as number) && x < (p.max as number) ? 1 : 0;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/* ---------- the table ---------- */

function unary(
  name: OpName, accuracy: AccuracyClass, summary: string, f: ScalarFn, df: ScalarFn, params: ParamSpec[] = [],
  zeroAtOrBelow?: (p: ResolvedParams) => number,
): OpDefinition {
  return { name, kind: 'unary', inputs: ['x'], params, accuracy, summary, f, df, ...(zeroAtOrBelow === undefined ? {} : { zeroAtOrBelow }) };
}

/** θ = 0: relu, relu6 and relu_squared are +0 for every x ≤ 0. */
const zeroAtOrBelowZero = (): number => 0;

const definitions: OpDefinition[] = [
  unary('relu', 'exact', 'max(0, x); relu(−0) = +0', relu, reluPrime, [], zeroAtOrBelowZero),
  unary('relu6', 'exact', 'min(max(0, x), 6)',
    (x) => (x <= 0 ? 0 : x >= 6 ? 6 : x),
    (x) => (isNaNNumber(x) ? x : x > 0 && x < 6 ? 1 : 0), [], zeroAtOrBelowZero),
  unary('leaky_relu', 'scaled', 'x if x > 0 else alpha·x',
    (x, p) => (x > 0 ? x : (p.alpha as number) * x),
    (x, p) => (x > 0 ? 1 : x <= 0 ? (p.alpha as number) : NaN),
    [num('alpha', 'finite', 0.01, 'slope for x ≤ 0')]),
  {
    name: 'prelu', kind: 'prelu', inputs: ['x', 'weight'], accuracy: 'scaled',
    summary: 'x if x > 0 else w·x; w is one scalar, one slope per channel on `axis` (default 1), or one per element',
    params: [num('axis', 'axis', 1, 'the channel axis a 1-D weight runs along')],
  },
  unary('elu', 'transcendental', 'x if x > 0 else alpha·expm1(x)', elu, eluPrime, [num('alpha', 'finite', 1, 'the negative saturation value is −alpha')]),
  unary('celu', 'transcendental', 'max(0,x) + min(0, alpha·expm1(x/alpha))', celu, celuPrime, [num('alpha', 'positive', 1, 'scale of the negative part')]),
  unary('selu', 'transcendental', 'scale·(x if x > 0 else alpha·expm1(x))', selu, seluPrime, [
    num('alpha', 'finite', SELU_ALPHA, 'the SELU α (ONNX attribute alpha)'),
    num('scale', 'finite', SELU_SCALE, 'the SELU λ (ONNX attribute gamma)'),
  ]),
  unary('gelu', 'transcendental', "x·Φ(x) (approximate 'none') or ½x(1+tanh(√(2/π)(x+0.044715x³))) ('tanh')", gelu, geluPrime, [APPROXIMATE]),
  unary('silu', 'transcendental', 'x·σ(beta·x) (SiLU; Swish with beta)', silu, siluPrime, [num('beta', 'finite', 1, 'the Swish β')]),
  unary('softplus', 'transcendental', 'log1p(exp(beta·x))/beta, x where beta·x > threshold', softplusOp, softplusPrime, [
    num('beta', 'positive', 1, 'sharpness'),
    num('threshold', 'notNaN', 20, 'above this, beta·x is returned as is (linear)'),
  ]),
  unary('mish', 'transcendental', 'x·tanh(softplus(x))', (x) => mish(x), (x) => mishPrime(x)),
  unary('hardsigmoid', 'transcendental', 'min(max(x+3, 0), 6)/6; with alpha/beta: max(0, min(1, alpha·x + beta)) (ONNX)', hardsigmoid, hardsigmoidPrime, [
    num('alpha', 'finite', undefined, 'ONNX HardSigmoid slope (unset: PyTorch form, 1/6)'),
    num('beta', 'finite', undefined, 'ONNX HardSigmoid offset (unset: PyTorch form, 1/2)'),
  ]),
  unary('hardswish', 'transcendental', 'x·min(max(x+3, 0), 6)/6', (x) => hardswish(x), (x) => hardswishPrime(x)),
  unary('squareplus', 'transcendental', '(x + √(x²+b))/2', squareplus, squareplusPrime, [num('b', 'positive', 4, 'curvature at 0')]),
  unary('relu_squared', 'scaled', 'max(0, x)²', (x) => { const r = relu(x, {}); return r * r; }, (x) => 2 * relu(x, {}), [], zeroAtOrBelowZero),
  unary('thresholded_relu', 'exact', 'x if x > alpha else 0',
    (x, p) => (x > (p.alpha as number) ? x : x <= (p.alpha as number) ? 0 : x),
    (x, p) => (x > (p.alpha as number) ? 1 : x <= (p.alpha as number) ? 0 : NaN),
    [num('alpha', 'finite', 1, 'the threshold')], (p) => p.alpha as number),
  {
    name: 'crelu', kind: 'crelu', inputs: ['x'], accuracy: 'exact', params: [],
    summary: 'concat(relu(x), relu(−x)) on the last axis (doubles it)',
  },
  {
    name: 'noisy_relu', kind: 'noisy', inputs: ['x'], accuracy: 'transcendental',
    summary: 'max(0, x + n), n ~ N(0, sigmoid(x)) (Nair & Hinton) or N(0, sigma²); counter-based noise from seed',
    params: [
      num('seed', 'uint32', 0, 'noise seed; the same seed gives the same output'),
      num('sigma', 'nonNegative', undefined, 'fixed noise standard deviation (unset: variance sigmoid(x))'),
    ],
  },
  unary('sigmoid', 'transcendental', '1/(1+e^−x)', (x) => sigmoid(x), (x) => sigmoidPrime(x)),
  unary('tanh', 'transcendental', 'tanh(x)', (x) => tanh(x), (x) => tanhPrime(x)),
  unary('hardtanh', 'exact', 'clamp(x, min, max) (ONNX Clip; min > max gives max)', clamp, clampPrime, [
    num('min', 'notNaN', -1, 'lower bound'),
    num('max', 'notNaN', 1, 'upper bound'),
  ]),
  unary('softsign', 'transcendental', 'x/(1+|x|)', (x) => softsign(x), (x) => softsignPrime(x)),
  unary('hardshrink', 'exact', 'x if |x| > lambda else 0',
    (x, p) => (Math.abs(x) <= (p.lambda as number) ? 0 : x),
    (x, p) => (isNaNNumber(x) ? x : Math.abs(x) > (p.lambda as number) ? 1 : 0),
    [num('lambda', 'nonNegative', 0.5, 'the dead zone half-width')]),
  unary('softshrink', 'scaled', 'x − lambda if x > lambda, x + lambda if x < −lambda, else 0',
    (x, p) => { const l = p.lambda as number; return x > l ? x - l : x < -l ? x + l : isNaNNumber(x) ? x : 0; },
    (x, p) => (isNaNNumber(x) ? x : Math.abs(x) > (p.lambda as number) ? 1 : 0),
    [num('lambda', 'nonNegative', 0.5, 'the dead zone half-width')]),
  { name: 'reglu', kind: 'glu', inputs: ['gate', 'value'], accuracy: 'scaled', params: [], summary: 'relu(gate) ⊙ value', f: relu, df: reluPrime },
  { name: 'geglu', kind: 'glu', inputs: ['gate', 'value'], accuracy: 'transcendental', params: [APPROXIMATE], summary: 'gelu(gate) ⊙ value', f: gelu, df: geluPrime },
  {
    name: 'swiglu', kind: 'glu', inputs: ['gate', 'value'], accuracy: 'transcendental', params: [num('beta', 'finite', 1, 'the Swish β')],
    summary: 'silu(gate) ⊙ value', f: silu, df: siluPrime,
  },
];

/** Every op name, and the parameters each takes (for typed calls). */
export interface OpParamMap {
  /** max(0, x); no parameters. */
  relu: Record<string, never>;
  /** min(max(0, x), 6); no parameters. */
  relu6: Record<string, never>;
  /** x if x > 0 else alpha·x. */
  leaky_relu: {
    /** Slope for x ≤ 0; any finite number, default 0.01. */
    alpha?: number;
  };
  /** x if x > 0 else w·x, with the slope tensor `weight` as second input. */
  prelu: {
    /** The channel axis a 1-D weight runs along; an integer, negative counts from the end, default 1. */
    axis?: number;
  };
  /** x if x > 0 else alpha·expm1(x). */
  elu: {
    /** The negative saturation value is −alpha; any finite number, default 1. */
    alpha?: number;
  };
  /** max(0, x) + min(0, alpha·expm1(x/alpha)). */
  celu: {
    /** Scale of the negative part; a finite number > 0, default 1. */
    alpha?: number;
  };
  /** scale·(x if x > 0 else alpha·expm1(x)). */
  selu: {
    /** The SELU α (ONNX attribute alpha); any finite number, default 1.6732632423543772. */
    alpha?: number;
    /** The SELU λ (ONNX attribute gamma); any finite number, default 1.0507009873554805. */
    scale?: number;
  };
  /** x·Φ(x), or its tanh approximation. */
  gelu: {
    /** 'none' (exact erf form, the default) or 'tanh' (½x(1+tanh(√(2/π)(x+0.044715x³)))). */
    approximate?: 'none' | 'tanh';
  };
  /** x·σ(beta·x) (SiLU; Swish with beta; alias `swish`). */
  silu: {
    /** The Swish β; any finite number, default 1. */
    beta?: number;
  };
  /** log1p(exp(beta·x))/beta, and x itself where beta·x > threshold. */
  softplus: {
    /** Sharpness; a finite number > 0, default 1. */
    beta?: number;
    /** Above this, beta·x is returned as is (linear); any number but NaN, default 20. */
    threshold?: number;
  };
  /** x·tanh(softplus(x)); no parameters. */
  mish: Record<string, never>;
  /** PyTorch's min(max(x+3, 0), 6)/6, or ONNX's max(0, min(1, alpha·x + beta)) when alpha or beta is given (alias `hard_sigmoid`). */
  hardsigmoid: {
    /** ONNX HardSigmoid slope; any finite number; unset (the default) means the PyTorch form, 1/6 once beta is set. */
    alpha?: number;
    /** ONNX HardSigmoid offset; any finite number; unset (the default) means the PyTorch form, 1/2 once alpha is set. */
    beta?: number;
  };
  /** x·min(max(x+3, 0), 6)/6; no parameters (alias `hard_swish`). */
  hardswish: Record<string, never>;
  /** (x + √(x²+b))/2. */
  squareplus: {
    /** Curvature at 0; a finite number > 0, default 4. */
    b?: number;
  };
  /** max(0, x)²; no parameters (alias `relu2`). */
  relu_squared: Record<string, never>;
  /** x if x > alpha else 0. */
  thresholded_relu: {
    /** The threshold; any finite number, default 1. */
    alpha?: number;
  };
  /** concat(relu(x), relu(−x)) on the last axis, which doubles it; no parameters. */
  crelu: Record<string, never>;
  /** max(0, x + n) with seeded Gaussian noise n ~ N(0, sigmoid(x)) or N(0, sigma²). */
  noisy_relu: {
    /** Noise seed, an integer in [0, 2^32); the same seed gives the same output; default 0. */
    seed?: number;
    /** Fixed noise standard deviation, a finite number ≥ 0; unset (the default) means variance sigmoid(x). */
    sigma?: number;
  };
  /** 1/(1+e^−x); no parameters. */
  sigmoid: Record<string, never>;
  /** tanh(x); no parameters. */
  tanh: Record<string, never>;
  /** clamp(x, min, max), as ONNX Clip: min > max gives max everywhere (aliases `clamp`, `clip`). */
  hardtanh: {
    /** Lower bound; any number but NaN (±∞ allowed), default −1. */
    min?: number;
    /** Upper bound; any number but NaN (±∞ allowed), default 1. */
    max?: number;
  };
  /** x/(1+|x|); no parameters. */
  softsign: Record<string, never>;
  /** x if |x| > lambda else 0. */
  hardshrink: {
    /** The dead zone half-width; a finite number ≥ 0, default 0.5. */
    lambda?: number;
  };
  /** x − lambda if x > lambda, x + lambda if x < −lambda, else 0. */
  softshrink: {
    /** The dead zone half-width; a finite number ≥ 0, default 0.5. */
    lambda?: number;
  };
  /** relu(gate) ⊙ value (inputs gate and value); no parameters. */
  reglu: Record<string, never>;
  /** gelu(gate) ⊙ value (inputs gate and value). */
  geglu: {
    /** 'none' (exact erf form, the default) or 'tanh', as for gelu. */
    approximate?: 'none' | 'tanh';
  };
  /** silu(gate) ⊙ value (inputs gate and value). */
  swiglu: {
    /** The Swish β of the gate's silu; any finite number, default 1. */
    beta?: number;
  };
}
/** A canonical op name: a key of {@link OpParamMap}. */
export type OpName = keyof OpParamMap;

/** Other names users know these ops by. */
export const OP_ALIASES = Object.freeze({
  /** Swish: silu. */
  swish: 'silu',
  /** Clamp (PyTorch): hardtanh. */
  clamp: 'hardtanh',
  /** Clip (ONNX): hardtanh. */
  clip: 'hardtanh',
  /** hard_sigmoid: hardsigmoid. */
  hard_sigmoid: 'hardsigmoid',
  /** hard_swish: hardswish. */
  hard_swish: 'hardswish',
  /** relu2: relu_squared. */
  relu2: 'relu_squared',
} as const satisfies Readonly<Record<string, OpName>>);

/** Another name an op answers to (`swish` for silu, `clip` for hardtanh, …). */
export type OpAlias = keyof typeof OP_ALIASES;
/** An op's name or one of its aliases: what `forward` and `gradient` take. */
export type OpNameOrAlias = OpName | OpAlias;
/** The parameters of an op by name or alias. */
export type OpParams<O extends OpNameOrAlias> = O extends OpName ? OpParamMap[O] : O extends OpAlias ? OpParamMap[(typeof OP_ALIASES)[O]] : never;

/** Every op's definition, frozen, keyed by canonical name (aliases are not keys; see {@link findOp}). */
export const OPS: Readonly<Record<OpName, OpDefinition>> = Object.freeze(
  Object.fromEntries(definitions.map((d) => [d.name, Object.freeze(d)])) as Record<OpName, OpDefinition>,
);
/** Every canonical op name, in catalogue order (frozen). */
export const OP_NAMES: readonly OpName[] = Object.freeze(definitions.map((d) => d.name));

/** The definition of an op by canonical name or alias; undefined for anything else (never throws). */
export function findOp(name: unknown): OpDefinition | undefined {
  if (typeof name !== 'string') return undefined;
  const canonical = Object.hasOwn(OPS, name) ? (name as OpName) : Object.hasOwn(OP_ALIASES, name) ? OP_ALIASES[name as OpAlias] : undefined;
  return canonical === undefined ? undefined : OPS[canonical];
}
