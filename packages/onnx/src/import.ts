/**
 * Import: an ONNX model's bytes as a plan of Rectifier calls that runs on any backend. A model this
 * package exported, unchanged, replays the recorded call; any other graph is read node by node, with
 * the FFN pattern (MatMul → Add → activation → MatMul → Add) fused into one `ffn` call.
 */
import {
  ErrorCode, RectifierError, Tensor, describeValue, isTensor, sameShape,
  type Backend, type DType, type FfnOptions, type FfnResult, type FfnWeights, type OpName, type TypedArray,
} from '@rectifier/core';
import { CALL_METADATA_KEY, decodeCall, exportFfn, exportMatmul, exportOp, type RecordedCall } from './export.js';
import { ELEM_DOUBLE, ELEM_FLOAT, onnx, type ModelObject, type NodeObject, type TensorObject } from './proto.js';
import type { Dim } from './graph.js';

/** The oldest default-domain opset {@link importOnnx} reads (Shrink's definition, 9, is the oldest used). */
export const IMPORT_MIN_OPSET = 9;

/** A graph input or output of an imported model. */
export interface OnnxValueInfo {
  /** The value's name in the graph. */
  readonly name: string;
  /** Its element type. */
  readonly dtype: DType;
  /** Its dims; a string is a dim named in the model (chosen at run time); undefined when the model gives no shape. */
  readonly shape: readonly Dim[] | undefined;
}

/** One node the importer cannot run, as {@link OnnxUnsupportedError} lists it. */
export interface UnsupportedNode {
  /** The node's name ('' when the model gives none). */
  readonly name: string;
  /** Its operator, e.g. `'Conv'`. */
  readonly opType: string;
  /** Its operator domain ('' for ONNX's own). */
  readonly domain: string;
  /** Why it is not run, e.g. `'no Rectifier op'`, `'Shrink with bias ≠ 0 and ≠ lambd'`. */
  readonly reason: string;
}

/**
 * A model holds nodes Rectifier does not run: `code` is `UNKNOWN_OP`, `nodes` lists every such
 * node (the message names their operators).
 */
export class OnnxUnsupportedError extends RectifierError {
  /** Every node that cannot be run, in graph order. */
  readonly nodes: readonly UnsupportedNode[];

  constructor(nodes: readonly UnsupportedNode[]) {
    const ops = [...new Set(nodes.map((n) => (n.domain === '' ? n.opType : `${n.domain}.${n.opType}`)))];
    super(ErrorCode.UnknownOp, {
      op: 'importOnnx', argument: 'model',
      expected: 'element-wise activations, MatMul, Gemm, Add, Mul of a GLU, Constant and Identity nodes',
      received: `${nodes.length} node${nodes.length === 1 ? '' : 's'} of ${ops.join(', ')}: ${nodes.map((n) => `${n.name || n.opType} (${n.reason})`).join('; ')}`,
    });
    this.nodes = Object.freeze(nodes.map((n) => Object.freeze({ ...n })));
  }
}

/** Options of {@link OnnxModel.run}. */
export interface OnnxRunOptions {
  /** Passed to every fused FFN's `ffn` call (sparse second matmul, statistics, hidden layer). */
  ffn?: Pick<FfnOptions, 'sparse' | 'stats' | 'returnHidden'>;
  /** Called with each fused FFN's full result (y, and hidden and stats when asked for), in graph order. */
  onFfn?: (result: FfnResult, index: number) => void;
}

/** An imported model: what it takes and gives, the Rectifier calls it makes, and `run`. */
export interface OnnxModel {
  /** The graph's inputs (initializers excluded), in order. */
  readonly inputs: readonly OnnxValueInfo[];
  /** The graph's outputs, in order. */
  readonly outputs: readonly OnnxValueInfo[];
  /** The model's default-domain opset. */
  readonly opset: number;
  /** 'recorded' when the model is an unchanged export of this package and runs the call it records; 'graph' when read node by node. */
  readonly source: 'recorded' | 'graph';
  /** The Rectifier calls `run` makes, in order, e.g. `['ffn(gelu)', 'forward(sigmoid)']`. */
  readonly calls: readonly string[];
  /**
   * Runs the model on `backend`: `inputs` maps each graph input's name to a tensor of its dtype;
   * resolves to a map from each graph output's name to its tensor.
   *
   * @throws RectifierError `BAD_ARGUMENT` for a missing input, `DTYPE_MISMATCH` or `BAD_SHAPE` for an
   *   input that does not fit the model, and whatever the backend's calls throw.
   */
  run(backend: Backend, inputs: Readonly<Record<string, Tensor>>, options?: OnnxRunOptions): Promise<Record<string, Tensor>>;
}

/* ---------------- the plan ---------------- */

type Step =
  | { kind: 'forward'; op: OpName; params: Record<string, number | string>; inputs: string[]; output: string }
  | { kind: 'prelu'; inputs: [string, string]; output: string }
  | { kind: 'matmul'; inputs: [string, string]; transposeA: boolean; transposeB: boolean; alpha: number; output: string }
  | { kind: 'add'; inputs: [string, string]; scaleB: number; output: string }
  | { kind: 'ffn'; x: string; weights: FfnWeights; activation: OpName; activationParams: Record<string, number | string>; output: string }
  | { kind: 'identity'; inputs: [string]; output: string };

function describeStep(s: Step): string {
  switch (s.kind) {
    case 'forward': return `forward(${s.op})`;
    case 'prelu': return 'forward(prelu)';
    case 'matmul': return 'matmul';
    case 'add': return 'add';
    case 'ffn': return `ffn(${s.activation})`;
    case 'identity': return 'identity';
  }
}

/**
 * Reads an ONNX model (the bytes of a ModelProto) into an {@link OnnxModel}. A model exported by
 * this package and not changed since runs the exact call it was exported from (bit for bit the
 * same result). Any other model is read node by node: element-wise activation nodes become
 * `forward` calls, MatMul and Gemm `matmul`, Add adds with numpy broadcasting (on the host, one
 * rounding, as ONNX's Add), Mul of a Relu/Gelu/Swish output a GLU op, and each
 * MatMul → Add → activation → MatMul → Add chain whose weights are constants one `ffn` call.
 *
 * @throws OnnxUnsupportedError (`UNKNOWN_OP`) listing every node it cannot run.
 * @throws RectifierError `BAD_ARGUMENT` for bytes that are not an ONNX model, an opset older than
 *   {@link IMPORT_MIN_OPSET}, or constants stored outside the model; `UNSUPPORTED_DTYPE` for
 *   tensors other than float and double.
 */
export function importOnnx(bytes: Uint8Array): OnnxModel {
  if (!(bytes instanceof Uint8Array)) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'importOnnx', argument: 'bytes', expected: 'a Uint8Array', received: describeValue(bytes) });
  }
  let model: ModelObject;
  try {
    model = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number, arrays: true, defaults: false }) as ModelObject;
  } catch (cause) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'importOnnx', argument: 'bytes', expected: 'the bytes of an ONNX ModelProto', received: 'bytes protobuf cannot decode', cause });
  }
  const graph = model.graph;
  if (!graph) throw new RectifierError(ErrorCode.BadArgument, { op: 'importOnnx', argument: 'bytes', expected: 'a model with a graph', received: 'none' });
  const opset = Number((model.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx')?.version ?? 0);
  if (opset < IMPORT_MIN_OPSET) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'importOnnx', argument: 'opset', expected: `a default-domain opset ≥ ${IMPORT_MIN_OPSET}`, received: String(opset) });
  }
  const constants = new Map<string, Tensor>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', decodeTensor(t));
  const inputs = (graph.input ?? []).filter((v) => !constants.has(v.name ?? '')).map(valueInfoOf);
  const outputs = (graph.output ?? []).map(valueInfoOf);
  const recorded = recordedSteps(bytes, model, constants, inputs);
  const steps = recorded ?? graphSteps(graph.node ?? [], constants, outputs.map((o) => o.name), opset);
  return Object.freeze({
    inputs: Object.freeze(inputs), outputs: Object.freeze(outputs), opset,
    source: recorded ? 'recorded' : 'graph',
    calls: Object.freeze(steps.map(describeStep)),
    run: (backend: Backend, given: Readonly<Record<string, Tensor>>, options?: OnnxRunOptions) => runSteps(steps, constants, inputs, outputs, backend, given, options),
  } satisfies OnnxModel);
}

/* ---------------- tensors ---------------- */

function decodeTensor(t: TensorObject): Tensor {
  const name = t.name ?? '';
  const dims = (t.dims ?? []).map(Number);
  if (Number(t.dataLocation ?? 0) !== 0) {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'importOnnx', argument: name, expected: 'tensor data inside the model', received: 'external data' });
  }
  const type = Number(t.dataType ?? 0);
  let data: TypedArray;
  const raw = t.rawData;
  if (type === ELEM_FLOAT) {
    data = raw && raw.length > 0 ? new Float32Array(Uint8Array.from(raw).buffer) : Float32Array.from(t.floatData ?? []);
  } else if (type === ELEM_DOUBLE) {
    data = raw && raw.length > 0 ? new Float64Array(Uint8Array.from(raw).buffer) : Float64Array.from(t.doubleData ?? []);
  } else {
    throw new RectifierError(ErrorCode.UnsupportedDtype, { op: 'importOnnx', argument: name, expected: 'float or double tensors', received: `ONNX element type ${type}` });
  }
  return new Tensor(data, dims, 'importOnnx');
}

function valueInfoOf(v: import('onnx-proto').onnx.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const elem = Number(tt?.elemType ?? 0);
  if (elem !== ELEM_FLOAT && elem !== ELEM_DOUBLE) {
    throw new RectifierError(ErrorCode.UnsupportedDtype, { op: 'importOnnx', argument: v.name ?? '', expected: 'a float or double tensor', received: `ONNX element type ${elem}` });
  }
  const shape = tt?.shape ? (tt.shape.dim ?? []).map((d): Dim => (d.dimParam ? d.dimParam : d.dimValue !== undefined && d.dimValue !== null ? Number(d.dimValue) : '?')) : undefined;
  return Object.freeze({ name: v.name ?? '', dtype: elem === ELEM_FLOAT ? 'float32' : 'float64', shape: shape && Object.freeze(shape) });
}

/* ---------------- a model this package exported ---------------- */

function recordedSteps(bytes: Uint8Array, model: ModelObject, constants: Map<string, Tensor>, inputs: OnnxValueInfo[]): Step[] | undefined {
  const text = (model.metadataProps ?? []).find((p) => p.key === CALL_METADATA_KEY)?.value;
  if (!text) return undefined;
  let call: RecordedCall;
  let again: Uint8Array;
  let steps: Step[];
  const replaced = new Map<string, Tensor>();
  try {
    call = decodeCall(text);
    const c = (name: string): Tensor => {
      const t = constants.get(name);
      if (!t) throw new Error(`no initializer ${name}`);
      return t;
    };
    switch (call.kind) {
      case 'op': {
        const weight = call.weightShape ? new Tensor(c('slope').data, call.weightShape) : undefined;
        again = exportOp(call.op as OpName, call.params as never, { shape: call.shape, opset: call.opset, dtype: call.dtype, ...(weight ? { weight } : {}) });
        // prelu: the caller's weight, not the slope reshaped for ONNX's broadcasting.
        if (weight) replaced.set('slope', weight);
        steps = [{ kind: 'forward', op: call.op as OpName, params: call.params as Record<string, number | string>, inputs: weight ? ['x', 'slope'] : inputs.map((i) => i.name), output: 'y' }];
        break;
      }
      case 'matmul': {
        const b = Array.isArray(call.b) ? call.b : new Tensor(c('b').data, call.b.constant);
        again = exportMatmul(call.a, b, { opset: call.opset, dtype: call.dtype, transposeA: call.transposeA, transposeB: call.transposeB });
        steps = [{ kind: 'matmul', inputs: ['a', 'b'], transposeA: call.transposeA, transposeB: call.transposeB, alpha: 1, output: 'y' }];
        break;
      }
      case 'ffn': {
        const weights = Object.fromEntries(call.weights.map((n) => [n, c(n)])) as unknown as FfnWeights;
        again = exportFfn(weights, { activation: call.activation as OpName, activationParams: call.activationParams, leading: call.leading, opset: call.opset });
        steps = [{ kind: 'ffn', x: 'x', weights, activation: call.activation as OpName, activationParams: call.activationParams as Record<string, number | string>, output: 'y' }];
        break;
      }
    }
  } catch {
    return undefined; // metadata that does not describe a call: read the graph instead
  }
  // The recorded call stands only for the graph it makes: an edited graph is read node by node.
  if (!sameGraph(bytes, again)) return undefined;
  for (const [name, t] of replaced) constants.set(name, t);
  return steps;
}

function sameGraph(a: Uint8Array, b: Uint8Array): boolean {
  const canonical = (bytes: Uint8Array): Uint8Array => {
    const m = onnx.ModelProto.decode(bytes);
    return onnx.ModelProto.encode(onnx.ModelProto.create({ graph: m.graph, opsetImport: m.opsetImport })).finish();
  };
  const x = canonical(a);
  const y = canonical(b);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/* ---------------- any other graph, node by node ---------------- */

const F32 = Math.fround;
const SELU_ALPHA_F32 = 1.67326319217681884765625;
const SELU_GAMMA_F32 = 1.05070102214813232421875;

type Attrs = Record<string, number | string | number[]>;

function attributesOf(node: NodeObject): Attrs {
  const out: Attrs = {};
  for (const a of node.attribute ?? []) {
    const name = a.name ?? '';
    if (a.type === 1) out[name] = Number(a.f ?? 0);
    else if (a.type === 2) out[name] = Number(a.i ?? 0);
    else if (a.type === 3) out[name] = new TextDecoder().decode(a.s ?? new Uint8Array());
    else if (a.type === 7) out[name] = (a.ints ?? []).map(Number);
  }
  return out;
}

/** An ONNX element-wise activation node as a catalogue op and parameters, with ONNX's defaults. */
function activationOf(opType: string, a: Attrs): { op: OpName; params: Record<string, number | string> } | string {
  const n = (name: string, def: number): number => (a[name] === undefined ? def : (a[name] as number));
  switch (opType) {
    case 'Relu': return { op: 'relu', params: {} };
    case 'LeakyRelu': return { op: 'leaky_relu', params: { alpha: n('alpha', F32(0.01)) } };
    case 'Elu': return { op: 'elu', params: { alpha: n('alpha', 1) } };
    case 'Celu': return { op: 'celu', params: { alpha: n('alpha', 1) } };
    case 'Selu': return { op: 'selu', params: { alpha: n('alpha', SELU_ALPHA_F32), scale: n('gamma', SELU_GAMMA_F32) } };
    case 'Gelu': {
      const approximate = (a.approximate as string | undefined) ?? 'none';
      return approximate === 'none' || approximate === 'tanh' ? { op: 'gelu', params: { approximate } } : `Gelu approximate '${approximate}'`;
    }
    case 'HardSigmoid': return { op: 'hardsigmoid', params: { alpha: n('alpha', F32(0.2)), beta: n('beta', 0.5) } };
    case 'HardSwish': return { op: 'hardswish', params: {} };
    case 'Softplus': return { op: 'softplus', params: { beta: 1, threshold: Infinity } }; // ONNX's has no linear threshold
    case 'Softsign': return { op: 'softsign', params: {} };
    case 'Mish': return { op: 'mish', params: {} };
    case 'ThresholdedRelu': return { op: 'thresholded_relu', params: { alpha: n('alpha', 1) } };
    case 'Tanh': return { op: 'tanh', params: {} };
    case 'Sigmoid': return { op: 'sigmoid', params: {} };
    case 'Swish': return { op: 'silu', params: { beta: n('alpha', 1) } };
    case 'Shrink': {
      const lambd = n('lambd', 0.5);
      const bias = n('bias', 0);
      if (lambd < 0) return 'Shrink with lambd < 0';
      if (bias === 0) return { op: 'hardshrink', params: { lambda: lambd } };
      if (bias === lambd) return { op: 'softshrink', params: { lambda: lambd } };
      return 'Shrink with bias ≠ 0 and ≠ lambd';
    }
    default: return 'no Rectifier op';
  }
}

const GLU_OF: Partial<Record<OpName, OpName>> = { relu: 'reglu', gelu: 'geglu', silu: 'swiglu' };

function graphSteps(nodes: readonly NodeObject[], constants: Map<string, Tensor>, graphOutputs: string[], opset: number): Step[] {
  const unsupported: UnsupportedNode[] = [];
  const steps: Step[] = [];
  const uses = new Map<string, number>();
  for (const node of nodes) for (const i of node.input ?? []) if (i !== '') uses.set(i, (uses.get(i) ?? 0) + 1);
  for (const o of graphOutputs) uses.set(o, (uses.get(o) ?? 0) + 1);
  const producer = new Map<string, Step>();
  const push = (s: Step): void => {
    steps.push(s);
    producer.set(s.output, s);
  };
  for (const node of nodes) {
    const opType = node.opType ?? '';
    const domain = node.domain ?? '';
    const ins = (node.input ?? []) as string[];
    const output = (node.output ?? [])[0] ?? '';
    const refuse = (reason: string): void => { unsupported.push({ name: node.name ?? '', opType, domain, reason }); };
    if (domain !== '' && domain !== 'ai.onnx') { refuse(`operator domain '${domain}'`); continue; }
    if ((node.output ?? []).filter((o) => o !== '').length > 1) { refuse('more than one output'); continue; }
    const a = attributesOf(node);
    switch (opType) {
      case 'Constant': {
        const t = node.attribute?.find((x) => x.name === 'value')?.t;
        const f = node.attribute?.find((x) => x.name === 'value_float');
        if (t) constants.set(output, decodeTensor(t));
        else if (f) constants.set(output, new Tensor(Float32Array.of(Number(f.f ?? 0)), []));
        else refuse('Constant other than a float tensor');
        continue;
      }
      case 'Identity': push({ kind: 'identity', inputs: [ins[0]], output }); continue;
      case 'MatMul': push({ kind: 'matmul', inputs: [ins[0], ins[1]], transposeA: false, transposeB: false, alpha: 1, output }); continue;
      case 'Gemm': {
        const alpha = (a.alpha as number | undefined) ?? 1;
        const beta = (a.beta as number | undefined) ?? 1;
        const product = ins[2] ? `${output}/product` : output;
        if (ins[2]) uses.set(product, 1); // the product is only Gemm's own C addition's
        push({ kind: 'matmul', inputs: [ins[0], ins[1]], transposeA: a.transA === 1, transposeB: a.transB === 1, alpha, output: product });
        if (ins[2]) push({ kind: 'add', inputs: [product, ins[2]], scaleB: beta, output });
        continue;
      }
      case 'Add': push({ kind: 'add', inputs: [ins[0], ins[1]], scaleB: 1, output }); continue;
      case 'PRelu': push({ kind: 'prelu', inputs: [ins[0], ins[1]], output }); continue;
      case 'Clip': {
        let min = -Infinity;
        let max = Infinity;
        if (opset < 11) {
          min = (a.min as number | undefined) ?? -Infinity;
          max = (a.max as number | undefined) ?? Infinity;
        } else {
          const bound = (name: string | undefined): number | undefined | null => {
            if (!name) return undefined;
            const t = constants.get(name);
            return t && t.size === 1 ? t.data[0] : null;
          };
          const lo = bound(ins[1]);
          const hi = bound(ins[2]);
          if (lo === null || hi === null) { refuse('Clip bounds that are not constant scalars'); continue; }
          if (lo !== undefined) min = lo;
          if (hi !== undefined) max = hi;
        }
        push({ kind: 'forward', op: 'hardtanh', params: { min, max }, inputs: [ins[0]], output });
        continue;
      }
      case 'Mul': {
        // act(gate) ⊙ value, act's output used only here: one GLU op.
        const glu = [0, 1].map((k) => {
          const s = producer.get(ins[k]);
          return s?.kind === 'forward' && GLU_OF[s.op] !== undefined && uses.get(ins[k]) === 1 ? { s, value: ins[1 - k] } : undefined;
        }).find((g) => g !== undefined);
        if (!glu) { refuse('Mul other than act(gate) ⊙ value of a GLU'); continue; }
        steps.splice(steps.indexOf(glu.s), 1);
        push({ kind: 'forward', op: GLU_OF[glu.s.op]!, params: glu.s.params, inputs: [glu.s.inputs[0], glu.value], output });
        continue;
      }
      default: {
        const act = activationOf(opType, a);
        if (typeof act === 'string') { refuse(act); continue; }
        push({ kind: 'forward', op: act.op, params: act.params, inputs: [ins[0]], output });
      }
    }
  }
  if (unsupported.length > 0) throw new OnnxUnsupportedError(unsupported);
  return fuseFfns(steps, constants, uses);
}

/** x·W + b with W a constant [d, f] and b absent or a constant [f]: the linear layers of an FFN. */
interface Linear {
  readonly x: string;
  readonly w: Tensor;
  readonly b: Tensor | undefined;
  readonly steps: Step[];
}

function fuseFfns(steps: Step[], constants: Map<string, Tensor>, uses: Map<string, number>): Step[] {
  const producer = new Map(steps.map((s) => [s.output, s]));
  const onlyUse = (name: string): boolean => uses.get(name) === 1;
  /** The linear layer whose output is `out`, if it is one. */
  const linearAt = (out: string): Linear | undefined => {
    let s = producer.get(out);
    let bias: Tensor | undefined;
    const parts: Step[] = [];
    if (s?.kind === 'add' && s.scaleB === 1) {
      const [p, q] = s.inputs;
      const biasName = constants.has(q) ? q : constants.has(p) ? p : undefined;
      if (biasName === undefined) return undefined;
      bias = constants.get(biasName)!;
      const productName = biasName === q ? p : q;
      if (!onlyUse(productName)) return undefined;
      parts.push(s);
      s = producer.get(productName);
    }
    if (s?.kind !== 'matmul' || s.transposeA || s.alpha !== 1) return undefined;
    const w0 = constants.get(s.inputs[1]);
    if (!w0 || w0.rank !== 2 || constants.has(s.inputs[0])) return undefined;
    const w = s.transposeB ? transpose2d(w0) : w0;
    if (bias && (bias.rank !== 1 || bias.size !== w.shape[1] || bias.dtype !== w.dtype)) return undefined;
    parts.push(s);
    return { x: s.inputs[0], w, b: bias, steps: parts };
  };
  const removed = new Set<Step>();
  const fused = new Map<Step, Step>();
  // From the end, so that a linear layer is seen with its bias Add before its MatMul is seen alone.
  for (const s of [...steps].reverse()) {
    if (removed.has(s)) continue;
    const second = linearAt(s.output);
    if (!second || second.steps[0] !== s) continue;
    const hidden = producer.get(second.x);
    if (hidden?.kind !== 'forward' || !onlyUse(second.x)) continue;
    const glu = hidden.inputs.length === 2;
    const first = linearAt(hidden.inputs[0]);
    const value = glu ? linearAt(hidden.inputs[1]) : undefined;
    if (!first || !onlyUse(hidden.inputs[0]) || (glu && (!value || value.x !== first.x || !onlyUse(hidden.inputs[1])))) continue;
    const dtype = first.w.dtype;
    const parts = [...first.steps, ...(value?.steps ?? []), hidden, ...second.steps];
    if (parts.some((p) => removed.has(p)) || second.w.dtype !== dtype || (value && value.w.dtype !== dtype)) continue;
    if (first.w.shape[1] !== second.w.shape[0] || (value && !sameShape(value.w.shape, first.w.shape))) continue;
    const weights: FfnWeights = {
      w1: first.w, w2: second.w,
      ...(first.b ? { b1: first.b } : {}), ...(second.b ? { b2: second.b } : {}),
      ...(value ? { v: value.w, ...(value.b ? { bv: value.b } : {}) } : {}),
    };
    for (const p of parts) removed.add(p);
    fused.set(s, { kind: 'ffn', x: first.x, weights, activation: hidden.op, activationParams: hidden.params, output: s.output });
  }
  return steps.flatMap((s) => (fused.has(s) ? [fused.get(s)!] : removed.has(s) ? [] : [s]));
}

/* ---------------- running ---------------- */

async function runSteps(
  steps: readonly Step[], constants: Map<string, Tensor>, inputs: readonly OnnxValueInfo[], outputs: readonly OnnxValueInfo[],
  backend: Backend, given: Readonly<Record<string, Tensor>>, options: OnnxRunOptions = {},
): Promise<Record<string, Tensor>> {
  const values = new Map(constants);
  for (const info of inputs) {
    const t = (given as Record<string, unknown>)?.[info.name];
    if (!isTensor(t)) throw new RectifierError(ErrorCode.BadArgument, { op: 'OnnxModel.run', argument: info.name, expected: `a ${info.dtype} Tensor (graph input)`, received: describeValue(t) });
    if (t.dtype !== info.dtype) throw new RectifierError(ErrorCode.DtypeMismatch, { op: 'OnnxModel.run', argument: info.name, expected: info.dtype, received: t.dtype });
    if (info.shape && (info.shape.length !== t.rank || info.shape.some((d, i) => typeof d === 'number' && d !== t.shape[i]))) {
      throw new RectifierError(ErrorCode.BadShape, { op: 'OnnxModel.run', argument: info.name, expected: `[${info.shape.join(', ')}]`, received: `[${t.shape.join(', ')}]` });
    }
    values.set(info.name, t);
  }
  const get = (name: string): Tensor => {
    const t = values.get(name);
    if (!t) throw new RectifierError(ErrorCode.BadArgument, { op: 'OnnxModel.run', argument: name, expected: 'a value computed before it is used', received: 'none (the graph is not in topological order)' });
    return t;
  };
  let ffnIndex = 0;
  for (const s of steps) {
    switch (s.kind) {
      case 'identity': values.set(s.output, get(s.inputs[0])); break;
      case 'forward': {
        const ins = s.inputs.map(get);
        values.set(s.output, await backend.forward(s.op, ins.length === 1 ? ins[0] : ins, s.params as never));
        break;
      }
      case 'prelu': {
        const x = get(s.inputs[0]);
        const [weight, axis] = preluWeight(x, get(s.inputs[1]));
        values.set(s.output, await backend.forward('prelu', [x, weight], { axis }));
        break;
      }
      case 'matmul': values.set(s.output, await matmul(backend, get(s.inputs[0]), get(s.inputs[1]), s)); break;
      case 'add': values.set(s.output, broadcastAdd(get(s.inputs[0]), get(s.inputs[1]), s.scaleB)); break;
      case 'ffn': {
        const r = await backend.ffn(get(s.x), s.weights, { activation: s.activation, activationParams: s.activationParams, ...options.ffn });
        options.onFfn?.(r, ffnIndex++);
        values.set(s.output, r.y);
        break;
      }
    }
  }
  return Object.fromEntries(outputs.map((o) => [o.name, get(o.name)]));
}

/** ONNX MatMul's numpy rules for rank-1 operands (a row, a column), Gemm's alpha after the product. */
async function matmul(backend: Backend, a: Tensor, b: Tensor, s: Extract<Step, { kind: 'matmul' }>): Promise<Tensor> {
  const a2 = a.rank === 1 ? new Tensor(a.data, [1, a.size]) : a;
  const b2 = b.rank === 1 ? new Tensor(b.data, [b.size, 1]) : b;
  let y = await backend.matmul(a2, b2, { transposeA: s.transposeA, transposeB: s.transposeB });
  if (a.rank === 1 || b.rank === 1) {
    const shape = [...y.shape];
    if (b.rank === 1) shape.pop();
    if (a.rank === 1) shape.splice(shape.length - (b.rank === 1 ? 1 : 2), 1);
    y = new Tensor(y.data, shape);
  }
  if (s.alpha !== 1) {
    const out = y.dtype === 'float32' ? new Float32Array(y.size) : new Float64Array(y.size);
    for (let i = 0; i < out.length; i++) out[i] = s.alpha * y.data[i];
    y = new Tensor(out, y.shape);
  }
  return y;
}

/** a + scale·b with numpy broadcasting, one rounding per element in the result's dtype. */
function broadcastAdd(a: Tensor, b: Tensor, scale: number): Tensor {
  if (a.dtype !== b.dtype) throw new RectifierError(ErrorCode.DtypeMismatch, { op: 'Add', argument: 'b', expected: a.dtype, received: b.dtype });
  const rank = Math.max(a.rank, b.rank);
  const shape: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a.shape[a.rank - rank + i] ?? 1;
    const y = b.shape[b.rank - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) {
      throw new RectifierError(ErrorCode.DimMismatch, { op: 'Add', argument: 'b', expected: `a shape broadcastable to [${a.shape.join(', ')}]`, received: `[${b.shape.join(', ')}]` });
    }
    shape.push(x === 1 ? y : x);
  }
  const ai = broadcastIndex(a.shape, shape);
  const bi = broadcastIndex(b.shape, shape);
  const size = shape.reduce((p, d) => p * d, 1);
  const out = a.dtype === 'float32' ? new Float32Array(size) : new Float64Array(size);
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < size; i++) out[i] = scale === 1 ? ad[ai(i)] + bd[bi(i)] : ad[ai(i)] + scale * bd[bi(i)];
  return new Tensor(out, shape);
}

/** Maps a flat index of `shape` to the flat index of `from` broadcast to it (numpy rules). */
function broadcastIndex(from: readonly number[], shape: readonly number[]): (i: number) => number {
  if (sameShape(from, shape)) return (i) => i;
  const size = from.reduce((p, d) => p * d, 1);
  if (size === 1) return () => 0;
  const rank = shape.length;
  const strides = new Array<number>(rank).fill(0);
  let stride = 1;
  for (let k = from.length - 1; k >= 0; k--) {
    strides[rank - from.length + k] = from[k] === 1 ? 0 : stride;
    stride *= from[k];
  }
  return (i) => {
    let j = 0;
    for (let k = rank - 1; k >= 0; k--) {
      const d = shape[k];
      j += (i % d) * strides[k];
      i = Math.floor(i / d);
    }
    return j;
  };
}

/** ONNX's slope, broadcast numpy-style, as Rectifier's prelu weight: scalar, per channel on an axis, or x's shape. */
function preluWeight(x: Tensor, slope: Tensor): [Tensor, number] {
  if (slope.size === 1 || sameShape(slope.shape, x.shape)) return [slope, 1];
  // Strip leading 1s; one dim left, with only 1s after it: a per-channel slope on that axis of x.
  const dims = [...slope.shape];
  while (dims.length > 0 && dims[0] === 1) dims.shift();
  let trailing = 0;
  while (trailing < dims.length - 1 && dims[dims.length - 1 - trailing] === 1) trailing++;
  if (dims.length - trailing === 1 && dims.length <= x.rank) {
    const axis = x.rank - 1 - trailing;
    if (x.shape[axis] === dims[0]) return [new Tensor(slope.data, [dims[0]]), axis];
  }
  // Anything else: the slope broadcast to x's shape, one per element.
  const at = broadcastIndex(slope.shape, x.shape);
  const full = slope.dtype === 'float32' ? new Float32Array(x.size) : new Float64Array(x.size);
  for (let i = 0; i < full.length; i++) full[i] = slope.data[at(i)];
  return [new Tensor(full, x.shape), 1];
}

function transpose2d(w: Tensor): Tensor {
  const [r, c] = w.shape;
  const out = w.dtype === 'float32' ? new Float32Array(w.size) : new Float64Array(w.size);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = w.data[i * c + j];
  return new Tensor(out, [c, r]);
}
