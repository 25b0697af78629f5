/**
 * The pool of workers, one abstraction for Node and the browser: workerpool's `Pool` over Node's
 * worker_threads or over module Web Workers (platform/node.ts and platform/browser.ts say which, and
 * which file the workers run). A fixed number of workers, started at once and kept, so no call pays
 * a worker start; a worker that exits or fails is replaced.
 */
import workerpool from 'workerpool';
import type { Task } from './protocol.js';

/** The one method the workers register (worker.ts' `serveTasks`): runs one chunk of a call. */
export const TASK_METHOD = 'runTask';

/** workerpool's pool, with the (TypeScript-private) handlers the fault tests reach. */
export type TaskPool = workerpool.Pool;

/** workerpool's options for one platform: which kind of worker, and its platform's own options. */
export type PlatformPoolOptions = Pick<workerpool.WorkerPoolOptions, 'workerType' | 'workerOpts' | 'workerThreadOpts'>;

/** A fixed pool of `threads` workers running `script` (a file path in Node, a URL in a page). */
export function createPool(script: string, threads: number, platform: PlatformPoolOptions): TaskPool {
  return workerpool.pool(script, {
    ...platform,
    minWorkers: threads,
    maxWorkers: threads,
    // dispose() forces termination: a worker busy with a long chunk is killed after this long.
    workerTerminateTimeout: 100,
  });
}

/** Runs one task on the next free worker; rejects when the worker throws, exits or is terminated. */
export function runInPool(pool: TaskPool, task: Task): Promise<void> {
  return pool.exec(TASK_METHOD, [task]) as unknown as Promise<void>;
}

/**
 * Whether an error is workerpool's word for a worker that ended (exited, was terminated, or failed
 * to load) rather than a task that threw.
 */
export function isWorkerEnded(e: unknown): boolean {
  return e instanceof workerpool.TerminateError;
}
