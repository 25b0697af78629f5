import { ErrorCode, RectifierError } from './errors.js';

/** The element types a tensor can hold. `float32` works on every backend; `float64` where declared. */
export type DType = 'float32' | 'float64';
/** Every dtype: float32 and float64 (a backend may take fewer; see its `capabilities.dtypes`). */
export const DTYPES: readonly DType[] = ['float32', 'float64'];

/** The data array of a tensor: Float32Array for float32, Float64Array for float64. */
export type TypedArray = Float32Array | Float64Array;
export type DataFor<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;

/** Whether v is the name of a dtype ('float32' or 'float64'). */
export function isDType(v: unknown): v is DType {
  return v === 'float32' || v === 'float64';
}

/** A zero-filled array; an allocation the engine refuses gives TOO_LARGE, not a RangeError. */
export function allocate(dtype: DType, length: number): TypedArray {
  try {
    return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
  } catch (e) {
    throw new RectifierError(ErrorCode.TooLarge, { op: 'allocate', argument: 'length', expected: 'an allocation the engine can make', received: `${length} ${dtype} elements`, cause: e });
  }
}

/** The dtype of a typed array: 'float32' for a Float32Array, 'float64' otherwise. */
export function dtypeOf(data: TypedArray): DType {
  return data instanceof Float32Array ? 'float32' : 'float64';
}

/** Machine epsilon (distance from 1 to the next value) of a dtype. */
export function epsilon(dtype: DType): number {
  return dtype === 'float32' ? 2 ** -23 : 2 ** -52;
}

/** Round a float64 to the dtype (identity for float64). */
export function roundTo(dtype: DType, v: number): number {
  return dtype === 'float32' ? Math.fround(v) : v;
}

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The float's bit pattern as an integer whose order is the float's order (±0 both 0). */
function ordered32(v: number): number {
  f32[0] = v;
  const i = i32[0];
  return i < 0 ? -(i & 0x7fffffff) : i;
}

function ordered64(v: number): bigint {
  f64[0] = v;
  const i = i64[0];
  return i < 0n ? -(i & 0x7fffffffffffffffn) : i;
}

/**
 * Ulps between a and b in the dtype, on the ordered bit patterns: ±0 are 0 apart, NaN matches only
 * NaN (0; Infinity against anything else). a and b must be values of the dtype (fround first).
 */
export function ulpDistance(a: number, b: number, dtype: DType): number {
  const an = a !== a;
  const bn = b !== b;
  if (an || bn) return an && bn ? 0 : Infinity;
  if (dtype === 'float32') return Math.abs(ordered32(a) - ordered32(b));
  const d = ordered64(a) - ordered64(b);
  return Number(d < 0n ? -d : d);
}
