/**
 * ONNX Runtime for Node as a peer: the op (or FFN) as @rectifier/onnx exports it, run on the CPU
 * execution provider with a fixed thread count. onnxruntime-node ships its Linux x64 binary; its
 * postinstall (which fetches CUDA files) is not run (pnpm-workspace.yaml allowBuilds).
 */
import { createRequire } from 'node:module';
import { tensor, type OpName } from '@rectifier/core';
import { exportFfn, exportOp } from '@rectifier/onnx';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const ort = require('onnxruntime-node') as typeof import('onnxruntime-node');

async function session(bytes: Uint8Array, threads: number): Promise<import('onnxruntime-node').InferenceSession> {
  return ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
}

/** A session computing y = op(x) over n float32 elements, as exportOp writes the op at `opset`. */
export async function unarySession(op: OpName, params: object | undefined, opset: number, n: number, threads: number) {
  const s = await session(exportOp(op, params as never, { shape: [n], opset }), threads);
  return (x: Float32Array) => s.run({ x: new ort.Tensor('float32', x, [n]) }).then((r) => r.y.data as Float32Array);
}

/** A session computing the ReLU FFN: Relu(x·W1 + b1)·W2 + b2. */
export async function ffnSession(T: number, d: number, f: number, w: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }, threads: number) {
  const weights = { w1: tensor(w.w1, [d, f]), b1: tensor(w.b1, [f]), w2: tensor(w.w2, [f, d]), b2: tensor(w.b2, [d]) };
  const s = await session(exportFfn(weights, { leading: [T], opset: 17 }), threads);
  return (x: Float32Array) => s.run({ x: new ort.Tensor('float32', x, [T, d]) }).then((r) => r.y.data as Float32Array);
}
