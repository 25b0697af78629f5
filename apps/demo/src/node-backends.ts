/**
 * The backends the CLI can use. The CPU backend is always there; the others are loaded on demand,
 * so the tour still runs where one fails to start (no worker threads, no GL context).
 */
import type { Backend } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { BackendEntry } from './lib/backends.js';

/**
 * The factory a backend package exports, found by its conventional name (createXxxBackend). The
 * gpu.js package is still being written, so its exact export name is not fixed yet.
 */
function findFactory(module: Record<string, unknown>, pkg: string): (options?: object) => Backend {
  const name = Object.keys(module).find((k) => /^create\w*Backend$/.test(k) && typeof module[k] === 'function');
  if (!name) throw new Error(`${pkg} exports no create…Backend factory yet`);
  return module[name] as (options?: object) => Backend;
}

export const NODE_BACKENDS: readonly BackendEntry[] = [
  { id: 'cpu', label: 'CPU (one thread)', create: async () => createCpuBackend() },
  {
    id: 'workers',
    label: 'worker threads',
    create: async () => findFactory((await import('@rectifier/backend-workers')) as Record<string, unknown>, '@rectifier/backend-workers')(),
  },
  {
    id: 'gpujs',
    label: 'gpu.js',
    create: async () => findFactory((await import('@rectifier/backend-gpujs')) as Record<string, unknown>, '@rectifier/backend-gpujs')(),
  },
];
