/**
 * The page's backend selector. Adding a backend is one entry here. Only backends that run in a
 * browser belong (the worker-threads backend needs Node's worker_threads).
 */
import { BackendRegistry } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { BackendEntry } from '../src/lib/backends.js';

export const BROWSER_BACKENDS: readonly BackendEntry[] = [
  { id: 'cpu', label: 'CPU (one thread)', create: async () => createCpuBackend() },
  // When @rectifier/backend-gpujs ships its factory, WebGL is this one line (and one line in auto below):
  // { id: 'gpujs', label: 'gpu.js (WebGL)', create: async () => (await import('@rectifier/backend-gpujs')).createGpujsBackend() },
  {
    id: 'auto',
    label: 'best available (core registry)',
    // Core's registry picks the highest-priority backend that initialises, as a user's app would.
    create: async () => {
      const registry = new BackendRegistry();
      registry.register('cpu', createCpuBackend, { priority: 0 });
      return registry.best();
    },
  },
];
