/**
 * The worker-threads backend: the lifecycle (options, the pool, `ready()`, `dispose()`) and how
 * a call's chunks settle into one result or one typed error. What runs where is kernels.ts'.
 */
import { BackendBase, ErrorCode, errorMessage, RectifierError, type Capabilities, type Kernels } from '@rectifier/core';
import { CPU_CAPABILITIES } from '@rectifier/backend-cpu';
import type { Piscina } from 'piscina';
import { WorkersKernels } from './kernels.js';
import { readOptions, type WorkersBackendOptions } from './options.js';
import { createPool, workerFilename } from './pool.js';
import type { Task } from './protocol.js';
import { StagingBuffers } from './staging.js';

export type { WorkersBackendOptions };

/** The CPU backend's kernels, run per chunk: the same declarations, but asynchronous only. */
const WORKERS_CAPABILITIES: Capabilities = Object.freeze({ ...CPU_CAPABILITIES, sync: false });

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
    const { threads, minSavingNs, workerFile } = readOptions(options);
    this.threads = threads;
    this.minSavingNs = minSavingNs;
    this.pool = createPool(workerFilename(workerFile), threads);
    this.kernels = new WorkersKernels({ run: (op, tasks) => this.#run(op, tasks) }, threads, minSavingNs, new StagingBuffers());
  }

  /** Resolves once every thread has loaded the kernels (rejects with `BACKEND_UNAVAILABLE`). */
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
    throw new RectifierError(ErrorCode.WorkerFailure, { op, cause: failed.reason }, `a worker thread failed: ${errorMessage(failed.reason)}`);
  }

  /** Terminates every worker thread; calls in flight reject with `DISPOSED`. */
  protected override async release(): Promise<void> {
    await this.pool.destroy();
  }
}
