/**
 * Evaluation of the piecewise polynomial fits of fits.generated.ts (written by gen-fits.py beside
 * it). A fit represents g(x) = (x − x₀)·Q(x) near a zero x₀ of g — the zeros of f′ of gelu,
 * gelu-tanh, silu and mish, where the closed forms are sums that cancel (a relative error of the
 * terms becomes an error of ~|terms|/|g| in the result, unbounded at x₀) — and two functions whose
 * closed forms cost two libm calls and two roundings: gelu's x·Φ(x) (x₀ = 0) and softplus's
 * log1p(e^z) on [−4, 4] (with x₀ = −8, a factor outside the range rather than a zero).
 *
 * Error: x − x₀ is formed from x₀ as a triple-double (exact to ~2⁻¹⁵⁹, so the factor keeps its
 * full relative accuracy however close x is to x₀, even for a double-double argument such as βx); Q is a fit with relative error < 2⁻⁵⁶ (checked
 * by the generator with the coefficients as stored), evaluated by Horner with its last step and
 * the product by x − x₀ exact but for one final rounding: |error| ≲ ½ ulp + the Horner tail's
 * rounding (< ⅛ ulp, its terms being ≤ 0.2·|Q| on a piece of width ⅛) + 2⁻⁵⁶ ≈ 0.7 ulp.
 */
import { twoProd, twoSum } from './dd.js';

export interface ZeroFit {
  /** The zero x₀ as a triple-double (0 when the factor is x itself). */
  readonly x0: readonly [number, number, number];
  readonly lo: number;
  readonly hi: number;
  /** Width of each piece (a power of two); piece i covers [lo + i·width, lo + (i+1)·width]. */
  readonly width: number;
  /** Per piece: c0 as a double-double (hi, lo), then c1…cn, for Q(mid + width/2·t), t ∈ [−1, 1]. */
  readonly pieces: readonly (readonly number[])[];
}

/** Whether a fit covers x (x in [lo, hi]; false for NaN). */
export function inFit(fit: ZeroFit, x: number): boolean {
  return x >= fit.lo && x <= fit.hi;
}

/**
 * g(xh + xl) from the fit, for xh in [lo, hi]; xl is a low-order part of the argument (0 when the
 * argument is an exact double, βx's rounding error for silu).
 */
export function evalFit(fit: ZeroFit, xh: number, xl: number): number {
  const [h, l] = evalFitDD(fit, xh, xl);
  return h + l;
}

/** evalFit before its final rounding, as a double-double (for a caller that divides it by β). */
export function evalFitDD(fit: ZeroFit, xh: number, xl: number): [number, number] {
  const n = fit.pieces.length;
  let i = Math.floor((xh - fit.lo) / fit.width);
  if (i >= n) i = n - 1;
  const c = fit.pieces[i];
  const half = fit.width / 2;
  const mid = fit.lo + (i + 0.5) * fit.width;
  const t = (xh - mid) / half + xl / half; // x − mid is exact (Sterbenz within a piece); /half exact
  let q = c[c.length - 1];
  for (let k = c.length - 2; k >= 2; k--) q = q * t + c[k];
  // last step c0 + t·q with c0 as a double-double: Q = qh + ql
  const [qh, e] = twoSum(c[0], q * t);
  const ql = e + c[1];
  // x − x₀ = dh + dl, every step exact but the last renormalization: near x₀ this is the whole result
  const [x0h, x0m, x0l] = fit.x0;
  const [sh, s0] = twoSum(xh, -x0h); // exact (Sterbenz near x₀)
  const [mh, m0] = twoSum(xl, -x0m);
  const [ah, a0] = twoSum(s0, mh);
  const [dh, d0] = twoSum(sh, ah);
  const dl = d0 + (a0 + m0 - x0l);
  const [p, pe] = twoProd(dh, qh);
  return [p, pe + (dh * ql + dl * qh)];
}
