/**
 * @rectifier/backend-workers — the CPU backend's kernels on several cores: a piscina pool of
 * worker threads over SharedArrayBuffers. Asynchronous only; float32 and float64.
 */
import { registerBackend } from '@rectifier/core';
import { DEFAULT_MIN_PARALLEL_ELEMENTS, WorkersBackend, type WorkersBackendOptions } from './backend.js';

export { DEFAULT_MIN_PARALLEL_ELEMENTS, WorkersBackend, type WorkersBackendOptions };
export { ELEMENT_COST } from './cost.js';

/**
 * A new worker-threads backend with its own pool (`threads` defaults to the available cores).
 * Its threads start at once; `ready()` resolves when they have loaded the kernels.
 */
export function createWorkersBackend(options?: { threads?: number; minParallelElements?: number }): WorkersBackend {
  return new WorkersBackend(options);
}

/** Adds the workers backend to core's default registry (priority 10: preferred over the CPU's 0). */
export function registerWorkersBackend(priority = 10): void {
  registerBackend('workers', () => createWorkersBackend(), { priority });
}
