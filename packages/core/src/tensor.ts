import { allocate, isDType, type DType, type TypedArray } from './dtype.js';
import { describeValue, ErrorCode, RectifierError } from './errors.js';
import { freshView, isArrayArgument, ownElements, reading, typedArrayFacts, type FloatArrayTag, type TypedArrayFacts } from './guard.js';

/** Largest element count a tensor may have: the longest typed array V8 allocates (2^32 − 1 on 64-bit). */
export const MAX_TENSOR_ELEMENTS = 2 ** 32 - 1;

/** Errors for a `data` argument that is not a plain float typed array on fixed-length memory. */
function checkData(data: unknown, op: string, argument: string): TypedArrayFacts & { tag: FloatArrayTag } {
  const facts = typedArrayFacts(data);
  if (facts === undefined || (facts.tag !== 'Float32Array' && facts.tag !== 'Float64Array')) {
    throw new RectifierError(ErrorCode.BadArgument, {
      op, argument, expected: 'a Float32Array or Float64Array', received: describeValue(data),
    });
  }
  const plain = facts.tag === 'Float32Array' ? Float32Array.prototype : Float64Array.prototype;
  if (Object.getPrototypeOf(data) !== plain) {
    // A subclass can override length, set or subarray; another realm's array answers to other
    // prototypes. tensor() copies either into a plain array.
    throw new RectifierError(ErrorCode.BadArgument, {
      op, argument, expected: `a plain ${facts.tag} of this realm (copy others with tensor())`, received: describeValue(data),
    });
  }
  if (facts.variableLength) {
    // A length-tracking view shrinks or grows with its buffer, and a fixed-length one goes out of
    // bounds when the buffer shrinks: a tensor's length could change after it was checked.
    throw new RectifierError(ErrorCode.BadArgument, {
      op, argument, expected: 'a typed array on a fixed-length buffer (copy it with tensor())',
      received: `one on a ${facts.shared ? 'growable SharedArrayBuffer' : 'resizable ArrayBuffer'}`,
    });
  }
  return facts as TypedArrayFacts & { tag: FloatArrayTag };
}

/** This copy of core's version (the package's `version`; a test keeps them equal). */
export const CORE_VERSION = '0.1.0';

/**
 * The mark every copy of core puts on its Tensor.prototype, with its version: a tensor made by
 * another copy of core fails the brand check (its private fields are that copy's), and the mark
 * lets the error say so instead of calling a Tensor "not a Tensor".
 */
const TENSOR_MARK = Symbol.for('@rectifier/core:Tensor');

/** The version of the other copy of core that made `v`, if `v` is such a tensor. */
export function foreignTensorVersion(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null || Tensor.isTensor(v)) return undefined;
  try {
    const mark = (v as Record<symbol, unknown>)[TENSOR_MARK];
    return typeof mark === 'string' ? mark : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a resident tensor's dispose() calls once: the backend's hook returning its block (see
 * {@link residentTensor}). Kept off the frozen tensor, keyed by it.
 */
const releases = new WeakMap<Tensor, () => void>();

/** Reads a tensor's own data with no getter in the way (set once, by the class's static block). */
let ownData: (t: Tensor) => TypedArray;

/**
 * A dense, contiguous, row-major tensor held in a typed array on the JS heap.
 * Backends read inputs from `data` and return new tensors; nothing a caller passes in is mutated.
 *
 * A tensor is immutable in fact, not only in its types: it is frozen (its `dtype`, `shape` and
 * `size` are own, non-writable properties; its shape a frozen copy made once), its data is a
 * plain Float32Array or Float64Array on a buffer of fixed length, and every call checks at call
 * time that the data still has `size` elements (a detached buffer gives `DETACHED`). The elements
 * themselves are the caller's memory and stay writable.
 */
export class Tensor {
  /** The element type: 'float32' for Float32Array data, 'float64' for Float64Array data. */
  readonly dtype: DType;
  /** The dims, outermost first (frozen; [] for a scalar). */
  readonly shape: readonly number[];
  /** The number of elements: the product of the dims (1 for a scalar). */
  readonly size: number;
  #data: TypedArray;
  #disposed = false;

  static {
    ownData = (t) => t.#data;
    Object.defineProperty(Tensor.prototype, TENSOR_MARK, { value: CORE_VERSION });
  }

  /**
   * Wraps `data` without copying (use {@link tensor} to copy from caller-owned values).
   * Validates the shape and that `data.length` equals the product of the dims.
   */
  constructor(data: TypedArray, shape: readonly number[], op = 'Tensor') {
    const facts = reading(op, 'data', () => checkData(data, op, 'data'));
    const dims = copyShape(shape, op, 'shape');
    const size = dimsSize(dims, op, 'shape');
    if (facts.length !== size) {
      throw new RectifierError(ErrorCode.DataLength, {
        op, argument: 'data', expected: `${size} elements for shape [${dims.join(', ')}]`, received: `${facts.length}`,
      });
    }
    this.dtype = facts.tag === 'Float32Array' ? 'float32' : 'float64';
    this.shape = Object.freeze(dims);
    this.size = size;
    this.#data = data;
    Object.freeze(this);
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

  /** The number of dims (0 for a scalar). */
  get rank(): number {
    return this.shape.length;
  }

  /** Whether {@link dispose} was called (any later use of the data throws `DISPOSED`). */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * Drops the reference to the data; any later use gives a `DISPOSED` error. Idempotent. A
   * resident tensor (`backend.allocate`) also returns its block to the backend, once.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#data = this.dtype === 'float32' ? new Float32Array(0) : new Float64Array(0);
    const release = releases.get(this);
    if (release !== undefined) {
      releases.delete(this);
      release();
    }
  }

  /** A plain-array copy of the elements (flat, row-major). */
  toArray(): number[] {
    return Array.from(liveData(this, 'Tensor', 'data'));
  }

  /** A deep copy (new data buffer). */
  clone(): Tensor {
    return new Tensor(liveData(this, 'Tensor', 'data').slice(), this.shape);
  }

  /** `Tensor(dtype, [dims])`, e.g. `Tensor(float32, [2, 3])`; never the elements. */
  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

/**
 * The tensor's data as the call sees it, checked now: a fresh view of exactly `size` elements on
 * the tensor's memory (no subclass, no own property of the caller's array in the way). Throws
 * `DISPOSED` for a disposed tensor and `DETACHED` when the buffer was transferred or shrunk since.
 */
export function liveData(t: Tensor, op: string, argument: string): TypedArray {
  if (t.isDisposed) {
    throw new RectifierError(ErrorCode.Disposed, { op, argument }, 'the tensor was disposed');
  }
  const data = ownData(t);
  const facts = typedArrayFacts(data)!;
  if (facts.length !== t.size) {
    throw new RectifierError(ErrorCode.Detached, {
      op, argument, expected: `${t.size} elements`, received: `${facts.length} (the buffer was detached: transferred to a worker or another context)`,
    });
  }
  return freshView(facts.tag as FloatArrayTag, facts.buffer, facts.byteOffset, t.size);
}

/**
 * For backends whose tensors live in their own memory (`backend.allocate`): a tensor on `data`
 * whose {@link Tensor.dispose} calls `release` once, so the backend can reuse the block. The
 * backend must also declare each handle of that memory with {@link declareMemoryHandle}. `op`
 * names the entry point in errors about `data` or `shape`.
 */
export function residentTensor(data: TypedArray, shape: readonly number[], release: () => void, op = 'allocate'): Tensor {
  const t = new Tensor(data, shape, op);
  releases.set(t, release);
  return t;
}

/**
 * Handles known to be on one memory: a shared WebAssembly memory hands out a new, longer
 * SharedArrayBuffer each time it grows, and views made before and after are on different handle
 * objects but the same bytes, at offsets from the memory's start. Keyed by handle, the memory.
 */
const memoryOfHandle = new WeakMap<object, object>();

/**
 * Declares `buffer` a handle of `memory` (any object standing for it): typed arrays on handles of
 * one memory are then compared by byte range wherever core checks overlap (a forward call's `out`),
 * as views on one buffer are. For backends that hand out tensors on a growable shared memory.
 */
export function declareMemoryHandle(buffer: SharedArrayBuffer, memory: object): void {
  memoryOfHandle.set(buffer, memory);
}

/** Whether two buffers are known to be the same memory (the same object, or handles declared of one memory). */
export function sameMemory(a: ArrayBufferLike, b: ArrayBufferLike): boolean {
  if (a === b) return true;
  const m = memoryOfHandle.get(a);
  return m !== undefined && m === memoryOfHandle.get(b);
}

/** Whether the tensor's memory is a SharedArrayBuffer (another handle on it may exist anywhere). */
export function isShared(t: Tensor): boolean {
  return typedArrayFacts(ownData(t))!.shared;
}

/** A number or arbitrarily nested arrays of numbers, as {@link tensor} takes them. */
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
  return reading(op, 'values', () => {
    let flat: ArrayLike<number>;
    let inferred: number[];
    let inferredDtype: DType = 'float32';
    const facts = typedArrayFacts(values);
    if (facts !== undefined) {
      if (facts.tag !== 'Float32Array' && facts.tag !== 'Float64Array') {
        throw new RectifierError(ErrorCode.BadArgument, {
          op, argument: 'values', expected: 'numbers, nested arrays of numbers, a Float32Array or a Float64Array',
          received: describeValue(values),
        });
      }
      // Copied through a fresh view of the engine's own length: a subclass, an own `length`
      // property or a resizable buffer cannot change what is read.
      flat = freshView(facts.tag, facts.buffer, facts.byteOffset, facts.length);
      inferred = [facts.length];
      inferredDtype = facts.tag === 'Float32Array' ? 'float32' : 'float64';
    } else {
      const out: number[] = [];
      inferred = flattenNested(values as NestedNumbers, out, op);
      flat = out;
    }
    const finalShape = shape === undefined ? inferred : copyShape(shape, op, 'shape');
    const size = dimsSize(finalShape, op, 'shape');
    if (flat.length !== size) {
      throw new RectifierError(ErrorCode.DataLength, {
        op, argument: 'values', expected: `${size} elements for shape [${finalShape.join(', ')}]`, received: `${flat.length}`,
      });
    }
    const data = allocate(dtype ?? inferredDtype, size);
    data.set(flat);
    return new Tensor(data, finalShape, op);
  });
}

/** Zero-filled tensor of a shape. */
export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocate(dtype, shapeSize(shape, 'zeros', 'shape')), shape, 'zeros');
}

/**
 * Flattens nested arrays level by level (no recursion, so any depth gives a typed error or a
 * result, never a stack overflow); each element is read once.
 */
function flattenNested(values: NestedNumbers, out: number[], op: string): number[] {
  const dims: number[] = [];
  let level: unknown[] = [values];
  for (;;) {
    const arrays = level.filter((v) => isArrayArgument(op, 'values', v));
    if (arrays.length === 0) {
      for (const v of level) {
        if (typeof v !== 'number') {
          throw new RectifierError(ErrorCode.BadArgument, {
            op, argument: 'values', expected: 'a number or a (nested) array of numbers', received: describeValue(v),
          });
        }
        out.push(v);
      }
      return dims;
    }
    if (arrays.length !== level.length) {
      throw new RectifierError(ErrorCode.BadShape, { op, argument: 'values', expected: 'a rectangular nested array', received: 'a ragged one' });
    }
    const next: unknown[] = [];
    let width = -1;
    for (const a of arrays) {
      const items = ownElements(op, 'values', a as readonly unknown[]);
      if (width >= 0 && items.length !== width) {
        throw new RectifierError(ErrorCode.BadShape, { op, argument: 'values', expected: 'a rectangular nested array', received: 'a ragged one' });
      }
      width = items.length;
      for (const item of items) next.push(item);
    }
    dims.push(width);
    if (width === 0) return dims;
    if (dims.length > MAX_RANK) {
      throw new RectifierError(ErrorCode.BadShape, { op, argument: 'values', expected: `at most ${MAX_RANK} levels of nesting`, received: 'more' });
    }
    level = next;
  }
}

/** Most dims a shape may have (NumPy's limit): deeper nesting is a mistake, not a tensor. */
export const MAX_RANK = 64;

/** A caller's shape copied once: its length and each dim read one time, then checked. */
function copyShape(shape: unknown, op: string, argument: string): number[] {
  if (!isArrayArgument(op, argument, shape)) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: 'an array of dims', received: describeValue(shape) });
  }
  const dims = ownElements(op, argument, shape);
  if (dims.length > MAX_RANK) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: `at most ${MAX_RANK} dims`, received: `${dims.length}` });
  }
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new RectifierError(ErrorCode.BadShape, {
        op, argument, expected: 'non-negative integer dims', received: `dim ${i} = ${describeValue(d)}`,
      });
    }
    if (d > Number.MAX_SAFE_INTEGER) { // not exact as a double: no size or index computed from it would be
      throw new RectifierError(ErrorCode.TooLarge, {
        op, argument, expected: `dims of at most 2^53 − 1`, received: `dim ${i} = ${describeValue(d)}`,
      });
    }
  }
  return dims as number[];
}

/**
 * The product of checked dims, or TOO_LARGE: a zero dim makes it 0 whatever the others are, and
 * the product is capped before it can lose precision or overflow.
 */
function dimsSize(dims: readonly number[], op: string, argument: string): number {
  if (dims.includes(0)) return 0;
  let size = 1;
  for (const d of dims) {
    size *= d;
    if (size > MAX_TENSOR_ELEMENTS) {
      throw new RectifierError(ErrorCode.TooLarge, {
        op, argument, expected: `at most ${MAX_TENSOR_ELEMENTS} elements`, received: `[${dims.join(', ')}]`,
      });
    }
  }
  return size;
}

/** Validates dims (non-negative integers up to 2^53 − 1, at most MAX_RANK of them) and returns their product. */
export function shapeSize(shape: unknown, op: string, argument: string): number {
  return dimsSize(copyShape(shape, op, argument), op, argument);
}

/** True only for real Tensors of this copy of core (same brand check as {@link Tensor.isTensor}). */
export function isTensor(v: unknown): v is Tensor {
  return Tensor.isTensor(v);
}

/** Whether two shapes have the same rank and the same dims. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
