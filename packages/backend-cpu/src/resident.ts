/**
 * Resident tensors of the CPU backend (`backend.allocate`): tensors whose data are blocks of a
 * shared WebAssembly memory (@rectifier/kernels-wasm's ResidentMemory, one per backend, made on
 * the first allocate), so that an element-wise call whose input and `out` are both there runs the
 * kernel on their offsets — no copy in, no copy out. Everything else about them is ordinary: any
 * op of any backend reads their Float32Array/Float64Array like any other tensor's (through the
 * staging path here, where an operand is not resident or the op has no WebAssembly kernel).
 *
 * Lifetime. `tensor.dispose()` frees the block at once (core calls the release hook once, so a
 * second dispose does nothing); a tensor dropped undisposed is freed by a FinalizationRegistry
 * after it is collected; `backend.dispose()` disposes every one still live. A disposed tensor
 * gives `DISPOSED` at every later call, so the library never reads a freed block through it.
 * What plain JavaScript can still do: a caller who kept the Float32Array itself (`t.data`, read
 * before dispose) holds a view on memory the allocator reuses: it then reads, and writes into,
 * whatever tensor is allocated there next. As with any pool, drop the views with the tensor.
 */
import {
  declareMemoryHandle, ErrorCode, RectifierError, residentTensor, type DType, type OpCall, type Tensor,
} from '@rectifier/core';
import { ResidentMemory } from '@rectifier/kernels-wasm';
import { wasmForwardKernel } from './kernels/elementwise.js';

let available: boolean | undefined;

/**
 * Whether this thread can keep resident tensors: WebAssembly SIMD, a shared memory (in a browser:
 * a cross-origin-isolated page) and RECTIFIER_WASM not off. Probed once.
 */
export function residentTensorsAvailable(): boolean {
  available ??= ResidentMemory.create() !== undefined;
  return available;
}

interface LiveBlock {
  readonly tensor: WeakRef<Tensor>;
  /** Which allocation holds the block (a freed block's offset is reused by the next one). */
  readonly id: number;
  /** The FinalizationRegistry's unregister token. */
  readonly token: object;
}

/** One backend's resident tensors: their memory, the live blocks, and the safety net for dropped ones. */
export class ResidentTensors {
  #memory: ResidentMemory | undefined;
  readonly #live = new Map<number, LiveBlock>();
  #nextId = 0;
  readonly #collected = new FinalizationRegistry<{ at: number; id: number }>(({ at, id }) => this.#free(at, id));

  /** A zero-filled resident tensor of a checked shape, size and dtype; `TOO_LARGE` past the memory's limit. */
  allocate(shape: readonly number[], size: number, dtype: DType): Tensor {
    const memory = (this.#memory ??= ResidentMemory.create());
    if (memory === undefined) {
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'allocate' }, 'no shared WebAssembly memory can be made here');
    }
    const bytesPerElement = dtype === 'float32' ? 4 : 8;
    const at = memory.allocate(size * bytesPerElement);
    if (at === undefined) {
      throw new RectifierError(ErrorCode.TooLarge, {
        op: 'allocate', argument: 'shape', expected: 'a tensor that fits the resident memory (2 GiB in all)', received: `${size * bytesPerElement} bytes`,
      });
    }
    const data = dtype === 'float32' ? memory.float32(at, size) : memory.float64(at, size);
    data.fill(0); // a reused block holds its last tensor's values
    // The memory's handle changes as it grows: core must know every one is this memory, to
    // compare resident tensors' byte ranges for overlap.
    declareMemoryHandle(data.buffer as SharedArrayBuffer, memory);
    const id = ++this.#nextId;
    let t: Tensor;
    try {
      t = residentTensor(data, shape, () => this.#release(at, id));
    } catch (e) {
      memory.free(at); // a shape that read differently the second time: nothing was handed out
      throw e;
    }
    const token = {};
    this.#live.set(at, { tensor: new WeakRef(t), id, token });
    this.#collected.register(t, { at, id }, token);
    return t;
  }

  /**
   * The unstaged path of a validated forward call, if it applies: a unary op with a WebAssembly
   * kernel, float32, whose x and `out` are both on this memory (x may be `out`; core has refused
   * partial overlap by byte range). False: the call takes the ordinary path.
   */
  forward(call: OpCall): boolean {
    const memory = this.#memory;
    if (memory === undefined || call.out === undefined || call.op.kind !== 'unary' || call.dtype !== 'float32') return false;
    const x = call.inputs[0].data as Float32Array;
    const y = call.out.data as Float32Array;
    if (!memory.holds(x) || !memory.holds(y)) return false;
    const kernel = wasmForwardKernel(call.op.name, call.params, call.precision);
    if (kernel === undefined || !memory.has(kernel[0])) return false;
    memory.unary(kernel[0], x, y, kernel[1], kernel[2]);
    return true;
  }

  /** Bytes of the resident memory (it grows to the peak of live blocks and never shrinks); 0 before the first allocate. */
  get memoryBytes(): number {
    return this.#memory?.byteLength ?? 0;
  }

  /** Disposes every live resident tensor and drops the memory (the backend's dispose). */
  dispose(): void {
    for (const [at, block] of [...this.#live]) {
      const t = block.tensor.deref();
      if (t !== undefined) t.dispose();
      else this.#free(at, block.id);
    }
    this.#memory = undefined;
  }

  /** A tensor's dispose(): its block goes back, and the safety net forgets it. */
  #release(at: number, id: number): void {
    const block = this.#live.get(at);
    if (block === undefined || block.id !== id) return;
    this.#collected.unregister(block.token);
    this.#free(at, id);
  }

  #free(at: number, id: number): void {
    if (this.#live.get(at)?.id !== id) return; // already freed, and perhaps reused by another allocation
    this.#live.delete(at);
    this.#memory?.free(at);
  }
}
