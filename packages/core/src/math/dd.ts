/**
 * Double-double building blocks (a value carried as hi + lo, |lo| ≤ ½ulp(hi)) for the few steps of
 * the float64 references where one rounding of an intermediate is amplified: an argument of exp
 * (a relative error δ of an exponent e becomes an error e·δ of the result), a sum that cancels, a
 * denominator that is squared. JS has no fused multiply-add, so products use Dekker's split.
 * Error-free transformations (Knuth's two-sum, Dekker's two-product) are exact barring overflow.
 * Pairs are returned as [hi, lo] tuples: these run only in the branches that need them.
 */

export type DD = [hi: number, lo: number];

/** a + b = s + e exactly (Knuth). */
export function twoSum(a: number, b: number): DD {
  const s = a + b;
  const bb = s - a;
  const e = (a - (s - bb)) + (b - bb);
  return [s, e];
}

const SPLITTER = 134217729; // 2^27 + 1
const SPLIT_LIMIT = 2 ** 995;

/**
 * a·b = p + e exactly (Dekker, Veltkamp split). The split overflows beyond 2^995: there (and for
 * non-finite products) e is 0, the product itself being all that matters at that magnitude.
 */
export function twoProd(a: number, b: number): DD {
  const p = a * b;
  if (!(Math.abs(a) < SPLIT_LIMIT && Math.abs(b) < SPLIT_LIMIT && Math.abs(p) < Infinity)) return [p, 0];
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  const e = ((ah * bh - p) + ah * bl + al * bh) + al * bl;
  return [p, e];
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
  // remainder a − q·b, computed to first order: (ah − p − e + al − q·bl)
  const r = ((ah - p) - e + al - q * bl) / bh;
  return fastTwoSum(q, r);
}

/** s + e exactly where |a| ≥ |b| (or a = 0). */
export function fastTwoSum(a: number, b: number): DD {
  const s = a + b;
  return [s, b - (s - a)];
}

/** ln 2 split so that k·LN2_HI is exact for |k| < 2^20 (fdlibm's ln2_hi, ln2_lo). */
const LN2_HI = 6.93147180369123816490e-01;
const LN2_LO = 1.90821492927058770002e-10;
/** Below this exponent exp(h) may be subnormal or 0: scale by 2^SHIFT first. */
const EXP_SUBNORMAL_EDGE = -700;
const SHIFT = 200;
const TWO_M_SHIFT = 2 ** -SHIFT;

/**
 * (ch + cl)·exp(h + l) for a double-double exponent (|l| ≤ ulp(h)) and factor, rounded once at the
 * end: exp(h + l) = exp(h)·(1 + l) to first order (l² < 2⁻¹⁰⁰). Error: Math.exp's (< 1 ulp, fdlibm)
 * plus the final rounding (½ ulp). Where the result would be subnormal, the exponent is raised by
 * 200·ln 2 and the result scaled back by 2⁻²⁰⁰ at the end, so that the only rounding into the
 * subnormal range is the last one (rather than exp's, then the product's: a double rounding whose
 * error the factor would multiply).
 */
export function mulExpDD(ch: number, cl: number, h: number, l: number): number {
  if (!(h >= EXP_SUBNORMAL_EDGE)) {
    if (h !== h) return h;
    // h + SHIFT·LN2_HI is exact (LN2_HI has 32 significant bits, SHIFT 8: both are multiples of
    // 2⁻⁴³, as is the sum, below 2¹⁰ in magnitude); SHIFT·LN2_LO (4·10⁻⁸) is added by a two-sum, so
    // that the low part stays below ulp(h) and exp(h)·(1 + l) stays a first-order-exact step.
    const [hs, ls] = twoSum(h + SHIFT * LN2_HI, SHIFT * LN2_LO);
    return mulExpCore(ch, cl, Math.exp(hs), l + ls) * TWO_M_SHIFT;
  }
  return mulExpCore(ch, cl, Math.exp(h), l);
}

function mulExpCore(ch: number, cl: number, e: number, l: number): number {
  if (e === Infinity || e === 0) return ch * e;
  const [p, pe] = twoProd(ch, e);
  return p + (pe + (p * l + cl * e));
}
