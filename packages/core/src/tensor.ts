import { allocate, dtypeOf, isDType, type DType, type TypedArray } from './dtype.js';
import { describeValue, ErrorCode, RectifierError } from './errors.js';

/** Largest element count a tensor may have: the longest typed array V8 allocates (2^32 − 1 on 64-bit). */
export const MAX_TENSOR_ELEMENTS = 2 ** 32 - 1;

/**
 * A dense, contiguous, row-major tensor held in a typed array on the JS heap.
 * Backends read inputs from `data` and return new tensors; nothing a caller passes in is mutated.
 */
export class Tensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly size: number;
  #data: TypedArray;
  #disposed = false;

  /**
   * Wraps `data` without copying (use {@link tensor} to copy from caller-owned values).
   * Validates the shape and that `data.length` equals the product of the dims.
   */
  constructor(data: TypedArray, shape: readonly number[], op = 'Tensor') {
    if (!(data instanceof Float32Array) && !(data instanceof Float64Array)) {
      throw new RectifierError(ErrorCode.BadArgument, {
        op, argument: 'data', expected: 'a Float32Array or Float64Array', received: describeValue(data),
      });
    }
    const size = shapeSize(shape, op, 'shape');
    if (data.length !== size) {
      throw new RectifierError(ErrorCode.DataLength, {
        op, argument: 'data', expected: `${size} elements for shape [${shape.join(', ')}]`, received: `${data.length}`,
      });
    }
    this.dtype = dtypeOf(data);
    this.shape = Object.freeze([...shape]);
    this.size = size;
    this.#data = data;
  }

  /** The elements, row-major. Throws `DISPOSED` after {@link dispose}. */
  get data(): TypedArray {
    if (this.#disposed) {
      throw new RectifierError(ErrorCode.Disposed, { op: 'Tensor', argument: 'data' }, 'the tensor was disposed');
    }
    return this.#data;
  }

  /** True only for real Tensors (a brand check on the private field: prototypes and look-alikes fail). */
  static isTensor(v: unknown): v is Tensor {
    return typeof v === 'object' && v !== null && #data in v;
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Drops the reference to the data; any later use gives a `DISPOSED` error. Idempotent. */
  dispose(): void {
    this.#disposed = true;
    this.#data = this.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
  }

  /** A plain-array copy of the elements (flat, row-major). */
  toArray(): number[] {
    return Array.from(this.data);
  }

  /** A deep copy (new data buffer). */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

export type NestedNumbers = number | readonly NestedNumbers[];

/**
 * Builds a tensor from numbers, copying them (the caller's array is never aliased).
 *
 *   tensor([1, -2, 3])                         // float32, shape [3]
 *   tensor([[1, 2], [3, 4]], undefined, 'float64')
 *   tensor(new Float64Array(6), [2, 3])        // dtype follows the typed array unless given
 *
 * Plain numbers are rounded to float32 when the dtype is float32.
 */
export function tensor(
  values: NestedNumbers | ArrayLike<number>,
  shape?: readonly number[],
  dtype?: DType,
): Tensor {
  const op = 'tensor';
  if (dtype !== undefined && !isDType(dtype)) {
    throw new RectifierError(ErrorCode.UnsupportedDtype, {
      op, argument: 'dtype', expected: "'float32' or 'float64'", received: describeValue(dtype),
    });
  }
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (ArrayBuffer.isView(values)) {
    if (!(values instanceof Float32Array) && !(values instanceof Float64Array)) {
      throw new RectifierError(ErrorCode.BadArgument, {
        op, argument: 'values', expected: 'numbers, nested arrays of numbers, a Float32Array or a Float64Array',
        received: describeValue(values),
      });
    }
    flat = values;
    inferred = [values.length];
    dtype ??= dtypeOf(values);
  } else {
    const out: number[] = [];
    inferred = flattenNested(values as NestedNumbers, out, op);
    flat = out;
  }
  const finalShape = shape ?? inferred;
  const size = shapeSize(finalShape, op, 'shape');
  if (flat.length !== size) {
    throw new RectifierError(ErrorCode.DataLength, {
      op, argument: 'values', expected: `${size} elements for shape [${finalShape.join(', ')}]`, received: `${flat.length}`,
    });
  }
  const data = allocate(dtype ?? 'float32', size);
  data.set(flat);
  return new Tensor(data, finalShape, op);
}

/** Zero-filled tensor of a shape. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocate(dtype, shapeSize(shape, 'zeros', 'shape')), shape, 'zeros');
}

function flattenNested(v: NestedNumbers, out: number[], op: string): number[] {
  if (typeof v === 'number') {
    out.push(v);
    return [];
  }
  if (!Array.isArray(v)) {
    throw new RectifierError(ErrorCode.BadArgument, {
      op, argument: 'values', expected: 'a number or a (nested) array of numbers', received: describeValue(v),
    });
  }
  if (v.length === 0) return [0];
  let inner: number[] | undefined;
  for (const item of v) {
    const s = flattenNested(item as NestedNumbers, out, op);
    if (inner === undefined) inner = s;
    else if (s.length !== inner.length || s.some((d, i) => d !== inner![i])) {
      throw new RectifierError(ErrorCode.BadShape, { op, argument: 'values', expected: 'a rectangular nested array', received: 'a ragged one' });
    }
  }
  return [v.length, ...(inner ?? [])];
}

/** Validates dims (finite, non-negative integers) and returns their product. */
export function shapeSize(shape: unknown, op: string, argument: string): number {
  if (!Array.isArray(shape)) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: 'an array of dims', received: describeValue(shape) });
  }
  let size = 1;
  for (let i = 0; i < shape.length; i++) {
    const d: unknown = shape[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RectifierError(ErrorCode.BadShape, {
        op, argument, expected: 'non-negative integer dims', received: `dim ${i} = ${describeValue(d)}`,
      });
    }
    size *= d;
  }
  if (size > MAX_TENSOR_ELEMENTS) {
    throw new RectifierError(ErrorCode.TooLarge, {
      op, argument, expected: `at most ${MAX_TENSOR_ELEMENTS} elements`, received: `[${shape.join(', ')}] = ${size}`,
    });
  }
  return size;
}

export function isTensor(v: unknown): v is Tensor {
  return Tensor.isTensor(v);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
