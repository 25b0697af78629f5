/**
 * The backends the CLI can use. The CPU backend is always there; the others are imported on
 * demand, so the tour still runs where one fails to load or start (no worker threads; no GL
 * context: without headless-gl, which `npm run demo` does not install, gpu.js runs in its
 * WebAssembly mode).
 */
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { BackendEntry } from './lib/backends.js';

export const NODE_BACKENDS: readonly BackendEntry[] = [
  { id: 'cpu', label: 'CPU (one thread)', create: async () => createCpuBackend() },
  { id: 'workers', label: 'worker threads', create: async () => (await import('@rectifier/backend-workers')).createWorkersBackend() },
  { id: 'gpujs', label: 'gpu.js', create: async () => (await import('@rectifier/backend-gpujs')).createGpujsBackend() },
];
