/**
 * ONNX Runtime for Node as a peer: one-node (or FFN) graphs built with onnx-proto, run on the
 * CPU execution provider with a fixed thread count. onnxruntime-node ships its Linux x64 binary;
 * its postinstall (which fetches CUDA files) is not run (pnpm-workspace.yaml allowBuilds).
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { onnx } = require('onnx-proto') as { onnx: any };
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

const FLOAT = 1;

function valueInfo(name: string, dims: number[]): object {
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function floatInit(name: string, dims: number[], data: Float32Array): object {
  return { name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

export interface OrtNode {
  opType: string;
  attributes?: Record<string, number | string>;
  /** Constant scalar inputs after x (e.g. Clip's min and max). */
  constants?: number[];
}

function attribute(name: string, v: number | string): object {
  return typeof v === 'number' ? { name, type: 1, f: v } : { name, type: 3, s: new TextEncoder().encode(v) };
}

async function session(graph: object, opset: number, threads: number): Promise<import('onnxruntime-node').InferenceSession> {
  const model = onnx.ModelProto.create({ irVersion: 9, opsetImport: [{ domain: '', version: opset }], graph });
  const bytes: Uint8Array = onnx.ModelProto.encode(model).finish();
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
}

/** A session computing y = op(x) over n float32 elements. */
export async function unarySession(node: OrtNode, n: number, threads: number) {
  const constNames = (node.constants ?? []).map((_, i) => `c${i}`);
  const graph = {
    name: node.opType,
    node: [{
      opType: node.opType, input: ['x', ...constNames], output: ['y'],
      attribute: Object.entries(node.attributes ?? {}).map(([k, v]) => attribute(k, v)),
    }],
    initializer: (node.constants ?? []).map((c, i) => floatInit(constNames[i], [], Float32Array.of(c))),
    input: [valueInfo('x', [n])],
    output: [valueInfo('y', [n])],
  };
  const s = await session(graph, node.opType === 'Swish' ? 24 : 22, threads);
  return (x: Float32Array) => s.run({ x: new ort.Tensor('float32', x, [n]) }).then((r) => r.y.data as Float32Array);
}

/** A session computing the ReLU FFN: Relu(x·W1 + b1)·W2 + b2. */
export async function ffnSession(T: number, d: number, f: number, w: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }, threads: number) {
  const graph = {
    name: 'ffn',
    node: [
      { opType: 'MatMul', input: ['x', 'w1'], output: ['z0'] },
      { opType: 'Add', input: ['z0', 'b1'], output: ['z'] },
      { opType: 'Relu', input: ['z'], output: ['h'] },
      { opType: 'MatMul', input: ['h', 'w2'], output: ['y0'] },
      { opType: 'Add', input: ['y0', 'b2'], output: ['y'] },
    ],
    initializer: [floatInit('w1', [d, f], w.w1), floatInit('b1', [f], w.b1), floatInit('w2', [f, d], w.w2), floatInit('b2', [d], w.b2)],
    input: [valueInfo('x', [T, d])],
    output: [valueInfo('y', [T, d])],
  };
  const s = await session(graph, 17, threads);
  return (x: Float32Array) => s.run({ x: new ort.Tensor('float32', x, [T, d]) }).then((r) => r.y.data as Float32Array);
}
