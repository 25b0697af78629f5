/**
 * The Backend contract. Every backend implements `Backend` (asynchronous, works everywhere); a
 * backend that can also answer synchronously declares `capabilities.sync` and exposes `sync`.
 * Backends extend `BackendBase`, which does all validation (through core's `prepare*` functions),
 * the disposed checks and the sync/async plumbing, and leaves only the kernels to the backend.
 */
import type { DType } from './dtype.js';
import { ErrorCode, RectifierError } from './errors.js';
import type { OpName, OpParamMap } from './ops/catalogue.js';
import type { ActivationStats, FfnGradients, FfnResult } from './reference.js';
import type { Tensor } from './tensor.js';
import {
  prepareFfn, prepareFfnBackward, prepareGradientCall, prepareMatmul, prepareOpCall, prepareStats,
  type CallLimits, type FfnBackwardCall, type FfnCall, type FfnOptions, type FfnWeights, type GradientCall,
  type ForwardOptions, type MatmulCall, type MatmulOptions, type OpCall,
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
   * Optional: op parameters the backend computes only within a range of magnitudes, by op and
   * parameter name (also where the op is an FFN activation). A parameter value that
   * is finite, non-zero and of a magnitude outside [min, max] gives `UNSUPPORTED_VALUE` naming the
   * parameter and the range. Absent, and for every op and parameter not listed: every valid value
   * is computed. The conformance suite checks both the refusals and the values at the limits.
   */
  readonly paramLimits?: Readonly<Partial<Record<OpName, Readonly<Record<string, { readonly min: number; readonly max: number }>>>>>;
}

/** Inputs of an op: one tensor, or the list in the op's input order. */
export type OpInputs = Tensor | readonly Tensor[];

export type MaybePromise<T> = T | Promise<T>;

/** The operations, with results of type R<…> (a Promise for the async API, the value for sync). */
interface Operations<Async extends boolean> {
  /**
   * f(inputs): element-wise activation (prelu: [x, weight]; GLU: [gate, value]). With
   * `options.out`, the result is written into that tensor, which is returned.
   */
  forward<O extends OpName>(op: O, inputs: OpInputs, params?: OpParamMap[O], options?: ForwardOptions): Result<Async, Tensor>;
  /** Gradients with respect to each input, in input order, given dy of the output's shape. */
  gradient<O extends OpName>(op: O, inputs: OpInputs, dy: Tensor, params?: OpParamMap[O]): Result<Async, Tensor[]>;
  matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Result<Async, Tensor>;
  /** FFN(x) = act(x·W1 + b1)·W2 + b2 (and the GLU variants). */
  ffn(x: Tensor, weights: FfnWeights, options?: FfnOptions): Result<Async, FfnResult>;
  ffnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options?: FfnOptions): Result<Async, FfnGradients>;
  /** Fraction of exact zeros per row and per unit of a hidden layer [rows, units], and dead units. */
  activationStats(hidden: Tensor): Result<Async, ActivationStats>;
}
type Result<Async extends boolean, T> = Async extends true ? Promise<T> : T;

export type SyncBackend = Operations<false>;

export interface Backend extends Operations<true> {
  readonly name: string;
  readonly capabilities: Capabilities;
  /** The synchronous API, where `capabilities.sync`; otherwise undefined. */
  readonly sync: SyncBackend | undefined;
  readonly isDisposed: boolean;
  /** Resolves once the backend can compute (compiles, spawns, probes); rejects with `BACKEND_UNAVAILABLE`. */
  ready(): Promise<void>;
  /** Releases every resource. Later calls reject with `DISPOSED`. Idempotent. */
  dispose(): Promise<void>;
}

/** The part a backend writes: one method per operation family, on validated calls. */
export interface Kernels {
  forward(call: OpCall): MaybePromise<Tensor>;
  gradient(call: GradientCall): MaybePromise<Tensor[]>;
  matmul(call: MatmulCall): MaybePromise<Tensor>;
  ffn(call: FfnCall): MaybePromise<FfnResult>;
  ffnBackward(call: FfnBackwardCall): MaybePromise<FfnGradients>;
  activationStats(hidden: Tensor): MaybePromise<ActivationStats>;
}

/** The result of a forward call: the caller's `out` (filled from y if the kernel did not write it), else y. */
function intoOut(call: OpCall, y: Tensor): Tensor {
  if (call.out === undefined || y === call.out) return y;
  call.out.data.set(y.data);
  return call.out;
}

export abstract class BackendBase implements Backend {
  abstract readonly name: string;
  abstract readonly capabilities: Capabilities;
  protected abstract readonly kernels: Kernels;
  #disposed = false;
  #sync: SyncBackend | undefined;

  get isDisposed(): boolean {
    return this.#disposed;
  }

  async ready(): Promise<void> {
    this.assertLive('ready');
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.release();
  }

  /** Frees the backend's resources; called once by `dispose()`. */
  protected async release(): Promise<void> {}

  protected assertLive(op: string): void {
    if (this.#disposed) {
      throw new RectifierError(ErrorCode.Disposed, { op }, `the ${this.name} backend was disposed`);
    }
  }

  /** Limits every call is validated against (from the capabilities). */
  protected get limits(): CallLimits {
    return this.capabilities;
  }

  async forward<O extends OpName>(op: O, inputs: OpInputs, params?: OpParamMap[O], options?: ForwardOptions): Promise<Tensor> {
    this.assertLive(String(op));
    const call = prepareOpCall(op, inputs, params, this.limits, options);
    return intoOut(call, await this.kernels.forward(call));
  }

  async gradient<O extends OpName>(op: O, inputs: OpInputs, dy: Tensor, params?: OpParamMap[O]): Promise<Tensor[]> {
    this.assertLive(String(op));
    return this.kernels.gradient(prepareGradientCall(op, inputs, dy, params, this.limits));
  }

  async matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Promise<Tensor> {
    this.assertLive('matmul');
    return this.kernels.matmul(prepareMatmul(a, b, options, this.limits));
  }

  async ffn(x: Tensor, weights: FfnWeights, options?: FfnOptions): Promise<FfnResult> {
    this.assertLive('ffn');
    return this.kernels.ffn(prepareFfn(x, weights, options, this.limits));
  }

  async ffnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options?: FfnOptions): Promise<FfnGradients> {
    this.assertLive('ffnBackward');
    return this.kernels.ffnBackward(prepareFfnBackward(x, weights, dy, options, this.limits));
  }

  async activationStats(hidden: Tensor): Promise<ActivationStats> {
    this.assertLive('activationStats');
    return this.kernels.activationStats(prepareStats(hidden, this.limits));
  }

  get sync(): SyncBackend | undefined {
    if (!this.capabilities.sync) return undefined;
    this.#sync ??= this.#makeSync();
    return this.#sync;
  }

  #makeSync(): SyncBackend {
    const settled = <T>(op: string, v: MaybePromise<T>): T => {
      if (v instanceof Promise) {
        throw new RectifierError(ErrorCode.SyncUnsupported, { op }, `the ${this.name} backend's ${op} kernel is asynchronous`);
      }
      return v;
    };
    const k = this.kernels;
    const L = (): CallLimits => this.limits;
    return {
      forward: (op, inputs, params, options) => {
        this.assertLive(String(op));
        const call = prepareOpCall(op, inputs, params, L(), options);
        return intoOut(call, settled(String(op), k.forward(call)));
      },
      gradient: (op, inputs, dy, params) => {
        this.assertLive(String(op));
        return settled(String(op), k.gradient(prepareGradientCall(op, inputs, dy, params, L())));
      },
      matmul: (a, b, options) => {
        this.assertLive('matmul');
        return settled('matmul', k.matmul(prepareMatmul(a, b, options, L())));
      },
      ffn: (x, weights, options) => {
        this.assertLive('ffn');
        return settled('ffn', k.ffn(prepareFfn(x, weights, options, L())));
      },
      ffnBackward: (x, weights, dy, options) => {
        this.assertLive('ffnBackward');
        return settled('ffnBackward', k.ffnBackward(prepareFfnBackward(x, weights, dy, options, L())));
      },
      activationStats: (hidden) => {
        this.assertLive('activationStats');
        return settled('activationStats', k.activationStats(prepareStats(hidden, L())));
      },
    };
  }
}
