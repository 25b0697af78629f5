/**
 * Backend selection, the way TensorFlow.js and ONNX Runtime do it: backends register a factory
 * with a priority; `best()` tries them from the highest priority down, keeps the first that
 * initialises, and reports each one that failed; `create(name)` uses one by name.
 */
import type { Backend } from './backend.js';
import { describeValue, ErrorCode, RectifierError } from './errors.js';
import { ownRecord } from './guard.js';

export type BackendFactory = () => Backend | Promise<Backend>;

export interface BackendFallback {
  /** The backend that failed to initialise. */
  readonly name: string;
  readonly error: unknown;
}

export interface BestOptions {
  /** Only consider these names (in priority order still). */
  readonly only?: readonly string[];
  /** Called for each backend that failed before one worked. Default: a console.warn line. */
  readonly onFallback?: (fallback: BackendFallback) => void;
}

function notOptions(op: string, v: unknown): RectifierError {
  return new RectifierError(ErrorCode.BadArgument, { op, argument: 'options', expected: 'an options object or undefined', received: describeValue(v) });
}

function unknownOption(op: string, key: string, known: string): RectifierError {
  return new RectifierError(ErrorCode.BadArgument, { op, argument: key, expected: `one of ${known}`, received: 'an unknown option' });
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : describeValue(e);
}

export class BackendRegistry {
  readonly #entries = new Map<string, { factory: BackendFactory; priority: number; order: number }>();
  #order = 0;

  /** Adds (or replaces) a backend. Higher priority is tried first; ties keep registration order. */
  register(name: string, factory: BackendFactory, options: { priority?: number } = {}): void {
    if (typeof name !== 'string' || name === '') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'name', expected: 'a non-empty string', received: describeValue(name) });
    }
    if (typeof factory !== 'function') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'factory', expected: 'a function returning a Backend', received: describeValue(factory) });
    }
    const own = ownRecord('register', 'options', options, ['priority'], () => notOptions('register', options), (key) => unknownOption('register', key, 'priority'));
    const priority = own.priority ?? 0;
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'priority', expected: 'a finite number', received: describeValue(priority) });
    }
    this.#entries.set(name, { factory, priority, order: this.#order++ });
  }

  unregister(name: string): boolean {
    return this.#entries.delete(name);
  }

  /** Registered names, best first. */
  names(): string[] {
    return [...this.#entries.entries()]
      .sort(([, a], [, b]) => b.priority - a.priority || a.order - b.order)
      .map(([name]) => name);
  }

  /** Creates the named backend and waits until it is ready. */
  async create(name: string): Promise<Backend> {
    const entry = this.#entries.get(name);
    if (entry === undefined) {
      throw new RectifierError(ErrorCode.BackendUnavailable, {
        op: 'create', argument: 'name', expected: `a registered backend (${this.names().join(', ') || 'none registered'})`, received: describeValue(name),
      });
    }
    let backend: Backend | undefined;
    try {
      backend = await entry.factory();
      await backend.ready();
      return backend;
    } catch (error) {
      await backend?.dispose().catch(() => undefined);
      if (error instanceof RectifierError && error.code === ErrorCode.BackendUnavailable) throw error;
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'create', argument: name, cause: error }, `backend '${name}' failed to initialise: ${errorText(error)}`);
    }
  }

  /** The highest-priority backend that initialises; each failure is reported through `onFallback`. */
  async best(options: BestOptions = {}): Promise<Backend> {
    const own = ownRecord('best', 'options', options, ['only', 'onFallback'], () => notOptions('best', options), (key) => unknownOption('best', key, 'only, onFallback'));
    const only = own.only as readonly string[] | undefined;
    const onFallback = (own.onFallback as BestOptions['onFallback']) ?? ((f: BackendFallback) => {
      console.warn(`rectifier: backend '${f.name}' is unavailable (${errorText(f.error)}); trying the next one`);
    });
    const candidates = this.names().filter((n) => only === undefined || only.includes(n));
    const failures: BackendFallback[] = [];
    for (const name of candidates) {
      try {
        return await this.create(name);
      } catch (error) {
        const f = { name, error };
        failures.push(f);
        onFallback(f);
      }
    }
    const why = failures.map((f) => `${f.name}: ${errorText(f.error)}`).join('; ');
    throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'best', cause: failures }, candidates.length === 0 ? 'no backend is registered' : `no backend could be initialised (${why})`);
  }
}

/** The process-wide registry backends add themselves to with `registerBackend`. */
export const defaultRegistry = new BackendRegistry();

export function registerBackend(name: string, factory: BackendFactory, options?: { priority?: number }): void {
  defaultRegistry.register(name, factory, options);
}

/** A backend by name, or the best registered one when no name is given. */
export function getBackend(name?: string, options?: BestOptions): Promise<Backend> {
  return name === undefined ? defaultRegistry.best(options) : defaultRegistry.create(name);
}
