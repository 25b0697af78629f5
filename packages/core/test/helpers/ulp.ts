/** Float64 ulp helpers for the core tests, on core's ulpDistance. */
import { ulpDistance } from '../../src/index.js';

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Distance in float64 ulps (bit-pattern distance); NaN only matches NaN. */
export function ulpDiff(a: number, b: number): number {
  return ulpDistance(a, b, 'float64');
}

/** The spacing of doubles at |v| (the ulp of the value). */
export function ulpOf(v: number): number {
  const a = Math.abs(v);
  f64[0] = a;
  i64[0] += 1n;
  return f64[0] - a;
}
