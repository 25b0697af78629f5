/**
 * @rectifier/backend-workers — the CPU backend's kernels on several cores: a workerpool pool of
 * Node worker threads, or of module Web Workers in a cross-origin isolated page, over
 * SharedArrayBuffers. Asynchronous only; float32 and float64.
 */
import { registerBackend } from '@rectifier/core';
import { WorkersBackend, type WorkersBackendOptions } from './backend.js';

export { WorkersBackend, type WorkersBackendOptions };
export {
  DEFAULT_MIN_SAVING_NS, elementwiseNs, FORWARD_NS, GRADIENT_NS, MULTIPLY_ADD_NS, multiplyAddNs, PARALLEL_EFFICIENCY, poolSavingNs,
  STAGING_NS_PER_ELEMENT, type CostTable,
} from './cost.js';
export { TRANSPOSE_CACHE_BYTES } from './weights.js';
export type { StagingSnapshot, StagingStats } from './staging.js';

/**
 * A new workers backend with its own pool (`threads` defaults to the available cores): Node worker
 * threads, or module Web Workers in a page. Its workers start at once; `ready()` resolves when they
 * have loaded the kernels. In a page that is not cross-origin isolated (no SharedArrayBuffer) it
 * throws `BACKEND_UNAVAILABLE`, saying which headers the page needs.
 */
export function createWorkersBackend(options?: { threads?: number; minSavingNs?: number }): WorkersBackend {
  return new WorkersBackend(options);
}

/** Adds the workers backend to core's default registry (priority 10: preferred over the CPU's 0). */
export function registerWorkersBackend(priority = 10): void {
  registerBackend('workers', () => createWorkersBackend(), { priority });
}
