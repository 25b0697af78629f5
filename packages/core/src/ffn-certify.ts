/**
 * The certificate of the certified sparse FFN (`sparse: 'certified'`): which hidden units of which
 * tokens are provably zero before x·W1 is computed, from a cheap integer pass with a rigorous bound
 * on its error. A certified unit's pre-activation is proved to be below the activation's zero
 * threshold θ *as the exact path computes it* (float32 or float64, any summation order, fused or
 * not), so the unit's value is the activation's +0 and its dot product need not be formed. Nothing
 * here is a prediction: a unit that is not proved is computed exactly.
 *
 * ## The bound
 * Token t (x = x[t, :], length d) and unit j (w = W1[:, j], b = b1[j]); z = Σᵢ xᵢwᵢ + b exactly.
 * - x is quantised to 14-bit levels per token: r = max|xᵢ| / 8191, x̃ᵢ = round(xᵢ / r), x̂ᵢ = r·x̃ᵢ, with
 *   |xᵢ − x̂ᵢ| ≤ eₓ = r·(½ + 2⁻³⁰) (the ½ of rounding, plus the float64 division's error).
 * - w is quantised to int8 per column: s = max|wᵢ| / 127, w̃ᵢ = round(wᵢ / s), ŵᵢ = s·w̃ᵢ, with
 *   |wᵢ − ŵᵢ| ≤ e_w = s·(½ + 2⁻³⁰).
 * - I = Σᵢ x̃ᵢw̃ᵢ is an integer, summed exactly (|I| ≤ d·8191·127 < 2⁵³ for d < 2³¹), and
 *   q = r·s·I = Σᵢ x̂ᵢŵᵢ.
 * - z − (q + b) = Σᵢ (xᵢ − x̂ᵢ)wᵢ + x̂ᵢ(wᵢ − ŵᵢ), so |z − (q + b)| ≤ eₓ·‖w‖₁ + e_w·‖x̂‖₁ (= Q).
 * - The exact path's float sum fl(z) (d products and d + 1 additions, in any order, each product
 *   rounded or fused) obeys |fl(z) − z| ≤ γ_{d+2}·(Σᵢ|xᵢ||wᵢ| + |b|) + d·η (= E), where
 *   γₙ = n·u / (1 − n·u), u the dtype's unit roundoff (2⁻²⁴ for float32, raised by 2⁻²⁰ of itself
 *   for the paths that round through float64 first; 2⁻⁵³ for float64) and η its smallest subnormal
 *   (a product that underflows is off by at most η/2, and additions of floats never underflow).
 *   Σᵢ|xᵢ||wᵢ| ≤ min(‖x‖₁·max|wᵢ|, ‖w‖₁·max|xᵢ|).
 * - So fl(z) ≤ q + b + Q + E. The unit is certified iff that sum, evaluated in float64 and raised by
 *   2⁻⁴⁵ of its terms' magnitude (which covers the float64 rounding of q, Q, E and of the sum),
 *   is < θ: then fl(z) < θ strictly, so act(fl(z)) is the activation's +0.
 * - Never certified: a token with a non-finite x, a unit with a non-finite weight or bias (NaN and
 *   ±∞ propagate through the exact sum), and any unit where Σ|xᵢ||wᵢ| + |b| could overflow the
 *   dtype (≥ 2¹²⁶ for float32, 2¹⁰²² for float64: a partial sum could then be ±∞), or where
 *   (d + 2)·u ≥ ½.
 * certifyRows makes the quantised copy of W1 per call (O(d·f), 1/T of the pass's cost); a backend
 * that keeps one across calls (the CPU backend does, per weight array) must reuse it only while the
 * array's bits are those it was made from.
 */
import type { DType, TypedArray } from './dtype.js';

/**
 * x's levels: 14 bits (int16 storage), not the full 32767, so a level splits into two 7-bit parts,
 * x̃ = 128·h + l with h + 64 and l in [0, 127]: relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s
 * is exact on every implementation when its second operand has no top bit set, and does 16
 * multiply-adds per instruction where it is one (kernels-wasm's dot_i14_i8, whose split pass runs
 * only there). x's quantisation error is a small
 * term of the bound (eₓ·‖w‖₁ against e_w·‖x̂‖₁: about 254/16382 of it on Gaussian layers), so
 * 14 bits instead of 16 raise the bound by about 1 %.
 */
const X_LEVELS = 8191;
const W_LEVELS = 127;
/** The quantisers' error in units of their scale: ½ from rounding, plus the float64 division's relative error times the level. */
const QUANT_HALF = 0.5 + 2 ** -30;
/** Raises the float64 evaluation of q + b + Q + E above its rounding errors. */
const EVAL_MARGIN = 2 ** -45;
/** Below this a quantiser's scale is not used (x̂ = 0, error max|x|): x / scale would lose precision near float64's subnormals. */
const TINY_SCALE = 2 ** -1000;

/** W1 quantised per column, transposed to [f, d] so a unit's weights are contiguous, and its per-column facts. */
export interface QuantisedW1 {
  /** The model width: W1's rows. */
  readonly d: number;
  /** The hidden width: W1's columns (the units). */
  readonly f: number;
  /** [f, d]: `round(W1[i, j] / scale[j])`, the int8 level of each weight */
  readonly levels: Int8Array;
  /** s_j = max_i |W1[i, j]| / 127 (0 where the column is quantised to zeros, see `error`) */
  readonly scale: Float64Array;
  /** e_w: a bound on |W1[i, j] − ŵ_ij| over the column (s_j·(½ + 2⁻³⁰), or max|W1[:, j]| where s_j would be subnormal) */
  readonly error: Float64Array;
  /** ‖W1[:, j]‖₁, raised so it is an upper bound of the exact sum */
  readonly l1: Float64Array;
  /** max_i |W1[i, j]| */
  readonly maxAbs: Float64Array;
  /** 1 where every W1[i, j] is finite */
  readonly finite: Uint8Array;
}

/**
 * Faster passes of {@link quantiseW1} a backend may supply (the CPU backend's WebAssembly kernels);
 * each returns false where it cannot, and the JS loops run instead.
 */
export interface W1Quantiser {
  /** Per column: Σ|w| (float64, any order: l1 is raised to cover it), max|w|, finite = 0 where a weight is NaN or ±∞ (left out of both). */
  facts(w1: TypedArray, d: number, f: number, l1: Float64Array, maxAbs: Float64Array, finite: Uint8Array): boolean;
  /** levels[j·d + i] = clamp(round(w1[i·f + j]·inverse[j]), ±127), any rounding to nearest (ties either way), NaN → 0. */
  levels(w1: TypedArray, d: number, f: number, inverse: Float64Array, levels: Int8Array): boolean;
}

/** Quantises a row-major [d, f] W1 per column (see the module comment); `fast`: a backend's faster passes. */
export function quantiseW1(w1: TypedArray, d: number, f: number, fast?: W1Quantiser): QuantisedW1 {
  const levels = new Int8Array(f * d);
  const scale = new Float64Array(f);
  const l1 = new Float64Array(f);
  const maxAbs = new Float64Array(f);
  const finite = new Uint8Array(f).fill(1);
  if (fast === undefined || !fast.facts(w1, d, f, l1, maxAbs, finite)) columnFactsJs(w1, d, f, l1, maxAbs, finite);
  const error = new Float64Array(f);
  const inverse = new Float64Array(f); // 1/s_j: w·(1/s) is within 2⁻⁵² of w/s relatively, 127·2⁻⁵² levels (QUANT_HALF allows 2⁻³⁰)
  for (let j = 0; j < f; j++) {
    l1[j] *= 1 + (d + 1) * 2 ** -52; // the float64 sum of d non-negative terms is within (d−1)·2⁻⁵³ of the exact one
    const s = maxAbs[j] / W_LEVELS;
    if (finite[j] === 0) continue;
    if (s < TINY_SCALE) { error[j] = maxAbs[j]; continue; } // ŵ = 0 (a subnormal scale would not divide exactly enough)
    scale[j] = s;
    error[j] = s * QUANT_HALF;
    inverse[j] = 1 / s;
  }
  if (fast === undefined || !fast.levels(w1, d, f, inverse, levels)) columnLevelsJs(w1, d, f, inverse, levels);
  return { d, f, levels, scale, error, l1, maxAbs, finite };
}

function columnFactsJs(w1: TypedArray, d: number, f: number, l1: Float64Array, maxAbs: Float64Array, finite: Uint8Array): void {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < f; j++) {
      const a = Math.abs(w1[i * f + j]);
      if (!(a <= Number.MAX_VALUE)) { finite[j] = 0; continue; }
      l1[j] += a;
      if (a > maxAbs[j]) maxAbs[j] = a;
    }
  }
}

function columnLevelsJs(w1: TypedArray, d: number, f: number, inverse: Float64Array, levels: Int8Array): void {
  // Row by row (W1's own order), into [d, f], then transposed in tiles: both passes stay in cache.
  const rowMajor = new Int8Array(d * f);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < f; j++) {
      const level = Math.round(w1[i * f + j] * inverse[j]); // 0 where the column is not finite or ŵ = 0
      rowMajor[i * f + j] = level > W_LEVELS ? W_LEVELS : level < -W_LEVELS ? -W_LEVELS : level;
    }
  }
  const TILE = 64;
  for (let i0 = 0; i0 < d; i0 += TILE) {
    for (let j0 = 0; j0 < f; j0 += TILE) {
      const i1 = Math.min(d, i0 + TILE);
      const j1 = Math.min(f, j0 + TILE);
      for (let j = j0; j < j1; j++) for (let i = i0; i < i1; i++) levels[j * d + i] = rowMajor[i * f + j];
    }
  }
}

/** The float facts of the exact path the bound covers. */
function roundoff(dtype: DType): { u: number; eta: number; overflow: number } {
  return dtype === 'float32'
    ? { u: 2 ** -24 * (1 + 2 ** -20), eta: 2 ** -149, overflow: 2 ** 126 }
    : { u: 2 ** -53 * (1 + 2 ** -20), eta: 2 ** -1074, overflow: 2 ** 1022 };
}

/** The constants of the bound's final test (see the module comment). */
export interface CertificateBound {
  /** the activation's zero threshold */
  readonly theta: number;
  /** γ_{d+2} of the exact path's dtype */
  readonly gamma: number;
  /** d·η */
  readonly underflow: number;
  /** Σ|x||w| + |b| must be below this */
  readonly overflow: number;
  /** the float64 evaluation margin (2⁻⁴⁵) */
  readonly margin: number;
}

/**
 * The constants of the bound's final test for width d, threshold θ and the exact path's dtype;
 * undefined where nothing can be certified ((d + 2)·u ≥ ½, d ≥ 2³¹, θ NaN).
 */
export function certificateBound(d: number, theta: number, dtype: DType): CertificateBound | undefined {
  const { u, eta, overflow } = roundoff(dtype);
  const n = d + 2;
  if (!(n * u < 0.5) || !(d < 2 ** 31) || Number.isNaN(theta)) return undefined;
  return { theta, gamma: (n * u) / (1 - n * u), underflow: d * eta, overflow, margin: EVAL_MARGIN };
}

/** The per-unit facts of a quantised W1 as the certificate's passes take them: [f, 5] of finite, max|w|, ‖w‖₁, s, e_w. */
export function certificateColumnFacts(q: QuantisedW1): Float64Array {
  const colFacts = new Float64Array(q.f * 5);
  for (let j = 0; j < q.f; j++) {
    const at = j * 5;
    colFacts[at] = q.finite[j];
    colFacts[at + 1] = q.maxAbs[j];
    colFacts[at + 2] = q.l1[j];
    colFacts[at + 3] = q.scale[j];
    colFacts[at + 4] = q.error[j];
  }
  return colFacts;
}

/**
 * The certificate's integer pass and final test in one faster call (the CPU backend's
 * WebAssembly kernels): for `rows` tokens, I = Σ_p xLevels·wLevels exactly and then, per (token,
 * unit), exactly {@link certifyZeroUnits}' float64 test on the same facts — rowFacts [rows, 6]
 * (finite, max|x|, ‖x‖₁, r, eₓ, ‖x̂‖₁), colFacts [f, 5] (finite, max|w|, ‖w‖₁, s, e_w), the bias in
 * float64 — writing the mask ([rows, f], 1 = certified) and returning the count; -1 where it
 * cannot (the JS loops run).
 */
export type CertificatePass = (
  xLevels: Int16Array, rows: number, d: number, wLevels: Int8Array, f: number, rowFacts: Float64Array, colFacts: Float64Array,
  bias: Float64Array | undefined, bound: CertificateBound, mask: Uint8Array,
) => number;

/**
 * Certifies the units of tokens [rowStart, rowEnd) of x ([T, d] row-major) against θ: writes
 * `mask[(t − rowStart)·f + j]` = 1 where unit j of token t is proved to have fl(z) < θ, 0
 * elsewhere, and returns how many it certified. `b1` undefined: no bias. `pass`: a faster integer
 * pass and test (default: JS loops).
 */
export function certifyZeroUnits(
  x: ArrayLike<number>, q: QuantisedW1, b1: ArrayLike<number> | undefined, theta: number, dtype: DType,
  rowStart: number, rowEnd: number, mask: Uint8Array, pass?: CertificatePass,
): number {
  const { d, f } = q;
  const rows = rowEnd - rowStart;
  mask.fill(0, 0, rows * f);
  const bound = certificateBound(d, theta, dtype);
  if (bound === undefined) return 0;
  // Per token [rows, 6]: finite (0/1), max|x|, ‖x‖₁, the scale r, eₓ, ‖x̂‖₁; and its levels (14-bit, in an Int16Array).
  const levels = new Int16Array(rows * d);
  const rowFacts = new Float64Array(rows * 6);
  for (let r0 = 0; r0 < rows; r0++) {
    const t = rowStart + r0;
    let max = 0;
    let l1 = 0;
    let finite = true;
    for (let i = 0; i < d; i++) {
      const a = Math.abs(x[t * d + i]);
      if (!(a <= Number.MAX_VALUE)) { finite = false; break; }
      l1 += a;
      if (a > max) max = a;
    }
    if (!finite) continue;
    let r = max / X_LEVELS;
    let eX = r * QUANT_HALF;
    if (r < TINY_SCALE) { r = 0; eX = max; } // x̂ = 0
    let levelSum = 0; // Σ|x̃ᵢ|, an exact integer
    for (let i = 0; i < d; i++) {
      const level = r === 0 ? 0 : Math.round(x[t * d + i] / r);
      const clamped = level > X_LEVELS ? X_LEVELS : level < -X_LEVELS ? -X_LEVELS : level;
      levels[r0 * d + i] = clamped;
      levelSum += Math.abs(clamped);
    }
    // ‖x̂‖₁ = r·Σ|x̃| is within 2⁻⁵³ of it; EVAL_MARGIN covers that
    const rf = r0 * 6;
    rowFacts[rf] = 1;
    rowFacts[rf + 1] = max;
    rowFacts[rf + 2] = l1 * (1 + (d + 1) * 2 ** -52);
    rowFacts[rf + 3] = r;
    rowFacts[rf + 4] = eX;
    rowFacts[rf + 5] = r * levelSum;
  }
  const colFacts = certificateColumnFacts(q);
  const bias = b1 === undefined ? undefined : Float64Array.from(b1);
  if (pass !== undefined) {
    const count = pass(levels, rows, d, q.levels, f, rowFacts, colFacts, bias, bound, mask);
    if (count >= 0) return count;
  }
  return certifyJs(levels, rows, d, q.levels, f, rowFacts, colFacts, bias, bound, mask);
}

/** The integer pass and the test in JS (every partial sum of the pass is an integer below 2⁵³: exact). */
function certifyJs(
  xLevels: Int16Array, rows: number, d: number, wLevels: Int8Array, f: number, rowFacts: Float64Array, colFacts: Float64Array,
  bias: Float64Array | undefined, { theta, gamma, underflow, overflow, margin }: CertificateBound, mask: Uint8Array,
): number {
  let certified = 0;
  for (let r0 = 0; r0 < rows; r0++) {
    const rf = r0 * 6;
    if (rowFacts[rf] === 0) continue;
    const [maxX, l1x, r, eX, l1xHat] = [rowFacts[rf + 1], rowFacts[rf + 2], rowFacts[rf + 3], rowFacts[rf + 4], rowFacts[rf + 5]];
    for (let j = 0; j < f; j++) {
      const cf = j * 5;
      if (colFacts[cf] === 0) continue;
      const b = bias === undefined ? 0 : bias[j];
      const absB = Math.abs(b);
      if (!(absB <= Number.MAX_VALUE)) continue;
      const [maxW, l1w, s, eW] = [colFacts[cf + 1], colFacts[cf + 2], colFacts[cf + 3], colFacts[cf + 4]];
      const absSum = Math.min(l1x * maxW, l1w * maxX) + absB;
      if (!(absSum < overflow)) continue;
      let dot = 0;
      for (let i = 0; i < d; i++) dot += xLevels[r0 * d + i] * wLevels[j * d + i];
      // the same float64 expression, in the same order, as the WebAssembly certify_bound_f64
      const approx = r * s * dot;
      const bound = eX * l1w + eW * l1xHat + gamma * absSum + underflow;
      const m = (Math.abs(approx) + absB + bound) * margin;
      if (approx + b + bound + m < theta) {
        mask[r0 * f + j] = 1;
        certified++;
      }
    }
  }
  return certified;
}

/** How many units a certified call's certificate proves zero over all its tokens (what `stats` reports when a kernel does not count). */
export function certifiedUnitCount(
  x: ArrayLike<number>, w1: TypedArray, b1: ArrayLike<number> | undefined, T: number, d: number, f: number, theta: number, dtype: DType,
): number {
  const q = quantiseW1(w1, d, f);
  const mask = new Uint8Array(f);
  let count = 0;
  for (let t = 0; t < T; t++) count += certifyZeroUnits(x, q, b1, theta, dtype, t, t + 1, mask); // a row at a time: mask and levels stay small
  return count;
}

/** A certified call's certificate over rows [rowStart, rowEnd), in one pass. */
export interface RowCertificate {
  /** 1 where unit j of token t is proved zero, at `(t − rowStart)·f + j` */
  readonly mask: Uint8Array;
  /** How many units the mask certifies */
  readonly certified: number;
}

/** A certified call's certificate in one pass over its rows [rowStart, rowEnd): the mask and its count. */
export function certifyRows(
  x: TypedArray, w1: TypedArray, b1: TypedArray | undefined, d: number, f: number, theta: number, dtype: DType, rowStart: number, rowEnd: number,
  fast?: { readonly pass?: CertificatePass; readonly quantiser?: W1Quantiser },
): RowCertificate {
  const mask = new Uint8Array((rowEnd - rowStart) * f);
  const certified = certifyZeroUnits(x, quantiseW1(w1, d, f, fast?.quantiser), b1, theta, dtype, rowStart, rowEnd, mask, fast?.pass);
  return { mask, certified };
}
