/**
 * Backend selection, the way TensorFlow.js and ONNX Runtime do it: backends register a factory
 * with a priority; `best()` tries them from the highest priority down, keeps the first that
 * initialises, and reports each one that failed; `create(name)` uses one by name. A backend
 * registered with `automatic: false` (a fallback mode slower than the CPU, say) is only created by
 * name or when `only` names it. `describe()` says what is registered and what the last `best()`
 * tried, what it chose and why.
 */
import type { Backend } from './backend.js';
import { describeValue, ErrorCode, errorMessage, RectifierError } from './errors.js';
import { ownOptions } from './guard.js';

/** Makes a backend (sync or async); `create` then awaits its `ready()`. A throw or rejection counts as unavailable. */
export type BackendFactory = () => Backend | Promise<Backend>;

/** A backend `best()` skipped because it failed to initialise, as given to `onFallback`. */
export interface BackendFallback {
  /** The backend that failed to initialise. */
  readonly name: string;
  /** Why: the `BACKEND_UNAVAILABLE` RectifierError from `create`, the factory's or `ready()`'s error as its `cause`. */
  readonly error: unknown;
}

/** Options of `register` and `registerBackend`. */
export interface RegisterOptions {
  /** Higher is tried first by `best()` (default 0). */
  readonly priority?: number;
  /** Whether `best()` may choose it without being asked by name (default true). */
  readonly automatic?: boolean;
}

/** What `describe()` reports. */
export interface RegistryDescription {
  /** Every registered backend, best first. */
  readonly registered: readonly {
    /** The name it was registered under. */
    readonly name: string;
    /** Its priority (higher is tried first). */
    readonly priority: number;
    /** Whether `best()` may choose it without being asked by name. */
    readonly automatic: boolean;
  }[];
  /** The last `best()`: the backends it tried in order, the one it chose (undefined if none worked), and why in words. */
  readonly lastChoice?: {
    /** Each backend tried, in order; `error` is the failure's message, absent for the one that worked. */
    readonly tried: readonly {
      /** The backend's name. */
      readonly name: string;
      /** Why it failed to initialise, in words; absent if it worked. */
      readonly error?: string;
    }[];
    /** The name of the backend returned; undefined when none initialised (and `best()` threw). */
    readonly chosen: string | undefined;
    /** Why, in words: e.g. the highest-priority backend that initialised, and which were unavailable. */
    readonly reason: string;
  };
}

/** Options of `best()` and `getBackend()`. */
export interface BestOptions {
  /** Only consider these names (in priority order still). */
  readonly only?: readonly string[];
  /** Called for each backend that failed before one worked. Default: a console.warn line. */
  readonly onFallback?: (fallback: BackendFallback) => void;
}

/** A set of named backend factories with priorities; see `best()`, `create()` and `describe()`. */
export class BackendRegistry {
  readonly #entries = new Map<string, { factory: BackendFactory; priority: number; automatic: boolean; order: number }>();
  #order = 0;
  #lastChoice: RegistryDescription['lastChoice'];

  /** Adds (or replaces) a backend. Higher priority is tried first; ties keep registration order. */
  register(name: string, factory: BackendFactory, options: RegisterOptions = {}): void {
    if (typeof name !== 'string' || name === '') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'name', expected: 'a non-empty string', received: describeValue(name) });
    }
    if (typeof factory !== 'function') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'factory', expected: 'a function returning a Backend', received: describeValue(factory) });
    }
    const own = ownOptions('register', options, ['priority', 'automatic']);
    const priority = own.priority ?? 0;
    if (typeof priority !== 'number' || !Number.isFinite(priority)) {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'priority', expected: 'a finite number', received: describeValue(priority) });
    }
    const automatic = own.automatic ?? true;
    if (typeof automatic !== 'boolean') {
      throw new RectifierError(ErrorCode.BadArgument, { op: 'register', argument: 'automatic', expected: 'a boolean', received: describeValue(automatic) });
    }
    this.#entries.set(name, { factory, priority, automatic, order: this.#order++ });
  }

  /** What is registered, and what the last `best()` tried, chose and why. */
  describe(): RegistryDescription {
    const registered = this.names().map((name) => {
      const e = this.#entries.get(name)!;
      return { name, priority: e.priority, automatic: e.automatic };
    });
    return this.#lastChoice === undefined ? { registered } : { registered, lastChoice: this.#lastChoice };
  }

  /** Removes the named backend; true if it was registered. Backends already created are not affected. */
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
      throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'create', argument: name, cause: error }, `backend '${name}' failed to initialise: ${errorMessage(error)}`);
    }
  }

  /** The highest-priority backend that initialises; each failure is reported through `onFallback`. */
  async best(options: BestOptions = {}): Promise<Backend> {
    const own = ownOptions('best', options, ['only', 'onFallback']);
    const only = own.only as readonly string[] | undefined;
    const onFallback = (own.onFallback as BestOptions['onFallback']) ?? ((f: BackendFallback) => {
      console.warn(`rectifier: backend '${f.name}' is unavailable (${errorMessage(f.error)}); trying the next one`);
    });
    const candidates = this.names().filter((n) => (only === undefined ? this.#entries.get(n)!.automatic : only.includes(n)));
    const failures: BackendFallback[] = [];
    const tried: { name: string; error?: string }[] = [];
    for (const name of candidates) {
      try {
        const backend = await this.create(name);
        tried.push({ name });
        const skipped = failures.length === 0 ? '' : `; ${failures.map((f) => `${f.name} was unavailable (${errorMessage(f.error)})`).join('; ')}`;
        this.#lastChoice = { tried, chosen: name, reason: `the highest-priority ${only === undefined ? 'automatic ' : ''}backend that initialised${skipped}` };
        return backend;
      } catch (error) {
        const f = { name, error };
        failures.push(f);
        tried.push({ name, error: errorMessage(error) });
        onFallback(f);
      }
    }
    const why = failures.map((f) => `${f.name}: ${errorMessage(f.error)}`).join('; ');
    this.#lastChoice = { tried, chosen: undefined, reason: candidates.length === 0 ? 'no backend is registered' : `none initialised (${why})` };
    throw new RectifierError(ErrorCode.BackendUnavailable, { op: 'best', cause: failures }, candidates.length === 0 ? 'no backend is registered' : `no backend could be initialised (${why})`);
  }
}

/** The process-wide registry backends add themselves to with `registerBackend`. */
export const defaultRegistry = new BackendRegistry();

/** Registers a backend factory on {@link defaultRegistry} (as `BackendRegistry.register`; throws `BAD_ARGUMENT` on bad arguments). */
export function registerBackend(name: string, factory: BackendFactory, options?: RegisterOptions): void {
  defaultRegistry.register(name, factory, options);
}

/** A backend by name, or the best registered one when no name is given. */
export function getBackend(name?: string, options?: BestOptions): Promise<Backend> {
  return name === undefined ? defaultRegistry.best(options) : defaultRegistry.create(name);
}
