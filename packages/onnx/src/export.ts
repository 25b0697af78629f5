/**
 * Export: a catalogue op, a matmul or an FFN block as the bytes of an ONNX model (ModelProto).
 * Each model also records the Rectifier call it was made from (metadata_props key
 * {@link CALL_METADATA_KEY}), so that {@link importOnnx} runs that very call on an unchanged model.
 */
import {
  ErrorCode, RectifierError, describeValue, findOp, isDType, isTensor, resolveParams,
  type DType, type FfnWeights, type OpNameOrAlias, type OpParams, type Tensor,
} from '@rectifier/core';
import { GraphBuilder, checkOpset, valueInfo, type Dim } from './graph.js';
import { lowerCrelu, lowerGlu, lowerUnary } from './lower.js';

/** The metadata_props key under which an exported model records the Rectifier call it came from. */
export const CALL_METADATA_KEY = 'rectifier.call';

/** Options every export takes. */
export interface ExportOptions {
  /** The ONNX opset to write, from {@link MIN_OPSET} (13) to {@link MAX_OPSET} (26); default {@link DEFAULT_OPSET} (22). */
  opset?: number;
  /** The element type of the model's inputs and outputs, 'float32' (the default) or 'float64'; an FFN's comes from its weights. */
  dtype?: DType;
}

/** Options of {@link exportOp}. */
export interface OpExportOptions extends ExportOptions {
  /** The shape of the op's input (each GLU input's); a string dim is named and chosen at run time. */
  shape: readonly Dim[];
  /** prelu only: the slope tensor (scalar, one per channel on `axis`, or x's shape), stored in the model. */
  weight?: Tensor;
}

/** Options of {@link exportMatmul}. */
export interface MatmulExportOptions extends ExportOptions {
  /** Use aᵀ, as `matmul`'s option. */
  transposeA?: boolean;
  /** Use bᵀ, as `matmul`'s option. */
  transposeB?: boolean;
}

/** Options of {@link exportFfn}. */
export interface FfnExportOptions extends Omit<ExportOptions, 'dtype'> {
  /** The FFN's activation, as `ffn`'s option: a unary op or a GLU op (reglu, geglu, swiglu); default 'relu'. */
  activation?: OpNameOrAlias;
  /** The activation's parameters, as `ffn`'s option. */
  activationParams?: Record<string, unknown>;
  /** The leading dims of x (before its last dim, d); default `['T']`, one dim chosen at run time. */
  leading?: readonly Dim[];
}

/** The Rectifier call a model records (JSON in its metadata), enough to make the same model again. */
export type RecordedCall =
  | { kind: 'op'; op: string; params: Record<string, unknown>; shape: Dim[]; weightShape?: number[]; opset: number; dtype: DType }
  | { kind: 'matmul'; a: Dim[]; b: Dim[] | { constant: number[] }; transposeA: boolean; transposeB: boolean; opset: number; dtype: DType }
  | { kind: 'ffn'; activation: string; activationParams: Record<string, unknown>; weights: string[]; leading: Dim[]; opset: number };

/**
 * An ONNX model computing `forward(op, inputs, params)`: graph inputs `x` (GLU ops: `gate` and
 * `value`), output `y`. Uses the ONNX operator where ONNX has one with the same definition and a
 * decomposition where it has none (README). prelu's slope is stored in the model (`options.weight`).
 *
 * @throws RectifierError `UNKNOWN_OP` for a name not in the catalogue, `BAD_PARAMETER` for a bad
 *   parameter, opset or dtype, `BAD_ARGUMENT` for noisy_relu (its seeded noise has no ONNX form) or a
 *   prelu without a weight, `BAD_SHAPE` for a bad shape.
 */
export function exportOp<O extends OpNameOrAlias>(op: O, params: OpParams<O> | undefined, options: OpExportOptions): Uint8Array {
  const def = findOp(op);
  if (def === undefined) throw new RectifierError(ErrorCode.UnknownOp, { op: 'exportOp', argument: 'op', expected: 'a catalogue op or alias', received: describeValue(op) });
  const given = (params ?? {}) as Record<string, unknown>;
  const p = resolveParams(def.name, def.params, given);
  const opset = checkOpset(def.name, options?.opset);
  const dtype = checkDtype(def.name, options.dtype);
  const shape = checkShape(def.name, 'shape', options.shape);
  const g = new GraphBuilder(dtype, opset);
  const inputs = def.kind === 'glu' ? ['gate', 'value'] : ['x'];
  let y: string;
  let outShape: Dim[] = shape;
  let weightShape: number[] | undefined;
  switch (def.kind) {
    case 'unary': y = lowerUnary(g, def, p, 'x'); break;
    case 'glu': y = lowerGlu(g, def, p, 'gate', 'value'); break;
    case 'crelu': {
      if (shape.length === 0) throw new RectifierError(ErrorCode.BadShape, { op: def.name, argument: 'shape', expected: 'rank ≥ 1 (crelu concatenates on the last axis)', received: '[]' });
      const last = shape[shape.length - 1];
      outShape = [...shape.slice(0, -1), typeof last === 'number' ? 2 * last : `2*${last}`];
      y = lowerCrelu(g, 'x');
      break;
    }
    case 'prelu': {
      const w = options.weight;
      if (!isTensor(w) || w.dtype !== dtype) {
        throw new RectifierError(ErrorCode.BadArgument, { op: def.name, argument: 'weight', expected: `the slope tensor, ${dtype}`, received: describeValue(w) });
      }
      weightShape = [...w.shape];
      y = g.node('PRelu', ['x', g.tensor('slope', slopeDims(shape, w, p.axis as number), w.data)]);
      break;
    }
    case 'noisy':
      throw new RectifierError(ErrorCode.BadArgument, {
        op: def.name, expected: 'an op with an ONNX form', received: 'noisy_relu, whose counter-based seeded noise has no ONNX operator (ONNX RandomNormal is not reproducible across runtimes)',
      });
  }
  g.renameLastOutput('y');
  const call: RecordedCall = { kind: 'op', op: def.name, params: { ...given }, shape, ...(weightShape ? { weightShape } : {}), opset, dtype };
  return g.encode(def.name, inputs.map((n) => valueInfo(n, dtype, shape)), [valueInfo('y', dtype, outShape)], { [CALL_METADATA_KEY]: encodeCall(call) });
}

/**
 * An ONNX model computing `matmul(a, b, { transposeA, transposeB })`: inputs `a` (shape `a`) and
 * `b` (shape `b`, or the tensor `b` stored in the model), output `y`. Rank-2 products with a
 * transpose are one Gemm; others MatMul (with Transpose nodes for batched transposes).
 *
 * @throws RectifierError `BAD_SHAPE` for ranks below 2, `DIM_MISMATCH` for inner dims that differ
 *   (where both are numbers), `BAD_PARAMETER` for a bad opset or dtype.
 */
export function exportMatmul(a: readonly Dim[], b: readonly Dim[] | Tensor, options: MatmulExportOptions = {}): Uint8Array {
  const op = 'matmul';
  const constant = isTensor(b) ? b : undefined;
  const dtype = constant ? constant.dtype : checkDtype(op, options.dtype);
  const opset = checkOpset(op, options.opset);
  const aShape = checkShape(op, 'a', a);
  const bShape = constant ? [...constant.shape] : checkShape(op, 'b', b as readonly Dim[]);
  const transposeA = options.transposeA === true;
  const transposeB = options.transposeB === true;
  for (const [name, s] of [['a', aShape], ['b', bShape]] as const) {
    if (s.length < 2) throw new RectifierError(ErrorCode.BadShape, { op, argument: name, expected: 'rank ≥ 2', received: `[${s.join(', ')}]` });
  }
  const m = aShape[aShape.length - (transposeA ? 1 : 2)];
  const k = aShape[aShape.length - (transposeA ? 2 : 1)];
  const kb = bShape[bShape.length - (transposeB ? 1 : 2)];
  const n = bShape[bShape.length - (transposeB ? 2 : 1)];
  if (typeof k === 'number' && typeof kb === 'number' && k !== kb) {
    throw new RectifierError(ErrorCode.DimMismatch, { op, argument: 'b', expected: `${k} rows (a's columns)`, received: `${kb}` });
  }
  const g = new GraphBuilder(dtype, opset);
  const bName = constant ? g.tensor('b', bShape as number[], constant.data) : 'b';
  if (aShape.length === 2 && bShape.length === 2 && (transposeA || transposeB)) {
    g.node('Gemm', ['a', bName], { transA: { i: transposeA ? 1 : 0 }, transB: { i: transposeB ? 1 : 0 } }, 'y');
  } else {
    const swapLast = (name: string, rank: number): string =>
      g.node('Transpose', [name], { perm: { ints: [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2] } });
    g.node('MatMul', [transposeA ? swapLast('a', aShape.length) : 'a', transposeB ? swapLast(bName, bShape.length) : bName], {}, 'y');
  }
  const batch = broadcastDims(aShape.slice(0, -2), bShape.slice(0, -2));
  const inputs = [valueInfo('a', dtype, aShape), ...(constant ? [] : [valueInfo('b', dtype, bShape)])];
  const call: RecordedCall = { kind: 'matmul', a: aShape, b: constant ? { constant: bShape as number[] } : bShape, transposeA, transposeB, opset, dtype };
  return g.encode(op, inputs, [valueInfo('y', dtype, [...batch, m, n])], { [CALL_METADATA_KEY]: encodeCall(call) });
}

/** The order of the FFN weights in a model (the initializers' names). */
export const FFN_WEIGHT_NAMES = ['w1', 'b1', 'v', 'bv', 'w2', 'b2'] as const;

/**
 * An ONNX model computing `ffn(x, weights, { activation, activationParams }).y`: input `x`
 * (`[...leading, d]`), output `y` (`[...leading, dOut]`), the weights stored in the model as
 * initializers `w1`, `b1`, `v`, `bv`, `w2`, `b2`. The graph is
 * MatMul → Add → activation → MatMul → Add (GLU: the activation times x·V + bv), the pattern
 * {@link importOnnx} turns back into one `ffn` call.
 *
 * @throws RectifierError `BAD_ARGUMENT` for missing weights, `DIM_MISMATCH`/`DTYPE_MISMATCH` for
 *   weights that do not fit together, `UNKNOWN_OP`/`BAD_PARAMETER` for the activation.
 */
export function exportFfn(weights: FfnWeights, options: FfnExportOptions = {}): Uint8Array {
  const op = 'ffn';
  const activationName = options.activation ?? 'relu';
  const def = findOp(activationName);
  if (def === undefined || (def.kind !== 'unary' && def.kind !== 'glu')) {
    throw new RectifierError(ErrorCode.UnknownOp, { op, argument: 'activation', expected: 'a unary or GLU catalogue op', received: describeValue(activationName) });
  }
  const given = options.activationParams ?? {};
  const p = resolveParams(def.name, def.params, given);
  const opset = checkOpset(op, options.opset);
  const w = checkFfnWeights(weights, def.kind === 'glu');
  const dtype = w.w1.dtype;
  const leading = checkShape(op, 'leading', options.leading ?? ['T']);
  const g = new GraphBuilder(dtype, opset);
  const names: string[] = [];
  for (const name of FFN_WEIGHT_NAMES) {
    const t = w[name];
    if (t !== undefined) names.push(g.tensor(name, t.shape, t.data));
  }
  const linear = (input: string, weight: string, bias: string): string => {
    const product = g.node('MatMul', [input, weight]);
    return names.includes(bias) ? g.node('Add', [product, bias]) : product;
  };
  const gate = linear('x', 'w1', 'b1');
  const hidden = def.kind === 'glu' ? lowerGlu(g, def, p, gate, linear('x', 'v', 'bv')) : lowerUnary(g, def, p, gate);
  linear(hidden, 'w2', 'b2');
  g.renameLastOutput('y');
  const d = w.w1.shape[0];
  const dOut = w.w2.shape[1];
  const call: RecordedCall = { kind: 'ffn', activation: def.name, activationParams: { ...given }, weights: names, leading, opset };
  return g.encode(op, [valueInfo('x', dtype, [...leading, d])], [valueInfo('y', dtype, [...leading, dOut])], { [CALL_METADATA_KEY]: encodeCall(call) });
}

type FfnWeightTensors = { [K in (typeof FFN_WEIGHT_NAMES)[number]]?: Tensor } & { w1: Tensor; w2: Tensor };

function checkFfnWeights(weights: FfnWeights, glu: boolean): FfnWeightTensors {
  const op = 'ffn';
  if (typeof weights !== 'object' || weights === null) {
    throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'weights', expected: 'an object of weight tensors', received: describeValue(weights) });
  }
  const out: Partial<Record<string, Tensor>> = {};
  for (const name of FFN_WEIGHT_NAMES) {
    const t = (weights as unknown as Record<string, unknown>)[name];
    const required = name === 'w1' || name === 'w2' || (glu && name === 'v');
    if (t === undefined && !required) continue;
    if (!isTensor(t)) throw new RectifierError(ErrorCode.BadArgument, { op, argument: name, expected: 'a Tensor', received: describeValue(t) });
    if ((name === 'v' || name === 'bv') && !glu) {
      throw new RectifierError(ErrorCode.BadArgument, { op, argument: name, expected: 'no value projection for a unary activation', received: 'a Tensor' });
    }
    out[name] = t;
  }
  const w = out as FfnWeightTensors;
  const expect = (name: string, t: Tensor | undefined, dims: number[]): void => {
    if (t === undefined) return;
    if (t.dtype !== w.w1.dtype) throw new RectifierError(ErrorCode.DtypeMismatch, { op, argument: name, expected: w.w1.dtype, received: t.dtype });
    if (t.rank !== dims.length || t.shape.some((s, i) => dims[i] >= 0 && s !== dims[i])) {
      throw new RectifierError(ErrorCode.DimMismatch, { op, argument: name, expected: `[${dims.map((v) => (v < 0 ? '*' : v)).join(', ')}]`, received: `[${t.shape.join(', ')}]` });
    }
  };
  expect('w1', w.w1, [-1, -1]);
  const [d, f] = w.w1.shape;
  expect('b1', w.b1, [f]);
  expect('v', w.v, [d, f]);
  expect('bv', w.bv, [f]);
  expect('w2', w.w2, [f, -1]);
  expect('b2', w.b2, [w.w2.shape[1]]);
  return w;
}

/** ONNX PRelu broadcasts the slope numpy-style (from the right): a per-channel slope gets trailing 1s. */
function slopeDims(shape: readonly Dim[], w: Tensor, axis: number): number[] {
  if (w.size === 1 || w.rank === shape.length) return [...w.shape];
  const a = axis < 0 ? axis + shape.length : axis;
  return [w.size, ...Array.from({ length: shape.length - 1 - a }, () => 1)];
}

function broadcastDims(a: readonly Dim[], b: readonly Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

function checkDtype(op: string, dtype: unknown): DType {
  const v = dtype ?? 'float32';
  if (!isDType(v)) throw new RectifierError(ErrorCode.BadParameter, { op, argument: 'dtype', expected: "'float32' or 'float64'", received: describeValue(v) });
  return v;
}

function checkShape(op: string, argument: string, shape: unknown): Dim[] {
  if (!Array.isArray(shape) || !shape.every((d) => (typeof d === 'number' && Number.isInteger(d) && d >= 0) || (typeof d === 'string' && d !== ''))) {
    throw new RectifierError(ErrorCode.BadShape, { op, argument, expected: 'an array of non-negative integers or dim names', received: describeValue(shape) });
  }
  return [...(shape as Dim[])];
}

/** JSON with ±∞, NaN and −0 kept (as '$Infinity', '$-Infinity', '$NaN', '$-0'). */
export function encodeCall(call: RecordedCall): string {
  return JSON.stringify(call, (_k, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? `$${Object.is(v, -0) ? '-0' : String(v)}` : v);
}

/** The inverse of {@link encodeCall}. */
export function decodeCall(text: string): RecordedCall {
  return JSON.parse(text, (_k, v: unknown) => (typeof v === 'string' && v.startsWith('$') ? (v === '$-0' ? -0 : Number(v.slice(1))) : v)) as RecordedCall;
}
