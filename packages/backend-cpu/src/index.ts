/**
 * @rectifier/backend-cpu — typed-array kernels on one thread, float32 and float64,
 * with the synchronous API (`backend.sync`) as well as the asynchronous one.
 */
import { registerBackend } from '@rectifier/core';
import { CPU_CAPABILITIES, CpuBackend } from './backend.js';

export { CPU_CAPABILITIES, CpuBackend };

/** A new CPU backend (no setup; `ready()` resolves at once). */
export function createCpuBackend(): CpuBackend {
  return new CpuBackend();
}

/** Adds the CPU backend to core's default registry (priority 0: the fallback every other backend beats). */
export function registerCpuBackend(priority = 0): void {
  registerBackend('cpu', createCpuBackend, { priority });
}
