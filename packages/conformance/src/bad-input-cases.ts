/**
 * The bad-input table as data: one row per public entry point × kind of bad input, with the typed
 * error it gives, and the inputs each row builds for itself. `bad-input.ts` runs the rows on every
 * backend (`badInputSuite`) and renders them for docs/bad-input.md (`renderBadInputTable`).
 */
import {
  ErrorCode, RectifierError, Tensor, tensor,
  type Backend, type DType, type FfnWeights, type OpName,
} from '@rectifier/core';

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

/* ---------------- inputs (each call builds its own, so no row sees another's state) ---------------- */

/** A value as whatever type a bad call needs it to be (the point of these rows). */
export const any = <T>(v: unknown): T => v as T;
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
  { entry: 'forward', kind: "precision not 'exact' or 'fast' ('low')", code: C.BadArgument, op: 'sigmoid', argument: 'precision', call: (b) => b.forward('sigmoid', vec(), {}, { precision: any<'fast'>('low') }) },
  { entry: 'forward', kind: "precision of another case ('Fast')", code: C.BadArgument, op: 'sigmoid', argument: 'precision', call: (b) => b.forward('sigmoid', vec(), {}, { precision: any<'fast'>('Fast') }) },
  { entry: 'forward', kind: 'precision not a string (null)', code: C.BadArgument, op: 'relu', argument: 'precision', call: (b) => b.forward('relu', vec(), {}, { precision: any<'fast'>(null) }) },
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
    rows.push({ entry, kind: "sparse = 'certified' with an activation that has no +0 region (gelu)", code: C.BadArgument, op: entry, argument: 'sparse', call: (b) => run(b, fx(), fw(), { activation: 'gelu', sparse: 'certified' }) });
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
