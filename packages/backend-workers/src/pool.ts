/**
 * The piscina pool of worker threads: which file the threads run and with which Node flags.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ErrorCode, RectifierError } from '@rectifier/core';
import { Piscina } from 'piscina';

/**
 * The worker entry, always the built one: a worker thread is plain Node and cannot load the .ts
 * sources. It is the CommonJS dist/worker-entry.cjs, which imports dist/worker.js (see
 * worker-entry.cts for why piscina is not handed the ES module itself). Resolved against the
 * package, not this file, so it is the same file from src/pool.ts (the tests run the sources)
 * and from dist/pool.js (the packed package).
 */
const BUILT_WORKER = new URL('../dist/worker-entry.cjs', import.meta.url);

/**
 * The worker file to start: `override` (a testing hook) as given, else the built entry (`builtEntry`,
 * a parameter for the tests), which must exist: `BACKEND_UNAVAILABLE` naming the build step when
 * it does not.
 */
export function workerFilename(override: string | URL | undefined, builtEntry: URL = BUILT_WORKER): string {
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

/** A fixed pool of `threads` threads running `filename`: idle threads stay, so no call pays a thread start. */
export function createPool(filename: string, threads: number): Piscina {
  const pool = new Piscina({ filename, minThreads: threads, maxThreads: threads, execArgv: workerExecArgv() });
  // Piscina reports a thread that dies with no task in flight as an 'error' event (it replaces
  // the thread itself); an EventEmitter 'error' with no listener would take the process down.
  pool.on('error', () => undefined);
  return pool;
}
