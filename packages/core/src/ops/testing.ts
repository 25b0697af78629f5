/**
 * What the tests need to know about each op, kept beside its definition (catalogue.ts): the
 * parameter sets the conformance suite tests it with, where its derivative jumps, whether it is
 * monotonic, values from its definition (DESIGN.md §3), and the parameter sets of the exact-value
 * fixture. The table is typed over every op name, so a new op in the catalogue does not compile
 * until it has its entry here; the conformance suite's per-op tables are all derived from it.
 */
import type { OpName, OpParamMap } from './catalogue.js';

/** A value from an op's definition, independent of the reference code. */
export interface OpSpotValue<P> {
  /** The op's parameters, where not the defaults. */
  readonly params?: P;
  /** The input value. */
  readonly x: number;
  /** The definition's f(x), checked against `forward` (within the op's tolerance); absent: not checked. */
  readonly y?: number;
  /** The definition's f′(x), checked against `gradient` with dy = 1; absent: not checked. */
  readonly dy?: number;
}

/** The test facts of one op (parameters typed as the op's own). */
export interface OpTesting<P> {
  /** Parameter sets the op is tested with: the defaults (`{}`) first, then non-default ones. */
  readonly variants: readonly [P, ...P[]];
  /** Where the derivative jumps, for these parameters (finite differences keep a step away from them). */
  readonly kinks: (params: P) => readonly number[];
  /** Whether the op is non-decreasing in x for its default parameters. */
  readonly monotonic: boolean;
  /** Values from the definition (DESIGN.md §3), checked by the suite's spot-value test. */
  readonly spotValues: readonly OpSpotValue<P>[];
  /**
   * The parameter sets of the exact-value fixture (conformance's fixtures/exact-values.json, from
   * gen-exact-values.py; core's reference-accuracy test checks the fixture has exactly these);
   * empty for ops the fixture does not cover (they select, clamp or scale: exact by construction).
   */
  readonly exact: readonly P[];
  /** For a GLU op: the unary op its gate applies (the exact fixture's rows of that op test it too). */
  readonly gate?: OpName;
}

const none = (): readonly number[] => [];
const atZero = (): readonly number[] => [0];
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

/** Every op's test facts, keyed by canonical name (exhaustive: one entry per op of the catalogue). */
export const OP_TESTING: { readonly [O in OpName]: OpTesting<OpParamMap[O]> } = {
  relu: {
    variants: [{}], kinks: atZero, monotonic: true, exact: [],
    spotValues: [{ x: -0, y: 0, dy: 0 }, { x: 0, y: 0, dy: 0 }, { x: 2.5, y: 2.5, dy: 1 }, { x: -Infinity, y: 0, dy: 0 }],
  },
  relu6: {
    variants: [{}], kinks: () => [0, 6], monotonic: true, exact: [],
    spotValues: [{ x: 6, y: 6, dy: 0 }, { x: 0, y: 0, dy: 0 }, { x: 7, y: 6, dy: 0 }],
  },
  leaky_relu: {
    variants: [{}, { alpha: 0.2 }, { alpha: -0.5 }], kinks: atZero, monotonic: true, exact: [],
    spotValues: [{ x: 0, y: 0, dy: 0.01 }, { x: -2, y: -0.02, dy: 0.01 }],
  },
  prelu: { variants: [{}], kinks: atZero, monotonic: false, exact: [], spotValues: [] },
  elu: {
    variants: [{}, { alpha: 2 }, { alpha: 0.3 }], kinks: atZero, monotonic: true,
    exact: [{ alpha: 1 }, { alpha: 2 }, { alpha: 0.3 }],
    spotValues: [{ x: -Infinity, y: -1, dy: 0 }, { params: { alpha: 2 }, x: 0, y: 0, dy: 2 }],
  },
  celu: {
    variants: [{}, { alpha: 2 }, { alpha: 0.5 }], kinks: none, monotonic: true,
    exact: [{ alpha: 1 }, { alpha: 0.5 }, { alpha: 0.3 }, { alpha: 3 }],
    spotValues: [{ x: 0, y: 0, dy: 1 }],
  },
  selu: {
    variants: [{}, { alpha: 2, scale: 3 }], kinks: atZero, monotonic: true, exact: [{}],
    spotValues: [{ x: 0, dy: SELU_ALPHA * SELU_SCALE }, { x: 1, y: SELU_SCALE, dy: SELU_SCALE }],
  },
  gelu: {
    variants: [{}, { approximate: 'tanh' }], kinks: none, monotonic: false,
    exact: [{ approximate: 'none' }, { approximate: 'tanh' }],
    spotValues: [
      { x: 1, y: 0.8413447460685429, dy: 1.0833154705876864 },
      { x: -Infinity, y: -0, dy: 0 }, // x·Φ(x) → 0 from below
      { x: Infinity, y: Infinity, dy: 1 },
      { params: { approximate: 'tanh' }, x: 1, y: 0.8411919906082768 },
    ],
  },
  silu: {
    variants: [{}, { beta: 1.7 }, { beta: 0 }, { beta: -1 }], kinks: none, monotonic: false,
    exact: [{ beta: 1 }, { beta: 1.7 }, { beta: 0.3 }, { beta: 8 }, { beta: -1.3 }],
    spotValues: [{ x: 0, y: 0, dy: 0.5 }, { x: -Infinity, y: -0, dy: 0 }], // x·σ(x) → 0 from below
  },
  softplus: {
    variants: [{}, { beta: 2, threshold: 10 }, { beta: 0.5, threshold: Infinity }],
    kinks: (p) => [(p.threshold ?? 20) / (p.beta ?? 1)], monotonic: true,
    exact: [{ beta: 1, threshold: 20 }, { beta: 2, threshold: 10 }, { beta: 0.3, threshold: 20 }, { beta: 7, threshold: 5 }],
    spotValues: [{ x: 0, y: Math.LN2, dy: 0.5 }, { x: Infinity, y: Infinity, dy: 1 }, { x: 25, y: 25, dy: 1 }],
  },
  mish: {
    variants: [{}], kinks: none, monotonic: false, exact: [{}],
    spotValues: [{ x: 0, y: 0, dy: 0.6 }, { x: -Infinity, y: -0, dy: 0 }], // x·tanh(softplus(x)) → 0 from below
  },
  hardsigmoid: {
    variants: [{}, { alpha: 0.2, beta: 0.5 }],
    kinks: (p) => (p.alpha === undefined ? [-3, 3] : [(0 - (p.beta ?? 0.5)) / (p.alpha ?? 0.2), (1 - (p.beta ?? 0.5)) / (p.alpha ?? 0.2)]),
    monotonic: true, exact: [],
    spotValues: [{ x: 3, y: 1, dy: 0 }, { x: -3, y: 0, dy: 0 }, { x: 0, y: 0.5, dy: 1 / 6 }],
  },
  hardswish: {
    variants: [{}], kinks: () => [-3, 3], monotonic: false, exact: [{}],
    spotValues: [
      { x: -3, y: -0, dy: 0 }, // x·0/6 with x < 0
      { x: 3, y: 3, dy: 1 },
      { x: 1, y: 2 / 3, dy: 1 / 3 + 0.5 },
      { x: -Infinity, y: -0, dy: 0 },
    ],
  },
  squareplus: {
    variants: [{}, { b: 1 }, { b: 1e-6 }], kinks: none, monotonic: true,
    exact: [{ b: 4 }, { b: 1 }, { b: 0.01 }, { b: 1e6 }],
    spotValues: [{ x: 0, y: 1, dy: 0.5 }],
  },
  relu_squared: { variants: [{}], kinks: atZero, monotonic: true, exact: [], spotValues: [{ x: 3, y: 9, dy: 6 }] },
  thresholded_relu: {
    variants: [{}, { alpha: 2 }, { alpha: -1 }, { alpha: 0 }], kinks: (p) => [p.alpha ?? 1], monotonic: true, exact: [],
    spotValues: [{ x: 1, y: 0, dy: 0 }, { x: 1.5, y: 1.5, dy: 1 }],
  },
  crelu: { variants: [{}], kinks: atZero, monotonic: false, exact: [], spotValues: [] },
  noisy_relu: { variants: [{}, { seed: 7 }, { seed: 3, sigma: 0.5 }, { sigma: 0 }], kinks: none, monotonic: false, exact: [], spotValues: [] },
  sigmoid: {
    variants: [{}], kinks: none, monotonic: true, exact: [{}],
    spotValues: [{ x: Infinity, y: 1, dy: 0 }, { x: -Infinity, y: 0, dy: 0 }, { x: 0, y: 0.5, dy: 0.25 }],
  },
  tanh: { variants: [{}], kinks: none, monotonic: true, exact: [{}], spotValues: [{ x: 0, y: 0, dy: 1 }] },
  hardtanh: {
    variants: [{}, { min: -2, max: 3 }, { min: 0, max: Infinity }, { min: 2, max: 1 }],
    kinks: (p) => [p.min ?? -1, p.max ?? 1], monotonic: true, exact: [],
    spotValues: [{ x: 1, y: 1, dy: 0 }, { x: 0.5, y: 0.5, dy: 1 }, { params: { min: 2, max: 1 }, x: 0, y: 1, dy: 0 }],
  },
  softsign: {
    variants: [{}], kinks: none, monotonic: true, exact: [{}],
    spotValues: [{ x: 1, y: 0.5, dy: 0.25 }, { x: Infinity, y: 1, dy: 0 }],
  },
  hardshrink: {
    variants: [{}, { lambda: 0 }, { lambda: 1.5 }], kinks: (p) => [-(p.lambda ?? 0.5), p.lambda ?? 0.5], monotonic: true, exact: [],
    spotValues: [{ x: 0.5, y: 0, dy: 0 }, { x: -0.7, y: -0.7, dy: 1 }],
  },
  softshrink: {
    variants: [{}, { lambda: 0 }, { lambda: 1.5 }], kinks: (p) => [-(p.lambda ?? 0.5), p.lambda ?? 0.5], monotonic: true, exact: [],
    spotValues: [{ x: 0.75, y: 0.25, dy: 1 }, { x: -0.75, y: -0.25, dy: 1 }, { x: 0.5, y: 0, dy: 0 }],
  },
  reglu: { variants: [{}], kinks: atZero, monotonic: false, exact: [], spotValues: [], gate: 'relu' },
  geglu: { variants: [{}, { approximate: 'tanh' }], kinks: none, monotonic: false, exact: [], spotValues: [], gate: 'gelu' },
  swiglu: { variants: [{}, { beta: 1.5 }], kinks: none, monotonic: false, exact: [], spotValues: [], gate: 'silu' },
};
