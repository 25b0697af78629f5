/**
 * Generators for the differential fuzzer: random shapes (0, 1, primes, sizes just below, at and
 * above powers of two — where chunks and tiles split), random valid parameters for each op, and
 * random mixes of ordinary, tiny, huge, subnormal, ±0, ±∞ and NaN values.
 */
import { OPS, type DType, type OpName, type ParamSpec } from '@rectifier/core';
import fc from 'fast-check';

/** Element counts the fuzzer draws from (most cases). */
export const FUZZ_SIZES: readonly number[] = [
  0, 1, 2, 3, 5, 7, 13, 31, 61, 127, 251, 509,
  ...[4, 5, 6, 7, 8, 9, 10].flatMap((k) => [2 ** k - 1, 2 ** k, 2 ** k + 1]),
];

/**
 * Large element counts around the CPU's WebAssembly chunk of 8192 elements (and two chunks plus one),
 * drawn in about 1 case in 31. Their values repeat a random pattern of up to 97 values from a random
 * offset (cheap to generate and to shrink; a prime period puts different values at every chunk edge).
 */
export const FUZZ_LARGE_SIZES: readonly number[] = [8191, 8192, 8193, 16385];

/** The pattern length above which an array of n values repeats its pattern. */
const PATTERN_MAX = 97;

/** n values of `v`: drawn one by one up to 1,025 elements, a repeated pattern beyond. */
export function valuesArbitrary(v: fc.Arbitrary<number>, n: number): fc.Arbitrary<number[]> {
  if (n <= 1025) return fc.array(v, { minLength: n, maxLength: n });
  return fc.tuple(fc.array(v, { minLength: 1, maxLength: PATTERN_MAX }), fc.nat(PATTERN_MAX - 1))
    .map(([pattern, offset]) => Array.from({ length: n }, (_, i) => pattern[(i + offset) % pattern.length]));
}

/** A size: a small one mostly, a large one now and then. */
export function sizeArbitrary(): fc.Arbitrary<number> {
  return fc.oneof({ weight: 30, arbitrary: fc.constantFrom(...FUZZ_SIZES) }, { weight: 1, arbitrary: fc.constantFrom(...FUZZ_LARGE_SIZES) });
}

/** Values of a dtype: mostly ordinary, with every kind of special value mixed in. */
export function valueArbitrary(dtype: DType): fc.Arbitrary<number> {
  const f32 = dtype === 'float32';
  const signed = (a: fc.Arbitrary<number>): fc.Arbitrary<number> => fc.tuple(fc.boolean(), a).map(([neg, v]) => (neg ? -v : v));
  return fc.oneof(
    { weight: 8, arbitrary: fc.double({ min: -12, max: 12, noNaN: true }) },
    { weight: 2, arbitrary: fc.double({ min: -100, max: 100, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1, -1, 3, -3, 6, 0.5, -0.5, 20, -20) },
    { weight: 1, arbitrary: signed(fc.double({ min: f32 ? 1e-44 : 5e-324, max: 1e-30, noNaN: true })) },
    { weight: 1, arbitrary: signed(fc.double({ min: 1e30, max: f32 ? 3.4e38 : 1.7e308, noNaN: true })) },
    { weight: 1, arbitrary: f32 ? fc.float() : fc.double() },
  );
}

const f32 = (a: fc.Arbitrary<number>): fc.Arbitrary<number> => a.map(Math.fround);

/** A valid value for one parameter (float32-representable, as a float32 backend holds it). */
function paramArbitrary(spec: ParamSpec): fc.Arbitrary<number | string> | undefined {
  if (spec.type === 'enum') return fc.constantFrom(...spec.values);
  const finite = fc.oneof(fc.constantFrom(0, 1, -1, 0.5, 2, 0.01), f32(fc.double({ min: -8, max: 8, noNaN: true })));
  switch (spec.rule) {
    case 'finite': return finite;
    case 'positive': return fc.oneof(fc.constantFrom(1, 0.5, 2), f32(fc.double({ min: 2 ** -8, max: 8, noNaN: true })));
    case 'nonNegative': return fc.oneof(fc.constantFrom(0, 0.5, 1), f32(fc.double({ min: 0, max: 8, noNaN: true })));
    case 'notNaN': return fc.oneof(finite, fc.constantFrom(Infinity, -Infinity));
    case 'uint32': return fc.nat();
    case 'axis': return undefined; // layouts are drawn with the inputs (see opCase)
  }
}

/** Any subset of the op's parameters, each with a valid value. */
export function paramsArbitrary(op: OpName): fc.Arbitrary<Record<string, number | string>> {
  const entries: Record<string, fc.Arbitrary<number | string>> = {};
  for (const spec of OPS[op].params) {
    const a = paramArbitrary(spec);
    if (a !== undefined) entries[spec.name] = a;
  }
  return fc.record(entries, { requiredKeys: [] }) as fc.Arbitrary<Record<string, number | string>>;
}

/** One random call of an op drawn by the fuzzer: its inputs, parameters and upstream gradient. */
export interface FuzzCase {
  /** Input values and shapes, in the op's input order. */
  inputs: {
    /** The tensor's elements, row-major, values of the dtype. */
    values: number[];
    /** The tensor's dims. */
    shape: number[];
  }[];
  /** A subset of the op's parameters, each with a valid value (the others take their defaults). */
  params: Record<string, number | string>;
  /** The upstream gradient's values (the output's size). */
  dy: number[];
}

/** One random call of an op in a dtype. */
export function opCase(op: OpName, dtype: DType): fc.Arbitrary<FuzzCase> {
  const def = OPS[op];
  const v = valueArbitrary(dtype);
  return sizeArbitrary().chain((n) => {
    const x = valuesArbitrary(v, n);
    let inputs: fc.Arbitrary<{ values: number[]; shape: number[] }[]>;
    if (def.kind === 'glu') {
      inputs = fc.tuple(x, x).map(([g, val]) => [{ values: g, shape: [n] }, { values: val, shape: [n] }]);
    } else if (def.kind === 'prelu') {
      // One slope, or one per channel of a [2, 3, L] input.
      const L = Math.max(1, Math.ceil(n / 6));
      inputs = fc.oneof(
        fc.tuple(x, v).map(([xs, w]) => [{ values: xs, shape: [n] }, { values: [w], shape: [1] }]),
        fc.tuple(valuesArbitrary(v, 6 * L), fc.array(v, { minLength: 3, maxLength: 3 }))
          .map(([xs, w]) => [{ values: xs, shape: [2, 3, L] }, { values: w, shape: [3] }]),
      );
    } else {
      inputs = x.map((xs) => [{ values: xs, shape: [n] }]);
    }
    return fc.tuple(inputs, paramsArbitrary(op)).chain(([ins, params]) => {
      const outSize = def.kind === 'crelu' ? 2 * n : ins[0].values.length;
      return valuesArbitrary(v, outSize).map((dy) => ({ inputs: ins, params, dy }));
    });
  });
}
