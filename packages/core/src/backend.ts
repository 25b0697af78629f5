/**
 * The Backend contract. Every backend implements `Backend` (asynchronous, works everywhere); a
 * backend that can also answer synchronously declares `capabilities.sync` and exposes `sync`.
 * Backends extend `BackendBase`, which does all validation (through core's `prepare*` functions),
 * the disposed checks, the refusal of undeclared ops and the sync/async plumbing, and leaves only
 * the kernels to the backend: `forward`, `gradient` and `matmul`, and optionally the FFN and
 * statistics kernels it otherwise composes from those (composed.ts).
 */
import { composedFfn, composedFfnBackward, statsOf } from './composed.js';
import type { DType } from './dtype.js';
import { describeValue, ErrorCode, RectifierError } from './errors.js';
import { ffnResult } from './ffn-assembly.js';
import { findOp, OP_NAMES, type OpDefinition, type OpName, type OpNameOrAlias, type OpParams } from './ops/catalogue.js';
import { allocate, type DType as ElementType } from './dtype.js';
import {
  activationStatsOf, referenceFfnBackwardCall, referenceFfnCall, type ActivationStats, type FfnGradients, type FfnResult,
} from './reference.js';
import { liveData, shapeSize, Tensor } from './tensor.js';
import {
  prepareFfn, prepareFfnBackward, prepareGradientCall, prepareMatmul, prepareOpCall, prepareStats,
  type CallLimits, type FfnBackwardCall, type FfnCall, type FfnOptions, type FfnWeights, type GradientCall,
  type ForwardOptions, type MatmulCall, type MatmulOptions, type OpCall, matmulBatchCount, matmulSlice,
} from './validate.js';

/** What a backend can do, declared (the conformance suite holds it to every line). */
export interface Capabilities {
  /** The dtypes it computes; any other gives `UNSUPPORTED_DTYPE`. */
  readonly dtypes: readonly DType[];
  /** Whether `backend.sync` exists (answers without a Promise). */
  readonly sync: boolean;
  /**
   * Worst error of transcendental ops, in ulps of the output dtype, against the float64 reference
   * rounded to that dtype. Ops that only select or clamp are bit-exact regardless; ops that scale
   * by a parameter are within 1 ulp.
   */
  readonly ulp: Readonly<Partial<Record<DType, number>>>;
  /** Precision of sums in matmul, FFN and gradient reductions. */
  readonly accumulation: DType;
  /** −0 is kept where the definition gives it (and relu(−0) = +0). */
  readonly signedZeros: boolean;
  /** NaN and ±∞ are computed as the definition says; when false they are rejected with `UNSUPPORTED_VALUE`. */
  readonly nonFinite: boolean;
  /** Subnormal inputs and results are kept (when false they may be flushed to zero). */
  readonly subnormals: boolean;
  /** Largest tensor, in elements; bigger ones give `TOO_LARGE`. */
  readonly maxElements: number;
  /**
   * Optional: the element-wise ops the backend offers, by canonical name (each once). A call of any
   * other op — `forward`, `gradient`, or an FFN with it as the activation — gives `UNSUPPORTED_OP`
   * naming the backend, the op and the ops offered, before the call's inputs are read. Absent: every
   * op of the catalogue. `matmul`, `ffn`, `ffnBackward` and `activationStats` are always offered
   * (BackendBase composes the last three from `matmul`, `forward` and `gradient` where the backend
   * writes no kernel of its own). An unknown name or a repeated one gives `BAD_ARGUMENT` from
   * `ready()` and from every call. The conformance suite runs every section on the declared ops and
   * asks the typed error of every other.
   */
  readonly ops?: readonly OpName[];
  /**
   * Optional: the longest inner dimension (the length of one sum) the backend's products compute —
   * k of a matmul; d and f of an FFN; T, d, f and dOut of an FFN backward, whose products also sum
   * over the tokens and the outputs. A call with data over it gives `TOO_LARGE` naming the dim
   * (calls with an empty dim are answered by core and take any). Absent: no limit but `maxElements`.
   */
  readonly maxInner?: number;
  /**
   * Optional: op parameters the backend computes only within a range of magnitudes, by op and
   * parameter name (also where the op is an FFN activation). A parameter value that
   * is finite, non-zero and of a magnitude outside [min, max] gives `UNSUPPORTED_VALUE` naming the
   * parameter and the range. Absent, and for every op and parameter not listed: every valid value
   * is computed. The conformance suite checks both the refusals and the values at the limits.
   */
  readonly paramLimits?: Readonly<Partial<Record<OpName, Readonly<Record<string, {
    /** Smallest magnitude |value| computed (inclusive). */
    readonly min: number;
    /** Largest magnitude |value| computed (inclusive). */
    readonly max: number;
  }>>>>>;
  /**
   * Optional: whether `allocate` hands out tensors resident in the backend's own memory (the CPU
   * backend: a shared WebAssembly memory), on which element-wise calls with `out` there too run
   * unstaged. Absent or false: `allocate` gives `UNSUPPORTED_OP`. A backend may declare it false
   * where its platform lacks what it needs (no shared memory in a page that is not cross-origin
   * isolated); the conformance suite holds the declaration to `allocate`'s behaviour.
   */
  readonly residentTensors?: boolean;
  /**
   * Optional: `ffnBackward` with `sparse` (true or 'certified') skips the zero units (DESIGN.md §5):
   * a zero of dz or of the hidden layer is never multiplied (dx, dW1, dW2), nor, for an activation
   * with an exact +0 region (`zeroAtOrBelow`), the dh of a unit in it, so a ±∞ or NaN met only by
   * such zeros never reaches the gradients; the values are the dense backward's within rounding.
   * Absent or false: `sparse` runs the dense backward (the same values within rounding).
   */
  readonly sparseBackward?: boolean;
  /**
   * Optional: the element-wise ops with a `precision: 'fast'` kernel, by canonical name, each with
   * the bound its float32 forward results meet against the exact value (the correctly rounded
   * high-precision value, as for `ulp`). A float32 `forward` with `{ precision: 'fast' }` of such an
   * op may use it; every other call (an op not listed, float64, gradients, FFNs) runs the exact path,
   * which meets any bound. Special values stay the exact path's: NaN → NaN, ±∞ → the limit, the
   * signs of zero and the saturated values (σ = 1, tanh = ±1) where the exact path gives them.
   * Absent: no fast kernels ('fast' is accepted and computes exactly). Names outside the catalogue,
   * or a bound that is not a finite number ≥ 0, give `BAD_ARGUMENT` from `ready()` and every call.
   */
  readonly fastPrecision?: Readonly<Partial<Record<OpName, FastBound>>>;
}

/**
 * The declared accuracy of an op's `precision: 'fast'` kernel: its worst error in ulps of the
 * float32 result against the exact value. For scale, oneMKL VM's HA mode is ≤ 1 ulp, LA ≤ 4 ulp,
 * EP about half the bits (≈ 2^11 ulp); the exact path here is ≤ `capabilities.ulp`.
 */
export interface FastBound {
  /** Worst error, in float32 ulps, against the exact value. */
  readonly ulp: number;
}

/** Whether a validated forward call runs a backend's fast kernel: 'fast' asked, float32, the op declared. */
export function runsFast(caps: Capabilities, call: OpCall): boolean {
  return call.precision === 'fast' && call.dtype === 'float32' && caps.fastPrecision?.[call.op.name] !== undefined;
}

/** Inputs of an op: one tensor, or the list in the op's input order. */
export type OpInputs = Tensor | readonly Tensor[];

/** A value or a Promise of it: what a kernel may return (the sync API needs the value itself). */
export type MaybePromise<T> = T | Promise<T>;

/** The operations, with results of type R<…> (a Promise for the async API, the value for sync). */
export interface Operations<Async extends boolean> {
  /**
   * f(inputs): element-wise activation (prelu: [x, weight]; GLU: [gate, value]). With
   * `options.out`, the result is written into that tensor, which is returned.
   */
  forward<O extends OpNameOrAlias>(op: O, inputs: OpInputs, params?: OpParams<O>, options?: ForwardOptions): Result<Async, Tensor>;
  /** Gradients with respect to each input, in input order, given dy of the output's shape. */
  gradient<O extends OpNameOrAlias>(op: O, inputs: OpInputs, dy: Tensor, params?: OpParams<O>): Result<Async, Tensor[]>;
  /** The matrix product a·b (options transpose either), batch dims broadcast; accumulated in `capabilities.accumulation`. */
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Result<Async, Tensor>;
  /** FFN(x) = act(x·W1 + b1)·W2 + b2 (and the GLU variants). */
  ffn(x: Tensor, weights: FfnWeights, options?: FfnOptions): Result<Async, FfnResult>;
  /** Gradients of the FFN with respect to x and every weight given, for dy of the output's shape. */
  ffnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options?: FfnOptions): Result<Async, FfnGradients>;
  /** Fraction of exact zeros per row and per unit of a hidden layer [rows, units], and dead units. */
  activationStats(hidden: Tensor): Result<Async, ActivationStats>;
}
/** What an operation returns: a Promise of T for the asynchronous API, T itself for the synchronous one. */
export type Result<Async extends boolean, T> = Async extends true ? Promise<T> : T;

/** The synchronous API, `backend.sync`: every operation returns its value instead of a Promise. */
export type SyncBackend = Operations<false>;

/** A compute backend: the asynchronous operations, their synchronous twin `sync`, and its lifecycle. */
export interface Backend extends Operations<true> {
  /** The backend's registry name, e.g. `'cpu'`, `'workers'`, `'gpujs'`. */
  readonly name: string;
  /** What the backend computes and how accurately; every call is validated against it. */
  readonly capabilities: Capabilities;
  /**
   * The synchronous API. Where `capabilities.sync` is false it is still there, and each of its
   * methods throws `SYNC_UNSUPPORTED`.
   */
  readonly sync: SyncBackend;
  /** Whether `dispose()` was called (later calls reject with `DISPOSED`). */
  readonly isDisposed: boolean;
  /** Resolves once the backend can compute (compiles, spawns, probes); rejects with `BACKEND_UNAVAILABLE`. */
  ready(): Promise<void>;
  /** Releases every resource. Later calls reject with `DISPOSED`. Idempotent. */
  dispose(): Promise<void>;
  /**
   * A zero-filled tensor of `shape` (default dtype float32) whose data lives in the backend's own
   * memory, where `capabilities.residentTensors` is true: an ordinary Tensor to every op of every
   * backend, on which this backend's element-wise calls (input and `out` resident) skip staging.
   * `tensor.dispose()` returns its memory at once; one dropped undisposed is freed once collected;
   * the backend's `dispose()` disposes every one still live. Synchronous (no compute).
   * Where the backend does not declare `residentTensors`: `UNSUPPORTED_OP`; a dtype it does not
   * compute: `UNSUPPORTED_DTYPE`; past `maxElements` or its memory: `TOO_LARGE`.
   */
  allocate(shape: readonly number[], dtype?: DType): Tensor;
}

/**
 * The part a backend writes, on validated calls: `forward`, `gradient` and `matmul` always; `ffn`,
 * `ffnBackward` and `activationStats` where it has a faster way than BackendBase's defaults, which
 * compose them from the first three (core's `composed.ts`: the reference's steps, each a kernel call).
 */
export interface Kernels {
  /** The op's output for a validated call, in the call's dtype; may write `call.out` directly. */
  forward(call: OpCall): MaybePromise<Tensor>;
  /** The gradient with respect to each input, in input order, for a validated call. */
  gradient(call: GradientCall): MaybePromise<Tensor[]>;
  /** One 2-D product `[m, n]` (`call.batch` is always []; BackendBase loops over batches and answers empty dims). */
  matmul(call: MatmulCall): MaybePromise<Tensor>;
  /**
   * Optional: the FFN on flattened x `[T, d]`, with y `[T, dOut]` (BackendBase restores the leading
   * dims). Absent: x·W1 + b1, the activation's `forward` and h·W2 + b2 through the kernels above.
   */
  ffn?(call: FfnCall): MaybePromise<FfnResult>;
  /**
   * Optional: the FFN gradients on flattened x and dy, with dx `[T, d]` (BackendBase restores the
   * leading dims). Absent: the forward steps again, then the reference's products by `matmul` and
   * the activation's `gradient`.
   */
  ffnBackward?(call: FfnBackwardCall): MaybePromise<FfnGradients>;
  /** Optional: the exact-zero statistics of a validated, non-empty hidden layer `[rows, units]`. Absent: core's count on the host. */
  activationStats?(hidden: Tensor): MaybePromise<ActivationStats>;
}

/**
 * The result of a forward call: the caller's `out` (filled from y if the kernel did not write it
 * directly), else y. The out memory is checked again: an asynchronous kernel gives the caller
 * time to detach its buffer.
 */
function intoOut(call: OpCall, y: Tensor): Tensor {
  const target = call.outTarget;
  if (target === undefined) return y;
  const view = liveData(target.tensor, call.op.name, 'out');
  if (y !== call.out) view.set(y.data);
  return target.tensor;
}

/* ---------------- calls with an empty dimension ---------------- */
// A call with a zero dim is answered here, by core's float64 reference rounded once, and never
// reaches a kernel: its work is bounded by the sizes of its results, while a kernel's loops over
// the other dims need not be (x [2^40, 0] · [0, 0] is an empty product whose row loop never ends).

function inDtype(t: Tensor, dtype: ElementType): Tensor {
  if (dtype === 'float64') return t;
  const d = allocate('float32', t.size);
  d.set(t.data);
  return new Tensor(d, t.shape);
}

function emptyMatmul(c: MatmulCall): Tensor | undefined {
  if (c.m !== 0 && c.n !== 0 && c.k !== 0) return undefined;
  return new Tensor(allocate(c.dtype, c.m * c.n), [c.m, c.n]); // k = 0: the empty sum, +0
}

function emptyFfn(c: FfnCall): FfnResult | undefined {
  if (c.T * c.d * c.f * c.dOut !== 0) return undefined;
  const r = referenceFfnCall({ ...c, returnHidden: true, stats: false });
  // The stats are counted on the hidden layer in the call's dtype, as the kernels do (rounding can make a zero).
  return ffnResult(c, inDtype(r.y, c.dtype).data, inDtype(r.hidden!, c.dtype).data);
}

function emptyFfnBackward(c: FfnBackwardCall): FfnGradients | undefined {
  if (c.T * c.d * c.f * c.dOut !== 0) return undefined;
  const r = referenceFfnBackwardCall(c);
  return Object.fromEntries(Object.entries(r).map(([k, t]) => [k, inDtype(t as Tensor, c.dtype)])) as unknown as FfnGradients;
}

function emptyStats(h: Tensor): ActivationStats | undefined {
  return h.size === 0 ? activationStatsOf(h.data, h.shape[0], h.shape[1]) : undefined;
}

/* ---------------- batch dims ---------------- */
// Kernels see 2-D calls only. A batched matmul runs one 2-D product at a time into one result;
// an FFN's leading dims were flattened into tokens by validation and come back on its results.

/** A batched matmul from 2-D products (each through `product`, which may be async), row-major over the batch. */
function batchedMatmul(c: MatmulCall, product: (slice: MatmulCall) => MaybePromise<Tensor>): MaybePromise<Tensor> {
  if (c.batch.length === 0) return product(c);
  const shape = [...c.batch, c.m, c.n];
  const count = matmulBatchCount(c);
  const size = c.m * c.n;
  const out = allocate(c.dtype, count * size);
  const results: MaybePromise<Tensor>[] = [];
  for (let i = 0; i < count && size > 0; i++) results.push(product(matmulSlice(c, i)));
  if (!results.some((r) => r instanceof Promise)) {
    (results as Tensor[]).forEach((r, i) => out.set(r.data, i * size));
    return new Tensor(out, shape);
  }
  return Promise.all(results).then((rs) => {
    rs.forEach((r, i) => out.set(r.data, i * size));
    return new Tensor(out, shape);
  });
}

const withLeading = (t: Tensor, leading: readonly number[]): Tensor =>
  t.rank === leading.length + 1 ? t : new Tensor(t.data, [...leading, t.shape[t.rank - 1]]);

/** An FFN result with the caller's leading dims on y and hidden. */
function ffnWithLeading(c: FfnCall, r: FfnResult): FfnResult {
  if (c.leading.length === 1) return r;
  return { ...r, y: withLeading(r.y, c.leading), ...(r.hidden ? { hidden: withLeading(r.hidden, c.leading) } : {}) };
}

/** FFN gradients with the caller's leading dims on dx. */
function gradientsWithLeading(c: FfnCall, g: FfnGradients): FfnGradients {
  return c.leading.length === 1 ? g : { ...g, dx: withLeading(g.dx, c.leading) };
}

/* ---------------- what a backend declares ---------------- */

/**
 * The ops a capability set offers (every op when `ops` is absent), and a check of its `ops` and
 * `maxInner` lines: read once per capabilities object (a backend's may change with its mode).
 */
const declaredOps = new WeakMap<Capabilities, ReadonlySet<OpName>>();

function offeredOps(backend: string, caps: Capabilities): ReadonlySet<OpName> {
  const known = declaredOps.get(caps);
  if (known !== undefined) return known;
  const refuse = (argument: string, expected: string, received: string): never => {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'capabilities', argument, expected, received }, `the ${backend} backend's declaration`);
  };
  const ops = caps.ops ?? OP_NAMES;
  if (!Array.isArray(ops)) refuse('ops', 'an array of op names', describeValue(ops));
  const offered = new Set<OpName>();
  for (const op of ops as readonly unknown[]) {
    if (typeof op !== 'string' || !(OP_NAMES as readonly string[]).includes(op)) {
      refuse('ops', `canonical op names of the catalogue (${OP_NAMES.join(', ')})`, describeValue(op));
    }
    if (offered.has(op as OpName)) refuse('ops', 'each op once', `'${String(op)}' twice`);
    offered.add(op as OpName);
  }
  const inner = caps.maxInner;
  if (inner !== undefined && !(Number.isInteger(inner) && inner > 0)) refuse('maxInner', 'an integer ≥ 1', describeValue(inner));
  const fast = caps.fastPrecision;
  if (fast !== undefined) {
    if (fast === null || typeof fast !== 'object') refuse('fastPrecision', 'an object of op names to { ulp }', describeValue(fast));
    for (const [op, bound] of Object.entries(fast)) {
      if (!offered.has(op as OpName)) refuse('fastPrecision', `ops the backend offers (${[...offered].join(', ')})`, describeValue(op));
      const ulp = (bound as FastBound | undefined)?.ulp;
      if (typeof ulp !== 'number' || !Number.isFinite(ulp) || ulp < 0) refuse(`fastPrecision.${op}.ulp`, 'a finite number ≥ 0', describeValue(ulp));
    }
  }
  declaredOps.set(caps, offered);
  return offered;
}

/** `UNSUPPORTED_OP` where `def` is not among the ops the backend declares. */
function requireOffered(backend: string, caps: Capabilities, def: OpDefinition, op: string, argument: string): void {
  const offered = offeredOps(backend, caps);
  if (offered.has(def.name)) return;
  throw new RectifierError(ErrorCode.UnsupportedOp, {
    op, argument, received: `'${def.name}'`,
    expected: offered.size === 0 ? 'no element-wise op (it offers none)' : `one of the ops it offers (capabilities.ops: ${[...offered].join(', ')})`,
  }, `the ${backend} backend does not offer ${def.name}`);
}

/** `TOO_LARGE` where one of the named inner dims is over the backend's declared `maxInner`. */
function requireInner(caps: Capabilities, op: string, dims: Readonly<Record<string, number>>): void {
  const limit = caps.maxInner;
  if (limit === undefined) return;
  for (const [dim, length] of Object.entries(dims)) {
    if (length > limit) {
      throw new RectifierError(ErrorCode.TooLarge, {
        op, argument: dim, expected: `an inner dimension of at most ${limit} (the backend's maxInner: the longest sum its products run)`, received: `${length}`,
      });
    }
  }
}

/** `f` of a value, or of a Promise's value once it settles. */
function andThen<T, U>(v: MaybePromise<T>, f: (value: T) => U): MaybePromise<U> {
  return v instanceof Promise ? v.then(f) : f(v);
}

/**
 * The base every backend extends: validates each call against its capabilities, checks it is not
 * disposed, refuses the ops it does not declare, answers calls with an empty dim and batched
 * matmuls, and hands the rest to `kernels` (composing the FFN and statistics where they have none).
 * Each operation is written once, returning a value or a Promise: the asynchronous API awaits it,
 * the synchronous one requires the value.
 */
export abstract class BackendBase implements Backend {
  /** The backend's registry name, e.g. `'cpu'`. */
  abstract readonly name: string;
  /** What the backend declares it computes; the calls' limits come from it. */
  abstract readonly capabilities: Capabilities;
  /** The backend's kernels, called with validated, 2-D, non-empty calls only. */
  protected abstract readonly kernels: Kernels;
  #disposed = false;
  #sync: SyncBackend | undefined;

  /** Whether `dispose()` was called. */
  get isDisposed(): boolean {
    return this.#disposed;
  }

  /** Resolves when the backend can compute; rejects with `DISPOSED`, or `BAD_ARGUMENT` for a malformed `ops`/`maxInner` declaration. */
  async ready(): Promise<void> {
    this.assertLive('ready');
    offeredOps(this.name, this.capabilities);
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.release();
  }

  /** Frees the backend's resources; called once by `dispose()`. */
  protected async release(): Promise<void> {}

  /**
   * A zero-filled tensor in the backend's own memory, where it declares `residentTensors`: checks
   * the shape, the dtype and `maxElements`, then calls {@link allocateResident}. Otherwise
   * `UNSUPPORTED_OP`; `DISPOSED` after `dispose()`.
   */
  allocate(shape: readonly number[], dtype: DType = 'float32'): Tensor {
    const op = 'allocate';
    this.assertLive(op);
    const size = shapeSize(shape, op, 'shape');
    if (this.capabilities.residentTensors !== true) {
      throw new RectifierError(ErrorCode.UnsupportedOp, {
        op, expected: 'a backend that declares capabilities.residentTensors', received: `the ${this.name} backend, which does not`,
      }, `the ${this.name} backend keeps no tensors in memory of its own: make ordinary ones with tensor() or zeros()`);
    }
    if (!this.capabilities.dtypes.includes(dtype)) {
      throw new RectifierError(ErrorCode.UnsupportedDtype, {
        op, argument: 'dtype', expected: `one of the backend's dtypes (${this.capabilities.dtypes.join(', ')})`, received: describeValue(dtype),
      });
    }
    if (size > this.capabilities.maxElements) {
      throw new RectifierError(ErrorCode.TooLarge, {
        op, argument: 'shape', expected: `at most ${this.capabilities.maxElements} elements (the backend's maxElements)`, received: `${size}`,
      });
    }
    return this.allocateResident(shape, size, dtype);
  }

  /**
   * The resident tensor for a checked `allocate` call (a backend declaring `residentTensors`
   * overrides it); the default refuses, as an undeclared `allocate` does.
   */
  protected allocateResident(_shape: readonly number[], _size: number, _dtype: DType): Tensor {
    throw new RectifierError(ErrorCode.UnsupportedOp, { op: 'allocate' }, `the ${this.name} backend declares residentTensors but has no allocator`);
  }

  /** Throws `DISPOSED`, naming `op`, once the backend was disposed. */
  protected assertLive(op: string): void {
    if (this.#disposed) {
      throw new RectifierError(ErrorCode.Disposed, { op }, `the ${this.name} backend was disposed`);
    }
  }

  /** Limits every call is validated against (from the capabilities). */
  protected get limits(): CallLimits {
    return this.capabilities;
  }

  /** `UNSUPPORTED_OP` for an op of the catalogue the backend does not declare (an unknown name is left to validation: `UNKNOWN_OP`). */
  #requireOp(op: unknown): void {
    const def = findOp(op);
    if (def !== undefined) requireOffered(this.name, this.capabilities, def, def.name, 'op');
    else offeredOps(this.name, this.capabilities);
  }

  #forward(op: OpNameOrAlias, inputs: OpInputs, params: unknown, options: ForwardOptions | undefined): MaybePromise<Tensor> {
    this.assertLive(String(op));
    this.#requireOp(op);
    const asked = prepareOpCall(op, inputs, params, this.limits, options);
    // 'fast' is a permission: kernels see it only where this backend declares a fast bound.
    const call: OpCall = asked.precision === 'fast' && !runsFast(this.capabilities, asked) ? { ...asked, precision: 'exact' } : asked;
    return andThen(this.kernels.forward(call), (y) => intoOut(call, y));
  }

  #gradient(op: OpNameOrAlias, inputs: OpInputs, dy: Tensor, params: unknown): MaybePromise<Tensor[]> {
    this.assertLive(String(op));
    this.#requireOp(op);
    return this.kernels.gradient(prepareGradientCall(op, inputs, dy, params, this.limits));
  }

  #matmul(a: Tensor, b: Tensor, options: MatmulOptions | undefined): MaybePromise<Tensor> {
    this.assertLive('matmul');
    offeredOps(this.name, this.capabilities);
    const call = prepareMatmul(a, b, options, this.limits);
    return batchedMatmul(call, (slice) => {
      const empty = emptyMatmul(slice);
      if (empty !== undefined) return empty;
      requireInner(this.capabilities, 'matmul', { k: slice.k });
      return this.kernels.matmul(slice);
    });
  }

  #ffn(x: Tensor, weights: FfnWeights, options: FfnOptions | undefined): MaybePromise<FfnResult> {
    this.assertLive('ffn');
    const call = prepareFfn(x, weights, options, this.limits);
    requireOffered(this.name, this.capabilities, call.activation, 'ffn', 'activation');
    const empty = emptyFfn(call);
    if (empty !== undefined) return ffnWithLeading(call, empty);
    requireInner(this.capabilities, 'ffn', { d: call.d, f: call.f });
    const k = this.kernels;
    return andThen(k.ffn !== undefined ? k.ffn(call) : composedFfn(k, call), (r) => ffnWithLeading(call, r));
  }

  #ffnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options: FfnOptions | undefined): MaybePromise<FfnGradients> {
    this.assertLive('ffnBackward');
    const call = prepareFfnBackward(x, weights, dy, options, this.limits);
    requireOffered(this.name, this.capabilities, call.activation, 'ffnBackward', 'activation');
    const empty = emptyFfnBackward(call);
    if (empty !== undefined) return gradientsWithLeading(call, empty);
    requireInner(this.capabilities, 'ffnBackward', { T: call.T, d: call.d, f: call.f, dOut: call.dOut });
    const k = this.kernels;
    return andThen(k.ffnBackward !== undefined ? k.ffnBackward(call) : composedFfnBackward(k, call), (g) => gradientsWithLeading(call, g));
  }

  #activationStats(hidden: Tensor): MaybePromise<ActivationStats> {
    this.assertLive('activationStats');
    offeredOps(this.name, this.capabilities);
    const h = prepareStats(hidden, this.limits);
    return emptyStats(h) ?? statsOf(this.kernels, h);
  }

  async forward<O extends OpNameOrAlias>(op: O, inputs: OpInputs, params?: OpParams<O>, options?: ForwardOptions): Promise<Tensor> {
    return this.#forward(op, inputs, params, options);
  }

  async gradient<O extends OpNameOrAlias>(op: O, inputs: OpInputs, dy: Tensor, params?: OpParams<O>): Promise<Tensor[]> {
    return this.#gradient(op, inputs, dy, params);
  }

  async matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Promise<Tensor> {
    return this.#matmul(a, b, options);
  }

  async ffn(x: Tensor, weights: FfnWeights, options?: FfnOptions): Promise<FfnResult> {
    return this.#ffn(x, weights, options);
  }

  async ffnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options?: FfnOptions): Promise<FfnGradients> {
    return this.#ffnBackward(x, weights, dy, options);
  }

  async activationStats(hidden: Tensor): Promise<ActivationStats> {
    return this.#activationStats(hidden);
  }

  /**
   * The synchronous API. It exists on every backend, so that using it where it is not offered is
   * a typed error: where `capabilities.sync` is false, every method throws `SYNC_UNSUPPORTED`
   * before doing any work.
   */
  get sync(): SyncBackend {
    this.#sync ??= this.capabilities.sync ? this.#makeSync() : this.#makeUnsupportedSync();
    return this.#sync;
  }

  #makeUnsupportedSync(): SyncBackend {
    const refuse = (op: string): never => {
      this.assertLive(op);
      throw new RectifierError(ErrorCode.SyncUnsupported, { op }, `the ${this.name} backend answers only asynchronously (capabilities.sync is false): await backend.${op}(…) instead of backend.sync.${op}(…)`);
    };
    return {
      forward: () => refuse('forward'),
      gradient: () => refuse('gradient'),
      matmul: () => refuse('matmul'),
      ffn: () => refuse('ffn'),
      ffnBackward: () => refuse('ffnBackward'),
      activationStats: () => refuse('activationStats'),
    };
  }

  #makeSync(): SyncBackend {
    const settled = <T>(op: string, v: MaybePromise<T>): T => {
      if (v instanceof Promise) {
        throw new RectifierError(ErrorCode.SyncUnsupported, { op }, `the ${this.name} backend's ${op} kernel is asynchronous`);
      }
      return v;
    };
    return {
      forward: (op, inputs, params, options) => settled(String(op), this.#forward(op, inputs, params, options)),
      gradient: (op, inputs, dy, params) => settled(String(op), this.#gradient(op, inputs, dy, params)),
      matmul: (a, b, options) => settled('matmul', this.#matmul(a, b, options)),
      ffn: (x, weights, options) => settled('ffn', this.#ffn(x, weights, options)),
      ffnBackward: (x, weights, dy, options) => settled('ffnBackward', this.#ffnBackward(x, weights, dy, options)),
      activationStats: (hidden) => settled('activationStats', this.#activationStats(hidden)),
    };
  }
}
