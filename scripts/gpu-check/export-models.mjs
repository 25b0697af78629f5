// Writes the ONNX models the GPU check times with the machine's own ONNX Runtime (Python's
// onnxruntime: the device image has it, and onnxruntime-node would not fit what travels there).
// They are the bench's: each op as @rectifier/onnx exports it at the bench's opset, at 2^20 and 2^24
// elements, and the ReLU FFN (d 512, f 2048) at 64 and 512 tokens. Run from the deployed bench
// folder (its node_modules hold @rectifier/onnx): node export-models.mjs DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scalar, tensor } from '@rectifier/core';
import { exportFfn, exportOp } from '@rectifier/onnx';

const dir = process.argv[2];
mkdirSync(dir, { recursive: true });
const OPS = [['relu', 'relu', undefined, 22], ['gelu-erf', 'gelu', undefined, 22], ['gelu-tanh', 'gelu', { approximate: 'tanh' }, 22], ['silu', 'silu', undefined, 24], ['sigmoid', 'sigmoid', undefined, 22], ['softplus', 'softplus', undefined, 22], ['mish', 'mish', undefined, 22]];
for (const [label, op, params, opset] of OPS) {
  for (const log2 of [20, 24]) writeFileSync(join(dir, `${label}.2^${log2}.onnx`), exportOp(op, params, { shape: [2 ** log2], opset }));
}
const d = 512;
const f = 2048;
const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
const weights = { w1: tensor(normals(d * f, 2, 1 / Math.sqrt(d)), [d, f]), b1: tensor(new Float32Array(f), [f]), w2: tensor(normals(f * d, 3, 1 / Math.sqrt(f)), [f, d]), b2: tensor(normals(d, 4, 0.1), [d]) };
for (const T of [64, 512]) writeFileSync(join(dir, `ffn.T${T}.onnx`), exportFfn(weights, { leading: [T], opset: 17 }));
console.log(`wrote ${OPS.length * 2 + 2} models to ${dir}`);
