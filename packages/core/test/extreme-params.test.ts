import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ulpDiff } from './helpers/ulp.js';
import { OPS, referenceForward, referenceGradient, tensor, type OpName } from '../src/index.js';

/*
 * The float64 references at extreme parameter values (β, α, b from 5e-324 to the largest double) and
 * extreme x, against correctly rounded values (fixtures/extreme-values.json from gen-extreme-values.py
 * beside it, mpmath at 200 and 300 bits). They run the scaled paths of src/math/dd.ts — a product with
 * an operand beyond 2^995 (βx with β = 1e300), an exponent beyond ±700 with a huge or tiny factor
 * (e^(βx)/β with β = 1e-300), ldexp into the subnormal range — and squareplus's rescaling of x and b.
 * The earlier closed forms were off here by up to 9e15 ulp (squareplus′ with b = 1.8e308, elu′ with
 * α = 1e300: a rounded subnormal e^x times α), 2e8 ulp (softplus with β = 1e-300) and 50-170 ulp
 * (silu, celu′, softplus′: the rounding of βx or x/α, exponentiated). Regenerate:
 *   python3 packages/core/test/fixtures/gen-extreme-values.py > packages/core/test/fixtures/extreme-values.json
 */
type Num = number | string;
interface Config { op: OpName; params: Record<string, number>; rows: Num[][] }
const configs = (JSON.parse(readFileSync(new URL('./fixtures/extreme-values.json', import.meta.url), 'utf8')) as { configs: Config[] }).configs;
const num = (v: Num): number => (typeof v === 'number' ? v : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : NaN);

describe('float64 references at extreme parameters, against the exact value', () => {
  for (const c of configs) {
    it(`${c.op} ${JSON.stringify(c.params)}: f and f′ within 1 ulp`, () => {
      const xs = c.rows.map((r) => num(r[0]));
      const x = tensor(Float64Array.from(xs), [xs.length], 'float64');
      const y = referenceForward(c.op, x, c.params).data;
      const [dx] = referenceGradient(c.op, x, tensor(new Float64Array(xs.length).fill(1), [xs.length], 'float64'), c.params);
      const bad: string[] = [];
      c.rows.forEach((r, i) => {
        for (const [what, got, want] of [['f', y[i], num(r[1])], ['f′', dx.data[i], num(r[2])]] as const) {
          if (!(ulpDiff(got, want) <= 1)) bad.push(`${what}(${xs[i]}) = ${got}, expected ${want} (${ulpDiff(got, want)} ulp)`);
        }
      });
      expect(bad).toEqual([]);
    });
  }
});

describe('special values through the extended-precision paths', () => {
  const cases: [OpName, Record<string, number | string>][] = [
    ['gelu', { approximate: 'none' }], ['gelu', { approximate: 'tanh' }], ['silu', { beta: 1 }], ['silu', { beta: 1e300 }],
    ['silu', { beta: -1.3 }], ['silu', { beta: 5e-324 }], ['softplus', { beta: 1, threshold: 20 }],
    ['softplus', { beta: 5e-324, threshold: -Infinity }], ['softplus', { beta: 1, threshold: Infinity }], ['mish', {}],
    ['sigmoid', {}], ['tanh', {}], ['squareplus', { b: 4 }], ['squareplus', { b: 1.7976931348623157e308 }],
    ['squareplus', { b: 5e-324 }], ['celu', { alpha: 1e300 }], ['elu', { alpha: 1e300 }], ['selu', { alpha: 1e300, scale: 1e300 }],
    ['softsign', {}],
  ];
  const xs = [0, -0, 5e-324, -5e-324, 1e-310, -1e-310, 1e-300, -1e-300, 1, -1, 1e154, -1e154, 1e300, -1e300, 1.7976931348623157e308, -1.7976931348623157e308];
  for (const [op, params] of cases) {
    it(`${op} ${JSON.stringify(params)}: NaN only for NaN, the limits at ±∞, and the sign of f(±0)`, () => {
      const def = OPS[op];
      const p = Object.fromEntries(def.params.map((s) => [s.name, params[s.name] ?? s.default])) as never;
      for (const x of xs) {
        expect(Number.isNaN(def.f!(x, p)), `${op}(${x})`).toBe(false);
        expect(Number.isNaN(def.df!(x, p)), `${op}′(${x})`).toBe(false);
      }
      expect(def.f!(NaN, p)).toBeNaN();
      expect(def.df!(NaN, p)).toBeNaN();
      for (const x of [Infinity, -Infinity]) {
        expect(Number.isNaN(def.f!(x, p)), `${op}(${x})`).toBe(false);
        expect(Number.isNaN(def.df!(x, p)), `${op}′(${x})`).toBe(false);
      }
      // f(±0) = ±0 for the ops through the origin with f′(0) > 0
      if (['gelu', 'silu', 'mish', 'tanh', 'softsign'].includes(op) && (params.beta === undefined || (params.beta as number) > 0)) {
        expect(Object.is(def.f!(-0, p), -0), `${op}(−0)`).toBe(true);
        expect(Object.is(def.f!(0, p), 0), `${op}(+0)`).toBe(true);
      }
    });
  }
});
