/**
 * Error measures and the accuracy recorder. Distances are in ulps of the output dtype, measured
 * on the ordered bit patterns (so ±0 are 0 ulp apart and NaN matches only NaN).
 */
import { ulpDistance, type DType, type TypedArray } from '@rectifier/core';

export { ulpDistance };

/** Same value, including the sign of zero (NaN equals NaN). */
export function sameValue(a: number, b: number, signedZeros: boolean): boolean {
  if (a !== a) return b !== b;
  return signedZeros ? Object.is(a, b) : a === b;
}

/** The worst error seen for one accuracy report key, and how many values were checked. */
export interface WorstError {
  /** Worst distance in ulps of the dtype; absent for sums (matmul, FFN, reductions), held to error bounds instead. */
  ulp?: number;
  /** Worst absolute error |got − expected| seen (Infinity where a non-finite value did not match). */
  abs: number;
  /** The input where the worst ulp error was seen (for the report). */
  at?: number | string;
  /** Values checked. */
  count: number;
}

/** Collects the worst error per backend, op and dtype for the accuracy report. */
export class AccuracyRecorder {
  /** The worst errors so far, by report key (backend, op and dtype). */
  readonly entries = new Map<string, WorstError>();

  /** Counts one checked value under `key`, keeping the worst ulp (and the input `at` where it was seen) and the worst absolute error. */
  record(key: string, ulp: number | undefined, abs: number, at?: number | string): void {
    const e = this.entries.get(key) ?? { abs: 0, count: 0 };
    e.count++;
    if (ulp !== undefined && (e.ulp === undefined || ulp > e.ulp)) {
      if (e.ulp === undefined || ulp > e.ulp) e.ulp = ulp;
      if (at !== undefined) e.at = at;
    }
    if (abs > e.abs) e.abs = abs;
    this.entries.set(key, e);
  }

  /** The entries as a plain object sorted by key, for the JSON accuracy report. */
  toJSON(): Record<string, WorstError> {
    return Object.fromEntries([...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

/** An element that failed a comparison (`compareUlp` and `compareWithin` return the first 8). */
export interface Mismatch {
  /** The element's index in the output. */
  index: number;
  /** The input value at that index, where the caller passed the inputs (`compareUlp` only). */
  input?: number;
  /** The backend's value. */
  got: number;
  /** The reference value it was compared with (`compareUlp`: rounded to the dtype). */
  expected: number;
  /** The distance in ulps of the dtype between got and expected. */
  ulp: number;
}

/** The smallest normal number of the dtype. */
export function minNormal(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -126 : 2 ** -1022;
}

/** The smallest subnormal number of the dtype (one ulp at the bottom of its range). */
export function minSubnormal(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -149 : 2 ** -1074;
}

/** Whether v is a subnormal of the dtype (non-zero, below the smallest normal). */
export function isSubnormal(v: number, dtype: DType): boolean {
  return v !== 0 && Math.abs(v) < minNormal(dtype);
}

/** v, or ±0 in its place where it is a subnormal of the dtype (what a flush-to-zero device gives). */
export function flushSubnormal(v: number, dtype: DType): number {
  return isSubnormal(v, dtype) ? 0 * Math.sign(v) : v;
}

/** The op's parameters with every subnormal number flushed to ±0 (what a flush-to-zero device reads). */
export function flushParams<T extends object | undefined>(params: T, dtype: DType): T {
  if (params === undefined) return params;
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'number' ? flushSubnormal(v, dtype) : v])) as T;
}

/**
 * THE SUBNORMAL RULE — the one place the suite decides what a result near the bottom of the range
 * may be. Every comparison of element-wise results goes through it (compareUlp).
 *
 * 1. Every backend: a kernel forms an intermediate factor in the dtype — f′(x) before the product
 *    with dy, act(gate) before the product with the value — and is held to its ulp bound there. Where
 *    that factor is below the smallest normal, an ulp of it is the smallest subnormal, so the product
 *    may be off by maxUlp (at least 1) smallest subnormals times the other factors (|dy|, |value|),
 *    on top of the ulp bound of the result. (A float64-internal backend never needs this slack.)
 * 2. Only a backend that declares `subnormals: false` (flush-to-zero arithmetic, e.g. GL):
 *    a. inputs and parameters that are subnormal may be read as ±0: the reference computed on the
 *       flushed inputs and parameters is also accepted (`alternative`);
 *    b. a result whose reference is subnormal — or within the ulp bound above the smallest normal,
 *       where a result computed within that bound may fall below it — may be ±0;
 *    c. an intermediate factor below the smallest normal (or within the bound above it) may be
 *       flushed, and subnormal intermediates lose what they hold: the result may be off by up to the
 *       smallest normal (times the later factors, at least 1) rather than the ulp bound.
 *    Where the factor is 0 in the dtype (below half the smallest subnormal; for 2, flushed), the kernel
 *    multiplies by 0: the result may be 0 (the gradient rule selects 0 where f′ is 0, whatever dy is),
 *    or NaN where the later factor is ±∞ or NaN (a GLU forward's act(gate)·value).
 * Backends with `subnormals: true` are held to 1 alone; nothing else changes for them.
 */
export interface SubnormalContext {
  /** The backend's declaration. */
  subnormals: boolean;
  /** The reference on flushed inputs and parameters (2a), where they differ from the unflushed ones. */
  alternative?: ArrayLike<number>;
  /**
   * Other acceptable values for any backend (not a subnormal matter): an op's value on the other
   * side of a kink where the float64 reference decided the side by a rounding (hardsigmoid's α·x + β
   * within float64 rounding of 0 or 1). NaN where there is none.
   */
  kinkAlternative?: ArrayLike<number>;
  /** Per element: the exact intermediate factor (f′(x) or act(gate)); undefined where there is none. */
  factor?: (i: number) => number | undefined;
  /** Per element: the magnitude of what the factor is multiplied by afterwards (|dy|, |value|, |dy·value|). */
  scale?: (i: number) => number;
}

/** The absolute error the subnormal rule allows at element i (0 where it does not apply). */
export function subnormalSlack(i: number, dtype: DType, maxUlp: number, ctx: SubnormalContext): number {
  const edge = minNormal(dtype) * (1 + maxUlp * 2 * epsilonOf(dtype));
  const f = ctx.factor?.(i);
  const scale = Math.max(ctx.scale?.(i) ?? 1, 0);
  if (!ctx.subnormals) {
    // 2c: flushed intermediates; 2b is handled by the caller (a ±0 result).
    return f === undefined ? minNormal(dtype) : Math.abs(f) <= edge ? edge * Math.max(scale, 1) : minNormal(dtype) * Math.max(scale, 1);
  }
  if (f === undefined || !(Math.abs(f) < minNormal(dtype))) return 0;
  return Math.max(maxUlp, 1) * minSubnormal(dtype) * scale; // 1
}

/** Whether element i's intermediate factor is 0 in the dtype: below half the smallest subnormal, or flushed (2c). */
function factorIsZero(i: number, dtype: DType, maxUlp: number, ctx: SubnormalContext): boolean {
  const f = ctx.factor?.(i);
  if (f === undefined || f !== f) return false;
  const limit = ctx.subnormals ? minSubnormal(dtype) / 2 : minNormal(dtype) * (1 + maxUlp * 2 * epsilonOf(dtype));
  return Math.abs(f) <= limit;
}

const epsilonOf = (dtype: DType): number => (dtype === 'float32' ? 2 ** -24 : 2 ** -53);

/**
 * Compares an output with the expected values rounded to the dtype: bit-exact (`maxUlp` = 0 with
 * sign of zero) or within `maxUlp`, with the subnormal rule above (`subnormals`: the backend's
 * declaration; `ctx`: the alternative reference and intermediate factors, where the caller knows
 * them). Records every element's error; returns the first few mismatches.
 */
export function compareUlp(
  got: TypedArray, expected: ArrayLike<number>, dtype: DType, maxUlp: number, signedZeros: boolean,
  record: (ulp: number, abs: number, at: number | string) => void, inputs?: ArrayLike<number>,
  subnormals = true, ctx?: Omit<SubnormalContext, 'subnormals'>,
): Mismatch[] {
  const bad: Mismatch[] = [];
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  const rule: SubnormalContext = { subnormals, ...ctx };
  const edge = minNormal(dtype) * (1 + maxUlp * 2 * epsilonOf(dtype));
  // The sign of a zero result is compared on every op where the backend declares signedZeros (ulp
  // distances alone put ±0 at 0 apart): −0 where the reference gives −0, +0 where it gives +0.
  const matches = (g: number, e: number): boolean => (maxUlp === 0 || (g === 0 && e === 0) ? sameValue(g, e, signedZeros) : ulpDistance(g, e, dtype) <= maxUlp);
  for (let i = 0; i < got.length; i++) {
    let e = round(expected[i]);
    const g = got[i];
    if (!subnormals) {
      // 2a: the reference on flushed inputs and parameters.
      if (rule.alternative !== undefined && !matches(g, e) && matches(g, round(rule.alternative[i]))) e = round(rule.alternative[i]);
      // 2b: a flushed result (of either sign); a reference that is itself ±0 keeps its sign.
      if (g === 0 && e !== 0 && Math.abs(e) <= edge) e = g;
    }
    if (rule.kinkAlternative !== undefined && rule.kinkAlternative[i] === rule.kinkAlternative[i] && !matches(g, e) && matches(g, round(rule.kinkAlternative[i]))) e = round(rule.kinkAlternative[i]);
    const ulp = ulpDistance(g, e, dtype);
    const abs = Number.isFinite(g) && Number.isFinite(e) ? Math.abs(g - e) : g === e || (g !== g && e !== e) ? 0 : Infinity;
    // Bit-exact ops match bit for bit; the others are held to ulps, and a zero to the reference's sign.
    let ok = matches(g, e);
    if (!ok && maxUlp > 0 && factorIsZero(i, dtype, maxUlp, rule)) {
      // 1 (and 2c): the factor rounds (or flushes) to 0 in the dtype, so the kernel's product is that of
      // a zero factor: 0 by the gradient rule, or 0·(∞ or NaN) = NaN in a GLU forward product.
      ok = g === 0 || (g !== g && !Number.isFinite(rule.scale?.(i) ?? 0));
    }
    if (!ok && maxUlp > 0 && Number.isFinite(g) && Number.isFinite(e) && !(g === 0 && e === 0)) {
      // 1 and 2c: slack for intermediates at the bottom of the range (never for bit-exact ops).
      const slack = subnormalSlack(i, dtype, maxUlp, rule);
      ok = slack > 0 && abs <= slack + maxUlp * ulpOf(e, dtype);
    }
    // The accuracy report holds ulp errors; elements let through by the subnormal rule's absolute
    // slack or zero factor (not an ulp matter) are left out of it.
    if (!ok || matches(g, e)) record(ulp, abs, inputs === undefined ? i : inputs[i]);
    if (!ok && bad.length < 8) bad.push({ index: i, ...(inputs ? { input: inputs[i] } : {}), got: g, expected: e, ulp });
  }
  return bad;
}

/** One ulp of the dtype at v (the spacing above |v|). */
function ulpOf(v: number, dtype: DType): number {
  const a = Math.abs(v);
  if (dtype === 'float32') {
    if (a < 2 ** -126) return 2 ** -149;
    return 2 ** (Math.floor(Math.log2(a)) - 23);
  }
  if (a < 2 ** -1022) return 2 ** -1074;
  return 2 ** (Math.floor(Math.log2(a)) - 52);
}

/** Element-wise |got − expected| ≤ tol[i] (NaN must match NaN). */
export function compareWithin(
  got: TypedArray, expected: ArrayLike<number>, tol: (i: number) => number,
  record?: (abs: number, ulp: number) => void, dtype: DType = 'float64',
): Mismatch[] {
  const bad: Mismatch[] = [];
  for (let i = 0; i < got.length; i++) {
    const g = got[i];
    const e = expected[i];
    let ok: boolean;
    let abs: number;
    if (e !== e || g !== g) {
      ok = e !== e && g !== g;
      abs = ok ? 0 : Infinity;
    } else if (!Number.isFinite(e) || !Number.isFinite(g)) {
      ok = g === (dtype === 'float32' ? Math.fround(e) : e); // a sum beyond the dtype's range rounds to ±∞
      abs = ok ? 0 : Infinity;
    } else {
      abs = Math.abs(g - e);
      // The expected value rounded to the dtype is always acceptable (a bound can be NaN or too
      // tight when the magnitudes it is built from overflow).
      ok = abs <= tol(i) || g === (dtype === 'float32' ? Math.fround(e) : e);
    }
    const ulp = ulpDistance(g, dtype === 'float32' ? Math.fround(e) : e, dtype);
    record?.(abs, ulp);
    if (!ok && bad.length < 8) bad.push({ index: i, got: g, expected: e, ulp });
  }
  return bad;
}

/** Largest |v| over finite values (0 when none). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]);
    if (Number.isFinite(a) && a > m) m = a;
  }
  return m;
}

/** FNV-1a's offset basis and prime. */
const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/**
 * A checksum of a tensor's values, to compare two results: FNV-1a over each element's bits, except
 * that every NaN hashes as one NaN (the all-ones pattern). JavaScript does not fix a NaN's bits — an
 * engine may store any NaN pattern, and two JIT tiers running the same kernel (a worker thread's
 * first call and its optimised later ones) can give NaNs of different sign or payload — so a NaN's
 * bits are no part of any result. Everything else, signed zeros included, is compared bit for bit.
 */
export function checksum(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const width = data.BYTES_PER_ELEMENT;
  let h = FNV_BASIS;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v !== v) {
      for (let b = 0; b < width; b++) h = Math.imul(h ^ 0xff, FNV_PRIME);
      continue;
    }
    for (let b = i * width; b < (i + 1) * width; b++) h = Math.imul(h ^ bytes[b], FNV_PRIME);
  }
  return `${data.length}:${(h >>> 0).toString(16)}`;
}

/** A checksum of a tensor's raw bytes (FNV-1a, NaN patterns included), to prove memory is unchanged. */
export function bitsChecksum(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = FNV_BASIS;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return `${data.length}:${(h >>> 0).toString(16)}`;
}
