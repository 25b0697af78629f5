/** The workers backend's options and how they are read. */
import { describeValue, ErrorCode, RectifierError } from '@rectifier/core';
import { defaultThreads } from '#platform';
import { DEFAULT_MIN_SAVING_NS } from './cost.js';

/** Options of the workers backend: pool size and when a call is worth sending to the pool. */
export interface WorkersBackendOptions {
  /** Workers in the pool (default: the cores, `os.defaultThreads()` in Node, `navigator.hardwareConcurrency` in a page). */
  threads?: number;
  /**
   * A call goes to the pool when the cost model (see cost.ts) estimates that the pool saves at
   * least this many nanoseconds of the calling thread's time (default
   * {@link DEFAULT_MIN_SAVING_NS}, 0.5 ms); other calls run on the calling thread with the CPU
   * kernels. `0`: every call goes to the pool, down to one element (what the conformance suite
   * runs); `Infinity`: none.
   */
  minSavingNs?: number;
  /**
   * @internal Testing hook: another worker module (path or file URL; a URL in a page) that serves
   * the tasks, e.g. one that wraps dist/worker.js and injects faults.
   */
  workerFile?: string | URL;
}

/** The options with their defaults filled in, each checked (`BAD_ARGUMENT`). */
export interface ResolvedWorkersOptions {
  readonly threads: number;
  readonly minSavingNs: number;
  readonly workerFile: string | URL | undefined;
}

function badArgument(argument: string, expected: string, received: string): RectifierError {
  return new RectifierError(ErrorCode.BadArgument, { op: 'createWorkersBackend', argument, expected, received });
}

function positiveInteger(v: unknown, argument: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw badArgument(argument, 'an integer ≥ 1', describeValue(v));
  return v;
}

function nonNegative(v: unknown, argument: string): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0) throw badArgument(argument, 'a number ≥ 0 (Infinity allowed)', describeValue(v));
  return v;
}

/** Reads the constructor's options: an object of known keys, each valid. */
export function readOptions(options: WorkersBackendOptions): ResolvedWorkersOptions {
  if (options === null || typeof options !== 'object') throw badArgument('options', 'an options object', describeValue(options));
  for (const key of Object.keys(options)) {
    if (!['threads', 'minSavingNs', 'workerFile'].includes(key)) throw badArgument(key, 'one of threads, minSavingNs', 'an unknown option');
  }
  return {
    threads: options.threads === undefined ? defaultThreads() : positiveInteger(options.threads, 'threads'),
    minSavingNs: options.minSavingNs === undefined ? DEFAULT_MIN_SAVING_NS : nonNegative(options.minSavingNs, 'minSavingNs'),
    workerFile: options.workerFile,
  };
}
