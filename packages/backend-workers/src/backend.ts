/**
 * The worker-threads backend: the lifecycle (options, the pool, `ready()`, `dispose()`) and how
 * a call's chunks settle into one result or one typed error. What runs where is kernels.ts'.
 */
import {
  BackendBase, describeValue, ErrorCode, errorMessage, RectifierError, Tensor, type Capabilities, type FfnWeights, type Kernels,
} from '@rectifier/core';
import { CPU_CAPABILITIES } from '@rectifier/backend-cpu';
import { poolOptions, unavailableReason, workerScript } from '#platform';
import { WorkersKernels } from './kernels.js';
import { readOptions, type WorkersBackendOptions } from './options.js';
import { createPool, isWorkerEnded, runInPool, type TaskPool } from './pool.js';
import type { Task } from './protocol.js';
import { emptyStats, StagingBuffers, type StagingSnapshot } from './staging.js';
import { PreparedWeights } from './weights.js';

export type { WorkersBackendOptions };

/** The CPU backend's kernels, run per chunk: the same declarations, but asynchronous only. */
const WORKERS_CAPABILITIES: Capabilities = Object.freeze({ ...CPU_CAPABILITIES, sync: false });

/**
 * The workers backend: a workerpool pool of workers (Node worker threads, or module Web Workers in a
 * cross-origin isolated page) running the CPU backend's kernels on chunks of each call, over
 * SharedArrayBuffers. Asynchronous only; float32 and float64.
 */
export class WorkersBackend extends BackendBase {
  readonly name = 'workers';
  readonly capabilities = WORKERS_CAPABILITIES;
  /** Workers in the pool. */
  readonly threads: number;
  /** The least time (ns) the pool must be estimated to save for a call to go to it (0: every call does). */
  readonly minSavingNs: number;
  protected readonly kernels: Kernels;
  /** TS-private (not #) so that the fault tests can reach workerpool's workers. */
  private readonly pool: TaskPool;
  #started: Promise<void> | undefined;
  readonly #stats = emptyStats();
  readonly #prepared = new PreparedWeights(this.#stats);

  constructor(options: WorkersBackendOptions = {}) {
    super();
    const { threads, minSavingNs, workerFile } = readOptions(options);
    const unavailable = unavailableReason();
    if (unavailable !== undefined) throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'createWorkersBackend' }, unavailable);
    this.threads = threads;
    this.minSavingNs = minSavingNs;
    this.pool = createPool(workerScript(workerFile), threads, poolOptions());
    this.kernels = new WorkersKernels(
      { run: (op, tasks) => this.#run(op, tasks) }, threads, minSavingNs, new StagingBuffers(undefined, this.#stats), this.#prepared,
    );
  }

  /**
   * FFN weights copied into shared memory once, for many calls: `ffn` and `ffnBackward` read the
   * returned tensors in place instead of copying the weights at every call, and the backward pass
   * keeps their transposes (W1ᵀ, W2ᵀ, Vᵀ) for the next one. The returned tensors are ordinary
   * tensors over SharedArrayBuffers (any backend takes them) and **read-only by contract**: to
   * change the weights, prepare new ones — a write into them could leave this backend's backward
   * pass with the old transposes. The caller's own tensors are only read and stay theirs to change.
   * Kept transposes are bounded (`TRANSPOSE_CACHE_BYTES`, least recently used go first) and dropped
   * by `dispose()`.
   */
  prepareFfnWeights(weights: FfnWeights): FfnWeights {
    const op = 'prepareFfnWeights';
    this.assertLive(op);
    if (weights === null || typeof weights !== 'object') {
      throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'weights', expected: 'an object { w1, b1?, w2, b2?, v?, bv? }', received: describeValue(weights) });
    }
    const prepared: Record<string, Tensor> = {};
    for (const key of ['w1', 'b1', 'w2', 'b2', 'v', 'bv'] as const) {
      const t: unknown = weights[key];
      if (t === undefined && key !== 'w1' && key !== 'w2') continue;
      if (!Tensor.isTensor(t)) throw new RectifierError(ErrorCode.BadArgument, { op, argument: key, expected: 'a Tensor', received: describeValue(t) });
      prepared[key] = new Tensor(this.#prepared.prepare(t.data), t.shape, op);
    }
    for (const key of Object.keys(weights)) {
      if (!(key in prepared) && (weights as unknown as Record<string, unknown>)[key] !== undefined) {
        throw new RectifierError(ErrorCode.BadArgument, { op, argument: key, expected: 'one of w1, b1, w2, b2, v, bv', received: 'an unknown weight' });
      }
    }
    return prepared as unknown as FfnWeights;
  }

  /** @internal Testing hook: bytes moved through shared memory so far, and the bytes the transpose cache holds. */
  get stagingStats(): StagingSnapshot {
    return { ...this.#stats, cachedBytes: this.#prepared.heldBytes };
  }

  /** Resolves once every worker has loaded the kernels (rejects with `BACKEND_UNAVAILABLE`). */
  override async ready(): Promise<void> {
    await super.ready();
    this.#started ??= this.#run('ready', Array.from({ length: this.threads }, (): Task => ({ kind: 'ping' }))).catch((e: unknown) => {
      if (e instanceof RectifierError && e.code === ErrorCode.Disposed) throw e;
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'ready', cause: e }, `the worker threads did not start: ${errorMessage(e)}`);
    });
    return this.#started;
  }

  /**
   * Runs the chunks of one call and settles when every chunk has (so no chunk of a failed call
   * still writes into memory afterwards). workerpool settles every task — done, thrown, worker
   * exited or failed, pool terminated — so this never hangs.
   */
  async #run(op: string, tasks: readonly Task[]): Promise<void> {
    this.assertLive(op); // e.g. disposed between the two rounds of ffnBackward
    const settled = await Promise.allSettled(tasks.map((t) => runInPool(this.pool, t)));
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed === undefined) return;
    if (this.isDisposed) {
      throw new RectifierError(ErrorCode.Disposed, { op, cause: failed.reason }, `the ${this.name} backend was disposed during the call`);
    }
    // workerpool's own words for a worker that ended span lines (exit code, script…): the first says what happened.
    const why = isWorkerEnded(failed.reason)
      ? `it exited or was terminated mid-task (${errorMessage(failed.reason).split('\n')[0].trim()})`
      : errorMessage(failed.reason);
    throw new RectifierError(ErrorCode.WorkerFailure, { op, cause: failed.reason }, `a worker thread failed: ${why}`);
  }

  /** Terminates every worker and drops the kept transposes; calls in flight reject with `DISPOSED`. */
  protected override async release(): Promise<void> {
    this.#prepared.clear();
    await this.pool.terminate(true);
  }
}
