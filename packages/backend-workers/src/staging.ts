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

  constructor(private readonly maxFreeBytes = STAGING_BYTES) {}

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
 * passed twice is copied once), and one already over a SharedArrayBuffer is used as it is. The
 * caller's arrays are only read. `release()` hands the copies back once every chunk has settled.
 */
export class SharedInputs {
  readonly #copies = new Map<TypedArray, TypedArray>();

  constructor(private readonly staging: StagingBuffers) {}

  of(data: TypedArray): TypedArray {
    if (data.buffer instanceof SharedArrayBuffer) return data;
    let copy = this.#copies.get(data);
    if (copy === undefined) {
      const buffer = this.staging.take(data.byteLength);
      copy = data instanceof Float64Array ? new Float64Array(buffer, 0, data.length) : new Float32Array(buffer, 0, data.length);
      copy.set(data);
      this.#copies.set(data, copy);
    }
    return copy;
  }

  tensor(t: Tensor): SharedTensor {
    return { data: this.of(t.data), shape: t.shape };
  }

  release(): void {
    for (const copy of this.#copies.values()) this.staging.give(copy.buffer as SharedArrayBuffer);
    this.#copies.clear();
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
