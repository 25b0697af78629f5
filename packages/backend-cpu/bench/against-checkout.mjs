// The CPU backend's FFN forward (dense, `sparse: true`, `sparse: 'certified'`) of this checkout
// against another checkout's build, in one process, interleaved (each round times both, every other
// round in the other order; medians of 15 rounds after 24 warm-up calls), and whether y has the same
// bits in both. Shapes: the trained char-LM's blocks (apps/bench/fixtures/char-lm-relu.*: 1024
// tokens × d 30 × f 96 at their own sparsity) and d 512 × f 2048 × 512 tokens at 90 % and 99 % zeros
// (Gaussian x and W1 and a shared bias, as apps/bench's FFN rows).
// Build both first (`pnpm run build` here; in the other one, e.g. a `git worktree add /tmp/old <commit>`:
// `pnpm install --frozen-lockfile --offline && pnpm --filter @rectifier/backend-cpu... build`), then,
// from this repository's root, under each Node whose build you want:
//   node packages/backend-cpu/bench/against-checkout.mjs /tmp/old
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const otherRoot = process.argv[2];
if (otherRoot === undefined) {
  console.error('usage: node packages/backend-cpu/bench/against-checkout.mjs <another checkout, built>');
  process.exit(2);
}
const load = async (root) => ({
  core: await import(pathToFileURL(join(root, 'packages/core/dist/index.js')).href),
  cpu: (await import(pathToFileURL(join(root, 'packages/backend-cpu/dist/index.js')).href)).createCpuBackend().sync,
});
const other = await load(resolve(otherRoot));
const ours = await load(join(here, '..', '..', '..'));
const { scalar, tensor } = ours.core;

/** The shapes: name, x, w1, b1, w2, b2, d, f, and calls per timing. */
function shapes() {
  const out = [];
  const dir = join(here, '..', '..', '..', 'apps', 'bench', 'fixtures');
  const meta = JSON.parse(readFileSync(join(dir, 'char-lm-relu.json'), 'utf8'));
  const bytes = readFileSync(join(dir, 'char-lm-relu.f32'));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const arrays = new Map();
  let offset = 0;
  for (const a of meta.arrays) { const size = a.shape.reduce((p, q) => p * q, 1); arrays.set(a.name, all.subarray(offset, offset + size)); offset += size; }
  for (let block = 0; block < meta.zeroFraction.length; block++) {
    const [x, w1, b1, w2, b2] = ['x', 'w1', 'b1', 'w2', 'b2'].map((n) => arrays.get(`block${block}.${n}`));
    out.push({ name: `trained block ${block}`, x, w1, b1, w2, b2, d: b2.length, f: b1.length, calls: 40 });
  }
  const d = 512, f = 2048, T = 512;
  const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
  const x = normals(T * d, 1, 1), w1 = normals(d * f, 2, 1 / Math.sqrt(d)), w2 = normals(f * d, 3, 1 / Math.sqrt(f)), b2 = normals(d, 4, 0.1);
  const sorted = Float32Array.from(ours.cpu.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data).sort();
  for (const sparsity of [0.9, 0.99]) {
    out.push({ name: `random ${sparsity * 100} %`, x, w1, b1: new Float32Array(f).fill(-sorted[Math.floor(sparsity * sorted.length)]), w2, b2, d, f, calls: 2 });
  }
  return out;
}

const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(`FFN forward, this checkout against ${otherRoot}, Node ${process.versions.node}, medians of 15 interleaved rounds`);
for (const s of shapes()) {
  const T = s.x.length / s.d;
  const operands = (lib) => ({
    x: lib.core.tensor(s.x, [T, s.d]),
    w: { w1: lib.core.tensor(s.w1, [s.d, s.f]), b1: lib.core.tensor(s.b1, [s.f]), w2: lib.core.tensor(s.w2, [s.f, s.d]), b2: lib.core.tensor(s.b2, [s.d]) },
  });
  const sides = [['other', other, operands(other)], ['ours', ours, operands(ours)]];
  for (const sparse of [undefined, true, 'certified']) {
    const options = sparse === undefined ? {} : { sparse };
    const [yOther, yOurs] = sides.map(([, lib, o]) => lib.cpu.ffn(o.x, o.w, options).y.data);
    const sameBits = yOther.length === yOurs.length && yOther.every((v, i) => Object.is(v, yOurs[i]));
    for (let i = 0; i < 24; i++) for (const [, lib, o] of sides) lib.cpu.ffn(o.x, o.w, options);
    const times = { other: [], ours: [] };
    for (let round = 0; round < 15; round++) {
      for (const [name, lib, o] of round % 2 === 0 ? sides : [...sides].reverse()) {
        const t0 = performance.now();
        for (let i = 0; i < s.calls; i++) lib.cpu.ffn(o.x, o.w, options);
        times[name].push((performance.now() - t0) / s.calls);
      }
    }
    const [a, b] = [median(times.other), median(times.ours)];
    console.log(`${s.name.padEnd(16)} ${String(sparse ?? 'dense').padEnd(9)} same bits: ${sameBits}  other ${a.toFixed(3)} ms  ours ${b.toFixed(3)} ms  ${(a / b).toFixed(2)}× faster`);
  }
}
