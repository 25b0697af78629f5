// The FFN shapes the bench scripts here time: d 512 × f 2048 × 512 tokens at 90 % and 99 % zeros
// (Gaussian x and W1, a shared bias that puts that fraction of z at or below 0, as apps/bench's FFN
// rows), and the trained char-LM's blocks (apps/bench/fixtures/char-lm-relu.*: 1024 tokens × d 30 ×
// f 96 at their own sparsity). Each: { name, trained, x, w1, b1, w2, b2, T, d, f }.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'apps', 'bench', 'fixtures');

/** `core` is @rectifier/core's exports (tensor, scalar), `cpu` a sync CPU backend (for the bias's quantile). */
export function ffnShapes(core, cpu) {
  const { scalar, tensor } = core;
  const out = [];
  const d = 512, f = 2048, T = 512;
  const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
  const x = normals(T * d, 1, 1), w1 = normals(d * f, 2, 1 / Math.sqrt(d)), w2 = normals(f * d, 3, 1 / Math.sqrt(f)), b2 = normals(d, 4, 0.1);
  const sorted = Float32Array.from(cpu.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data).sort();
  for (const sparsity of [0.9, 0.99]) {
    const b1 = new Float32Array(f).fill(-sorted[Math.floor(sparsity * sorted.length)]);
    out.push({ name: `random ${sparsity * 100} %`, trained: false, x, w1, b1, w2, b2, T, d, f });
  }
  const meta = JSON.parse(readFileSync(join(fixtures, 'char-lm-relu.json'), 'utf8'));
  const bytes = readFileSync(join(fixtures, 'char-lm-relu.f32'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays = new Map();
  let offset = 0;
  for (const a of meta.arrays) { const size = a.shape.reduce((p, q) => p * q, 1); arrays.set(a.name, all.subarray(offset, offset + size)); offset += size; }
  for (let block = 0; block < meta.zeroFraction.length; block++) {
    const [bx, bw1, bb1, bw2, bb2] = ['x', 'w1', 'b1', 'w2', 'b2'].map((n) => arrays.get(`block${block}.${n}`));
    out.push({ name: `trained block ${block}`, trained: true, x: bx, w1: bw1, b1: bb1, w2: bw2, b2: bb2, T: bx.length / bb2.length, d: bb2.length, f: bb1.length });
  }
  return out;
}
