/**
 * Bad input, as data: one row per public entry point × kind of bad input, with the typed error it
 * gives. The same rows drive the conformance tests (`badInputSuite`, run on every backend) and the
 * README table (`renderBadInputTable`), so the two cannot drift.
 */
import {
  ErrorCode, OP_NAMES, RectifierError, Tensor, tensor,
  type Backend, type DType, type FfnWeights, type OpName, type SyncBackend,
} from '@rectifier/core';
import { expect, it } from 'vitest';
import { offers } from './declared-ops.js';

const isOpName = (name: string): name is OpName => (OP_NAMES as readonly string[]).includes(name);

/** The expected code, or a choice of it from the backend's declared capabilities. */
export type ExpectedCode = ErrorCode | ((b: Backend) => ErrorCode);

/** One row of the bad-input table: a bad call on a public entry point and the typed error it must throw. */
export interface BadInputCase {
  /** The public entry point: a Backend method, `ready`, `tensor()`, `new Tensor()`, a Tensor member. */
  readonly entry: string;
  /** The kind of bad input, in words (shown in the README). */
  readonly kind: string;
  /** The `RectifierError.code` the call must fail with (or a function choosing it from the backend's capabilities). */
  readonly code: ExpectedCode;
  /** What the error names as the op or entry point (`RectifierError.op`; also in the message). */
  readonly op: string;
  /** The argument the error names (`RectifierError.argument`; also in the message), if any. */
  readonly argument?: string;
  /** 'disposed': `call` gets a backend from the factory that was made ready and then disposed. */
  readonly backend?: 'disposed';
  /** Makes the bad call (a Backend method's rows run through `b.sync` too, where declared). */
  readonly call: (b: Backend) => unknown;
}

/** The Backend operations that also exist on `backend.sync`; their rows run through both APIs. */
const SYNC_ENTRIES: ReadonlySet<string> = new Set(['forward', 'gradient', 'matmul', 'ffn', 'ffnBackward', 'activationStats']);
/** Entry points that return a Promise: they must reject, never throw synchronously. */
const ASYNC_ENTRIES: ReadonlySet<string> = new Set([...SYNC_ENTRIES, 'ready']);
/** How long a bad call may take to settle before it counts as a hang. */
const SETTLE_MS = 60_000; // a hang guard only: a bad call is refused at validation, in microseconds

/* ---------------- inputs (each call builds its own, so no row sees another's state) ---------------- */

const any = <T>(v: unknown): T => v as T;
const vec = (dtype: DType = 'float32'): Tensor => tensor([1, -2, 3], [3], dtype);
const mat = (rows: number, cols: number, dtype: DType = 'float32'): Tensor =>
  tensor(Array.from({ length: rows * cols }, (_, i) => (i % 5) - 2), [rows, cols], dtype);
const gone = (t: Tensor): Tensor => {
  t.dispose();
  return t;
};
/** A valid FFN: x [2, 3], w1 [3, 4], b1 [4], w2 [4, 2], b2 [2]; dy [2, 2]. */
const fx = (): Tensor => mat(2, 3);
const fw = (over: Partial<Record<keyof FfnWeights, unknown>> = {}): FfnWeights =>
  any<FfnWeights>({ w1: mat(3, 4), b1: tensor([0, 0.5, -0.5, 0]), w2: mat(4, 2), b2: tensor([0, 1]), ...over });
const fdy = (): Tensor => mat(2, 2);
/** An FFN whose hidden layer [maxElements + 1, 1] is over the backend's limit, from empty x [maxElements + 1, 0]. */
const hugeFfn = (b: Backend): [Tensor, FfnWeights] =>
  [tensor([], [b.capabilities.maxElements + 1, 0]), { w1: tensor([], [0, 1]), w2: tensor([1], [1, 1]) }];
/** Mixing a float64 tensor with float32 ones: DTYPE_MISMATCH where float64 is declared, else UNSUPPORTED_DTYPE. */
const mixedDtype = (b: Backend): ErrorCode =>
  b.capabilities.dtypes.includes('float64') ? ErrorCode.DtypeMismatch : ErrorCode.UnsupportedDtype;

/** The tensor after its buffer was transferred away (detached), as postMessage or structuredClone can do. */
const detached = (t: Tensor): Tensor => {
  structuredClone(t.data.buffer, { transfer: [t.data.buffer as ArrayBuffer] });
  return t;
};
/** A Proxy that was revoked: every operation on it throws a TypeError. */
const revoked = (target: object = {}): never => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy as never;
};
/** An object whose one property's getter throws. */
const throwing = (key: string): never => any<never>(Object.defineProperty({}, key, { enumerable: true, get: () => { throw new Error('a getter that throws'); } }));
/** ES2024 buffers that change length, typed loosely for the ES2022 lib. */
const resizableBuffer = (bytes: number): ArrayBuffer => new (ArrayBuffer as unknown as new (n: number, o: object) => ArrayBuffer)(bytes, { maxByteLength: 2 * bytes });
const growableShared = (bytes: number): SharedArrayBuffer => new (SharedArrayBuffer as unknown as new (n: number, o: object) => SharedArrayBuffer)(bytes, { maxByteLength: 2 * bytes });
/** A Float32Array subclass whose length lies (4 elements, claims 2). */
class LyingLength extends Float32Array {
  override get length(): number {
    return 2;
  }
}
/** Nested arrays 100,000 levels deep (a recursive flatten overflows the stack). */
const deeplyNested = (): never => {
  let v: unknown = [];
  for (let i = 0; i < 100_000; i++) v = [v];
  return v as never;
};

const C = ErrorCode;

/* ---------------- the rows ---------------- */

const forwardRows: BadInputCase[] = [
  { entry: 'forward', kind: "unknown op name ('nope')", code: C.UnknownOp, op: 'nope', argument: 'op', call: (b) => b.forward(any<OpName>('nope'), vec()) },
  { entry: 'forward', kind: "op name inherited from Object.prototype ('toString')", code: C.UnknownOp, op: 'toString', argument: 'op', call: (b) => b.forward(any<OpName>('toString'), vec()) },
  { entry: 'forward', kind: 'op name not a string (42)', code: C.UnknownOp, op: 'forward', argument: 'op', call: (b) => b.forward(any<OpName>(42), vec()) },
  { entry: 'forward', kind: 'input not a tensor (a number)', code: C.BadArgument, op: 'relu', argument: 'x', call: (b) => b.forward('relu', any<Tensor>(5)) },
  { entry: 'forward', kind: 'input not a tensor (a Float32Array)', code: C.BadArgument, op: 'relu', argument: 'x', call: (b) => b.forward('relu', any<Tensor>(new Float32Array([1, 2]))) },
  { entry: 'forward', kind: 'input not a tensor (a tensor-like object { data, shape })', code: C.BadArgument, op: 'relu', argument: 'x', call: (b) => b.forward('relu', any<Tensor>({ data: new Float32Array(2), shape: [2], dtype: 'float32' })) },
  { entry: 'forward', kind: 'input not a tensor (an object with Tensor.prototype but no tensor inside)', code: C.BadArgument, op: 'relu', argument: 'x', call: (b) => b.forward('relu', Object.create(Tensor.prototype) as Tensor) },
  { entry: 'forward', kind: 'GLU value not a tensor (null)', code: C.BadArgument, op: 'reglu', argument: 'value', call: (b) => b.forward('reglu', [vec(), any<Tensor>(null)]) },
  { entry: 'forward', kind: 'a plain array of numbers as inputs (read as 3 inputs)', code: C.BadArgument, op: 'relu', argument: 'inputs', call: (b) => b.forward('relu', any<Tensor>([1, 2, 3])) },
  { entry: 'forward', kind: 'one input to a two-input op (reglu)', code: C.BadArgument, op: 'reglu', argument: 'inputs', call: (b) => b.forward('reglu', vec()) },
  { entry: 'forward', kind: 'two inputs to a one-input op (relu)', code: C.BadArgument, op: 'relu', argument: 'inputs', call: (b) => b.forward('relu', [vec(), vec()]) },
  { entry: 'forward', kind: 'wrong rank: crelu on a scalar', code: C.BadShape, op: 'crelu', argument: 'x', call: (b) => b.forward('crelu', tensor(2)) },
  { entry: 'forward', kind: 'mismatched dims: GLU value [2] vs gate [3]', code: C.DimMismatch, op: 'swiglu', argument: 'value', call: (b) => b.forward('swiglu', [vec(), tensor([1, 2])]) },
  { entry: 'forward', kind: 'mismatched dims: prelu weight [4] for x [2, 3]', code: C.DimMismatch, op: 'prelu', argument: 'weight', call: (b) => b.forward('prelu', [mat(2, 3), tensor([1, 2, 3, 4])]) },
  { entry: 'forward', kind: 'mismatched dims: prelu axis out of range (axis 5 of x [2, 3])', code: C.DimMismatch, op: 'prelu', argument: 'weight', call: (b) => b.forward('prelu', [mat(2, 3), tensor([1, 2, 3])], { axis: 5 }) },
  { entry: 'forward', kind: 'mixed dtypes: float64 GLU value with a float32 gate', code: mixedDtype, op: 'reglu', argument: 'value', call: (b) => b.forward('reglu', [vec(), vec('float64')]) },
  { entry: 'forward', kind: 'mixed dtypes: float64 prelu weight with float32 x', code: mixedDtype, op: 'prelu', argument: 'weight', call: (b) => b.forward('prelu', [vec(), tensor([0.25], [1], 'float64')]) },
  { entry: 'forward', kind: 'NaN parameter (leaky_relu alpha)', code: C.BadParameter, op: 'leaky_relu', argument: 'alpha', call: (b) => b.forward('leaky_relu', vec(), { alpha: NaN }) },
  { entry: 'forward', kind: '−∞ parameter (leaky_relu alpha)', code: C.BadParameter, op: 'leaky_relu', argument: 'alpha', call: (b) => b.forward('leaky_relu', vec(), { alpha: -Infinity }) },
  { entry: 'forward', kind: '∞ parameter (squareplus b)', code: C.BadParameter, op: 'squareplus', argument: 'b', call: (b) => b.forward('squareplus', vec(), { b: Infinity }) },
  { entry: 'forward', kind: 'NaN bound (hardtanh min)', code: C.BadParameter, op: 'hardtanh', argument: 'min', call: (b) => b.forward('hardtanh', vec(), { min: NaN }) },
  { entry: 'forward', kind: 'out-of-range parameter: celu alpha = 0', code: C.BadParameter, op: 'celu', argument: 'alpha', call: (b) => b.forward('celu', vec(), { alpha: 0 }) },
  { entry: 'forward', kind: 'out-of-range parameter: softplus beta = −1', code: C.BadParameter, op: 'softplus', argument: 'beta', call: (b) => b.forward('softplus', vec(), { beta: -1 }) },
  { entry: 'forward', kind: 'out-of-range parameter: hardshrink lambda = −0.5', code: C.BadParameter, op: 'hardshrink', argument: 'lambda', call: (b) => b.forward('hardshrink', vec(), { lambda: -0.5 }) },
  { entry: 'forward', kind: 'out-of-range parameter: noisy_relu sigma = −1', code: C.BadParameter, op: 'noisy_relu', argument: 'sigma', call: (b) => b.forward('noisy_relu', vec(), { sigma: -1 }) },
  { entry: 'forward', kind: 'non-integer parameter: noisy_relu seed = 1.5', code: C.BadParameter, op: 'noisy_relu', argument: 'seed', call: (b) => b.forward('noisy_relu', vec(), { seed: 1.5 }) },
  { entry: 'forward', kind: 'huge parameter: noisy_relu seed = 2^32', code: C.BadParameter, op: 'noisy_relu', argument: 'seed', call: (b) => b.forward('noisy_relu', vec(), { seed: 2 ** 32 }) },
  { entry: 'forward', kind: 'non-integer parameter: prelu axis = 0.5', code: C.BadParameter, op: 'prelu', argument: 'axis', call: (b) => b.forward('prelu', [mat(2, 3), tensor([1, 2, 3])], { axis: 0.5 }) },
  { entry: 'forward', kind: "parameter of the wrong type: leaky_relu alpha = '0.1'", code: C.BadParameter, op: 'leaky_relu', argument: 'alpha', call: (b) => b.forward('leaky_relu', vec(), { alpha: any<number>('0.1') }) },
  { entry: 'forward', kind: "value not in the enum: gelu approximate = 'fast'", code: C.BadParameter, op: 'gelu', argument: 'approximate', call: (b) => b.forward('gelu', vec(), { approximate: any<'tanh'>('fast') }) },
  { entry: 'forward', kind: "unknown parameter name ('alpah')", code: C.BadParameter, op: 'leaky_relu', argument: 'alpah', call: (b) => b.forward('leaky_relu', vec(), any<object>({ alpah: 0.1 })) },
  { entry: 'forward', kind: 'a parameter to an op that takes none (relu alpha)', code: C.BadParameter, op: 'relu', argument: 'alpha', call: (b) => b.forward('relu', vec(), any<never>({ alpha: 1 })) },
  { entry: 'forward', kind: 'params not an object (5)', code: C.BadParameter, op: 'relu', argument: 'params', call: (b) => b.forward('relu', vec(), any<never>(5)) },
  { entry: 'forward', kind: 'disposed tensor', code: C.Disposed, op: 'relu', argument: 'x', call: (b) => b.forward('relu', gone(vec())) },
  { entry: 'forward', kind: 'disposed prelu weight', code: C.Disposed, op: 'prelu', argument: 'weight', call: (b) => b.forward('prelu', [vec(), gone(tensor([0.25]))]) },
  { entry: 'forward', kind: 'input whose buffer was detached (transferred) after the tensor was made', code: C.Detached, op: 'relu', argument: 'x', call: (b) => b.forward('relu', detached(vec())) },
  { entry: 'forward', kind: 'out whose buffer was detached', code: C.Detached, op: 'relu', argument: 'out', call: (b) => b.forward('relu', vec(), {}, { out: detached(vec()) }) },
  { entry: 'forward', kind: 'input list a revoked Proxy', code: C.BadArgument, op: 'relu', argument: 'inputs', call: (b) => b.forward('relu', revoked([])) },
  { entry: 'forward', kind: 'params a revoked Proxy', code: C.BadArgument, op: 'leaky_relu', argument: 'params', call: (b) => b.forward('leaky_relu', vec(), revoked()) },
  { entry: 'forward', kind: 'a parameter whose getter throws', code: C.BadArgument, op: 'leaky_relu', argument: 'params', call: (b) => b.forward('leaky_relu', vec(), throwing('alpha')) },
  { entry: 'forward', kind: 'options a revoked Proxy', code: C.BadArgument, op: 'relu', argument: 'options', call: (b) => b.forward('relu', vec(), {}, revoked()) },
];

const gradientRows: BadInputCase[] = [
  { entry: 'gradient', kind: "unknown op name ('nope')", code: C.UnknownOp, op: 'nope', argument: 'op', call: (b) => b.gradient(any<OpName>('nope'), vec(), vec()) },
  { entry: 'gradient', kind: 'input not a tensor (a number)', code: C.BadArgument, op: 'relu', argument: 'x', call: (b) => b.gradient('relu', any<Tensor>(5), vec()) },
  { entry: 'gradient', kind: 'dy not a tensor (null)', code: C.BadArgument, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), any<Tensor>(null)) },
  { entry: 'gradient', kind: 'dy not a tensor (an array of numbers)', code: C.BadArgument, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), any<Tensor>([1, 1, 1])) },
  { entry: 'gradient', kind: 'one input to a two-input op (swiglu)', code: C.BadArgument, op: 'swiglu', argument: 'inputs', call: (b) => b.gradient('swiglu', vec(), vec()) },
  { entry: 'gradient', kind: 'wrong rank: crelu on a scalar', code: C.BadShape, op: 'crelu', argument: 'x', call: (b) => b.gradient('crelu', tensor(2), tensor([1, 1])) },
  { entry: 'gradient', kind: "mismatched dims: dy [2] vs the output's [3]", code: C.DimMismatch, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), tensor([1, 2])) },
  { entry: 'gradient', kind: "mismatched dims: crelu dy [2, 3], not the doubled output's [2, 6]", code: C.DimMismatch, op: 'crelu', argument: 'dy', call: (b) => b.gradient('crelu', mat(2, 3), mat(2, 3)) },
  { entry: 'gradient', kind: 'mismatched dims: GLU value [2] vs gate [3]', code: C.DimMismatch, op: 'reglu', argument: 'value', call: (b) => b.gradient('reglu', [vec(), tensor([1, 2])], vec()) },
  { entry: 'gradient', kind: 'mixed dtypes: float64 dy with float32 x', code: mixedDtype, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), vec('float64')) },
  { entry: 'gradient', kind: 'mixed dtypes: float64 GLU value with a float32 gate', code: mixedDtype, op: 'swiglu', argument: 'value', call: (b) => b.gradient('swiglu', [vec(), vec('float64')], vec()) },
  { entry: 'gradient', kind: 'NaN parameter (elu alpha)', code: C.BadParameter, op: 'elu', argument: 'alpha', call: (b) => b.gradient('elu', vec(), vec(), { alpha: NaN }) },
  { entry: 'gradient', kind: '∞ parameter (silu beta)', code: C.BadParameter, op: 'silu', argument: 'beta', call: (b) => b.gradient('silu', vec(), vec(), { beta: Infinity }) },
  { entry: 'gradient', kind: 'out-of-range parameter: softshrink lambda = −1', code: C.BadParameter, op: 'softshrink', argument: 'lambda', call: (b) => b.gradient('softshrink', vec(), vec(), { lambda: -1 }) },
  { entry: 'gradient', kind: "unknown parameter name ('alpah')", code: C.BadParameter, op: 'leaky_relu', argument: 'alpah', call: (b) => b.gradient('leaky_relu', vec(), vec(), any<object>({ alpah: 0.1 })) },
  { entry: 'gradient', kind: 'disposed x', code: C.Disposed, op: 'relu', argument: 'x', call: (b) => b.gradient('relu', gone(vec()), vec()) },
  { entry: 'gradient', kind: 'disposed dy', code: C.Disposed, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), gone(vec())) },
  { entry: 'gradient', kind: 'dy whose buffer was detached', code: C.Detached, op: 'relu', argument: 'dy', call: (b) => b.gradient('relu', vec(), detached(vec())) },
  { entry: 'gradient', kind: 'params a revoked Proxy', code: C.BadArgument, op: 'elu', argument: 'params', call: (b) => b.gradient('elu', vec(), vec(), revoked()) },
];

const matmulRows: BadInputCase[] = [
  { entry: 'matmul', kind: 'wrong rank: a is 1-D [3]', code: C.BadShape, op: 'matmul', argument: 'a', call: (b) => b.matmul(vec(), mat(3, 1)) },
  { entry: 'matmul', kind: 'wrong rank: a is a scalar', code: C.BadShape, op: 'matmul', argument: 'a', call: (b) => b.matmul(tensor(2), mat(1, 1)) },
  { entry: 'matmul', kind: 'wrong rank: b is 1-D [3]', code: C.BadShape, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), vec()) },
  { entry: 'matmul', kind: 'batch dims that do not broadcast: [2, 2, 3] · [3, 3, 1]', code: C.DimMismatch, op: 'matmul', argument: 'b', call: (b) => b.matmul(tensor(Array.from({ length: 12 }, (_, i) => i), [2, 2, 3]), tensor(Array.from({ length: 9 }, (_, i) => i), [3, 3, 1])) },
  { entry: 'matmul', kind: 'mismatched inner dims: a [2, 3] · b [2, 2]', code: C.DimMismatch, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), mat(2, 2)) },
  { entry: 'matmul', kind: 'mismatched inner dims after transposeA: aᵀ [3, 2] · b [3, 2]', code: C.DimMismatch, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), mat(3, 2), { transposeA: true }) },
  { entry: 'matmul', kind: 'mismatched inner dims after transposeB: a [2, 3] · bᵀ [2, 3]', code: C.DimMismatch, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), mat(3, 2), { transposeB: true }) },
  { entry: 'matmul', kind: "huge dims: an output of maxElements + 1 (from empty [maxElements + 1, 0] · [0, 1])", code: C.TooLarge, op: 'matmul', argument: 'output', call: (b) => b.matmul(tensor([], [b.capabilities.maxElements + 1, 0]), tensor([], [0, 1])) },
  { entry: 'matmul', kind: 'mixed dtypes: float64 b with float32 a', code: mixedDtype, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), mat(3, 2, 'float64')) },
  { entry: 'matmul', kind: 'a not a tensor (a nested array)', code: C.BadArgument, op: 'matmul', argument: 'a', call: (b) => b.matmul(any<Tensor>([[1, 2, 3]]), mat(3, 1)) },
  { entry: 'matmul', kind: 'b missing (undefined)', code: C.BadArgument, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), any<Tensor>(undefined)) },
  { entry: 'matmul', kind: 'option of the wrong type: transposeA = 1', code: C.BadArgument, op: 'matmul', argument: 'transposeA', call: (b) => b.matmul(mat(1, 1), mat(1, 1), { transposeA: any<boolean>(1) }) },
  { entry: 'matmul', kind: "unknown option ('transpose')", code: C.BadArgument, op: 'matmul', argument: 'transpose', call: (b) => b.matmul(mat(1, 1), mat(1, 1), any<object>({ transpose: true })) },
  { entry: 'matmul', kind: 'options not an object (true)', code: C.BadArgument, op: 'matmul', argument: 'options', call: (b) => b.matmul(mat(1, 1), mat(1, 1), any<object>(true)) },
  { entry: 'matmul', kind: 'disposed a', code: C.Disposed, op: 'matmul', argument: 'a', call: (b) => b.matmul(gone(mat(2, 3)), mat(3, 2)) },
  { entry: 'matmul', kind: 'disposed b', code: C.Disposed, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), gone(mat(3, 2))) },
  { entry: 'matmul', kind: 'b whose buffer was detached', code: C.Detached, op: 'matmul', argument: 'b', call: (b) => b.matmul(mat(2, 3), detached(mat(3, 2))) },
  { entry: 'matmul', kind: 'options a revoked Proxy', code: C.BadArgument, op: 'matmul', argument: 'options', call: (b) => b.matmul(mat(1, 1), mat(1, 1), revoked()) },
];

const ffnRows = (entry: 'ffn' | 'ffnBackward'): BadInputCase[] => {
  const run = (b: Backend, x: unknown, w: unknown, options?: unknown, dy: unknown = fdy()): unknown =>
    entry === 'ffn' ? b.ffn(any(x), any(w), any(options)) : b.ffnBackward(any(x), any(w), any(dy), any(options));
  const rows: BadInputCase[] = [
    { entry, kind: 'wrong rank: x is 1-D [3]', code: C.BadShape, op: entry, argument: 'x', call: (b) => run(b, vec(), fw()) },
    { entry, kind: 'wrong rank: w2 is 1-D [4]', code: C.BadShape, op: entry, argument: 'w2', call: (b) => run(b, fx(), fw({ w2: tensor([1, 2, 3, 4]) })) },
    { entry, kind: "mismatched dims: x [2, 5] vs w1 [3, 4]", code: C.DimMismatch, op: entry, argument: 'w1', call: (b) => run(b, mat(2, 5), fw()) },
    { entry, kind: 'mismatched dims: b1 [2] for a hidden width of 4', code: C.DimMismatch, op: entry, argument: 'b1', call: (b) => run(b, fx(), fw({ b1: tensor([1, 2]) })) },
    { entry, kind: 'mismatched dims: w2 [3, 2] for a hidden width of 4', code: C.DimMismatch, op: entry, argument: 'w2', call: (b) => run(b, fx(), fw({ w2: mat(3, 2) })) },
    { entry, kind: 'mismatched dims: b2 [3] for an output width of 2', code: C.DimMismatch, op: entry, argument: 'b2', call: (b) => run(b, fx(), fw({ b2: vec() })) },
    { entry, kind: 'mismatched dims: GLU v [3, 5] vs w1 [3, 4]', code: C.DimMismatch, op: entry, argument: 'v', call: (b) => run(b, fx(), fw({ v: mat(3, 5) }), { activation: 'swiglu' }) },
    { entry, kind: 'huge dims: a hidden layer of maxElements + 1 (from empty x [maxElements + 1, 0])', code: C.TooLarge, op: entry, argument: 'hidden', call: (b) => { const [x, w] = hugeFfn(b); return run(b, x, w, undefined, tensor([], [0, 1])); } },
    { entry, kind: 'mixed dtypes: float64 w1 with float32 x', code: mixedDtype, op: entry, argument: 'w1', call: (b) => run(b, fx(), fw({ w1: mat(3, 4, 'float64') })) },
    { entry, kind: 'x not a tensor (a nested array)', code: C.BadArgument, op: entry, argument: 'x', call: (b) => run(b, [[1, 2, 3]], fw()) },
    { entry, kind: 'weights not an object (null)', code: C.BadArgument, op: entry, argument: 'weights', call: (b) => run(b, fx(), null) },
    { entry, kind: 'weight w2 missing', code: C.BadArgument, op: entry, argument: 'w2', call: (b) => run(b, fx(), { w1: mat(3, 4) }) },
    { entry, kind: "unknown weight ('w3')", code: C.BadArgument, op: entry, argument: 'w3', call: (b) => run(b, fx(), fw({ w3: mat(4, 2) } as never)) },
    { entry, kind: "unknown activation ('nope')", code: C.UnknownOp, op: entry, argument: 'activation', call: (b) => run(b, fx(), fw(), { activation: 'nope' }) },
    { entry, kind: "activation that is not element-wise ('crelu')", code: C.BadArgument, op: entry, argument: 'activation', call: (b) => run(b, fx(), fw(), { activation: 'crelu' }) },
    { entry, kind: "GLU activation ('swiglu') without v", code: C.BadArgument, op: entry, argument: 'v', call: (b) => run(b, fx(), fw(), { activation: 'swiglu' }) },
    { entry, kind: "v given with a non-GLU activation ('relu')", code: C.BadArgument, op: entry, argument: 'v', call: (b) => run(b, fx(), fw({ v: mat(3, 4) })) },
    { entry, kind: 'NaN activation parameter (leaky_relu alpha)', code: C.BadParameter, op: 'leaky_relu', argument: 'alpha', call: (b) => run(b, fx(), fw(), { activation: 'leaky_relu', activationParams: { alpha: NaN } }) },
    { entry, kind: "activation parameter not in the enum (gelu approximate = 'fast')", code: C.BadParameter, op: 'gelu', argument: 'approximate', call: (b) => run(b, fx(), fw(), { activation: 'gelu', activationParams: { approximate: 'fast' } }) },
    { entry, kind: "option of the wrong type: returnHidden = 'yes'", code: C.BadArgument, op: entry, argument: 'returnHidden', call: (b) => run(b, fx(), fw(), { returnHidden: 'yes' }) },
    { entry, kind: "unknown option ('activaton')", code: C.BadArgument, op: entry, argument: 'activaton', call: (b) => run(b, fx(), fw(), { activaton: 'gelu' }) },
    { entry, kind: 'disposed w1', code: C.Disposed, op: entry, argument: 'w1', call: (b) => run(b, fx(), fw({ w1: gone(mat(3, 4)) })) },
    { entry, kind: 'disposed b2', code: C.Disposed, op: entry, argument: 'b2', call: (b) => run(b, fx(), fw({ b2: gone(tensor([0, 1])) })) },
    { entry, kind: 'w1 whose buffer was detached', code: C.Detached, op: entry, argument: 'w1', call: (b) => run(b, fx(), fw({ w1: detached(mat(3, 4)) })) },
    { entry, kind: 'weights a revoked Proxy', code: C.BadArgument, op: entry, argument: 'weights', call: (b) => run(b, fx(), revoked()) },
    { entry, kind: 'a weight whose getter throws', code: C.BadArgument, op: entry, argument: 'weights', call: (b) => run(b, fx(), throwing('w1')) },
    { entry, kind: 'activationParams a revoked Proxy', code: C.BadArgument, op: 'leaky_relu', argument: 'params', call: (b) => run(b, fx(), fw(), { activation: 'leaky_relu', activationParams: revoked() }) },
    { entry, kind: 'stats of an empty hidden layer with 2^40 rows (x [2^40, 0]): 2^40 row fractions', code: C.TooLarge, op: entry, argument: 'hidden', call: (b) => run(b, tensor([], [2 ** 40, 0]), { w1: tensor([], [0, 0]), w2: tensor([], [0, 0]) }, { stats: true }, tensor([], [2 ** 40, 0])) },
  ];
  if (entry === 'ffn') {
    rows.push({ entry, kind: "option of the wrong type: sparse = 'yes'", code: C.BadArgument, op: entry, argument: 'sparse', call: (b) => run(b, fx(), fw(), { sparse: 'yes' }) });
    return rows;
  }
  return [
    ...rows,
    { entry, kind: 'mismatched dims: dy [2, 3] vs the output [2, 2]', code: C.DimMismatch, op: entry, argument: 'dy', call: (b) => run(b, fx(), fw(), undefined, mat(2, 3)) },
    { entry, kind: 'dy not a tensor (a nested array)', code: C.BadArgument, op: entry, argument: 'dy', call: (b) => run(b, fx(), fw(), undefined, [[1, 0], [0, 1]]) },
    { entry, kind: 'mixed dtypes: float64 dy with float32 x', code: mixedDtype, op: entry, argument: 'dy', call: (b) => run(b, fx(), fw(), undefined, mat(2, 2, 'float64')) },
    { entry, kind: 'disposed dy', code: C.Disposed, op: entry, argument: 'dy', call: (b) => run(b, fx(), fw(), undefined, gone(fdy())) },
  ];
};

const statsRows: BadInputCase[] = [
  { entry: 'activationStats', kind: 'wrong rank: 1-D [3]', code: C.BadShape, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(vec()) },
  { entry: 'activationStats', kind: 'wrong rank: a scalar', code: C.BadShape, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(tensor(0)) },
  { entry: 'activationStats', kind: 'not a tensor (a nested array)', code: C.BadArgument, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(any<Tensor>([[0, 1]])) },
  { entry: 'activationStats', kind: 'disposed tensor', code: C.Disposed, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(gone(mat(2, 2))) },
  { entry: 'activationStats', kind: 'buffer detached', code: C.Detached, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(detached(mat(2, 2))) },
  { entry: 'activationStats', kind: 'an empty [2^50, 0] (2^50 row fractions)', code: C.TooLarge, op: 'activationStats', argument: 'hidden', call: (b) => b.activationStats(tensor([], [2 ** 50, 0])) },
];

/** Every method, and ready(), on a backend that was disposed. */
const disposedRows: BadInputCase[] = [
  { entry: 'forward', kind: 'the backend was disposed', code: C.Disposed, op: 'relu', backend: 'disposed', call: (b) => b.forward('relu', vec()) },
  { entry: 'gradient', kind: 'the backend was disposed', code: C.Disposed, op: 'relu', backend: 'disposed', call: (b) => b.gradient('relu', vec(), vec()) },
  { entry: 'matmul', kind: 'the backend was disposed', code: C.Disposed, op: 'matmul', backend: 'disposed', call: (b) => b.matmul(mat(1, 1), mat(1, 1)) },
  { entry: 'ffn', kind: 'the backend was disposed', code: C.Disposed, op: 'ffn', backend: 'disposed', call: (b) => b.ffn(fx(), fw()) },
  { entry: 'ffnBackward', kind: 'the backend was disposed', code: C.Disposed, op: 'ffnBackward', backend: 'disposed', call: (b) => b.ffnBackward(fx(), fw(), fdy()) },
  { entry: 'activationStats', kind: 'the backend was disposed', code: C.Disposed, op: 'activationStats', backend: 'disposed', call: (b) => b.activationStats(mat(2, 2)) },
  { entry: 'ready', kind: 'the backend was disposed', code: C.Disposed, op: 'ready', backend: 'disposed', call: (b) => b.ready() },
];

const tensorRows: BadInputCase[] = [
  { entry: 'tensor()', kind: 'non-integer dim ([1.5, 2])', code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([1, 2, 3], [1.5, 2]) },
  { entry: 'tensor()', kind: 'negative dim ([-1])', code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([], [-1]) },
  { entry: 'tensor()', kind: 'non-finite dim ([Infinity])', code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([1], [Infinity]) },
  { entry: 'tensor()', kind: 'NaN dim ([NaN])', code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([1], [NaN]) },
  { entry: 'tensor()', kind: "dim not a number (['2'])", code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([1, 2], any<number[]>(['2'])) },
  { entry: 'tensor()', kind: 'shape not an array (3)', code: C.BadShape, op: 'tensor', argument: 'shape', call: () => tensor([1, 2, 3], any<number[]>(3)) },
  { entry: 'tensor()', kind: 'huge dims: [2^16, 2^16, 2] (more elements than a typed array holds)', code: C.TooLarge, op: 'tensor', argument: 'shape', call: () => tensor([1], [2 ** 16, 2 ** 16, 2]) },
  { entry: 'tensor()', kind: 'data length mismatch: 3 values for [2, 2]', code: C.DataLength, op: 'tensor', argument: 'values', call: () => tensor([1, 2, 3], [2, 2]) },
  { entry: 'tensor()', kind: 'data length mismatch: a Float32Array of 4 for [3]', code: C.DataLength, op: 'tensor', argument: 'values', call: () => tensor(new Float32Array(4), [3]) },
  { entry: 'tensor()', kind: 'ragged nested array ([[1, 2], [3]])', code: C.BadShape, op: 'tensor', argument: 'values', call: () => tensor([[1, 2], [3]]) },
  { entry: 'tensor()', kind: "unknown dtype ('float16')", code: C.UnsupportedDtype, op: 'tensor', argument: 'dtype', call: () => tensor([1], [1], any<DType>('float16')) },
  { entry: 'tensor()', kind: 'values of the wrong element type (an Int32Array)', code: C.BadArgument, op: 'tensor', argument: 'values', call: () => tensor(new Int32Array(2)) },
  { entry: 'tensor()', kind: "values not numbers ([1, '2'])", code: C.BadArgument, op: 'tensor', argument: 'values', call: () => tensor(any<number[]>([1, '2'])) },
  { entry: 'tensor()', kind: 'values missing (null)', code: C.BadArgument, op: 'tensor', argument: 'values', call: () => tensor(any<number>(null)) },
  { entry: 'tensor()', kind: 'values a revoked Proxy', code: C.BadArgument, op: 'tensor', argument: 'values', call: () => tensor(revoked([])) },
  { entry: 'tensor()', kind: 'nested 100,000 levels deep', code: C.BadShape, op: 'tensor', argument: 'values', call: () => tensor(deeplyNested()) },
  { entry: 'tensor()', kind: 'dims whose product overflows ([2^53 − 1, 2^53 − 1])', code: C.TooLarge, op: 'tensor', argument: 'shape', call: () => tensor([], [2 ** 53 - 1, 2 ** 53 - 1]) },
  { entry: 'tensor()', kind: 'a dim beyond 2^53 − 1 ([1e308, 1e308, 0])', code: C.TooLarge, op: 'tensor', argument: 'shape', call: () => tensor([], [1e308, 1e308, 0]) },
  { entry: 'new Tensor()', kind: 'data not a Float32Array or Float64Array (a plain array)', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(any<Float32Array>([1, 2]), [2]) },
  { entry: 'new Tensor()', kind: 'non-integer dim ([2.5])', code: C.BadShape, op: 'Tensor', argument: 'shape', call: () => new Tensor(new Float32Array(2), [2.5]) },
  { entry: 'new Tensor()', kind: 'negative dim ([-2])', code: C.BadShape, op: 'Tensor', argument: 'shape', call: () => new Tensor(new Float32Array(2), [-2]) },
  { entry: 'new Tensor()', kind: 'huge dims: [2^53]', code: C.TooLarge, op: 'Tensor', argument: 'shape', call: () => new Tensor(new Float32Array(1), [2 ** 53]) },
  { entry: 'new Tensor()', kind: 'data length mismatch: 3 elements for [2, 2]', code: C.DataLength, op: 'Tensor', argument: 'data', call: () => new Tensor(new Float32Array(3), [2, 2]) },
  { entry: 'new Tensor()', kind: 'data on a resizable ArrayBuffer (its length can change)', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(new Float32Array(resizableBuffer(8)), [2]) },
  { entry: 'new Tensor()', kind: 'data a fixed-length view on a resizable ArrayBuffer', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(new Float32Array(resizableBuffer(16), 0, 2), [2]) },
  { entry: 'new Tensor()', kind: 'data on a growable SharedArrayBuffer', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(new Float32Array(growableShared(8)), [2]) },
  { entry: 'new Tensor()', kind: 'data a Float32Array subclass whose length lies', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(new LyingLength(4), [2]) },
  { entry: 'new Tensor()', kind: 'data a Proxy of a Float32Array', code: C.BadArgument, op: 'Tensor', argument: 'data', call: () => new Tensor(new Proxy(new Float32Array(2), {}), [2]) },
  { entry: 'new Tensor()', kind: "data with an own 'length' property that lies (4 elements, says 2)", code: C.DataLength, op: 'Tensor', argument: 'data', call: () => new Tensor(Object.defineProperty(new Float32Array(4), 'length', { value: 2 }), [2]) },
  { entry: 'new Tensor()', kind: 'data on a detached buffer', code: C.DataLength, op: 'Tensor', argument: 'data', call: () => new Tensor(detached(vec()).data, [3]) },
  { entry: 'Tensor#data', kind: 'the tensor was disposed', code: C.Disposed, op: 'Tensor', argument: 'data', call: () => gone(vec()).data },
  { entry: 'Tensor#toArray()', kind: 'the tensor was disposed', code: C.Disposed, op: 'Tensor', argument: 'data', call: () => gone(vec()).toArray() },
  { entry: 'Tensor#clone()', kind: 'the tensor was disposed', code: C.Disposed, op: 'Tensor', argument: 'data', call: () => gone(vec()).clone() },
];

/** Every row, grouped by entry point (the README table's order). */
export const BAD_INPUT_CASES: readonly BadInputCase[] = Object.freeze([
  ...forwardRows, disposedRows[0],
  ...gradientRows, disposedRows[1],
  ...matmulRows, disposedRows[2],
  ...ffnRows('ffn'), disposedRows[3],
  ...ffnRows('ffnBackward'), disposedRows[4],
  ...statsRows, disposedRows[5],
  disposedRows[6],
  ...tensorRows,
]);

/* ---------------- the code a row expects, in words ---------------- */

const stubWith = (dtypes: readonly DType[]): Backend => any<Backend>({ capabilities: { dtypes } });

/** The expected code as text: `CODE`, or for a capability-dependent row both codes and when. */
export function expectedCodeText(code: ExpectedCode, markdown = false): string {
  const q = (c: string): string => (markdown ? `\`${c}\`` : c);
  if (typeof code !== 'function') return q(code);
  const with64 = code(stubWith(['float32', 'float64']));
  const without = code(stubWith(['float32']));
  return with64 === without ? q(with64) : `${q(with64)} (${q(without)} without float64)`;
}

/** The README table: entry point × bad input → error code. */
export function renderBadInputTable(): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  const lines = ['| entry point | bad input | error code |', '|---|---|---|'];
  for (const row of BAD_INPUT_CASES) {
    lines.push(`| \`${cell(row.entry)}\` | ${cell(row.kind)} | ${cell(expectedCodeText(row.code, true))} |`);
  }
  return lines.join('\n');
}

/* ---------------- the runner ---------------- */

/** The backend seen through its sync API: the six operations are `backend.sync`'s. */
function syncView(b: Backend): Backend {
  const s = b.sync as SyncBackend;
  const via = (name: keyof SyncBackend) => (...args: unknown[]): unknown => (s[name] as (...a: unknown[]) => unknown).apply(s, args);
  return any<Backend>({
    name: b.name, capabilities: b.capabilities, sync: s,
    get isDisposed() { return b.isDisposed; },
    ready: () => b.ready(), dispose: () => b.dispose(),
    forward: via('forward'), gradient: via('gradient'), matmul: via('matmul'),
    ffn: via('ffn'), ffnBackward: via('ffnBackward'), activationStats: via('activationStats'),
  });
}

/** A call that did not settle in time. */
class Hang extends Error {}

/** Resolves with what `p` settles to, or rejects with a `Hang` when it takes longer than `ms`. */
async function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Hang(`${what}: did not settle within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

type Outcome = { threw: false; value: unknown } | { threw: true; error: unknown };

function checkError(row: BadInputCase, code: ErrorCode, outcome: Outcome, via: string): void {
  const what = `${via} ${row.entry}: ${row.kind}`;
  if (!outcome.threw) {
    throw new Error(`${what}: expected a RectifierError ${code}, but the call returned ${String(outcome.value)}`);
  }
  const e = outcome.error;
  expect(e, `${what}: ${String(e)}`).toBeInstanceOf(RectifierError);
  const r = e as RectifierError;
  expect(r.code, `${what}: ${r.message}`).toBe(code);
  expect(r.message, what).toContain(`[${code}]`);
  expect(r.op, `${what}: the entry point/op named (${r.message})`).toBe(row.op);
  expect(r.message, what).toContain(row.op);
  expect(r.argument, `${what}: the argument named (${r.message})`).toBe(row.argument);
  if (row.argument !== undefined) expect(r.message, what).toContain(`argument '${row.argument}'`);
}

/** Makes the call; async entry points must return a Promise that rejects in time, never throw synchronously. */
async function outcomeOf(row: BadInputCase, b: Backend, via: 'async' | 'sync'): Promise<Outcome> {
  let returned: unknown;
  try {
    returned = row.call(b);
  } catch (error) {
    if (via === 'async' && ASYNC_ENTRIES.has(row.entry)) {
      throw new Error(`${row.entry}: ${row.kind}: threw synchronously from an async entry point (${String(error)})`);
    }
    return { threw: true, error };
  }
  if (via === 'sync' || !ASYNC_ENTRIES.has(row.entry)) {
    if (returned instanceof Promise) {
      returned.catch(() => undefined);
      throw new Error(`${row.entry}: ${row.kind}: the ${via === 'sync' ? 'sync API' : 'synchronous entry point'} returned a Promise`);
    }
    return { threw: false, value: returned };
  }
  if (!(returned instanceof Promise)) {
    throw new Error(`${row.entry}: ${row.kind}: the async entry point did not return a Promise (returned ${String(returned)})`);
  }
  try {
    return { threw: false, value: await within(returned, SETTLE_MS, `${row.entry}: ${row.kind}`) };
  } catch (error) {
    if (error instanceof Hang) throw error;
    return { threw: true, error };
  }
}

/**
 * One test per row of `BAD_INPUT_CASES` (call inside the suite's describe): the call rejects (or
 * throws) a RectifierError with the row's code, naming the row's op and argument, within a few
 * seconds; Backend methods also through `backend.sync` where `capabilities.sync`. Then the shared
 * backend must still compute correctly.
 */
export function badInputSuite(getBackend: () => Backend, create: () => Backend | Promise<Backend>): void {
  let disposed: Promise<Backend> | undefined;
  /** One backend from the factory, made ready then disposed, for every "after dispose" row. */
  const disposedBackend = (): Promise<Backend> => (disposed ??= (async () => {
    const own = await create();
    await own.ready();
    await own.dispose();
    return own;
  })());

  for (const row of BAD_INPUT_CASES) {
    it(`${row.entry}: ${row.kind} → ${expectedCodeText(row.code)}`, async () => {
      const b = row.backend === 'disposed' ? await disposedBackend() : getBackend();
      // An op the backend does not declare is refused before its inputs are read.
      const refused = row.backend !== 'disposed' && (row.entry === 'forward' || row.entry === 'gradient') && isOpName(row.op) && !offers(b, row.op);
      const expected: BadInputCase = refused ? { ...row, code: ErrorCode.UnsupportedOp, argument: 'op' } : row;
      const code = typeof expected.code === 'function' ? expected.code(b) : expected.code;
      checkError(expected, code, await outcomeOf(row, b, 'async'), 'async');
      if (SYNC_ENTRIES.has(row.entry) && b.capabilities.sync) {
        expect(b.sync, 'capabilities.sync declares backend.sync').toBeDefined();
        checkError(expected, code, await outcomeOf(row, syncView(b), 'sync'), 'sync');
      }
    });
  }

  it('after every bad call above, the backend still computes correctly', async () => {
    const b = getBackend();
    expect(b.isDisposed).toBe(false);
    const y = await within(b.forward('relu', tensor([-2, -0, 0.5, 3, NaN])), SETTLE_MS, 'relu');
    expect(Array.from(y.data)).toEqual([0, 0, 0.5, 3, NaN]);
    expect(Object.is(y.data[1], 0)).toBe(true); // relu(−0) = +0
    const c = await within(b.matmul(tensor([1, 2, 3, 4, 5, 6], [2, 3]), tensor([1, 0, 0, 1, 1, 1], [3, 2])), SETTLE_MS, 'matmul');
    expect(Array.from(c.data)).toEqual([4, 5, 10, 11]);
    if (b.capabilities.sync) expect(Array.from(b.sync!.forward('relu', tensor([-1, 2])).data)).toEqual([0, 2]);
  });
}
