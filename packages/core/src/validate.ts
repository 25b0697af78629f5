/**
 * Argument checking shared by every backend and by the float64 references: one place turns a raw
 * call into a validated, normalised description (a `*Call`), or throws the typed error.
 */
import { DTYPES, type DType, type TypedArray } from './dtype.js';
import { describeValue, ErrorCode, RectifierError } from './errors.js';
import { findOp, OP_ALIASES, OP_NAMES, type OpDefinition } from './ops/catalogue.js';
import { resolveParams, type ResolvedParams } from './ops/params.js';
import { isArrayArgument, ownElements, ownOptions, ownRecord, reading } from './guard.js';
import { CORE_VERSION, foreignTensorVersion, isShared, isTensor, liveData, MAX_TENSOR_ELEMENTS, sameMemory, sameShape, Tensor } from './tensor.js';

/** What a backend accepts; the references accept everything. */
export interface CallLimits {
  /** The dtypes the backend computes in; a tensor of any other gives `UNSUPPORTED_DTYPE`. */
  readonly dtypes: readonly DType[];
  /** The most elements one tensor (input or output) may have; more gives `TOO_LARGE`. */
  readonly maxElements: number;
  /** When false, NaN and ±∞ in an input give `UNSUPPORTED_VALUE` instead of being computed. */
  readonly nonFinite: boolean;
}

/** The limits of the float64 references: every dtype, up to `MAX_TENSOR_ELEMENTS` elements, non-finite values computed. */
export const UNLIMITED: CallLimits = Object.freeze({ dtypes: DTYPES, maxElements: MAX_TENSOR_ELEMENTS, nonFinite: true });

/** How a PReLU weight maps onto x: element i of x uses weight[(floor(i / inner)) % channels]. */
export interface PreluLayout {
  /** 'scalar': one slope for every element; 'channel': one per channel on the op's axis; 'full': one per element of x. */
  readonly mode: 'scalar' | 'channel' | 'full';
  /** How many slopes the weight holds: 1 ('scalar'), the axis length ('channel') or x's size ('full'). */
  readonly channels: number;
  /** Elements per channel run (product of the dims after the channel axis; 1 for 'full'). */
  readonly inner: number;
}

/** A validated forward call, as {@link prepareOpCall} returns it and a backend's `forward` kernel receives it. */
export interface OpCall {
  /** The op's catalogue definition (an alias already resolved to its canonical op). */
  readonly op: OpDefinition;
  /** The call's own checked tensors over the caller's memory, in the op's input order (x; x, weight; gate, value). */
  readonly inputs: readonly Tensor[];
  /** The op's parameters, validated, with defaults filled in. */
  readonly params: ResolvedParams;
  /** The dtype shared by every input, and of the output. */
  readonly dtype: DType;
  /** The output's shape: the first input's, except crelu's, whose last axis is doubled. */
  readonly outShape: readonly number[];
  /** Present for prelu only. */
  readonly prelu?: PreluLayout;
  /**
   * Where the kernel may write the result directly (forward only): the caller's `out` memory,
   * absent when the output cannot be proven disjoint from the inputs (see `outTarget`).
   */
  readonly out?: Tensor;
  /**
   * The caller's `out` tensor, returned by the call, and a view of its memory that BackendBase
   * copies the result into when the kernel did not write `out` itself: always so when `out` and
   * an input are on two handles of SharedArrayBuffer memory (they may be the same memory, and
   * nothing in JavaScript can tell), so the kernel computes into scratch memory first.
   */
  readonly outTarget?: {
    /** The caller's `out` tensor itself, which the call returns. */
    readonly tensor: Tensor;
    /** The call's checked view of `out`'s memory, which the result is copied into. */
    readonly view: Tensor;
  };
  /**
   * The precision the kernel computes (forward only; gradients are always exact). `prepareOpCall`
   * gives the caller's `precision` option; BackendBase hands a kernel 'fast' only for a float32 call
   * of an op its backend declares in `capabilities.fastPrecision`, and 'exact' otherwise.
   */
  readonly precision: Precision;
}

/**
 * How accurately an element-wise forward call computes (after oneMKL VM's HA/LA/EP modes).
 * 'exact' (the default): within the backend's `capabilities.ulp`. 'fast': a permission to use a
 * lower-accuracy kernel where the backend declares one (`capabilities.fastPrecision`).
 */
export type Precision = 'exact' | 'fast';

/** The values of `ForwardOptions.precision`. */
export const PRECISIONS: readonly Precision[] = Object.freeze(['exact', 'fast']);

/** Options of `forward`. */
export interface ForwardOptions {
  /**
   * A tensor to write the result into (of the output's shape and the inputs' dtype), returned by
   * the call instead of a new one. It may be the very same tensor as the op's first input (or a
   * GLU's value) for an in-place update, but must not otherwise share memory with an input.
   * Its contents are unspecified if the call fails.
   */
  out?: Tensor;
  /**
   * 'exact' (default) or 'fast': 'fast' lets a float32 call of an op the backend declares in
   * `capabilities.fastPrecision` run a faster kernel within that op's declared bound against the
   * exact value; special values (NaN, ±∞, signed zeros, saturation) stay those of the exact path.
   * For any other op, or float64, it runs the exact path (which meets any bound). Anything else is
   * `BAD_ARGUMENT` naming `precision`.
   */
  precision?: Precision;
}

/** A validated gradient call: the forward call's fields plus the upstream gradient `dy`. */
export interface GradientCall extends OpCall {
  /** The upstream gradient ∂L/∂y: the output's shape and the inputs' dtype. */
  readonly dy: Tensor;
}

/** Caller tensors already checked in this call, so a tensor passed twice is one view (and copied once by backends that stage). */
export type CallTensors = Map<Tensor, Tensor>;

/** How {@link checkTensor} treats one tensor of a call. */
export interface CheckTensorOptions {
  /** the call's tensors checked so far: a tensor passed twice becomes one view */
  readonly seen?: CallTensors;
  /**
   * Whether the backend's `nonFinite: false` applies to this tensor's values (default true, for
   * inputs); false for an output (`out`), whose old contents are overwritten, never read, so NaN
   * or ∞ left there from earlier use is no reason to refuse the call.
   */
  readonly values?: boolean;
}

/**
 * Checks a caller's tensor at call time and returns the call's own tensor over the same memory:
 * live (not disposed, buffer not detached), of a dtype and size the backend takes, finite where
 * it must be (see {@link CheckTensorOptions.values}), and wrapping a fresh view of exactly `size`
 * elements, so nothing the caller's array object does (a subclass, an own `length`) reaches a kernel.
 */
export function checkTensor(v: unknown, op: string, argument: string, limits: CallLimits, { seen, values = true }: CheckTensorOptions = {}): Tensor {
  if (!isTensor(v)) {
    const other = foreignTensorVersion(v);
    if (other !== undefined) {
      throw new RectifierError(ErrorCode.BadArgument, {
        op, argument, expected: `a Tensor of this copy of @rectifier/core (${CORE_VERSION})`,
        received: `a Tensor made by another copy of @rectifier/core (${other}): two copies are loaded; install @rectifier/core once (it is a peer dependency of every backend: \`npm ls @rectifier/core\`, then \`npm dedupe\`)`,
      });
    }
    const hint = reading(op, argument, () => Array.isArray(v) || typeof v === 'number') ? ' (wrap numbers with tensor())' : '';
    throw new RectifierError(ErrorCode.BadArgument, { op, argument, expected: `a Tensor${hint}`, received: describeValue(v) });
  }
  const known = seen?.get(v);
  if (known !== undefined) return known;
  const data = liveData(v, op, argument);
  if (!limits.dtypes.includes(v.dtype)) {
    throw new RectifierError(ErrorCode.UnsupportedDtype, {
      op, argument, expected: `one of the backend's dtypes (${limits.dtypes.join(', ')})`, received: v.dtype,
    });
  }
  if (v.size > limits.maxElements) {
    throw new RectifierError(ErrorCode.TooLarge, {
      op, argument, expected: `at most ${limits.maxElements} elements (the backend's maxElements)`, received: `${v.size}`,
    });
  }
  if (values && !limits.nonFinite) {
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i])) {
        throw new RectifierError(ErrorCode.UnsupportedValue, {
          op, argument, expected: 'finite values (this backend declares nonFinite: false)', received: `${describeValue(data[i])} at index ${i}`,
        });
      }
    }
  }
  const t = new Tensor(data, v.shape, op);
  seen?.set(v, t);
  return t;
}

/** The dtype of the named tensors; throws `DTYPE_MISMATCH`, naming the first that differs from the first one's. */
export function checkSameDtype(op: string, tensors: readonly (readonly [string, Tensor])[]): DType {
  const [firstName, first] = tensors[0];
  for (const [name, t] of tensors) {
    if (t.dtype !== first.dtype) {
      throw new RectifierError(ErrorCode.DtypeMismatch, { op, argument: name, expected: `${first.dtype} like '${firstName}'`, received: t.dtype });
    }
  }
  return first.dtype;
}

function requireOp(op: unknown): OpDefinition {
  const def = findOp(op);
  if (def === undefined) {
    const guess = typeof op === 'string' ? closestOpName(op) : undefined;
    throw new RectifierError(ErrorCode.UnknownOp, {
      op: typeof op === 'string' ? op : 'forward', argument: 'op', expected: `one of ${OP_NAMES.join(', ')}`, received: describeValue(op),
    }, guess === undefined ? undefined : `did you mean '${guess}'?`);
  }
  return def;
}

/** The op name (or alias) a mistyped name most likely meant: same letters ignoring case, or within two edits. */
function closestOpName(name: string): string | undefined {
  const names = [...OP_NAMES, ...Object.keys(OP_ALIASES)];
  const lower = name.toLowerCase().replace(/-/g, '_');
  const exact = names.find((n) => n === lower);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  let bestDistance = 3;
  for (const n of names) {
    const d = editDistance(lower, n);
    if (d < bestDistance) [best, bestDistance] = [n, d];
  }
  return best;
}

/** Levenshtein distance (names are short). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

function shapeText(s: readonly number[]): string {
  return `[${s.join(', ')}]`;
}

function preluLayout(op: string, x: Tensor, w: Tensor, axisParam: number): PreluLayout {
  if (w.size === 1) return { mode: 'scalar', channels: 1, inner: x.size };
  if (sameShape(w.shape, x.shape)) return { mode: 'full', channels: w.size, inner: 1 };
  const axis = axisParam < 0 ? axisParam + x.rank : axisParam;
  if (w.rank !== 1 || axis < 0 || axis >= x.rank || x.shape[axis] !== w.size) {
    const target = axis >= 0 && axis < x.rank ? `[${x.shape[axis]}] for axis ${axisParam} of x ${shapeText(x.shape)}` : `a valid axis of x ${shapeText(x.shape)}`;
    throw new RectifierError(ErrorCode.DimMismatch, {
      op, argument: 'weight', expected: `one element, the shape of x, or ${target}`, received: shapeText(w.shape),
    });
  }
  let inner = 1;
  for (let i = axis + 1; i < x.rank; i++) inner *= x.shape[i];
  return { mode: 'channel', channels: w.size, inner };
}

/** Validates a forward call: op name, inputs, params, shapes. */
export function prepareOpCall(op: unknown, inputs: unknown, params: unknown, limits: CallLimits = UNLIMITED, options?: unknown): OpCall {
  const def = requireOp(op);
  return reading(def.name, undefined, () => opCall(def, inputs, params, limits, options, new Map()));
}

function opCall(def: OpDefinition, inputs: unknown, params: unknown, limits: CallLimits, options: unknown, seen: CallTensors): OpCall {
  const opts = ownOptions(def.name, options, ['out', 'precision']);
  const precision = opts.precision === undefined ? 'exact' : opts.precision;
  if (!PRECISIONS.includes(precision as Precision)) {
    throw new RectifierError(ErrorCode.BadArgument, { op: def.name, argument: 'precision', expected: "'exact' or 'fast'", received: describeValue(precision) });
  }
  const list: unknown[] = isTensor(inputs) ? [inputs] : isArrayArgument(def.name, 'inputs', inputs) ? ownElements(def.name, 'inputs', inputs) : [inputs];
  if (list.length !== def.inputs.length) {
    throw new RectifierError(ErrorCode.BadArgument, {
      op: def.name, argument: 'inputs', expected: `${def.inputs.length} tensor(s) (${def.inputs.join(', ')})`, received: `${list.length}`,
    });
  }
  const tensors = list.map((t, i) => checkTensor(t, def.name, def.inputs[i], limits, { seen }));
  const dtype = checkSameDtype(def.name, tensors.map((t, i) => [def.inputs[i], t] as const));
  const resolved = resolveParams(def.name, def.params, params);
  const x = tensors[0];
  let outShape: readonly number[] = x.shape;
  let prelu: PreluLayout | undefined;
  switch (def.kind) {
    case 'crelu':
      if (x.rank === 0) {
        throw new RectifierError(ErrorCode.BadShape, { op: def.name, argument: 'x', expected: 'rank ≥ 1 (crelu concatenates on the last axis)', received: 'a scalar' });
      }
      outShape = [...x.shape.slice(0, -1), 2 * x.shape[x.rank - 1]];
      break;
    case 'prelu':
      prelu = preluLayout(def.name, x, tensors[1], resolved.axis as number);
      break;
    case 'glu':
      if (!sameShape(tensors[0].shape, tensors[1].shape)) {
        throw new RectifierError(ErrorCode.DimMismatch, { op: def.name, argument: 'value', expected: `the gate's shape ${shapeText(x.shape)}`, received: shapeText(tensors[1].shape) });
      }
      break;
    default:
      break;
  }
  const outSize = outShape.reduce((a, d) => a * d, 1);
  if (outSize > limits.maxElements) { // crelu doubles its input
    throw new RectifierError(ErrorCode.TooLarge, {
      op: def.name, argument: 'output', expected: `at most ${limits.maxElements} elements (the backend's maxElements)`, received: `${outSize}`,
    });
  }
  const target = opts.out === undefined ? undefined : checkOut(def, opts.out, tensors, dtype, outShape, limits);
  // Every optional field is an own property, undefined when absent, here and in every call object
  // core builds: a kernel reading `call.out` must never find one set on Object.prototype.
  return {
    op: def, inputs: tensors, params: resolved, dtype, outShape, prelu,
    out: target?.direct ? target.view : undefined,
    outTarget: target === undefined ? undefined : { tensor: target.tensor, view: target.view },
    precision: precision as Precision,
  };
}

/** Whether two typed arrays share any bytes (by byte range, where their buffers are known to be one memory). */
function overlaps(a: TypedArray, b: TypedArray): boolean {
  return sameMemory(a.buffer, b.buffer) && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/**
 * Checks `forward`'s out tensor: live, the call's dtype and output shape, and either disjoint from
 * every input or exactly an input that is read element by element in step with the output (x of a
 * unary, noisy or prelu op; gate or value of a GLU), so that an in-place update is well defined.
 *
 * Overlap is decided by memory, not by objects: two ArrayBuffer objects never share memory, but
 * two SharedArrayBuffer objects can (a structuredClone of one, or one a worker hands back) and
 * nothing tells whether they do. So when `out` and an input are on different SharedArrayBuffer
 * objects, the kernel does not write `out` directly (`direct: false`): it computes into scratch
 * memory and BackendBase copies the result, which is right whether or not they overlap — unless
 * a backend declared both handles of one memory (`declareMemoryHandle`: resident tensors on a grown
 * shared WebAssembly memory), whose byte ranges are then compared as on one buffer.
 */
function checkOut(
  def: OpDefinition, v: unknown, inputs: readonly Tensor[], dtype: DType, outShape: readonly number[], limits: CallLimits,
): { tensor: Tensor; view: Tensor; direct: boolean } {
  const view = checkTensor(v, def.name, 'out', limits, { values: false });
  if (view.dtype !== dtype) {
    throw new RectifierError(ErrorCode.DtypeMismatch, { op: def.name, argument: 'out', expected: dtype, received: view.dtype });
  }
  if (!sameShape(view.shape, outShape)) {
    throw new RectifierError(ErrorCode.DimMismatch, { op: def.name, argument: 'out', expected: `the output's shape ${shapeText(outShape)}`, received: shapeText(view.shape) });
  }
  const inPlaceOk = (i: number): boolean => def.kind === 'glu' || (i === 0 && def.kind !== 'crelu');
  const o = view.data;
  let direct = true;
  inputs.forEach((t, i) => {
    const d = t.data;
    const oneMemory = sameMemory(d.buffer, o.buffer);
    const same = oneMemory && d.byteOffset === o.byteOffset && d.length === o.length;
    if (overlaps(d, o) && !(same && inPlaceOk(i))) {
      throw new RectifierError(ErrorCode.BadArgument, {
        op: def.name, argument: 'out', expected: `memory disjoint from '${def.inputs[i]}' (or exactly it, for an in-place update of an element-wise input)`, received: 'an overlapping tensor',
      });
    }
    if (!oneMemory && isShared(t) && isShared(view)) direct = false;
  });
  return { tensor: v as Tensor, view, direct };
}

/** Validates a gradient call: a forward call plus dy of the output's shape and dtype. */
export function prepareGradientCall(op: unknown, inputs: unknown, dy: unknown, params: unknown, limits: CallLimits = UNLIMITED): GradientCall {
  const def = requireOp(op);
  return reading(def.name, undefined, () => gradientCall(def, inputs, dy, params, limits));
}

function gradientCall(def: OpDefinition, inputs: unknown, dy: unknown, params: unknown, limits: CallLimits): GradientCall {
  const seen: CallTensors = new Map();
  const call = opCall(def, inputs, params, limits, undefined, seen);
  const g = checkTensor(dy, call.op.name, 'dy', limits, { seen });
  if (!sameShape(g.shape, call.outShape)) {
    throw new RectifierError(ErrorCode.DimMismatch, { op: call.op.name, argument: 'dy', expected: `the output's shape ${shapeText(call.outShape)}`, received: shapeText(g.shape) });
  }
  checkSameDtype(call.op.name, [['x', call.inputs[0]], ['dy', g]]);
  return { ...call, dy: g };
}

/* ---------------- matmul ---------------- */

/** Options of `matmul`: either operand may be used transposed (both default false). */
export interface MatmulOptions {
  /** Use aᵀ (a is [k, m]). */
  transposeA?: boolean;
  /** Use bᵀ (b is [n, k]). */
  transposeB?: boolean;
}

/** A validated matmul call, as {@link prepareMatmul} returns it: operands, transposes and the product's dims. */
export interface MatmulCall {
  /** [m, k] (or [k, m] with transposeA), after any batch dims. */
  readonly a: Tensor;
  /** [k, n] (or [n, k] with transposeB), after any batch dims. */
  readonly b: Tensor;
  /** Whether a is used transposed (the caller's option; false when not given). */
  readonly transposeA: boolean;
  /** Whether b is used transposed (the caller's option; false when not given). */
  readonly transposeB: boolean;
  /** Rows of the product (and of a, after any transpose). */
  readonly m: number;
  /** The shared inner dimension: columns of a and rows of b, after any transpose. */
  readonly k: number;
  /** Columns of the product (and of b, after any transpose). */
  readonly n: number;
  /** The dtype of a, b and the product. */
  readonly dtype: DType;
  /**
   * The result's batch dims: a's and b's leading dims broadcast (NumPy's rule); [] for a plain
   * 2-D product. Kernels only ever see 2-D calls (`batch` []): BackendBase runs a batched call one
   * `matmulSlice` at a time.
   */
  readonly batch: readonly number[];
}

/** The number of 2-D products in a (batched) matmul call. */
export function matmulBatchCount(c: MatmulCall): number {
  return c.batch.reduce((p, d) => p * d, 1);
}

/**
 * The 2-D call for product `index` (row-major over `c.batch`): views of the a and b matrices it
 * multiplies, broadcast dims (size 1) repeating theirs.
 */
export function matmulSlice(c: MatmulCall, index: number): MatmulCall {
  if (c.batch.length === 0) return c;
  const matrixOf = (t: Tensor): Tensor => {
    const lead = t.rank - 2;
    const rows = t.shape[lead];
    const cols = t.shape[lead + 1];
    // The batch index of t's matrix: c.batch's index, aligned right, with t's size-1 dims fixed at 0.
    let rest = index;
    let linear = 0;
    let stride = 1;
    for (let i = c.batch.length - 1; i >= 0; i--) {
      const coordinate = rest % c.batch[i];
      rest = Math.floor(rest / c.batch[i]);
      const j = i - (c.batch.length - lead);
      if (j >= 0) {
        const dim = t.shape[j];
        linear += (dim === 1 ? 0 : coordinate) * stride;
        stride *= dim;
      }
    }
    const size = rows * cols;
    return new Tensor(t.data.subarray(linear * size, (linear + 1) * size), [rows, cols]);
  };
  return { ...c, a: matrixOf(c.a), b: matrixOf(c.b), batch: [] };
}

function requireRankAtLeast(op: string, argument: string, t: Tensor, rank: number): void {
  if (t.rank < rank) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: `rank ${rank} or more`, received: `rank ${t.rank} ${shapeText(t.shape)}` });
  }
}

function requireRank(op: string, argument: string, t: Tensor, rank: number): void {
  if (t.rank !== rank) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: `rank ${rank}`, received: `rank ${t.rank} ${shapeText(t.shape)}` });
  }
}


function checkBool(op: string, argument: string, v: unknown): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') throw new RectifierError(ErrorCode.BadArgument, { op, argument, expected: 'a boolean', received: describeValue(v) });
  return v;
}

/**
 * Validates a matmul call: a and b tensors of rank ≥ 2 and one dtype, matching inner dims,
 * broadcastable batch dims, known boolean options; throws the typed `RectifierError` otherwise.
 */
export function prepareMatmul(a: unknown, b: unknown, options: unknown, limits: CallLimits = UNLIMITED): MatmulCall {
  return reading('matmul', undefined, () => matmulCall(a, b, options, limits));
}

function matmulCall(a: unknown, b: unknown, options: unknown, limits: CallLimits): MatmulCall {
  const op = 'matmul';
  const seen: CallTensors = new Map();
  const opts = ownOptions(op, options, ['transposeA', 'transposeB']);
  const A = checkTensor(a, op, 'a', limits, { seen });
  const B = checkTensor(b, op, 'b', limits, { seen });
  const dtype = checkSameDtype(op, [['a', A], ['b', B]]);
  requireRankAtLeast(op, 'a', A, 2);
  requireRankAtLeast(op, 'b', B, 2);
  const transposeA = checkBool(op, 'transposeA', opts.transposeA);
  const transposeB = checkBool(op, 'transposeB', opts.transposeB);
  const [a0, a1] = A.shape.slice(-2);
  const [b0, b1] = B.shape.slice(-2);
  const [m, k] = transposeA ? [a1, a0] : [a0, a1];
  const [kb, n] = transposeB ? [b1, b0] : [b0, b1];
  const batch = broadcastBatch(op, A.shape.slice(0, -2), B.shape.slice(0, -2));
  if (k !== kb) {
    throw new RectifierError(ErrorCode.DimMismatch, {
      op, argument: 'b', expected: `${k} rows${transposeB ? ' (after transpose)' : ''} to match a's ${k} columns`, received: `${kb} ${shapeText(B.shape)}`,
    });
  }
  const outSize = m * n === 0 || batch.includes(0) ? 0 : batch.reduce((p, d) => p * d, m * n);
  if (outSize > limits.maxElements) {
    throw new RectifierError(ErrorCode.TooLarge, { op, argument: 'output', expected: `at most ${limits.maxElements} elements`, received: `${shapeText([...batch, m, n])}` });
  }
  return { a: A, b: B, transposeA, transposeB, m, k, n, dtype, batch };
}

/** NumPy's broadcast of two batch shapes (aligned right; each pair equal, or one of them 1). */
function broadcastBatch(op: string, a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new RectifierError(ErrorCode.DimMismatch, {
        op, argument: 'b', expected: `batch dims that broadcast with a's ${shapeText(a)} (equal, or 1)`, received: `${shapeText(b)}`,
      });
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/* ---------------- FFN ---------------- */

/** FFN weights. `v`/`bv` are the value projection of the GLU variants (reglu, geglu, swiglu). */
export interface FfnWeights {
  /** [d, f] */
  w1: Tensor;
  /** [f] */
  b1?: Tensor;
  /** [f, dOut] */
  w2: Tensor;
  /** [dOut] */
  b2?: Tensor;
  /** [d, f], GLU variants only */
  v?: Tensor;
  /** [f], GLU variants only */
  bv?: Tensor;
}

/** Options of `ffn` and `ffnBackward`: the activation and what to return besides the output. */
export interface FfnOptions {
  /** A unary op (relu, gelu, silu, …) or a GLU op (reglu, geglu, swiglu). Default 'relu'. */
  activation?: string;
  /** Parameters of the activation, as for `forward`. */
  activationParams?: Record<string, unknown>;
  /**
   * `true`: multiply only the rows of W2 whose activation is non-zero (same result within
   * rounding). `'certified'`: that, and also skip the columns of W1 of every hidden unit that a
   * cheap quantised pass proves zero (its pre-activation provably ≤ the activation's zero threshold
   * — no predictor that can be wrong): the output and hidden layer are bit for bit those of
   * `sparse: true` on the same backend. Only for unary activations with an exact +0 region
   * (relu, relu6, relu_squared, thresholded_relu; `OpDefinition.zeroAtOrBelow`): any other gives
   * BAD_ARGUMENT. With `stats`, the statistics also count the certified, computed and zero units.
   *
   * In `ffnBackward` (where the backend declares `sparseBackward`): the zero units are skipped —
   * dz's zeros in dx = dz·W1ᵀ and dW1 = xᵀ·dz, the hidden layer's in dW2 = hᵀ·dy, and, for an
   * activation with an exact +0 region, dh of the units in it (their dz is +0). Float64 sums give
   * the dense backward's bits; float32 sums in another order, within 2·γ_k·Σ|a·b| of them (k the
   * length of the sum). `'certified'` means the same as `true` there (the backward recomputes z in
   * full). Any activation takes `true`; without a zero region only the zeros it meets are skipped.
   */
  sparse?: boolean | 'certified';
  /** Also return the hidden activations [T, f]. */
  returnHidden?: boolean;
  /** Also return the activation statistics of the hidden layer. */
  stats?: boolean;
}

/** A validated FFN call, as {@link prepareFfn} returns it: flattened x, checked weights, dims and options. */
export interface FfnCall {
  /** The caller's x with its leading dims flattened: `[T, d]`. */
  readonly x: Tensor;
  /** The caller's leading dims of x (T is their product); results get them back. */
  readonly leading: readonly number[];
  /** The first projection, `[d, f]`. */
  readonly w1: Tensor;
  /** The first projection's bias, `[f]`; undefined when not given. */
  readonly b1: Tensor | undefined;
  /** The second projection, `[f, dOut]`. */
  readonly w2: Tensor;
  /** The second projection's bias, `[dOut]`; undefined when not given. */
  readonly b2: Tensor | undefined;
  /** The value projection `[d, f]` of a GLU activation; undefined for a unary activation. */
  readonly v: Tensor | undefined;
  /** The value projection's bias, `[f]`; undefined when not given (always for a unary activation). */
  readonly bv: Tensor | undefined;
  /** tokens, model width, hidden width, output width */
  readonly T: number;
  /** The model width: the last dim of x and the rows of w1. */
  readonly d: number;
  /** The hidden width: the columns of w1 (and of v). */
  readonly f: number;
  /** The output width: the columns of w2. */
  readonly dOut: number;
  /** The activation's catalogue definition: a unary or a GLU op (default relu). */
  readonly activation: OpDefinition;
  /** The activation's parameters, validated, with defaults filled in. */
  readonly activationParams: ResolvedParams;
  /** Whether only the rows of w2 under a non-zero activation are multiplied (default false; true when certified). */
  readonly sparse: boolean;
  /** Whether units proved zero skip their column of w1 too (`sparse: 'certified'`); implies `sparse`. */
  readonly certified: boolean;
  /**
   * With `certified`: the activation's θ (`zeroAtOrBelow` for these parameters), where it is +0 for
   * every pre-activation ≤ θ; NaN otherwise.
   */
  readonly zeroThreshold: number;
  /** Whether the hidden activations `[T, f]` are returned too (default false). */
  readonly returnHidden: boolean;
  /** Whether the hidden layer's activation statistics are returned too (default false). */
  readonly stats: boolean;
  /** The dtype shared by x and every weight. */
  readonly dtype: DType;
}

/** A validated FFN backward call: the forward call's fields plus the upstream gradient `dy`. */
export interface FfnBackwardCall extends FfnCall {
  /** The upstream gradient ∂L/∂y, flattened to `[T, dOut]`; x's dtype. */
  readonly dy: Tensor;
}

const FFN_OPTIONS = ['activation', 'activationParams', 'sparse', 'returnHidden', 'stats'] as const;

/**
 * Validates an FFN call: x of rank ≥ 2 (`[..., d]`), weights of matching shapes and one dtype, a
 * unary or GLU activation (v required exactly for GLU), known options; throws the typed error otherwise.
 */
export function prepareFfn(x: unknown, weights: unknown, options: unknown, limits: CallLimits = UNLIMITED, op = 'ffn'): FfnCall {
  return reading(op, undefined, () => ffnCall(x, weights, options, limits, op, new Map()));
}

const FFN_WEIGHTS = ['w1', 'b1', 'w2', 'b2', 'v', 'bv'] as const;

function ffnCall(x: unknown, weights: unknown, options: unknown, limits: CallLimits, op: string, seen: CallTensors): FfnCall {
  const opts = ownOptions(op, options, FFN_OPTIONS);
  if (weights === undefined) {
    throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'weights', expected: 'an object { w1, b1?, w2, b2?, v?, bv? }', received: 'undefined' });
  }
  const w = ownRecord(op, 'weights', weights, FFN_WEIGHTS,
    () => new RectifierError(ErrorCode.BadArgument, { op, argument: 'weights', expected: 'an object { w1, b1?, w2, b2?, v?, bv? }', received: describeValue(weights) }),
    (key) => new RectifierError(ErrorCode.BadArgument, { op, argument: key, expected: 'one of w1, b1, w2, b2, v, bv', received: 'an unknown weight' }));
  const actName = opts.activation ?? 'relu';
  const activation = findOp(actName);
  if (activation === undefined || (activation.kind !== 'unary' && activation.kind !== 'glu')) {
    throw new RectifierError(activation === undefined ? ErrorCode.UnknownOp : ErrorCode.BadArgument, {
      op, argument: 'activation', expected: 'a unary op (relu, gelu, silu, …) or a GLU op (reglu, geglu, swiglu)', received: describeValue(actName),
    });
  }
  const activationParams = resolveParams(activation.name, activation.params, opts.activationParams);
  const X = checkTensor(x, op, 'x', limits, { seen });
  const W1 = checkTensor(w.w1, op, 'w1', limits, { seen });
  const W2 = checkTensor(w.w2, op, 'w2', limits, { seen });
  const opt = (name: string): Tensor | undefined => (w[name] === undefined ? undefined : checkTensor(w[name], op, name, limits, { seen }));
  const B1 = opt('b1');
  const B2 = opt('b2');
  const V = opt('v');
  const BV = opt('bv');
  const named: [string, Tensor][] = [['x', X], ['w1', W1], ['w2', W2]];
  for (const [n, t] of [['b1', B1], ['b2', B2], ['v', V], ['bv', BV]] as const) if (t) named.push([n, t]);
  const dtype = checkSameDtype(op, named);
  requireRankAtLeast(op, 'x', X, 2);
  requireRank(op, 'w1', W1, 2);
  requireRank(op, 'w2', W2, 2);
  // [..., d] as PyTorch's nn.Linear takes it: the leading dims are flattened into T tokens.
  const leading = X.shape.slice(0, -1);
  const d = X.shape[X.rank - 1];
  const T = leading.includes(0) ? 0 : leading.reduce((p, n) => p * n, 1);
  if (T > Number.MAX_SAFE_INTEGER) {
    throw new RectifierError(ErrorCode.TooLarge, { op, argument: 'x', expected: 'at most 2^53 − 1 tokens', received: shapeText(X.shape) });
  }
  const f = W1.shape[1];
  const dOut = W2.shape[1];
  const expect = (name: string, t: Tensor | undefined, shape: number[]): void => {
    if (t !== undefined && !sameShape(t.shape, shape)) {
      throw new RectifierError(ErrorCode.DimMismatch, { op, argument: name, expected: shapeText(shape), received: shapeText(t.shape) });
    }
  };
  expect('w1', W1, [d, f]);
  expect('b1', B1, [f]);
  expect('w2', W2, [f, dOut]);
  expect('b2', B2, [dOut]);
  if (activation.kind === 'glu') {
    if (V === undefined) {
      throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'v', expected: `the value projection [${d}, ${f}] for ${activation.name}`, received: 'none' });
    }
    expect('v', V, [d, f]);
    expect('bv', BV, [f]);
  } else if (V !== undefined || BV !== undefined) {
    throw new RectifierError(ErrorCode.BadArgument, { op, argument: V ? 'v' : 'bv', expected: `no value projection for the non-GLU activation ${activation.name}`, received: 'one' });
  }
  const hiddenSize = T * f;
  if (hiddenSize > limits.maxElements || T * dOut > limits.maxElements) {
    throw new RectifierError(ErrorCode.TooLarge, { op, argument: 'hidden', expected: `at most ${limits.maxElements} elements`, received: `${T}×${f}` });
  }
  const stats = checkBool(op, 'stats', opts.stats);
  if (stats) checkStatsSize(op, T, f, limits);
  const { sparse, certified, zeroThreshold } = sparseMode(op, opts.sparse, activation, activationParams);
  return {
    x: X.rank === 2 ? X : new Tensor(X.data, [T, d]), leading,
    w1: W1, b1: B1, w2: W2, b2: B2, v: V, bv: BV, T, d, f, dOut, activation, activationParams,
    sparse, certified, zeroThreshold,
    returnHidden: checkBool(op, 'returnHidden', opts.returnHidden),
    stats,
    dtype,
  };
}

/** The `sparse` option: false, true, or 'certified' for an activation with an exact +0 region. */
function sparseMode(op: string, v: unknown, activation: OpDefinition, params: ResolvedParams): { sparse: boolean; certified: boolean; zeroThreshold: number } {
  if (v !== 'certified') {
    if (v !== undefined && typeof v !== 'boolean') {
      throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'sparse', expected: "a boolean or 'certified'", received: describeValue(v) });
    }
    return { sparse: v === true, certified: false, zeroThreshold: NaN };
  }
  if (activation.kind !== 'unary' || activation.zeroAtOrBelow === undefined) {
    throw new RectifierError(ErrorCode.BadArgument, {
      op, argument: 'sparse', expected: "'certified' only with an activation that is +0 below a threshold (relu, relu6, relu_squared, thresholded_relu)",
      received: `'certified' with ${activation.name}`,
    });
  }
  return { sparse: true, certified: true, zeroThreshold: activation.zeroAtOrBelow(params) };
}

/** Validates an FFN backward call: an FFN call plus dy of shape `[...leading, dOut]` and x's dtype. */
export function prepareFfnBackward(x: unknown, weights: unknown, dy: unknown, options: unknown, limits: CallLimits = UNLIMITED): FfnBackwardCall {
  return reading('ffnBackward', undefined, () => ffnBackwardCall(x, weights, dy, options, limits));
}

function ffnBackwardCall(x: unknown, weights: unknown, dy: unknown, options: unknown, limits: CallLimits): FfnBackwardCall {
  const op = 'ffnBackward';
  const seen: CallTensors = new Map();
  const call = ffnCall(x, weights, options, limits, op, seen);
  const g = checkTensor(dy, op, 'dy', limits, { seen });
  if (!sameShape(g.shape, [...call.leading, call.dOut])) {
    throw new RectifierError(ErrorCode.DimMismatch, { op, argument: 'dy', expected: shapeText([...call.leading, call.dOut]), received: shapeText(g.shape) });
  }
  checkSameDtype(op, [['x', call.x], ['dy', g]]);
  return { ...call, dy: g.rank === 2 ? g : new Tensor(g.data, [call.T, call.dOut]) };
}

/** Validates `activationStats`' hidden tensor (rank ≥ 2, `[..., units]`) and returns it flattened to `[rows, units]`. */
export function prepareStats(hidden: unknown, limits: CallLimits = UNLIMITED): Tensor {
  const op = 'activationStats';
  return reading(op, undefined, () => {
    const h = checkTensor(hidden, op, 'hidden', limits);
    requireRankAtLeast(op, 'hidden', h, 2);
    // [..., units]: the leading dims are the rows (tokens), flattened.
    const units = h.shape[h.rank - 1];
    const rows = h.shape.slice(0, -1).reduce((p, n) => p * n, 1);
    checkStatsSize(op, h.shape.slice(0, -1).includes(0) ? 0 : rows, units, limits);
    return h.rank === 2 ? h : new Tensor(h.data, [rows, units]);
  });
}

/**
 * The statistics hold one fraction per row and one per unit: an empty hidden layer [2^50, 0] has
 * no elements but would need 2^50 row fractions, so either count over maxElements is TOO_LARGE.
 */
function checkStatsSize(op: string, rows: number, units: number, limits: CallLimits): void {
  if (rows > limits.maxElements || units > limits.maxElements) {
    throw new RectifierError(ErrorCode.TooLarge, {
      op, argument: 'hidden', expected: `at most ${limits.maxElements} rows and units (one statistic each)`, received: `${rows} rows × ${units} units`,
    });
  }
}
