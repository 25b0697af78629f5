/**
 * The page's backend selector. Adding a backend is one entry here. Only backends that run in a
 * browser belong. The worker backend runs on Web Workers when the page is cross-origin isolated
 * (vite.config.ts sends COOP/COEP); elsewhere it says why it is unavailable.
 */
import { BackendRegistry } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { BackendEntry } from '../src/lib/backends.js';

/** gpu.js through WebGL2/WebGL (its browser build); loaded only when chosen. */
const createGpujs = async () => (await import('@rectifier/backend-gpujs')).createGpujsBackend({ mode: 'gpu' });
/** The CPU kernels on Web Workers over shared memory (navigator.hardwareConcurrency of them). */
const createWorkers = async () => (await import('@rectifier/backend-workers')).createWorkersBackend();

/** The registry behind the last "best available" choice, for the page to say why it chose what it did. */
export let autoChoice: BackendRegistry | undefined;

export const BROWSER_BACKENDS: readonly BackendEntry[] = [
  { id: 'cpu', label: 'CPU (one thread)', create: async () => createCpuBackend() },
  { id: 'workers', label: 'workers (Web Workers)', create: createWorkers },
  { id: 'gpujs', label: 'gpu.js (WebGL)', create: createGpujs },
  // gpu.js's WebGPU backend: where the browser offers navigator.gpu (a secure context; headless
  // Chromium with --enable-unsafe-webgpu gives SwiftShader's software adapter), else unavailable, saying why.
  { id: 'gpujs-webgpu', label: 'gpu.js (WebGPU)', create: async () => (await import('@rectifier/backend-gpujs')).createGpujsBackend({ mode: 'webgpu' }) },
  {
    id: 'auto',
    label: 'best available (core registry)',
    // Core's registry picks the highest-priority backend that initialises, as a user's app would,
    // with gpu.js's own registration: gpu.js only on WebGL that renders in hardware (never on a
    // software renderer such as SwiftShader, slower than the CPU backend), then the workers (in a
    // cross-origin-isolated page), else the CPU.
    create: async () => {
      const registry = new BackendRegistry();
      (await import('@rectifier/backend-gpujs')).registerGpujsBackend(20, registry);
      registry.register('workers', createWorkers, { priority: 10 });
      registry.register('cpu', createCpuBackend, { priority: 0 });
      autoChoice = registry;
      return registry.best({ onFallback: () => undefined });
    },
  },
];
