/**
 * FFN weights in shared memory across calls: the copies `prepareFfnWeights` makes, and the
 * transposes the backward pass needs (W1ᵀ, W2ᵀ, Vᵀ), computed once and shared by every thread.
 *
 * Why an explicit handle and not a cache keyed by the caller's tensors: a Tensor is frozen, but
 * its elements are the caller's memory and stay writable (core's tensor.ts), so the same tensor
 * may hold other values at the next call — an optimizer updating weights in place does exactly
 * that. A cache keyed by identity would then answer with the old values; checking the contents
 * instead reads every element, which costs more than the copy it would save (a JS compare loop
 * took about 2 ms against 0.4 ms for the copy of a 4 MiB weight on the project's 2-core VM). So a caller opts in: the tensors
 * `prepareFfnWeights` returns are over SharedArrayBuffers (calls read them in place, no copy),
 * and they are read-only by contract, which is what lets their transposes be kept.
 */
import type { TypedArray } from '@rectifier/core';
import { allocateShared, dtypeOf, transposeInto, type StagingStats } from './staging.js';

/** At most this many bytes of prepared weights and their transposes are kept for the backward pass. */
export const TRANSPOSE_CACHE_BYTES = 128 * 2 ** 20;

/**
 * The buffer of a prepared array, if `data` is one whole: core hands kernels a fresh view of each
 * tensor's data, so a prepared weight is known by its buffer, which it alone spans.
 */
function bufferOf(data: TypedArray): SharedArrayBuffer | undefined {
  const buffer = data.buffer;
  return buffer instanceof SharedArrayBuffer && data.byteOffset === 0 && data.byteLength === buffer.byteLength ? buffer : undefined;
}

interface CachedTranspose {
  readonly rows: number;
  readonly transposed: TypedArray;
}

/**
 * The prepared weights of one backend: which shared buffers it made (only those may have their
 * transposes kept — any other, a shared output of this backend included, may be written by
 * its owner), and their transposes, least recently used first, within `maxBytes` (a prepared
 * array counts with its transpose, because the cache keeps both alive). A caller who prepares new
 * weights every step evicts the old ones' transposes; the prepared copies themselves live as long
 * as the caller's tensors do (a WeakSet does not keep them).
 */
export class PreparedWeights {
  readonly #prepared = new WeakSet<SharedArrayBuffer>();
  readonly #transposes = new Map<SharedArrayBuffer, CachedTranspose>();
  #heldBytes = 0;

  constructor(private readonly stats: StagingStats, private readonly maxBytes = TRANSPOSE_CACHE_BYTES) {}

  /** A shared copy of `data`, registered as prepared (read-only from now on, by the caller's promise). */
  prepare(data: TypedArray): TypedArray {
    const copy = allocateShared(dtypeOf(data), data.length);
    copy.set(data);
    this.stats.preparedBytes += data.byteLength;
    this.#prepared.add(copy.buffer as SharedArrayBuffer);
    return copy;
  }

  /**
   * `data` ([rows, cols]) transposed, from the cache for a prepared array; undefined for any
   * other array (the call transposes it itself). Computed here, on the calling thread, before
   * any task is posted, so a concurrent call never sees half a transpose.
   */
  transposed(data: TypedArray, rows: number, cols: number): TypedArray | undefined {
    const buffer = bufferOf(data);
    if (buffer === undefined || !this.#prepared.has(buffer)) return undefined;
    const cached = this.#transposes.get(buffer);
    if (cached !== undefined && cached.rows === rows && cached.transposed.length === data.length) {
      this.#transposes.delete(buffer); // most recently used goes last
      this.#transposes.set(buffer, cached);
      return cached.transposed;
    }
    const transposed = transposeInto(data, rows, cols, allocateShared(dtypeOf(data), data.length));
    this.stats.transposedBytes += transposed.byteLength;
    this.#forget(buffer);
    const bytes = 2 * buffer.byteLength;
    if (bytes <= this.maxBytes) {
      this.#transposes.set(buffer, { rows, transposed });
      this.#heldBytes += bytes;
      for (const key of this.#transposes.keys()) {
        if (this.#heldBytes <= this.maxBytes) break;
        this.#forget(key);
      }
    }
    return transposed;
  }

  #forget(buffer: SharedArrayBuffer): void {
    if (this.#transposes.delete(buffer)) this.#heldBytes -= 2 * buffer.byteLength;
  }

  /** Bytes the cache keeps alive (prepared arrays with a cached transpose, and those transposes). */
  get heldBytes(): number {
    return this.#heldBytes;
  }

  /** Drops every cached transpose (dispose()); the prepared tensors stay the caller's. */
  clear(): void {
    this.#transposes.clear();
    this.#heldBytes = 0;
  }
}
