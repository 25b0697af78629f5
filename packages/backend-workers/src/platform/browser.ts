/**
 * The pool's platform in a browser page: module Web Workers running worker-entry.js, bundled by the
 * page's bundler; as many workers as navigator.hardwareConcurrency by default; unavailable, with
 * the reason, where the page is not cross-origin isolated. package.json's `imports` (#platform)
 * picks this file under the `browser` condition.
 */
import type { PlatformPoolOptions } from '../pool.js';
import { isolationProblem } from './isolation.js';

/** Where the pool runs (error messages and the README name it). */
export const PLATFORM = 'browser';

/** Threads when the options name none: the logical cores the browser reports (at least 1). */
export function defaultThreads(): number {
  const navigator = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return Math.max(1, navigator?.hardwareConcurrency ?? 1);
}

/** Why the pool cannot run in this page, if it cannot (see isolation.ts). */
export function unavailableReason(): string | undefined {
  return isolationProblem(globalThis);
}

/**
 * The worker entry's URL. Bundlers (Vite, webpack 5, Parcel) find a module worker by the text
 * `new Worker(new URL('./file.js', import.meta.url), { type: 'module' })`: they bundle the file and
 * put the bundle's URL in place of the `new URL(…)` (from the TypeScript sources, Vite resolves
 * worker-entry.js to worker-entry.ts). workerpool starts the Web Workers itself, from a URL, so the
 * `Worker` below is a stand-in that only hands that URL back: the expression is written out for the
 * bundler, not to start a worker here.
 */
function bundledWorkerUrl(): string {
  const Worker = class {
    constructor(readonly url: URL, readonly options: { type: 'module' }) {}
  };
  return new Worker(new URL('../worker-entry.js', import.meta.url), { type: 'module' }).url.href;
}

/** The worker URL: `override` (a testing hook) as given, else the bundled entry. */
export function workerScript(override: string | URL | undefined): string {
  if (override !== undefined) return String(override);
  return bundledWorkerUrl();
}

/** Module Web Workers (the entry is an ES module). */
export function poolOptions(): PlatformPoolOptions {
  return { workerType: 'web', workerOpts: { type: 'module' } };
}
