// Micro-benchmark of the select kernels' staging and the GEMMs. Run after `pnpm run build`:
//   node bench/select-gemm.mjs
// Prints medians; GFLOP/s = 2·m·k·n / time. "kernel" rows call the exports on operands already in
// the module's memory (with the B-panel scratch after C); "wrapper" rows go through
// WasmKernels.gemm (copies in and out, with the scratch it reserves past C). The same products
// through the cpu backend's matmul and FFN: packages/backend-cpu/bench/gemm-layers.mjs.
import os from 'node:os';
import { UNARY_STAGE, wasmKernels, wasmKernelsOf, wasmVariant } from '../dist/index.js';
import { WASM_BASE64, WASM_RELAXED_BASE64 } from '../dist/generated/module.js';

const kernels = wasmKernels();
if (!kernels) throw new Error('no WebAssembly SIMD');
const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const t0All = now();

function random(n, zeros = 0) {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.random() < zeros ? 0 : Math.random() - 0.5;
  return a;
}

function fresh(bytes, variant = 'simd') {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const module = new WebAssembly.Module(Buffer.from(variant === 'simd' ? WASM_BASE64 : WASM_RELAXED_BASE64, 'base64'));
  const inst = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } });
  return { ex: inst.exports, memory };
}

// ---- element-wise staging: relu, relu6, leaky_relu through unary vs a plain copy of the same bytes ----
// A copy of WasmKernels.unary with the chunk size and the stage's byte offset as parameters, on a
// separate instance: the stage at byte 0 (a multiple of 4096, as before) shows the 4K aliasing.
const own = fresh(3 * 65536 * 4 + 65536);
function unaryChunk(chunk, x, y, at = UNARY_STAGE, kernel = 'relu_f32') {
  const mem = new Float32Array(own.memory.buffer);
  const base = at / 4;
  const stage = mem.subarray(base, base + chunk);
  const fn = own.ex[kernel];
  const end = x.length;
  for (let s = 0; s < end; s += chunk) {
    const len = Math.min(chunk, end - s);
    stage.set(x.subarray(s, s + len));
    fn(at, at, len, 0.01, 0);
    y.set(len === chunk ? stage : mem.subarray(base, base + len), s);
  }
}

console.log(`element-wise through unary (x → y), ratio of median times to y.set(x) of the same bytes (load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
for (const n of [2 ** 20, 2 ** 24]) {
  const x = random(n);
  const y = new Float32Array(n);
  const reps = n > 2 ** 22 ? 21 : 81;
  const variants = ['relu_f32', 'relu6_f32', 'leaky_relu_f32'].map((k) => [`${k} (wrapper)`, () => kernels.unary(k, x, y, 0, n, 0.01)]);
  variants.push(['relu_f32 stage at byte 0', () => unaryChunk(8192, x, y, 0)]);
  for (const c of [4096, 16384, 32768]) for (const k of ['relu_f32', 'relu6_f32']) variants.push([`${k} chunk ${c}`, () => unaryChunk(c, x, y, UNARY_STAGE, k)]);
  const times = variants.map(() => []);
  const copy = [];
  for (let r = 0; r < reps; r++) {
    let t = now(); y.set(x); copy.push(now() - t);
    variants.forEach(([, f], i) => { t = now(); f(); times[i].push(now() - t); });
  }
  const c = median(copy);
  console.log(`  n = 2^${Math.log2(n)}: copy ${c.toFixed(3)} ms (${(8 * n / c / 1e6).toFixed(1)} GB/s moved)`);
  variants.forEach(([name], i) => console.log(`    ${name.padEnd(26)} ${median(times[i]).toFixed(3)} ms  ratio ${(median(times[i]) / c).toFixed(2)}`));
}

// In-place kernel alone over an L1-resident chunk vs memory.copy-like JS copy of the same bytes.
{
  const mem = new Float32Array(own.memory.buffer);
  mem.set(random(8192));
  const reps = 2000;
  const a = [], b = [];
  for (let r = 0; r < 15; r++) {
    let t = now(); for (let i = 0; i < reps; i++) own.ex.relu_f32(0, 0, 8192, 0, 0); a.push(now() - t);
    t = now(); for (let i = 0; i < reps; i++) mem.copyWithin(8192, 0, 8192); b.push(now() - t);
  }
  console.log(`  kernel alone, 8192 floats in place: ${(median(a) / reps * 1e3).toFixed(2)} µs vs copyWithin ${(median(b) / reps * 1e3).toFixed(2)} µs`);
  for (const k of ['relu6_f32', 'leaky_relu_f32']) {
    const ts = [];
    for (let r = 0; r < 15; r++) { const t = now(); for (let i = 0; i < reps; i++) own.ex[k](0, 0, 8192, 0.01, 0); ts.push(now() - t); }
    console.log(`  ${k} alone, 8192 floats in place: ${(median(ts) / reps * 1e3).toFixed(2)} µs`);
  }
  const ts = [];
  for (let r = 0; r < 15; r++) { const t = now(); for (let i = 0; i < reps; i++) own.ex.relu_grad_f32(0, 32768, 32768, 8192, 0, 0); ts.push(now() - t); }
  console.log(`  relu_grad_f32 alone, 8192 floats: ${(median(ts) / reps * 1e3).toFixed(2)} µs`);
}

// ---- dense GEMM, each build this runtime can run (relaxed SIMD: Node 22+) ----
const SHAPES = [[64, 512, 2048], [512, 512, 2048], [64, 2048, 512], [512, 2048, 512]];
const variants = ['simd', 'relaxed-simd'].filter((v) => wasmKernelsOf(v) !== undefined);
const builds = variants.map((v) => ({ variant: v, big: fresh(4 * (512 * 2048 * 2 + 512 * 2048) + 4 * 65536, v), wrapper: wasmKernelsOf(v) }));
const big = builds[0].big;
function kernelRun(inst, name, m, k, n, a, b, accumulate = 0) {
  const f = new Float32Array(inst.memory.buffer);
  const A = 0, B = (4 * m * k + 15) & ~15, C = (B + 4 * k * n + 15) & ~15;
  f.set(a, A / 4); f.set(b, B / 4);
  return () => inst.ex[name](A, B, C, m, k, n, accumulate);
}
const gf = (m, k, n, ms) => (2 * m * k * n / ms / 1e6).toFixed(1);
console.log(`gemm_f32 GFLOP/s on one thread (median; Node ${process.versions.node}, wasmKernels() loads ${wasmVariant()}, runs interleaved; load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
for (const [m, k, n] of SHAPES) {
  const a = random(m * k), b = random(k * n), c = new Float32Array(m * n);
  const reps = m === 64 ? 21 : 9;
  const runs = builds.map(({ big: inst }) => kernelRun(inst, 'gemm_f32', m, k, n, a, b));
  const tk = builds.map(() => []), tw = builds.map(() => []);
  for (let r = 0; r < reps; r++) {
    builds.forEach(({ wrapper }, i) => {
      let t = now(); runs[i](); tk[i].push(now() - t);
      t = now(); wrapper.gemm(a, b, c, m, k, n, false); tw[i].push(now() - t);
    });
  }
  builds.forEach(({ variant }, i) => console.log(`  ${variant.padEnd(12)} ${m}×${k}×${n}: kernel ${gf(m, k, n, median(tk[i]))} (best ${gf(m, k, n, Math.min(...tk[i]))}), wrapper incl. copies ${gf(m, k, n, median(tw[i]))}`));
}

// ---- sparse-A GEMM vs dense (interleaved in one loop, so load changes hit both alike) ----
console.log('gemm_sparse_a_f32 vs gemm_f32 (kernel only, same B; median of interleaved runs):');
for (const [m, k, n] of [[512, 2048, 512], [64, 2048, 512], [64, 512, 2048]]) {
  const b = random(k * n);
  const aDense = random(m * k);
  const aSparse = [0.5, 0.9, 0.99].map((z) => random(m * k, z));
  const f = new Float32Array(big.memory.buffer);
  const A = 0, B = (4 * m * k + 15) & ~15, C = (B + 4 * k * n + 15) & ~15;
  f.set(b, B / 4);
  const td = [], ts = aSparse.map(() => []);
  for (let r = 0; r < 9; r++) {
    f.set(aDense, 0);
    let t = now(); big.ex.gemm_f32(A, B, C, m, k, n, 0); td.push(now() - t);
    aSparse.forEach((a, i) => { f.set(a, 0); t = now(); big.ex.gemm_sparse_a_f32(A, B, C, m, k, n, 0); ts[i].push(now() - t); });
  }
  const d = median(td);
  const parts = [`dense ${d.toFixed(2)} ms`];
  [0.5, 0.9, 0.99].forEach((z, i) => parts.push(`${z * 100}% zeros ${median(ts[i]).toFixed(2)} ms (${(d / median(ts[i])).toFixed(1)}×)`));
  console.log(`  ${m}×${k}×${n}: ${parts.join(', ')}`);
}
console.log(`total ${((now() - t0All) / 1000).toFixed(1)} s`);
