import type { Worker } from 'node:worker_threads';
import type { WorkersBackend } from '../src/backend.js';

/**
 * The pool's live worker threads (Node's Worker objects), read from workerpool's handlers: what
 * the fault, soak and lifecycle tests count and terminate. Internal to workerpool (its `workers`
 * list), hence read here only.
 */
export function threadsOf(b: WorkersBackend): Worker[] {
  const pool = (b as unknown as { pool: { workers: { worker: Worker | null }[] } }).pool;
  return pool.workers.flatMap((handler) => (handler.worker === null ? [] : [handler.worker]));
}
