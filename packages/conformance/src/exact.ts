/**
 * The exact-value section of the conformance suite: every backend, in each dtype it declares, on
 * the high-precision fixture (fixtures/exact-values.json, from gen-exact-values.py beside it: mpmath
 * at 200 bits, cross-checked at 300, rounded once to float64 and — for float32 inputs — to float32),
 * held to its declared bound against the correctly rounded value, not against core's float64
 * reference. The rest of the suite compares backends with that reference, which says how far a
 * backend is from core; this section says how far it is from the truth, so that the declared bounds
 * (capabilities.ulp, the README's accuracy table) mean what they say.
 *
 * The fixture covers the smooth unary ops (tails down to underflow, subnormal results, the zeros of
 * f′, sigmoid′/tanh′ everywhere, squareplus over 600 decades) and, through the same rows, the GLU
 * gates: geglu(gate, 1) = gelu(gate), swiglu(gate, 1) = silu(gate), and their gradients with dy = 1.
 * The comparison goes through the suite's subnormal rule (compare.ts) like every other one.
 */
import { OP_NAMES, OP_TESTING, OPS, referenceForward, referenceGradient, tensor, type Backend, type DType, type OpDefinition, type OpName, type Tensor, type TypedArray } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { readExactFixture } from '#platform';
import type { AccuracyRecorder, Mismatch, SubnormalContext } from './compare.js';
import { requiring } from './declared-ops.js';

type Num = number | string;
/** One op and parameter set: rows [x, f, df] (float64 only) or [x, f, df, f32, df32] (x is a float32). */
export interface ExactConfig {
  op: OpName;
  params: Record<string, number | string>;
  rows: Num[][];
}

let cached: ExactConfig[] | undefined;
/** The fixture, read once (it ships in the package: package.json "files"; a browser run bundles it). */
export function exactValues(): ExactConfig[] {
  cached ??= (readExactFixture() as { configs: ExactConfig[] }).configs;
  return cached;
}

/** The fixture writes non-finite values as strings. */
const num = (v: Num): number => (typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : NaN);

/** The GLU op whose gate is this unary op (geglu for gelu, swiglu for silu): core's OP_TESTING `gate`s. */
const GLU_OF: Partial<Record<OpName, OpName>> = Object.fromEntries(
  OP_NAMES.flatMap((op): [OpName, OpName][] => { const gate = OP_TESTING[op].gate; return gate === undefined ? [] : [[gate, op]]; }),
);

/** What the section needs from the suite's closure (suite.ts passes its own helpers). */
export interface ExactSectionContext {
  backend: () => Backend;
  dtypes: readonly DType[];
  recorder: AccuracyRecorder;
  forwardTolerance: (def: OpDefinition, dtype: DType) => number;
  gradientTolerance: (def: OpDefinition, dtype: DType) => number;
  withDtype: (dtype: DType, body: () => Promise<void>) => Promise<void>;
  inputData: (dtype: DType, values: readonly number[]) => Tensor;
  ulpCheck: (
    got: TypedArray, expected: ArrayLike<number>, dtype: DType, maxUlp: number,
    record: (ulp: number, abs: number, at: number | string) => void, inputs: ArrayLike<number>,
    ctx: Omit<SubnormalContext, 'subnormals'>,
  ) => Mismatch[];
  subnormalContext: (op: OpName, inputs: Tensor[], params: object, dtype: DType, which: 'forward' | number, dy?: Tensor) => Omit<SubnormalContext, 'subnormals'>;
  describeMismatches: (what: string, bad: Mismatch[]) => string;
}

/** The report key of an error against the exact value (beside the suite's keys against the reference). */
export const exactReportKey = (op: string, dtype: DType, what: string): string => `${op}/${dtype}/${what}-vs-exact`;

/** Defines the section (inside the suite's describe). */
export function exactValuesSection(c: ExactSectionContext): void {
  describe('against the exact value (correctly rounded high-precision fixture)', () => {
    for (const config of exactValues()) {
      const ops = [config.op, ...(GLU_OF[config.op] ? [GLU_OF[config.op]!] : [])];
      for (const op of ops) {
        for (const dtype of c.dtypes) {
          it(`${op} ${JSON.stringify(config.params)}, ${dtype}: forward and gradient within the declared bound`, requiring(c.backend, [op], async () => {
            await c.withDtype(dtype, () => checkConfig(c, op, config, dtype));
          }));
        }
      }
    }
  });
}

async function checkConfig(c: ExactSectionContext, op: OpName, config: ExactConfig, dtype: DType): Promise<void> {
  const def = OPS[op];
  const rows = dtype === 'float64' ? config.rows : config.rows.filter((r) => r.length === 5);
  expect(rows.length).toBeGreaterThan(0);
  const [fCol, dfCol] = dtype === 'float64' ? [1, 2] : [3, 4];
  const xs = rows.map((r) => num(r[0]));
  const x = c.inputData(dtype, xs);
  const inputs = def.kind === 'glu' ? [x, tensor(new Array<number>(xs.length).fill(1), [xs.length], dtype)] : [x];
  const dy = tensor(new Array<number>(xs.length).fill(1), [xs.length], dtype);
  // mpmath's zero has no sign: where the exact value is 0, its sign is the definition's (DESIGN.md
  // §3, as core's reference implements it: tanh(−0) = −0), so take it from the reference.
  const signed = (values: number[], reference: ArrayLike<number>): number[] =>
    values.map((v, i) => (v === 0 && reference[i] === 0 ? reference[i] : v));
  const f = signed(rows.map((r) => num(r[fCol])), referenceForward(op, inputs, config.params).data);
  const refGrads = referenceGradient(op, inputs, dy, config.params);
  const df = signed(rows.map((r) => num(r[dfCol])), refGrads[0].data);
  const b = c.backend();
  const label = `${op} ${JSON.stringify(config.params)} ${dtype}`;

  const y = await b.forward(op, inputs, config.params as never);
  const bad = c.ulpCheck(y.data, f, dtype, c.forwardTolerance(def, dtype),
    (u, a, at) => c.recorder.record(exactReportKey(op, dtype, 'forward'), u, a, at), x.data,
    c.subnormalContext(op, inputs, config.params, dtype, 'forward'));
  expect(bad, c.describeMismatches(`${label} forward vs exact`, bad)).toEqual([]);

  const grads = await b.gradient(op, inputs, dy, config.params as never);
  // d/dgate (= f′(x)·dy·value) and, for GLU, d/dvalue (= f(x)·dy): both exact values are in the fixture.
  const expected = def.kind === 'glu' ? [df, f] : [df];
  for (const [i, want] of expected.entries()) {
    const badG = c.ulpCheck(grads[i].data, want, dtype, c.gradientTolerance(def, dtype),
      (u, a, at) => c.recorder.record(exactReportKey(op, dtype, `gradient-${def.inputs[i]}`), u, a, at), x.data,
      c.subnormalContext(op, inputs, config.params, dtype, i, dy));
    expect(badG, c.describeMismatches(`${label} d${def.inputs[i]} vs exact`, badG)).toEqual([]);
  }
}
