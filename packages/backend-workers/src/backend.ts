import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  activationStatsOf, BackendBase, describeValue, ErrorCode, RectifierError, Tensor,
  type Capabilities, type DType, type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type GradientCall, type Kernels, type MatmulCall, type OpCall, type TypedArray,
} from '@rectifier/core';
import { CpuKernels, gemmAccumulate } from '@rectifier/backend-cpu/kernels';
import { CPU_CAPABILITIES } from '@rectifier/backend-cpu';
import { Piscina } from 'piscina';
import { DEFAULT_MIN_SAVING_NS, elementwiseNs, multiplyAddNs, poolSavingNs } from './cost.js';
import type { ElementwiseCall, FfnShared, SharedTensor, Task } from './protocol.js';

/** Options of the workers backend: pool size and when a call is worth sending to the pool. */
export interface WorkersBackendOptions {
  /** Worker threads in the pool (default: `os.availableParallelism()`). */
  threads?: number;
  /**
   * A call goes to the pool when the cost model (see cost.ts) estimates that the pool saves at
   * least this many nanoseconds of the calling thread's time (default
   * {@link DEFAULT_MIN_SAVING_NS}, 0.5 ms); other calls run on the calling thread with the CPU
   * kernels. `0`: every call goes to the pool, down to one element (what the conformance suite
   * runs); `Infinity`: none.
   */
  minSavingNs?: number;
  /**
   * @internal Testing hook: another worker module (path or file URL) whose default export
   * handles the tasks, e.g. one that wraps ./worker.js and injects faults.
   */
  workerFile?: string | URL;
}

/** The CPU backend's kernels, run per chunk: the same declarations, but asynchronous only. */
const WORKERS_CAPABILITIES: Capabilities = Object.freeze({ ...CPU_CAPABILITIES, sync: false });

/** The worker entry: src/worker.js under the tests (sources), dist/worker.js once built (see worker.js). */
const WORKER_FILE = new URL('./worker.js', import.meta.url);

/**
 * The Node flags the worker threads start with: the parent's, less the `@rectifier/source` export
 * condition. Vitest runs the tests with `--conditions @rectifier/source` (TypeScript sources);
 * threads inherit it, but plain Node cannot load .ts, so the worker must resolve the packages'
 * built `import` entries instead.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if ((a === '--conditions' || a === '-C') && argv[i + 1] === SOURCE_CONDITION) i++;
    else if (a !== `--conditions=${SOURCE_CONDITION}` && a !== `-C=${SOURCE_CONDITION}`) out.push(a);
  }
  return out;
}
const SOURCE_CONDITION = '@rectifier/source';

function allocateShared(dtype: DType, length: number): TypedArray {
  return dtype === 'float64' ? new Float64Array(new SharedArrayBuffer(8 * length)) : new Float32Array(new SharedArrayBuffer(4 * length));
}

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
/** At most this much input staging waits for reuse (enough for the benchmark's 16 MiB inputs and FFN weights). */
const STAGING_BYTES = 64 * 2 ** 20;

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

  ofOptional(data: TypedArray | undefined): TypedArray | undefined {
    return data === undefined ? undefined : this.of(data);
  }

  tensor(t: Tensor): SharedTensor {
    return { data: this.of(t.data), shape: t.shape };
  }

  release(): void {
    for (const copy of this.#copies.values()) this.staging.give(copy.buffer as SharedArrayBuffer);
    this.#copies.clear();
  }
}

/**
 * [start, end) ranges splitting n items into `parts` contiguous chunks of near-equal size, each
 * start a multiple of `align` (so two threads never write the same cache line); trailing ones may
 * be empty.
 */
function split(n: number, parts: number, align: number): [number, number][] {
  const size = Math.ceil(Math.ceil(n / parts) / align) * align;
  return Array.from({ length: parts }, (_, i): [number, number] => [Math.min(n, i * size), Math.min(n, (i + 1) * size)]);
}
const nonEmpty = ([s, e]: [number, number]): boolean => e > s;

/** 16 float32 = one 64-byte cache line. */
const ELEMENT_ALIGN = 16;

/** A float64 accumulator as a new tensor of the call's dtype (float32: rounded once). */
function fromAccumulator(acc: Float64Array, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(dtype === 'float64' ? acc : Float32Array.from(acc), shape);
}

/** Σ over rows of a [rows, cols] matrix, in row order: the GEMM with a 1×rows row of ones (stride 0 over one 1). */
function columnSums(m: TypedArray, rows: number, cols: number): Float64Array {
  const sums = new Float64Array(cols);
  gemmAccumulate(sums, [1], 0, 0, m, 1, rows, cols, false);
  return sums;
}

interface Pool {
  run(op: string, tasks: readonly Task[]): Promise<void>;
}

/** Runs `body` with a fresh SharedInputs, releasing its copies once the body has settled. */
async function withInputs<T>(staging: StagingBuffers, body: (shared: SharedInputs) => Promise<T>): Promise<T> {
  const shared = new SharedInputs(staging);
  try {
    return await body(shared);
  } finally {
    shared.release();
  }
}

/**
 * The kernels: large calls are cut into one chunk per thread and run in the pool over shared
 * memory; small ones run here, on the CPU backend's kernels.
 */
class WorkersKernels implements Kernels {
  readonly #cpu = new CpuKernels();

  constructor(
    private readonly pool: Pool,
    private readonly threads: number,
    private readonly minSavingNs: number,
    private readonly staging: StagingBuffers,
  ) {}

  /** Whether the pool runs a call of this single-thread time that stages this many elements. */
  #usePool(singleThreadNs: number, stagedElements: number): boolean {
    return this.minSavingNs === 0 || poolSavingNs(singleThreadNs, stagedElements, this.threads) >= this.minSavingNs;
  }

  /**
   * Whether the pool pays for an element-wise call: it moves every input and the output (the
   * forward pass), or every input, dy and a gradient per input (the backward pass).
   */
  #elementwisePays(call: OpCall, direction: 'forward' | 'gradient'): boolean {
    const inputs = call.inputs.reduce((sum, t) => sum + t.size, 0);
    const output = call.outShape.reduce((a, b) => a * b, 1);
    const staged = direction === 'forward' ? inputs + output : 2 * inputs + output;
    return this.#usePool(elementwiseNs(call.op.name, call.dtype, direction, call.inputs[0].size), staged);
  }

  #elementwise(call: OpCall, shared: SharedInputs): ElementwiseCall {
    return {
      op: call.op.name,
      inputs: call.inputs.map((t) => shared.tensor(t)),
      params: call.params,
      dtype: call.dtype,
      outShape: call.outShape,
      ...(call.prelu === undefined ? {} : { prelu: call.prelu }),
    };
  }

  forward(call: OpCall): Tensor | Promise<Tensor> {
    if (!this.#elementwisePays(call, 'forward')) return this.#cpu.forward(call);
    return withInputs(this.staging, (shared) => this.#forward(call, call.inputs[0].size, shared));
  }

  async #forward(call: OpCall, n: number, shared: SharedInputs): Promise<Tensor> {
    const c = this.#elementwise(call, shared);
    const out = allocateShared(call.dtype, call.outShape.reduce((a, b) => a * b, 1));
    const tasks = split(n, this.threads, ELEMENT_ALIGN).filter(nonEmpty)
      .map(([start, end]): Task => ({ kind: 'forward', call: c, out, start, end }));
    await this.pool.run(call.op.name, tasks);
    return new Tensor(out, call.outShape);
  }

  gradient(call: GradientCall): Tensor[] | Promise<Tensor[]> {
    if (!this.#elementwisePays(call, 'gradient')) return this.#cpu.gradient(call);
    return withInputs(this.staging, (shared) => this.#gradient(call, call.inputs[0].size, shared));
  }

  async #gradient(call: GradientCall, n: number, shared: SharedInputs): Promise<Tensor[]> {
    const c = this.#elementwise(call, shared);
    const dy = shared.tensor(call.dy);
    const out = call.inputs.map((t) => allocateShared(call.dtype, t.size));
    const chunks = split(n, this.threads, ELEMENT_ALIGN).filter(nonEmpty);
    // PReLU's slope gradient is a sum over each channel's elements, and a channel's run of
    // elements may straddle two chunks: each chunk adds into its own float64 partial sums, reduced
    // below in chunk order. With one slope per element ('full'), chunks touch disjoint slopes and
    // share one array, which keeps the result the CPU backend's bit for bit.
    const prelu = call.prelu;
    const w = call.inputs.length > 1 ? call.inputs[1].size : 0;
    const stride = prelu?.mode === 'full' ? 0 : w;
    const partials = prelu === undefined ? undefined : new Float64Array(new SharedArrayBuffer(8 * (stride * (chunks.length - 1) + w)));
    const tasks = chunks.map(([start, end], i): Task => ({
      kind: 'gradient', call: c, dy, start, end,
      out: prelu === undefined ? out : [out[0]], // with slopeSums the kernel leaves out[1] to us
      ...(partials === undefined ? {} : { slopeSums: partials.subarray(i * stride, i * stride + w) }),
    }));
    await this.pool.run(call.op.name, tasks);
    if (partials !== undefined) {
      const sums = new Float64Array(w);
      for (let i = 0; i < (stride === 0 ? 1 : chunks.length); i++) {
        for (let j = 0; j < w; j++) sums[j] += partials[i * stride + j];
      }
      out[1].set(sums);
    }
    return out.map((d, i) => new Tensor(d, call.inputs[i].shape));
  }

  matmul(c: MatmulCall): Tensor | Promise<Tensor> {
    const staged = c.m * c.k + c.k * c.n + c.m * c.n;
    if (c.m < 2 || !this.#usePool(multiplyAddNs(c.dtype, c.m * c.k * c.n), staged)) return this.#cpu.matmul(c);
    return withInputs(this.staging, (shared) => this.#matmul(c, shared));
  }

  async #matmul(c: MatmulCall, shared: SharedInputs): Promise<Tensor> {
    const a = shared.of(c.a.data);
    const b = shared.of(c.b.data);
    const out = allocateShared(c.dtype, c.m * c.n);
    const tasks = split(c.m, this.threads, 1).filter(nonEmpty).map(([rowStart, rowEnd]): Task => ({
      kind: 'matmul', a, b, transposeA: c.transposeA, transposeB: c.transposeB, m: c.m, k: c.k, n: c.n, rowStart, rowEnd, out,
    }));
    await this.pool.run('matmul', tasks);
    return new Tensor(out, [c.m, c.n]);
  }

  /**
   * Whether the pool pays for an FFN call: its multiply-adds (the backward pass recomputes the
   * forward one and does about twice its work again) against the weights, input, hidden layer and
   * output it moves through shared memory. The backward pass also transposes the weights in every
   * thread (dh = dy·W2ᵀ, dx = dz·W1ᵀ), which no thread count shortens: counted as two more passes
   * over them (at 64 tokens that tips it to the calling thread, where it measured faster).
   */
  #ffnPays(c: FfnCall, backward: boolean): boolean {
    const forward = c.T * c.f * (c.d * (c.v === undefined ? 1 : 2) + c.dOut);
    const weights = c.f * (c.d * (c.v === undefined ? 1 : 2) + c.dOut);
    const staged = weights * (backward ? 3 : 1) + c.T * (c.d + c.f + c.dOut) * (backward ? 2 : 1);
    return c.T >= 2 && this.#usePool(multiplyAddNs(c.dtype, backward ? 3 * forward : forward), staged);
  }

  #ffnShared(c: FfnCall, shared: SharedInputs): FfnShared {
    return {
      x: shared.of(c.x.data), w1: shared.of(c.w1.data), b1: shared.ofOptional(c.b1?.data), w2: shared.of(c.w2.data),
      b2: shared.ofOptional(c.b2?.data), v: shared.ofOptional(c.v?.data), bv: shared.ofOptional(c.bv?.data),
      T: c.T, d: c.d, f: c.f, dOut: c.dOut, activation: c.activation.name, activationParams: c.activationParams,
      sparse: c.sparse, dtype: c.dtype,
    };
  }

  ffn(c: FfnCall): FfnResult | Promise<FfnResult> {
    if (!this.#ffnPays(c, false)) return this.#cpu.ffn(c);
    return withInputs(this.staging, (shared) => this.#ffn(c, shared));
  }

  async #ffn(c: FfnCall, shared: SharedInputs): Promise<FfnResult> {
    const { T, f, dOut, dtype } = c;
    const ffn = this.#ffnShared(c, shared);
    const h = allocateShared(dtype, T * f);
    const y = allocateShared(dtype, T * dOut);
    const tasks = split(T, this.threads, 1).filter(nonEmpty)
      .map(([rowStart, rowEnd]): Task => ({ kind: 'ffnRows', ffn, rowStart, rowEnd, h, y }));
    await this.pool.run('ffn', tasks);
    return {
      y: new Tensor(y, [T, dOut]),
      ...(c.returnHidden ? { hidden: new Tensor(h, [T, f]) } : {}),
      ...(c.stats ? { stats: activationStatsOf(h, T, f) } : {}),
    };
  }

  ffnBackward(c: FfnBackwardCall): FfnGradients | Promise<FfnGradients> {
    if (!this.#ffnPays(c, true)) return this.#cpu.ffnBackward(c);
    return withInputs(this.staging, (shared) => this.#ffnBackward(c, shared));
  }

  /**
   * Two rounds: what is per token (forward, dh, dz, dx) split by tokens; then the weight
   * gradients, which sum over all tokens, split by their own rows (dW1/dV by d, dW2 by f), so no
   * reduction crosses threads. The bias gradients (column sums) are summed here meanwhile.
   */
  async #ffnBackward(c: FfnBackwardCall, shared: SharedInputs): Promise<FfnGradients> {
    const { T, d, f, dOut, dtype } = c;
    const ffn = this.#ffnShared(c, shared);
    const dy = shared.of(c.dy.data);
    const h = allocateShared(dtype, T * f);
    const dz = allocateShared(dtype, T * f);
    const dzv = c.v === undefined ? undefined : allocateShared(dtype, T * f);
    const dx = allocateShared(dtype, T * d);
    await this.pool.run('ffnBackward', split(T, this.threads, 1).filter(nonEmpty).map(([rowStart, rowEnd]): Task => ({
      kind: 'ffnRows', ffn, rowStart, rowEnd, h, backward: { dy, dz, dzv, dx },
    })));

    const dw1 = allocateShared(dtype, d * f);
    const dv = c.v === undefined ? undefined : allocateShared(dtype, d * f);
    const dw2 = allocateShared(dtype, f * dOut);
    const dRanges = split(d, this.threads, 1);
    const fRanges = split(f, this.threads, 1);
    const tasks: Task[] = [];
    dRanges.forEach(([dStart, dEnd], i) => {
      const [fStart, fEnd] = fRanges[i];
      if (dEnd > dStart || fEnd > fStart) tasks.push({ kind: 'ffnWeights', ffn, h, dy, dz, dzv, dStart, dEnd, fStart, fEnd, dw1, dv, dw2 });
    });
    const weights = this.pool.run('ffnBackward', tasks);
    const db1 = c.b1 ? fromAccumulator(columnSums(dz, T, f), [f], dtype) : undefined;
    const db2 = c.b2 ? fromAccumulator(columnSums(dy, T, dOut), [dOut], dtype) : undefined;
    const dbv = dzv && c.bv ? fromAccumulator(columnSums(dzv, T, f), [f], dtype) : undefined;
    await weights;
    return {
      dx: new Tensor(dx, [T, d]),
      dw1: new Tensor(dw1, [d, f]),
      dw2: new Tensor(dw2, [f, dOut]),
      ...(db1 ? { db1 } : {}),
      ...(db2 ? { db2 } : {}),
      ...(dv ? { dv: new Tensor(dv, [d, f]) } : {}),
      ...(dbv ? { dbv } : {}),
    };
  }
}

function positiveInteger(v: unknown, argument: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'createWorkersBackend', argument, expected: 'an integer ≥ 1', received: describeValue(v) });
  }
  return v;
}

function nonNegative(v: unknown, argument: string): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'createWorkersBackend', argument, expected: 'a number ≥ 0 (Infinity allowed)', received: describeValue(v) });
  }
  return v;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : describeValue(e);
}

/**
 * The worker-threads backend: a piscina pool of worker threads running the CPU backend's kernels
 * on chunks of each call, over SharedArrayBuffers. Asynchronous only; float32 and float64.
 */
export class WorkersBackend extends BackendBase {
  readonly name = 'workers';
  readonly capabilities = WORKERS_CAPABILITIES;
  /** Worker threads in the pool. */
  readonly threads: number;
  /** The least time (ns) the pool must be estimated to save for a call to go to it (0: every call does). */
  readonly minSavingNs: number;
  protected readonly kernels: Kernels;
  /** TS-private (not #) so that the fault tests can reach piscina's threads. */
  private readonly pool: Piscina;
  #started: Promise<void> | undefined;

  constructor(options: WorkersBackendOptions = {}) {
    super();
    if (options === null || typeof options !== 'object') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'createWorkersBackend', argument: 'options', expected: 'an options object', received: describeValue(options) });
    }
    for (const key of Object.keys(options)) {
      if (!['threads', 'minSavingNs', 'workerFile'].includes(key)) {
        throw new RectifierError(ErrorCode.BadArgument, { op: 'createWorkersBackend', argument: key, expected: 'one of threads, minSavingNs', received: 'an unknown option' });
      }
    }
    this.threads = options.threads === undefined ? availableParallelism() : positiveInteger(options.threads, 'threads');
    this.minSavingNs = options.minSavingNs === undefined ? DEFAULT_MIN_SAVING_NS : nonNegative(options.minSavingNs, 'minSavingNs');
    const file = options.workerFile ?? WORKER_FILE;
    this.pool = new Piscina({
      filename: file instanceof URL ? fileURLToPath(file) : file,
      minThreads: this.threads,
      maxThreads: this.threads, // a fixed pool: idle threads stay, so no call pays a thread start
      execArgv: workerExecArgv(),
    });
    // Piscina reports a thread that dies with no task in flight as an 'error' event (it replaces
    // the thread itself); an EventEmitter 'error' with no listener would take the process down.
    this.pool.on('error', () => undefined);
    this.kernels = new WorkersKernels({ run: (op, tasks) => this.#run(op, tasks) }, this.threads, this.minSavingNs, new StagingBuffers());
  }

  /** Resolves once every thread has loaded the kernels (rejects with `BACKEND_UNAVAILABLE`). */
  override async ready(): Promise<void> {
    await super.ready();
    this.#started ??= this.#run('ready', Array.from({ length: this.threads }, (): Task => ({ kind: 'ping' }))).catch((e: unknown) => {
      if (e instanceof RectifierError && e.code === ErrorCode.Disposed) throw e;
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'ready', cause: e }, `the worker threads did not start: ${errorText(e)}`);
    });
    return this.#started;
  }

  /**
   * Runs the chunks of one call and settles when every chunk has (so no chunk of a failed call
   * still writes into memory afterwards). Piscina settles every task — done, thrown, thread
   * exited, pool destroyed — so this never hangs.
   */
  async #run(op: string, tasks: readonly Task[]): Promise<void> {
    this.assertLive(op); // e.g. disposed between the two rounds of ffnBackward
    const settled = await Promise.allSettled(tasks.map((t) => this.pool.run(t)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed === undefined) return;
    if (this.isDisposed) {
      throw new RectifierError(ErrorCode.Disposed, { op, cause: failed.reason }, `the ${this.name} backend was disposed during the call`);
    }
    throw new RectifierError(ErrorCode.WorkerFailure, { op, cause: failed.reason }, `a worker thread failed: ${errorText(failed.reason)}`);
  }

  /** Terminates every worker thread; calls in flight reject with `DISPOSED`. */
  protected override async release(): Promise<void> {
    await this.pool.destroy();
  }
}
