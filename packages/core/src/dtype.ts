/** The element types a tensor can hold. `float32` works on every backend; `float64` where declared. */
export type DType = 'float32' | 'float64';
export const DTYPES: readonly DType[] = ['float32', 'float64'];

export type TypedArray = Float32Array | Float64Array;
export type DataFor<D extends DType> = D extends 'float32' ? Float32Array : Float64Array;

export function isDType(v: unknown): v is DType {
  return v === 'float32' || v === 'float64';
}

export function allocate(dtype: DType, length: number): TypedArray {
  return dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
}

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
