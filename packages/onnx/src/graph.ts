/**
 * Building ONNX graphs as plain protobuf objects: typed inputs and outputs, initializers, nodes with
 * attributes, and the model around them. The objects are encoded by onnx-proto (protobufjs).
 */
import { ErrorCode, RectifierError, type DType, type TypedArray } from '@rectifier/core';
import { ATTR, ELEM_DOUBLE, ELEM_FLOAT, onnx, type AttributeObject, type NodeObject, type TensorObject, type ValueInfoObject } from './proto.js';

/** A dim of an exported input: a number, or a name for a dim chosen at run time (ONNX `dim_param`). */
export type Dim = number | string;

/** The oldest opset this package writes and reads. */
export const MIN_OPSET = 13;
/** The newest opset ONNX Runtime 1.30 loads (27 and later are refused by its model loader). */
export const MAX_OPSET = 26;
/** The opset written when none is chosen. */
export const DEFAULT_OPSET = 22;

/** The IR version that goes with an opset (the oldest that ONNX released it with). */
export function irVersionFor(opset: number): number {
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

/** An ONNX attribute value: a float, an int, a string or a list of ints. */
export type AttributeValue = { f: number } | { i: number } | { s: string } | { ints: readonly number[] };

function attribute(name: string, v: AttributeValue): AttributeObject {
  if ('f' in v) return { name, type: ATTR.FLOAT, f: v.f };
  if ('i' in v) return { name, type: ATTR.INT, i: v.i };
  if ('s' in v) return { name, type: ATTR.STRING, s: new TextEncoder().encode(v.s) };
  return { name, type: ATTR.INTS, ints: [...v.ints] };
}

/** The TensorProto element type of a dtype. */
export function elemTypeOf(dtype: DType): number {
  return dtype === 'float32' ? ELEM_FLOAT : ELEM_DOUBLE;
}

/** A typed tensor value description (graph input or output). */
export function valueInfo(name: string, dtype: DType, dims: readonly Dim[]): ValueInfoObject {
  return {
    name,
    type: { tensorType: { elemType: elemTypeOf(dtype), shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

/** One graph under construction: nodes in topological order and their constant tensors. */
export class GraphBuilder {
  /** The nodes, in the order they were added (which is topological). */
  readonly nodes: NodeObject[] = [];
  /** The constant tensors (weights and scalar constants). */
  readonly initializers: TensorObject[] = [];
  #counter = 0;
  #constants = new Map<string, string>();

  constructor(readonly dtype: DType, readonly opset: number) {}

  /** A fresh value name with the given stem. */
  fresh(stem: string): string {
    return `${stem}_${this.#counter++}`;
  }

  /** Adds a constant tensor of the graph's dtype named `name`; returns the name. */
  tensor(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    const typed: TypedArray = this.dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data);
    this.initializers.push({
      name, dims: [...dims], dataType: elemTypeOf(this.dtype),
      rawData: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength),
    });
    return name;
  }

  /** A scalar constant of the graph's dtype (one initializer per distinct value). */
  scalar(value: number): string {
    const key = Object.is(value, -0) ? '-0' : String(value);
    const known = this.#constants.get(key);
    if (known !== undefined) return known;
    const name = this.tensor(this.fresh('const'), [], [value]);
    this.#constants.set(key, name);
    return name;
  }

  /** Adds a node; returns its (first) output's name, `output` if given. */
  node(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, output?: string): string {
    const out = output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType, input: [...inputs], output: [out], name: this.fresh(opType),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return out;
  }

  /** Renames the last node's output (so a graph output gets its public name). */
  renameLastOutput(name: string): string {
    const last = this.nodes[this.nodes.length - 1];
    (last.output as string[])[0] = name;
    return name;
  }

  /**
   * The encoded model: this graph with `inputs` and `outputs`, the default-domain opset, and
   * `metadata` as the model's metadata_props.
   */
  encode(name: string, inputs: ValueInfoObject[], outputs: ValueInfoObject[], metadata: Readonly<Record<string, string>>): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: irVersionFor(this.opset),
      producerName: '@rectifier/onnx',
      producerVersion: '0.1.0',
      opsetImport: [{ domain: '', version: this.opset }],
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: { name, node: this.nodes, initializer: this.initializers, input: inputs, output: outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Checks an opset choice: an integer in [{@link MIN_OPSET}, {@link MAX_OPSET}]. */
export function checkOpset(op: string, opset: unknown): number {
  const v = opset ?? DEFAULT_OPSET;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < MIN_OPSET || v > MAX_OPSET) {
    throw new RectifierError(ErrorCode.BadParameter, {
      op, argument: 'opset', expected: `an integer from ${MIN_OPSET} to ${MAX_OPSET}`, received: String(v),
    });
  }
  return v;
}
