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

export interface WorstError {
  /** Worst distance in ulps of the dtype; absent for sums (matmul, FFN, reductions), held to error bounds instead. */
  ulp?: number;
  abs: number;
  /** The input where the worst ulp error was seen (for the report). */
  at?: number | string;
  /** Values checked. */
  count: number;
}

/** Collects the worst error per backend, op and dtype for the accuracy report. */
export class AccuracyRecorder {
  readonly entries = new Map<string, WorstError>();

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

  toJSON(): Record<string, WorstError> {
    return Object.fromEntries([...this.entries.entries()].sort(([a], [b]) => a.localeCompare(b)));
  }
}

export interface Mismatch {
  index: number;
  input?: number;
  got: number;
  expected: number;
  ulp: number;
}

/**
 * Compares an output with the expected values rounded to the dtype: bit-exact (`maxUlp` = 0 with
 * sign of zero) or within `maxUlp`. Records every element's error; returns the first few mismatches.
 */
/** Whether v is a subnormal of the dtype (non-zero, below the smallest normal). */
export function isSubnormal(v: number, dtype: DType): boolean {
  return v !== 0 && Math.abs(v) < (dtype === 'float32' ? 2 ** -126 : 2 ** -1022);
}

/** v, or ±0 in its place where it is a subnormal of the dtype (what a flush-to-zero device gives). */
export function flushSubnormal(v: number, dtype: DType): number {
  return isSubnormal(v, dtype) ? 0 * Math.sign(v) : v;
}

export function compareUlp(
  got: TypedArray, expected: ArrayLike<number>, dtype: DType, maxUlp: number, signedZeros: boolean,
  record: (ulp: number, abs: number, at: number | string) => void, inputs?: ArrayLike<number>,
  subnormals = true,
): Mismatch[] {
  const bad: Mismatch[] = [];
  const round = dtype === 'float32' ? Math.fround : (v: number) => v;
  for (let i = 0; i < got.length; i++) {
    let e = round(expected[i]);
    const g = got[i];
    // A backend that declares `subnormals: false` may flush a subnormal result to zero.
    if (!subnormals && g === 0) e = flushSubnormal(e, dtype);
    const ulp = ulpDistance(g, e, dtype);
    const abs = Number.isFinite(g) && Number.isFinite(e) ? Math.abs(g - e) : g === e || (g !== g && e !== e) ? 0 : Infinity;
    record(ulp, abs, inputs === undefined ? i : inputs[i]);
    // Bit-exact ops also match the sign of zero; the others are held to ulps, where ±0 are 0 apart.
    const ok = maxUlp === 0 ? sameValue(g, e, signedZeros) : ulp <= maxUlp;
    if (!ok && bad.length < 8) bad.push({ index: i, ...(inputs ? { input: inputs[i] } : {}), got: g, expected: e, ulp });
  }
  return bad;
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

/** A checksum of a tensor's bytes (FNV-1a over the raw bits) to prove inputs are not mutated. */
export function checksum(data: TypedArray): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return `${data.length}:${(h >>> 0).toString(16)}`;
}
