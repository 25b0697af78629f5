/**
 * Resident memory: blocks of one shared WebAssembly memory that a backend hands out as tensor
 * data, so that element-wise kernels run on them where they are — no copy in, no copy out.
 *
 * Why a memory of its own, and why shared:
 *  - The module's ordinary memory (WasmKernels) grows for the GEMM, and growing an unshared memory
 *    detaches its ArrayBuffer: every Float32Array on it would read as empty. A shared memory's old
 *    SharedArrayBuffer handles keep their length and their bytes when it grows (a new, longer
 *    handle covers the new pages), so a view handed out once stays valid for good.
 *  - The staging paths keep the unshared memory: copies into and out of a SharedArrayBuffer take
 *    the engine's relaxed-atomic copy, slower than memcpy, and ordinary tensors must not pay that.
 *  - Where no shared memory can be made (a browser page that is not cross-origin isolated has no
 *    SharedArrayBuffer) there are no resident tensors: {@link ResidentMemory.create} answers
 *    undefined and backends declare `residentTensors: false`. Never a detached view.
 *
 * The kernels are the plain SIMD build compiled against a shared memory (WASM_SHARED_BASE64):
 * its element-wise kernels are the same instructions as in both other builds, so results on
 * resident tensors have the same bits as through staging.
 *
 * The allocator is a first-fit free list over 64-byte-aligned blocks, coalescing neighbours on
 * free and lowering its top when the last block goes (no library: the few operations below are
 * all a tensor pool needs, and it must hand out byte offsets of this memory). The memory itself
 * never shrinks — WebAssembly memories cannot — and grows at least twofold, so the bound on its
 * size is twice the peak of live bytes plus fragmentation.
 */
import { WASM_SHARED_BASE64 } from './generated/module.js';
import { decodeBase64, environmentSaysOff, WebAssembly, type WasmMemory } from './load.js';
import { MAX_MEMORY_BYTES, type UnaryKernel } from './index.js';

const PAGE = 65536;
/** Block alignment: a cache line (and the 16 bytes SIMD loads like). */
const ALIGN = 64;
/** The first block's offset: offset 0 is never handed out. */
const FIRST = ALIGN;

type UnaryFn = (x: number, y: number, n: number, p0: number, p1: number) => void;

let compiled: object | null | undefined;

/** The shared-memory build compiled once per thread, or null where it cannot run here. */
function sharedModule(): object | null {
  if (compiled === undefined) {
    compiled = null;
    if (typeof WebAssembly === 'object' && typeof SharedArrayBuffer === 'function' && !environmentSaysOff('RECTIFIER_WASM')) {
      const bytes = decodeBase64(WASM_SHARED_BASE64);
      if (WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
    }
  }
  return compiled;
}

/** One shared WebAssembly memory, its instance of the kernels, and a free-list allocator over it. */
export class ResidentMemory {
  readonly #memory: WasmMemory;
  readonly #exports: Record<string, unknown>;
  /** Every SharedArrayBuffer handle this memory has given out (one per size it has had). */
  readonly #handles = new WeakSet<object>();
  /** Free blocks, sorted by offset, none touching another or the top. */
  #free: Array<{ at: number; bytes: number }> = [];
  /** Live blocks: offset → bytes. */
  readonly #live = new Map<number, number>();
  /** The end of the highest block ever live and not freed since. */
  #top = FIRST;

  private constructor(memory: WasmMemory, exports: Record<string, unknown>) {
    this.#memory = memory;
    this.#exports = exports;
  }

  /**
   * A fresh resident memory (one page to start), or undefined where this thread cannot have one:
   * no WebAssembly SIMD, no shared memory (no SharedArrayBuffer: not cross-origin isolated), or
   * RECTIFIER_WASM=off.
   */
  static create(): ResidentMemory | undefined {
    const module = sharedModule();
    if (module === null) return undefined;
    try {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_MEMORY_BYTES / PAGE, shared: true });
      const instance = new WebAssembly.Instance(module, {
        env: { memory, abort: () => { throw new Error('kernels-wasm: abort'); } },
      });
      return new ResidentMemory(memory, instance.exports as Record<string, unknown>);
    } catch {
      return undefined; // a runtime that validates the module but refuses shared memories here
    }
  }

  /** The memory's current SharedArrayBuffer handle (a longer one after each growth; older ones stay valid). */
  get buffer(): SharedArrayBuffer {
    const buffer = this.#memory.buffer as unknown as SharedArrayBuffer;
    this.#handles.add(buffer);
    return buffer;
  }

  /** The memory's size in bytes (it only grows). */
  get byteLength(): number {
    return this.#memory.buffer.byteLength;
  }

  /** Bytes in live blocks. */
  get liveBytes(): number {
    let sum = 0;
    for (const bytes of this.#live.values()) sum += bytes;
    return sum;
  }

  /**
   * The offset of a new block of at least `bytes` bytes (64-byte aligned, its contents whatever the
   * last block there held), or undefined where the memory would pass MAX_MEMORY_BYTES.
   */
  allocate(bytes: number): number | undefined {
    const size = Math.max(ALIGN, Math.ceil(bytes / ALIGN) * ALIGN);
    const i = this.#free.findIndex((b) => b.bytes >= size);
    let at: number;
    if (i >= 0) {
      const block = this.#free[i];
      at = block.at;
      if (block.bytes === size) this.#free.splice(i, 1);
      else this.#free[i] = { at: at + size, bytes: block.bytes - size };
    } else {
      at = this.#top;
      if (!this.#reserve(at + size)) return undefined;
      this.#top = at + size;
    }
    this.#live.set(at, size);
    return at;
  }

  /** Returns the block at `at` to the free list; false (nothing done) where no live block starts there. */
  free(at: number): boolean {
    const size = this.#live.get(at);
    if (size === undefined) return false;
    this.#live.delete(at);
    let start = at;
    let end = at + size;
    // Coalesce with the free neighbours on either side.
    const next = this.#free.findIndex((b) => b.at >= end);
    const after = next >= 0 && this.#free[next].at === end ? next : -1;
    const beforeIndex = (next >= 0 ? next : this.#free.length) - 1;
    const before = beforeIndex >= 0 && this.#free[beforeIndex].at + this.#free[beforeIndex].bytes === start ? beforeIndex : -1;
    if (after >= 0) { end += this.#free[after].bytes; this.#free.splice(after, 1); }
    if (before >= 0) { start = this.#free[before].at; this.#free.splice(before, 1); }
    if (end === this.#top) {
      this.#top = start; // the highest block went: the top comes down instead of a free block at it
      return true;
    }
    const insert = this.#free.findIndex((b) => b.at > start);
    this.#free.splice(insert >= 0 ? insert : this.#free.length, 0, { at: start, bytes: end - start });
    return true;
  }

  /** A Float32Array of `length` elements on the block at `at`. */
  float32(at: number, length: number): Float32Array {
    return new Float32Array(this.buffer, at, length);
  }

  /** A Float64Array of `length` elements on the block at `at`. */
  float64(at: number, length: number): Float64Array {
    return new Float64Array(this.buffer, at, length);
  }

  /** Whether `a` is on this memory (a view on one of its handles). */
  holds(a: Float32Array | Float64Array): boolean {
    return this.#handles.has(a.buffer);
  }

  /** Whether the module exports this kernel. */
  has(kernel: string): boolean {
    return typeof this.#exports[kernel] === 'function';
  }

  /**
   * y = f(x) over all of x, both on this memory ({@link holds}), run on their offsets: no staging.
   * y may be x (in place); the caller rules out partial overlap (each kernel reads an element
   * before it writes that element's output, and no element after another's output went over it).
   */
  unary(kernel: UnaryKernel, x: Float32Array, y: Float32Array, p0 = 0, p1 = 0): void {
    (this.#exports[kernel] as UnaryFn)(x.byteOffset, y.byteOffset, x.length, p0, p1);
  }

  /**
   * Makes the memory at least `bytes` long, at least doubling it when it grows (capped at
   * MAX_MEMORY_BYTES); false if `bytes` would pass that. Growing page by page measured relu on
   * its blocks 1.5x slower than on a memory grown once: each grow maps its pages apart.
   */
  #reserve(bytes: number): boolean {
    if (bytes > MAX_MEMORY_BYTES) return false;
    const have = this.#memory.buffer.byteLength;
    if (bytes > have) this.#memory.grow(Math.ceil((Math.max(bytes, Math.min(2 * have, MAX_MEMORY_BYTES)) - have) / PAGE));
    return true;
  }
}
