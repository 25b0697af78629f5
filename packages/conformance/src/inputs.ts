/** Deterministic test inputs: edge values, seeded random values, and the parameter variants per op. */
import { scalar, type OpName } from '@rectifier/core';

/** Special and boundary values every op sees (rounded to float32 where the dtype is float32). */
export const EDGE_VALUES: readonly number[] = [
  0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 6, -6, 5.999, 6.001, 2.9999, -2.9999, 0.01, -0.01, 0.25,
  1e-7, -1e-7, 1e-30, -1e-30,
  1e-40, -1e-40, // float32 subnormals
  5e-324, -5e-324, 1e-310, // float64 subnormals (0 in float32)
  10, -10, 15, -15, 19.9, 20, 20.1, -20, 30, -30, 40, -40, 88, -88, 89, -104, 700, -700, 710, -750,
  1e10, -1e10, 1e20, -1e20, 3.4e38, -3.4e38, 1.7e308, -1.7e308,
  Infinity, -Infinity, NaN,
];

/** n standard-normal values from a seed (core's counter-based generator). */
export function normals(n: number, seed: number, scale = 1): number[] {
  return Array.from({ length: n }, (_, i) => scale * scalar.gaussianNoise(seed, i));
}

/** The values an element-wise op is tested on: the edge values plus random values at several scales. */
export function opInputs(seed: number): number[] {
  return [...EDGE_VALUES, ...normals(96, seed), ...normals(48, seed + 1, 10), ...normals(32, seed + 2, 1e-3), ...normals(32, seed + 3, 40)];
}

/** Parameter sets each op is tested with: the defaults first, then non-default ones. */
export const PARAM_VARIANTS: Readonly<Record<OpName, readonly object[]>> = {
  relu: [{}],
  relu6: [{}],
  leaky_relu: [{}, { alpha: 0.2 }, { alpha: -0.5 }],
  prelu: [{}],
  elu: [{}, { alpha: 2 }, { alpha: 0.3 }],
  celu: [{}, { alpha: 2 }, { alpha: 0.5 }],
  selu: [{}, { alpha: 2, scale: 3 }],
  gelu: [{}, { approximate: 'tanh' }],
  silu: [{}, { beta: 1.7 }, { beta: 0 }, { beta: -1 }],
  softplus: [{}, { beta: 2, threshold: 10 }, { beta: 0.5, threshold: Infinity }],
  mish: [{}],
  hardsigmoid: [{}, { alpha: 0.2, beta: 0.5 }],
  hardswish: [{}],
  squareplus: [{}, { b: 1 }, { b: 1e-6 }],
  relu_squared: [{}],
  thresholded_relu: [{}, { alpha: 2 }, { alpha: -1 }, { alpha: 0 }],
  crelu: [{}],
  noisy_relu: [{}, { seed: 7 }, { seed: 3, sigma: 0.5 }, { sigma: 0 }],
  sigmoid: [{}],
  tanh: [{}],
  hardtanh: [{}, { min: -2, max: 3 }, { min: 0, max: Infinity }, { min: 2, max: 1 }],
  softsign: [{}],
  hardshrink: [{}, { lambda: 0 }, { lambda: 1.5 }],
  softshrink: [{}, { lambda: 0 }, { lambda: 1.5 }],
  reglu: [{}],
  geglu: [{}, { approximate: 'tanh' }],
  swiglu: [{}, { beta: 1.5 }],
};

/** Ops that are non-decreasing in x (for their default parameters). */
export const MONOTONIC: ReadonlySet<OpName> = new Set<OpName>([
  'relu', 'relu6', 'leaky_relu', 'elu', 'celu', 'selu', 'softplus', 'hardsigmoid', 'squareplus', 'relu_squared',
  'thresholded_relu', 'sigmoid', 'tanh', 'hardtanh', 'softsign', 'hardshrink', 'softshrink',
]);

/** Values from the definitions (DESIGN.md §3), independent of the reference code. */
export const SPEC_VALUES: readonly {
  /** The op. */
  op: OpName;
  /** Its parameters, where not the defaults. */
  params?: object;
  /** The input value. */
  x: number;
  /** The definition's f(x), checked against `forward` (within the op's tolerance); absent: not checked. */
  y?: number;
  /** The definition's f′(x), checked against `gradient` with dy = 1; absent: not checked. */
  dy?: number;
}[] = [
  { op: 'relu', x: -0, y: 0, dy: 0 },
  { op: 'relu', x: 0, y: 0, dy: 0 },
  { op: 'relu', x: 2.5, y: 2.5, dy: 1 },
  { op: 'relu', x: -Infinity, y: 0, dy: 0 },
  { op: 'relu6', x: 6, y: 6, dy: 0 },
  { op: 'relu6', x: 0, y: 0, dy: 0 },
  { op: 'relu6', x: 7, y: 6, dy: 0 },
  { op: 'leaky_relu', x: 0, y: 0, dy: 0.01 },
  { op: 'leaky_relu', x: -2, y: -0.02, dy: 0.01 },
  { op: 'elu', x: -Infinity, y: -1, dy: 0 },
  { op: 'elu', params: { alpha: 2 }, x: 0, y: 0, dy: 2 },
  { op: 'celu', x: 0, y: 0, dy: 1 },
  { op: 'selu', x: 0, dy: 1.6732632423543772 * 1.0507009873554805 },
  { op: 'selu', x: 1, y: 1.0507009873554805, dy: 1.0507009873554805 },
  { op: 'gelu', x: 1, y: 0.8413447460685429, dy: 1.0833154705876864 },
  { op: 'gelu', x: -Infinity, y: -0, dy: 0 }, // x·Φ(x) → 0 from below
  { op: 'gelu', x: Infinity, y: Infinity, dy: 1 },
  { op: 'gelu', params: { approximate: 'tanh' }, x: 1, y: 0.8411919906082768 },
  { op: 'silu', x: 0, y: 0, dy: 0.5 },
  { op: 'silu', x: -Infinity, y: -0, dy: 0 }, // x·σ(x) → 0 from below
  { op: 'softplus', x: 0, y: Math.LN2, dy: 0.5 },
  { op: 'softplus', x: Infinity, y: Infinity, dy: 1 },
  { op: 'softplus', x: 25, y: 25, dy: 1 },
  { op: 'mish', x: 0, y: 0, dy: 0.6 },
  { op: 'mish', x: -Infinity, y: -0, dy: 0 }, // x·tanh(softplus(x)) → 0 from below
  { op: 'hardsigmoid', x: 3, y: 1, dy: 0 },
  { op: 'hardsigmoid', x: -3, y: 0, dy: 0 },
  { op: 'hardsigmoid', x: 0, y: 0.5, dy: 1 / 6 },
  { op: 'hardswish', x: -3, y: -0, dy: 0 }, // x·0/6 with x < 0
  { op: 'hardswish', x: 3, y: 3, dy: 1 },
  { op: 'hardswish', x: 1, y: 2 / 3, dy: 1 / 3 + 0.5 },
  { op: 'hardswish', x: -Infinity, y: -0, dy: 0 },
  { op: 'squareplus', x: 0, y: 1, dy: 0.5 },
  { op: 'relu_squared', x: 3, y: 9, dy: 6 },
  { op: 'thresholded_relu', x: 1, y: 0, dy: 0 },
  { op: 'thresholded_relu', x: 1.5, y: 1.5, dy: 1 },
  { op: 'sigmoid', x: Infinity, y: 1, dy: 0 },
  { op: 'sigmoid', x: -Infinity, y: 0, dy: 0 },
  { op: 'sigmoid', x: 0, y: 0.5, dy: 0.25 },
  { op: 'tanh', x: 0, y: 0, dy: 1 },
  { op: 'hardtanh', x: 1, y: 1, dy: 0 },
  { op: 'hardtanh', x: 0.5, y: 0.5, dy: 1 },
  { op: 'hardtanh', params: { min: 2, max: 1 }, x: 0, y: 1, dy: 0 },
  { op: 'softsign', x: 1, y: 0.5, dy: 0.25 },
  { op: 'softsign', x: Infinity, y: 1, dy: 0 },
  { op: 'hardshrink', x: 0.5, y: 0, dy: 0 },
  { op: 'hardshrink', x: -0.7, y: -0.7, dy: 1 },
  { op: 'softshrink', x: 0.75, y: 0.25, dy: 1 },
  { op: 'softshrink', x: -0.75, y: -0.25, dy: 1 },
  { op: 'softshrink', x: 0.5, y: 0, dy: 0 },
];

/** Where an op's derivative jumps (finite differences are not taken within a step of these). */
export function kinks(op: OpName, p: Record<string, unknown>): number[] {
  const n = (k: string, d: number): number => (p[k] as number | undefined) ?? d;
  switch (op) {
    case 'relu': case 'leaky_relu': case 'elu': case 'selu': case 'relu_squared': case 'crelu': case 'prelu': case 'reglu':
      return [0];
    case 'relu6': return [0, 6];
    case 'thresholded_relu': return [n('alpha', 1)];
    case 'hardtanh': return [n('min', -1), n('max', 1)];
    case 'hardsigmoid': return p.alpha === undefined ? [-3, 3] : [(0 - n('beta', 0.5)) / n('alpha', 0.2), (1 - n('beta', 0.5)) / n('alpha', 0.2)];
    case 'hardswish': return [-3, 3];
    case 'hardshrink': case 'softshrink': return [-n('lambda', 0.5), n('lambda', 0.5)];
    case 'softplus': return [n('threshold', 20) / n('beta', 1)];
    default: return [];
  }
}
