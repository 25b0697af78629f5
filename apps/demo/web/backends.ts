/**
 * The page's backend selector. Adding a backend is one entry here. Only backends that run in a
 * browser belong (the worker-threads backend needs Node's worker_threads).
 */
import { BackendRegistry } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { BackendEntry } from '../src/lib/backends.js';

/** gpu.js through WebGL2/WebGL (its browser build); loaded only when chosen. */
const createGpujs = async () => (await import('@rectifier/backend-gpujs')).createGpujsBackend({ mode: 'gpu' });

/** The registry behind the last "best available" choice, for the page to say why it chose what it did. */
export let autoChoice: BackendRegistry | undefined;

export const BROWSER_BACKENDS: readonly BackendEntry[] = [
  { id: 'cpu', label: 'CPU (one thread)', create: async () => createCpuBackend() },
  { id: 'gpujs', label: 'gpu.js (WebGL)', create: createGpujs },
  {
    id: 'auto',
    label: 'best available (core registry)',
    // Core's registry picks the highest-priority backend that initialises, as a user's app would,
    // with gpu.js's own registration: gpu.js only on WebGL that renders in hardware (never on a
    // software renderer such as SwiftShader, slower than the CPU backend), else the CPU.
    create: async () => {
      const registry = new BackendRegistry();
      (await import('@rectifier/backend-gpujs')).registerGpujsBackend(20, registry);
      registry.register('cpu', createCpuBackend, { priority: 0 });
      autoChoice = registry;
      return registry.best({ onFallback: () => undefined });
    },
  },
];
