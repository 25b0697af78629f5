/**
 * The pool's platform in Node: worker_threads running the built dist/worker-entry.js, with the
 * parent's Node flags less the `@rectifier/source` condition; as many threads as cores by default.
 * package.json's `imports` (#platform) picks this file, and platform/browser.ts under the `browser`
 * condition.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RectifierError } from '@rectifier/core';
import type { PlatformPoolOptions } from '../pool.js';

/** Where the pool runs (error messages and the README name it). */
export const PLATFORM = 'node';

/**
 * The worker entry, always the built one: a worker thread is plain Node and cannot load the .ts
 * sources. It is an ES module, which Node's Worker loads as an entry point through the ES-module
 * loader (no require() of an ES module anywhere: on Node 20.20 that now and then aborted the process,
 * in ModuleWrap::CreateRequiredModuleFacade, when piscina required its file). Resolved against the
 * package, not this file, so it is the same file from src/ (the tests run the sources) and from dist/.
 */
const BUILT_WORKER = new URL('../../dist/worker-entry.js', import.meta.url);

/** Threads when the options name none: the available cores. */
export function defaultThreads(): number {
  return availableParallelism();
}

/** Why the pool cannot run here, if it cannot: Node always has worker_threads and SharedArrayBuffer. */
export function unavailableReason(): string | undefined {
  return undefined;
}

/**
 * The worker file to start: `override` (a testing hook) as given, else the built entry (`builtEntry`,
 * a parameter for the tests), which must exist: `BACKEND_UNAVAILABLE` naming the build step when
 * it does not.
 */
export function workerScript(override: string | URL | undefined, builtEntry: URL = BUILT_WORKER): string {
  if (override !== undefined) return override instanceof URL ? fileURLToPath(override) : override;
  const built = fileURLToPath(builtEntry);
  if (!existsSync(built)) {
    throw new RectifierError(
      ErrorCode.BackendUnavailable, { op: 'createWorkersBackend' },
      `the worker entry ${built} is missing: build @rectifier/backend-workers first (npx pnpm exec turbo run build)`,
    );
  }
  return built;
}

const SOURCE_CONDITION = '@rectifier/source';

/**
 * The Node flags the worker threads start with: the parent's, less the `@rectifier/source` export
 * condition. Vitest runs the tests with `--conditions @rectifier/source` (TypeScript sources);
 * threads inherit it, but plain Node cannot load .ts, so the worker must resolve the packages'
 * built `import` entries instead.
 */
function workerExecArgv(): string[] {
  const out: string[] = [];
  const argv = process.execArgv;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if ((flag === '--conditions' || flag === '-C') && argv[i + 1] === SOURCE_CONDITION) i++;
    else if (flag !== `--conditions=${SOURCE_CONDITION}` && flag !== `-C=${SOURCE_CONDITION}`) out.push(flag);
  }
  return out;
}

/** worker_threads, started with those flags. */
export function poolOptions(): PlatformPoolOptions {
  return { workerType: 'thread', workerThreadOpts: { execArgv: workerExecArgv() } };
}
