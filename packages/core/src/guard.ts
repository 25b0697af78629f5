/**
 * Reading what a caller hands over, safe against what plain JavaScript can do to it.
 *
 * A call's arguments are untrusted objects: a property may be inherited from a polluted
 * `Object.prototype`, a getter may answer differently on each read, a Proxy may be revoked (every
 * operation on it throws a TypeError), a typed array may be a subclass whose `length` lies or an
 * own property that shadows it, and its buffer may be resizable, growable or detached. Everything
 * here reads each value once, own properties only, through the engine's intrinsic accessors, and
 * turns every failure into a typed `RectifierError`.
 */
import { describeValue, ErrorCode, RectifierError } from './errors.js';

const TYPED_ARRAY_PROTOTYPE = Object.getPrototypeOf(Float32Array.prototype) as object;

function intrinsicGetter(proto: object | undefined, key: PropertyKey): ((this: unknown) => unknown) | undefined {
  if (proto === undefined) return undefined;
  const get = Object.getOwnPropertyDescriptor(proto, key)?.get;
  return typeof get === 'function' ? (get as (this: unknown) => unknown) : undefined;
}

const typedArrayTag = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, Symbol.toStringTag)!;
const typedArrayLength = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, 'length')!;
const typedArrayBuffer = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, 'buffer')!;
const typedArrayByteOffset = intrinsicGetter(TYPED_ARRAY_PROTOTYPE, 'byteOffset')!;
const arrayBufferByteLength = intrinsicGetter(ArrayBuffer.prototype, 'byteLength')!;
// Resizable ArrayBuffers and growable SharedArrayBuffers (ES2024): absent on older engines.
const arrayBufferResizable = intrinsicGetter(ArrayBuffer.prototype, 'resizable');
const SAB_PROTOTYPE = typeof SharedArrayBuffer === 'function' ? SharedArrayBuffer.prototype : undefined;
const sharedByteLength = intrinsicGetter(SAB_PROTOTYPE, 'byteLength');
const sharedGrowable = intrinsicGetter(SAB_PROTOTYPE, 'growable');

export type FloatArrayTag = 'Float32Array' | 'Float64Array';

/** What the engine itself knows of a typed array (internal slots, not its properties). */
export interface TypedArrayFacts {
  readonly tag: string;
  readonly length: number;
  readonly buffer: ArrayBufferLike;
  readonly byteOffset: number;
  /** The buffer is a SharedArrayBuffer: another handle on the same memory may exist anywhere. */
  readonly shared: boolean;
  /** The buffer can change its length (a resizable ArrayBuffer or a growable SharedArrayBuffer). */
  readonly variableLength: boolean;
}

/**
 * SharedArrayBuffers seen, and whether each is growable (fixed when it is made). Telling one from
 * an ArrayBuffer takes a getter that throws, and a throw costs microseconds: a call on tensors in
 * shared memory (resident tensors, the worker backend's) checks each of its buffers several times.
 */
const sharedBufferGrowable = new WeakMap<object, boolean>();

/** The engine's view of `v` if it is a typed array (any realm, subclasses too); undefined otherwise (Proxies included). */
export function typedArrayFacts(v: unknown): TypedArrayFacts | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  let tag: unknown;
  try {
    tag = typedArrayTag.call(v); // undefined for non-typed-arrays; throws for nothing (a Proxy has no slot: undefined)
  } catch {
    return undefined;
  }
  if (typeof tag !== 'string') return undefined;
  const buffer = typedArrayBuffer.call(v) as ArrayBufferLike;
  let shared = false;
  let variableLength = false;
  const growable = sharedBufferGrowable.get(buffer);
  if (growable !== undefined) {
    shared = true;
    variableLength = growable;
  } else {
    try {
      arrayBufferByteLength.call(buffer);
      variableLength = arrayBufferResizable?.call(buffer) === true;
    } catch {
      shared = true; // not an ArrayBuffer: a SharedArrayBuffer
      variableLength = sharedGrowable?.call(buffer) === true;
      sharedBufferGrowable.set(buffer, variableLength);
    }
  }
  return {
    tag, buffer, shared, variableLength,
    length: typedArrayLength.call(v) as number,
    byteOffset: typedArrayByteOffset.call(v) as number,
  };
}

/** The byte length of a buffer of either kind, through the intrinsic getters. */
export function bufferByteLength(buffer: ArrayBufferLike): number {
  try {
    return arrayBufferByteLength.call(buffer) as number;
  } catch {
    return sharedByteLength === undefined ? 0 : (sharedByteLength.call(buffer) as number);
  }
}

/** A fresh view of exactly `length` elements on the same memory, of the intrinsic constructor for `tag`. */
export function freshView(tag: FloatArrayTag, buffer: ArrayBufferLike, byteOffset: number, length: number): Float32Array | Float64Array {
  return tag === 'Float32Array' ? new Float32Array(buffer, byteOffset, length) : new Float64Array(buffer, byteOffset, length);
}

/**
 * Runs `read` (which reads caller-provided objects) and turns anything it throws that is not a
 * RectifierError — a revoked Proxy's TypeError, a throwing getter's error, a stack overflow —
 * into BAD_ARGUMENT naming the entry point, with the original as `cause`.
 */
export function reading<T>(op: string, argument: string | undefined, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof RectifierError) throw e;
    throw new RectifierError(ErrorCode.BadArgument, { op, argument, cause: e }, `reading the arguments threw ${errorName(e)}: ${errorMessage(e)}`);
  }
}

function errorName(e: unknown): string {
  try {
    return e instanceof Error ? e.name : typeof e;
  } catch {
    return 'an exception';
  }
}

function errorMessage(e: unknown): string {
  try {
    return e instanceof Error ? String(e.message).slice(0, 200) : String(e).slice(0, 200);
  } catch {
    return '(unprintable)';
  }
}

/** Whether `v` is a plain object a caller would pass for options (not an array, function or null); Proxies throw through `reading`. */
function isRecord(v: unknown): v is object {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The caller's options, parameters or weights as a null-prototype record of their own enumerable
 * properties, each read once (so a getter cannot answer one value to the check and another to
 * the kernel), and nothing inherited: a key set on `Object.prototype` is not an argument.
 * `undefined` gives an empty record; anything else that is not an object throws `notRecord()`.
 * Keys outside `allowed` throw `unknown(key)`.
 */
export function ownRecord(
  op: string, argument: string, v: unknown, allowed: readonly string[] | undefined,
  notRecord: () => RectifierError, unknown: (key: string) => RectifierError,
): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>;
  if (v === undefined) return out;
  return reading(op, argument, () => {
    if (!isRecord(v)) throw notRecord();
    for (const key of Object.keys(v)) {
      if (allowed !== undefined && !allowed.includes(key)) throw unknown(key);
      out[key] = (v as Record<string, unknown>)[key];
    }
    return out;
  });
}

/** `Array.isArray` that gives a typed error for a revoked Proxy instead of a TypeError. */
export function isArrayArgument(op: string, argument: string, v: unknown): v is readonly unknown[] {
  return reading(op, argument, () => Array.isArray(v));
}

/** The elements of a caller's array, each read once (length once too). */
export function ownElements(op: string, argument: string, v: readonly unknown[]): unknown[] {
  return reading(op, argument, () => {
    const n = v.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = v[i];
    return out;
  });
}

/** An entry point's options: own properties only, each read once, unknown keys refused (BAD_ARGUMENT). */
export function ownOptions(op: string, options: unknown, allowed: readonly string[]): Record<string, unknown> {
  return ownRecord(op, 'options', options, allowed,
    () => new RectifierError(ErrorCode.BadArgument, { op, argument: 'options', expected: 'an options object or undefined', received: describeValue(options) }),
    (key) => new RectifierError(ErrorCode.BadArgument, { op, argument: key, expected: `one of ${allowed.join(', ')}`, received: 'an unknown option' }));
}
