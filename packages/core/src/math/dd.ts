/**
 * Double-double building blocks (a value carried as hi + lo, |lo| ≤ ½ulp(hi)) for the few steps of
 * the float64 references where one rounding of an intermediate is amplified: an argument of exp
 * (a relative error δ of an exponent e becomes an error e·δ of the result), a sum that cancels, a
 * denominator that is squared. JS has no fused multiply-add, so products use Dekker's split.
 * Error-free transformations (Knuth's two-sum, Dekker's two-product) are exact barring overflow.
 * Pairs are returned as [hi, lo] tuples: these run only in the branches that need them.
 */

export type DD = [hi: number, lo: number];

/** a + b = s + e exactly (Knuth); [s, 0] where s is ±∞ or NaN. */
export function twoSum(a: number, b: number): DD {
  const s = a + b;
  if (s - s !== 0) return [s, 0]; // ±∞ or NaN: no low part (the formula would make it NaN)
  const bb = s - a;
  const e = (a - (s - bb)) + (b - bb);
  return [s, e];
}

const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_LIMIT = 2 ** 995;

/**
 * a·b = p + e exactly (Dekker, Veltkamp split). The split overflows beyond 2^995: where one operand is
 * that large and the product finite, the huge operand is scaled by 2⁻¹²⁸ first — and, for a product
 * below 1, the other one by 2¹²⁸ (so the product is unchanged), for a larger one the error term is
 * scaled back (the scaled product cannot underflow) — exact both ways. Where both operands are that
 * large, or the product is not finite, e is 0.
 */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  if (!(Math.abs(p) < Infinity)) return [p, 0];
  if (Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT) return [p, dekkerError(a, b, p)];
  if (Math.abs(a) < Math.abs(b)) [a, b] = [b, a]; // a is the huge one
  if (Math.abs(b) >= SPLIT_LIMIT) return [p, 0];
  a *= 2 ** -128;
  if (Math.abs(p) < 1) return [p, dekkerError(a, b * 2 ** 128, p)];
  return [p, dekkerError(a, b, p * 2 ** -128) * 2 ** 128];
}

/** The rounding error of p = fl(a·b), for |a|, |b| < 2^995 (Dekker). */
function dekkerError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ((ah * bh - p) + ah * bl + al * bh) + al * bl;
}

/** (ah + al)·(bh + bl) as a double-double (relative error ~2⁻¹⁰⁴). */
export function mulDD(ah: number, al: number, bh: number, bl: number): DD {
  const [p, e] = twoProd(ah, bh);
  return fastTwoSum(p, e + (ah * bl + al * bh));
}

/** (ah + al) + (bh + bl) as a double-double. */
export function addDD(ah: number, al: number, bh: number, bl: number): DD {
  const [s, e] = twoSum(ah, bh);
  return fastTwoSum(s, e + al + bl);
}

/** (ah + al)/(bh + bl) as a double-double: a quotient and one Newton correction. */
export function divDD(ah: number, al: number, bh: number, bl: number): DD {
  const q = ah / bh;
  const [p, e] = twoProd(q, bh);
  if (p - p !== 0) return [q, 0]; // q·b overflowed (q near the top of the range) or non-finite operands
  // remainder a − q·b, computed to first order: (ah − p − e + al − q·bl)
  const r = ((ah - p) - e + al - q * bl) / bh;
  return fastTwoSum(q, r);
}

/** s + e exactly where |a| ≥ |b| (or a = 0); [s, 0] where s is ±∞ or NaN. */
export function fastTwoSum(a: number, b: number): DD {
  const s = a + b;
  if (s - s !== 0) return [s, 0];
  return [s, b - (s - a)];
}

/**
 * v·2^e for an integer e, rounded once: 2 ** e itself over/underflows past ±1023, so the scaling goes
 * in steps of 2^±600, the remainder first, so that only the last step can land in the subnormal range.
 */
export function ldexp(v: number, e: number): number {
  if (e > 4000) e = 4000; // beyond, any non-zero v overflows (and 0 stays 0)
  if (e < -4000) e = -4000;
  const steps = Math.trunc(e / 600);
  v *= 2 ** (e - 600 * steps);
  const step = steps > 0 ? 2 ** 600 : 2 ** -600;
  for (let i = Math.abs(steps); i > 0; i--) v *= step;
  return v;
}

/** ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (fdlibm's ln2_hi, ln2_lo). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
/** Within ±EXP_SAFE the exponential and the product by a moderate factor are normal and finite. */
const EXP_SAFE = 700;

/**
 * (ch + cl)·exp(h + l) for a double-double exponent (|l| ≤ ulp(h)) and factor, rounded once at the
 * end: exp(h + l) = exp(h)·(1 + l) to first order (l² < 2⁻¹⁰⁰). Error: Math.exp's (< 1 ulp, fdlibm)
 * plus the final rounding (½ ulp). Beyond |h| = 700, exp(h) itself would be subnormal or infinite (and
 * a subnormal exp, rounded, then multiplied by c, rounds twice with c amplifying the first error): the
 * exponent is written h = n·ln 2 + h′ with |h′| ≤ ½ln 2 (n·LN2_HI exact, h − n·LN2_HI exact by
 * Sterbenz, n·LN2_LO added by a two-sum), c·exp(h′) is formed, and ldexp(·, n) rounds once into the
 * subnormal range — for any factor, a huge c·e^(−1000) or a tiny c·e^(+800) included.
 */
export function mulExpDD(ch: number, cl: number, h: number, l: number): number {
  if (h >= -EXP_SAFE && h <= EXP_SAFE) {
    const e = Math.exp(h);
    // the product and its rounding error normal (or c = 0): the plain path
    if (!(Math.abs(ch) * e < PRODUCT_NORMAL)) return mulExpCore(ch, cl, e, l);
  }
  if (h !== h) return h;
  // |c| < 2^1024 and the smallest subnormal is 2^−1074: beyond 1500 the result is 0 or ∞
  if (h < -1500 || h > 1500 || ch === 0 || !Number.isFinite(ch)) return ch * Math.exp(h);
  let n = Math.round(h / Math.LN2);
  const [hs, ls] = twoSum(h - n * LN2_HI, -n * LN2_LO);
  if (Math.abs(ch) < 2 ** -900) { // a tiny or subnormal factor: raise it so that its product is exact
    ch *= 2 ** 600;
    cl *= 2 ** 600;
    n -= 600;
  }
  return ldexp(mulExpCore(ch, cl, Math.exp(hs), l + ls), n);
}
/** Below this the product c·e (or its two-product error term) is subnormal. */
const PRODUCT_NORMAL = 2 ** -968;

function mulExpCore(ch: number, cl: number, e: number, l: number): number {
  if (e === Infinity || e === 0) return ch * e;
  const [p, pe] = twoProd(ch, e);
  return p + (pe + (p * l + cl * e));
}
