/**
 * Shared memory for one call: its outputs, fresh SharedArrayBuffers the workers write in place,
 * and copies of its inputs, taken from staging buffers that are reused across calls.
 */
import type { DType, Tensor, TypedArray } from '@rectifier/core';
import type { SharedTensor } from './protocol.js';

/** A zeroed array of the dtype over a new SharedArrayBuffer (an output the workers write). */
export function allocateShared(dtype: DType, length: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float32Array(new SharedArrayBuffer(4 * length));
}

/** The dtype of a float typed array. */
export const dtypeOf = (data: TypedArray): DType => (data instanceof Float64Array ? 'float64' : 'float32');

/** What went through shared memory, in bytes since the backend was created (a hook for the tests). */
export interface StagingStats {
  /** Copied into staging buffers: caller arrays, once per call each. */
  copiedBytes: number;
  /** Written as transposes (per call for caller weights, once for prepared ones). */
  transposedBytes: number;
  /** Copied into shared memory by `prepareFfnWeights`. */
  preparedBytes: number;
}

/** What the backend's `stagingStats` reads: the counters so far, and what the transpose cache holds now. */
export interface StagingSnapshot extends Readonly<StagingStats> {
  /** Held by the transpose cache now (prepared weights with their transposes). */
  readonly cachedBytes: number;
}

/** Counters at zero. */
export function emptyStats(): StagingStats {
  return { copiedBytes: 0, transposedBytes: 0, preparedBytes: 0 };
}

/** Tiles of this many rows and columns keep both the reads and the scattered writes of a transpose in cache. */
const TILE = 32;

/**
 * `src` ([rows, cols], row-major) transposed into `out` ([cols, rows]), tile by tile: the same
 * elements as the CPU kernels' `transpose`, element for element (a transpose only moves values),
 * at about twice its speed on the bench's 512×2048 weights, whose column walk misses the cache on
 * every store.
 */
export function transposeInto(src: TypedArray, rows: number, cols: number, out: TypedArray): TypedArray {
  for (let r0 = 0; r0 < rows; r0 += TILE) {
    const r1 = Math.min(rows, r0 + TILE);
    for (let c0 = 0; c0 < cols; c0 += TILE) {
      const c1 = Math.min(cols, c0 + TILE);
      for (let r = r0; r < r1; r++) {
        const row = r * cols;
        for (let c = c0; c < c1; c++) out[c * rows + r] = src[row + c];
      }
    }
  }
  return out;
}

/** At most this much input staging waits for reuse (enough for the benchmark's 16 MiB inputs and FFN weights). */
const STAGING_BYTES = 64 * 2 ** 20;

/**
 * Shared buffers for the input copies, kept for reuse once a call has settled. A fresh buffer
 * costs more than the copy itself (the kernel zeroes and maps its pages on first touch: about
 * 11 ms for 16 MiB on the README's machine, against 1.7 ms to copy into a buffer that was used
 * before). Only input copies come from here — outputs belong to the caller — and at most
 * `maxFreeBytes` wait for reuse.
 */
export class StagingBuffers {
  readonly #free: SharedArrayBuffer[] = [];
  #freeBytes = 0;

  constructor(private readonly maxFreeBytes = STAGING_BYTES, readonly stats: StagingStats = emptyStats()) {}

  /** A buffer of at least `bytes` (and at most twice that, so a small input never pins a big one). */
  take(bytes: number): SharedArrayBuffer {
    let best = -1;
    for (let i = 0; i < this.#free.length; i++) {
      const size = this.#free[i].byteLength;
      if (size >= bytes && size <= 2 * bytes && (best < 0 || size < this.#free[best].byteLength)) best = i;
    }
    if (best < 0) return new SharedArrayBuffer(bytes);
    const [buffer] = this.#free.splice(best, 1);
    this.#freeBytes -= buffer.byteLength;
    return buffer;
  }

  /** Returns a buffer no chunk reads any more; the oldest ones go beyond the cap. */
  give(buffer: SharedArrayBuffer): void {
    if (buffer.byteLength > this.maxFreeBytes) return;
    this.#free.push(buffer);
    this.#freeBytes += buffer.byteLength;
    while (this.#freeBytes > this.maxFreeBytes) this.#freeBytes -= this.#free.shift()!.byteLength;
  }

  get freeBytes(): number {
    return this.#freeBytes;
  }
}

/**
 * The inputs of one call in shared memory: each distinct caller array is copied once (a tensor
 * passed twice is copied once), and one already over a SharedArrayBuffer is used as it is; a
 * transpose the call asks for is made once, for every thread. The caller's arrays are only read.
 * `release()` hands the staging buffers back once every chunk has settled.
 */
export class SharedInputs {
  readonly #copies = new Map<TypedArray, TypedArray>();
  readonly #transposes = new Map<TypedArray, TypedArray>();
  readonly #scratch: TypedArray[] = [];

  constructor(private readonly staging: StagingBuffers) {}

  /** An array of the dtype over a staging buffer, holding whatever it last held (the caller overwrites it). */
  #staged(dtype: DType, length: number): TypedArray {
    const buffer = this.staging.take((dtype === 'float64' ? 8 : 4) * length);
    return dtype === 'float64' ? new Float64Array(buffer, 0, length) : new Float32Array(buffer, 0, length);
  }

  /**
   * Shared memory the call's tasks write and read but never return (the FFN's hidden layer when
   * not asked for, the backward pass's dz): a reused staging buffer, not a fresh one, which the
   * kernel would zero and fault in page by page. Its old contents remain: the tasks must write
   * every element before any is read.
   */
  scratch(dtype: DType, length: number): TypedArray {
    const out = this.#staged(dtype, length);
    this.#scratch.push(out);
    return out;
  }

  of(data: TypedArray): TypedArray {
    if (data.buffer instanceof SharedArrayBuffer) return data;
    let copy = this.#copies.get(data);
    if (copy === undefined) {
      copy = this.#staged(dtypeOf(data), data.length);
      copy.set(data);
      this.staging.stats.copiedBytes += data.byteLength;
      this.#copies.set(data, copy);
    }
    return copy;
  }

  /** `data` ([rows, cols]) transposed into shared memory, once per call (one [rows, cols] view of it per call). */
  transposed(data: TypedArray, rows: number, cols: number): TypedArray {
    let out = this.#transposes.get(data);
    if (out === undefined) {
      out = transposeInto(data, rows, cols, this.#staged(dtypeOf(data), data.length));
      this.staging.stats.transposedBytes += data.byteLength;
      this.#transposes.set(data, out);
    }
    return out;
  }

  tensor(t: Tensor): SharedTensor {
    return { data: this.of(t.data), shape: t.shape };
  }

  release(): void {
    for (const staged of [...this.#copies.values(), ...this.#transposes.values(), ...this.#scratch]) this.staging.give(staged.buffer as SharedArrayBuffer);
    this.#copies.clear();
    this.#transposes.clear();
    this.#scratch.length = 0;
  }
}

/** Runs `body` with a fresh SharedInputs, releasing its copies once the body has settled. */
export async function withInputs<T>(staging: StagingBuffers, body: (shared: SharedInputs) => Promise<T>): Promise<T> {
  const shared = new SharedInputs(staging);
  try {
    return await body(shared);
  } finally {
    shared.release();
  }
}
