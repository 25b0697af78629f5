/**
 * The measurements behind cost.ts: nanoseconds per element of every op's forward kernel (into an
 * output) and gradient on the calling thread, float32 and float64, and per multiply-add of matmul,
 * with the CPU backend on the built packages (2^16 elements, median of 31 rounds):
 *
 *   node packages/backend-workers/bench/costs.mjs
 *
 * Copy the figures into FORWARD_NS, GRADIENT_NS and MULTIPLY_ADD_NS for another machine.
 */
import { OPS, Tensor, tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';

const cpu = createCpuBackend();
const n = 2 ** 16;

/** Median ms per call over 31 rounds of 4 calls, after a warm-up. */
function median(fn) {
  for (let i = 0; i < 5; i++) fn();
  const times = [];
  for (let r = 0; r < 31; r++) {
    const t0 = performance.now();
    for (let i = 0; i < 4; i++) fn();
    times.push((performance.now() - t0) / 4);
  }
  return times.sort((a, b) => a - b)[15];
}

const values = (count, seed) => Float64Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed) * 4);
const rows = [];
for (const dtype of ['float32', 'float64']) {
  for (const [name, def] of Object.entries(OPS)) {
    let inputs = [tensor(values(n, 0), [n], dtype)];
    if (def.kind === 'glu') inputs = [tensor(values(n, 0), [n], dtype), tensor(values(n, 1), [n], dtype)];
    if (def.kind === 'prelu') inputs = [tensor(values(n, 0), [n / 4, 4], dtype), tensor([0.25, 0.1, 0.2, 0.3], [4], dtype)];
    if (def.kind === 'crelu') inputs = [tensor(values(n, 0), [n / 16, 16], dtype)];
    const outShape = def.kind === 'crelu' ? [n / 16, 32] : inputs[0].shape;
    const size = outShape.reduce((a, b) => a * b, 1);
    const out = new Tensor(dtype === 'float32' ? new Float32Array(size) : new Float64Array(size), outShape);
    const dy = new Tensor(dtype === 'float32' ? new Float32Array(size).fill(1) : new Float64Array(size).fill(1), outShape);
    const forwardMs = median(() => cpu.sync.forward(name, inputs, undefined, { out }));
    const gradientMs = median(() => cpu.sync.gradient(name, inputs, dy));
    rows.push({ dtype, op: name, forwardNs: +(forwardMs * 1e6 / n).toFixed(2), gradientNs: +(gradientMs * 1e6 / n).toFixed(2) });
  }
}
console.table(rows);
for (const dtype of ['float32', 'float64']) {
  for (const s of [64, 128, 256]) {
    const a = tensor(values(s * s, 0), [s, s], dtype);
    console.log(`${dtype} matmul ${s}³: ${(median(() => cpu.sync.matmul(a, a)) * 1e6 / s ** 3).toFixed(4)} ns per multiply-add`);
  }
}
await cpu.dispose();
