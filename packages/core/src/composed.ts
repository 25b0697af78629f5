/**
 * The kernels a backend may leave out — `ffn`, `ffnBackward` and `activationStats` — composed from
 * the three it writes: `matmul`, `forward` and `gradient`. BackendBase runs these where a backend's
 * `Kernels` has none of its own, so a backend of one op and a matmul already answers every entry
 * point. Each step is one kernel call on a validated, 2-D, non-empty call, as kernels always get.
 *
 * The composition follows core's float64 reference step by step, with each intermediate in the
 * call's dtype (rounded once where the kernel rounds it): z = x·W1 + b1 (GLU: also zv = x·V + bv),
 * h = act(z) (GLU: act(z) ⊙ zv, the activation's forward kernel on [z, zv]), y = h·W2 + b2; the
 * gradients are the reference's products, the activation's gradient kernel giving dz (and dzv), and
 * the bias gradients column sums taken as ones·m by the backend's matmul, so every sum is
 * accumulated as the backend declares (`capabilities.accumulation`).
 */
import type { Kernels, MaybePromise } from './backend.js';
import { allocate, type DType } from './dtype.js';
import type { OpDefinition } from './ops/catalogue.js';
import type { ResolvedParams } from './ops/params.js';
import { activationStatsOf, certifiedUnitsOf, unitCounts, type ActivationStats, type FfnGradients, type FfnResult } from './reference.js';
import { Tensor } from './tensor.js';
import type { FfnBackwardCall, FfnCall, MatmulCall, OpCall } from './validate.js';

/* ---------------- running steps synchronously while the kernels answer synchronously ---------------- */
// A composition is a generator that yields each kernel's answer and resumes with its value: with
// synchronous kernels it runs to the end at once (so `backend.sync` works), and at the first
// Promise it continues asynchronously.

type Steps<T> = Generator<unknown, T, unknown>;

/** One kernel's answer, settled: `const y = yield* settled(kernel(call))`. */
function* settled<T>(answer: MaybePromise<T>): Steps<T> {
  return (yield answer) as T;
}

/**
 * Runs `steps` to their result: synchronously while every answer is a value, then asynchronously.
 * `beforeFirstWait` runs once, just before the first wait for a Promise (still within the call).
 */
function run<T>(steps: Steps<T>, beforeFirstWait: () => void): MaybePromise<T> {
  let waited = false;
  const resume = (value: unknown): MaybePromise<T> => {
    for (let next = steps.next(value); ; next = steps.next(value)) {
      if (next.done === true) return next.value;
      if (next.value instanceof Promise) {
        if (!waited) beforeFirstWait();
        waited = true;
        return next.value.then(resume);
      }
      value = next.value;
    }
  };
  return resume(undefined);
}

/**
 * A copy of the call whose caller tensors can be replaced by copies of their data: once a kernel
 * answers asynchronously the caller may write its inputs, and results depend only on the inputs
 * as they were when the call was made (docs/reliability.md), so the later steps read the copies.
 */
function ownCall<C extends object>(call: C): { call: C; copyInputs: () => void } {
  const own = { ...call };
  const copyInputs = (): void => {
    for (const [key, v] of Object.entries(own)) {
      if (v instanceof Tensor) (own as Record<string, unknown>)[key] = new Tensor(v.data.slice(), v.shape);
    }
  };
  return { call: own, copyInputs };
}

/* ---------------- the calls each step makes ---------------- */

/** op(a)·op(b), `[m, n]`, as a kernel's 2-D matmul call (a is [k, m] when transposeA, b is [n, k] when transposeB). */
function product(a: Tensor, b: Tensor, m: number, k: number, n: number, transposeA = false, transposeB = false): MatmulCall {
  return { a, b, transposeA, transposeB, m, k, n, dtype: a.dtype, batch: [] };
}

/** The activation's element-wise call on [z] (unary) or [z, zv] (GLU: gate and value). */
function activationCall(op: OpDefinition, params: ResolvedParams, inputs: readonly Tensor[], dtype: DType): OpCall {
  return { op, inputs, params, dtype, outShape: inputs[0].shape, prelu: undefined, out: undefined, outTarget: undefined, precision: 'exact' };
}

/** m `[rows, cols]` + bias `[cols]` on every row, in m's dtype (a new tensor; m is returned as it is without a bias). */
function withBias(m: Tensor, bias: Tensor | undefined): Tensor {
  if (bias === undefined) return m;
  const [rows, cols] = m.shape;
  const out = allocate(m.dtype, m.size);
  const md = m.data;
  const bd = bias.data;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = md[r * cols + c] + bd[c];
  return new Tensor(out, m.shape);
}

/** a + b element by element, in a's dtype. */
function sum(a: Tensor, b: Tensor): Tensor {
  const out = allocate(a.dtype, a.size);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return new Tensor(out, a.shape);
}

/** The statistics of a non-empty hidden layer `[rows, units]`: the backend's kernel, else core's count. */
export function statsOf(k: Kernels, hidden: Tensor): MaybePromise<ActivationStats> {
  return k.activationStats !== undefined ? k.activationStats(hidden) : activationStatsOf(hidden.data, hidden.shape[0], hidden.shape[1]);
}

/** Column sums of m `[rows, cols]` as ones `[1, rows]` · m, `[cols]`, by the backend's matmul. */
function* columnSums(k: Kernels, m: Tensor): Steps<Tensor> {
  const [rows, cols] = m.shape;
  const ones = new Tensor(allocate(m.dtype, rows).fill(1), [1, rows]);
  const s = yield* settled(k.matmul(product(ones, m, 1, rows, cols)));
  return new Tensor(s.data, [cols]);
}

/* ---------------- FFN forward and backward ---------------- */

interface Hidden {
  /** x·W1 + b1, `[T, f]` */
  readonly z: Tensor;
  /** x·V + bv, `[T, f]` (GLU only) */
  readonly zv: Tensor | undefined;
  /** act(z) (GLU: act(z) ⊙ zv), `[T, f]` */
  readonly h: Tensor;
}

function* hiddenLayer(k: Kernels, c: FfnCall): Steps<Hidden> {
  const { T, d, f } = c;
  const z = withBias(yield* settled(k.matmul(product(c.x, c.w1, T, d, f))), c.b1);
  const zv = c.v === undefined ? undefined : withBias(yield* settled(k.matmul(product(c.x, c.v, T, d, f))), c.bv);
  const h = yield* settled(k.forward(activationCall(c.activation, c.activationParams, zv === undefined ? [z] : [z, zv], c.dtype)));
  return { z, zv, h };
}

function* ffnSteps(k: Kernels, c: FfnCall): Steps<FfnResult> {
  const { h } = yield* hiddenLayer(k, c);
  // A sparse call multiplies densely here: the same result within rounding, as `sparse` promises.
  // A certified one too (it skips nothing here); its stats still count the certificate's units.
  const y = withBias(yield* settled(k.matmul(product(h, c.w2, c.T, c.f, c.dOut))), c.b2);
  const counted = c.stats ? yield* settled(statsOf(k, h)) : undefined;
  const certified = counted === undefined ? undefined : certifiedUnitsOf(c);
  const stats = counted === undefined || certified === undefined ? counted : { ...counted, ...unitCounts(h.data, c.T * c.f, certified) };
  return { y, ...(c.returnHidden ? { hidden: h } : {}), ...(stats !== undefined ? { stats } : {}) };
}

function* ffnBackwardSteps(k: Kernels, c: FfnBackwardCall): Steps<FfnGradients> {
  const { T, d, f, dOut } = c;
  const { z, zv, h } = yield* hiddenLayer(k, c);
  const dh = yield* settled(k.matmul(product(c.dy, c.w2, T, dOut, f, false, true))); // dy·W2ᵀ [T, f]
  const dw2 = yield* settled(k.matmul(product(h, c.dy, f, T, dOut, true))); // hᵀ·dy [f, dOut]
  const act = activationCall(c.activation, c.activationParams, zv === undefined ? [z] : [z, zv], c.dtype);
  const [dz, dzv] = yield* settled(k.gradient({ ...act, dy: dh })); // dz = f′(z)·dh (GLU: and dzv = f(z)·dh)
  const dw1 = yield* settled(k.matmul(product(c.x, dz, d, T, f, true))); // xᵀ·dz [d, f]
  let dx = yield* settled(k.matmul(product(dz, c.w1, T, f, d, false, true))); // dz·W1ᵀ [T, d]
  let dv: Tensor | undefined;
  if (dzv !== undefined) {
    dv = yield* settled(k.matmul(product(c.x, dzv, d, T, f, true))); // xᵀ·dzv [d, f]
    dx = sum(dx, yield* settled(k.matmul(product(dzv, c.v!, T, f, d, false, true)))); // + dzv·Vᵀ
  }
  return {
    dx, dw1, dw2,
    ...(c.b1 ? { db1: yield* columnSums(k, dz) } : {}),
    ...(c.b2 ? { db2: yield* columnSums(k, c.dy) } : {}),
    ...(dv ? { dv } : {}),
    ...(dzv && c.bv ? { dbv: yield* columnSums(k, dzv) } : {}),
  };
}

/** The FFN of a validated, non-empty call `[T, d]`, composed from the backend's matmul and forward kernels. */
export function composedFfn(k: Kernels, call: FfnCall): MaybePromise<FfnResult> {
  const own = ownCall(call);
  return run(ffnSteps(k, own.call), own.copyInputs);
}

/** The FFN gradients of a validated, non-empty call, composed from the backend's matmul, forward and gradient kernels. */
export function composedFfnBackward(k: Kernels, call: FfnBackwardCall): MaybePromise<FfnGradients> {
  const own = ownCall(call);
  return run(ffnBackwardSteps(k, own.call), own.copyInputs);
}
