/** Float64 ulp distance for the core tests (the conformance package has the dtype-aware version). */
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** A double on a monotonic integer line (−0 and +0 both 0). */
function ordinal(v: number): bigint {
  f64[0] = v;
  const b = i64[0];
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** Distance in ulps (bit-pattern distance); NaN only matches NaN. */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  const d = ordinal(a) - ordinal(b);
  return Number(d < 0n ? -d : d);
}

/** The spacing of doubles at |v| (the ulp of the value). */
export function ulpOf(v: number): number {
  const a = Math.abs(v);
  f64[0] = a;
  i64[0] += 1n;
  return f64[0] - a;
}
