/**
 * Assertions every section of the conformance suite shares, independent of the backend under test:
 * the typed-error check, the mismatch message, the output's shape and dtype, and the check that a
 * call leaves its inputs as they were.
 */
import { RectifierError, Tensor, type DType } from '@rectifier/core';
import { expect } from 'vitest';
import { bitsChecksum, type Mismatch } from './compare.js';

/** Expects `p` to reject (or `fn` to throw) a RectifierError with this code. */
export async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<RectifierError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(RectifierError);
    expect((e as RectifierError).code).toBe(code);
    expect((e as RectifierError).message).toContain(code);
    return e as RectifierError;
  }
  throw new Error(`expected a RectifierError ${code}, but the call succeeded`);
}

/** The failure message for a list of mismatching elements. */
export function describeMismatches(what: string, bad: Mismatch[]): string {
  const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v)); // the sign of zero is compared
  return `${what}: ${bad.map((m) => `[${m.index}]${m.input === undefined ? '' : ` x=${show(m.input)}`} got ${show(m.got)} expected ${show(m.expected)} (${m.ulp} ulp)`).join('; ')}`;
}

/** Expects a Tensor of this shape and dtype (its data the dtype's typed array). */
export function expectTensor(t: unknown, shape: readonly number[], dtype: DType): asserts t is Tensor {
  expect(t).toBeInstanceOf(Tensor);
  expect((t as Tensor).shape).toEqual(shape);
  expect((t as Tensor).dtype).toBe(dtype);
  expect((t as Tensor).data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
}

/** Runs `call`, then checks that no input changed (checksums of the raw bytes before and after, NaN patterns included). */
export async function unmutated<T>(inputs: readonly (Tensor | undefined)[], call: () => Promise<T>): Promise<T> {
  const live = inputs.filter((t): t is Tensor => t !== undefined);
  const before = live.map((t) => bitsChecksum(t.data));
  const result = await call();
  expect(live.map((t) => bitsChecksum(t.data))).toEqual(before);
  return result;
}
