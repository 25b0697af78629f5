// Where the dense GEMM's time goes between the kernel and the backend: the same products through
// gemm_f32 alone (operands already in the module's memory), WasmKernels.gemm (copies in and out),
// the cpu backend's matmul and its dense FFN, interleaved in one process so load changes hit all
// rows alike. Run after `pnpm build`, from packages/backend-cpu:
//   node bench/gemm-layers.mjs [--reps 9] [--small]
// GFLOP/s = 2·m·k·n / median time (the FFN: two products). --small adds the trained char-LM's FFN
// shape (1024 tokens × d 30 × f 96). Uses the module build wasmKernels() loads on this Node.
import os from 'node:os';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { tensor } from '@rectifier/core';
import { wasmKernels, wasmVariant } from '@rectifier/kernels-wasm';

const argv = process.argv.slice(2);
const reps = Number(argv[argv.indexOf('--reps') + 1]) || 9;
const kernels = wasmKernels();
if (!kernels) throw new Error('no WebAssembly SIMD');
const cpu = createCpuBackend().sync;
const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const random = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const gf = (flops, ms) => (flops / ms / 1e6).toFixed(1);

function shape(T, d, f) {
  const x = random(T * d), w1 = random(d * f), w2 = random(f * d);
  const b1 = new Float32Array(f).fill(0.01), b2 = random(d);
  const xt = tensor(x, [T, d]);
  const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
  const c = new Float32Array(T * f);
  const gemm = kernels.exportedFunction('gemm_f32');
  // The kernel alone: run once through the wrapper so A, B (and the scratch) sit where it puts them,
  // then call the export on what is already there (the wrapper's layout: A at its residue, etc.).
  kernels.gemm(x, w1, c, T, d, f, false);
  const layout = kernels['gemmLayout'](T, d, f);
  const rows = [
    ['gemm_f32 alone', 2 * T * d * f, () => gemm(layout.A, layout.B, layout.C, T, d, f, 0)],
    ['WasmKernels.gemm', 2 * T * d * f, () => kernels.gemm(x, w1, c, T, d, f, false)],
    ['  into a fresh array', 2 * T * d * f, () => kernels.gemm(x, w1, new Float32Array(T * f), T, d, f, false)],
    ['  onto fresh zeros', 2 * T * d * f, () => kernels.gemm(x, w1, new Float32Array(T * f), T, d, f, true)],
    ['cpu matmul(x, W1)', 2 * T * d * f, () => cpu.matmul(xt, W.w1)],
    ['cpu ffn dense', 4 * T * d * f, () => cpu.ffn(xt, W)],
  ];
  const times = rows.map(() => []);
  for (let r = 0; r < reps; r++) rows.forEach(([, , run], i) => { const t = now(); run(); times[i].push(now() - t); });
  console.log(`  T ${T}, d ${d}, f ${f}:`);
  rows.forEach(([name, flops], i) => {
    const m = median(times[i]);
    console.log(`    ${name.padEnd(20)} ${m.toFixed(3).padStart(8)} ms  ${gf(flops, m).padStart(5)} GFLOP/s (best ${gf(flops, Math.min(...times[i]))})`);
  });
}

console.log(`Node ${process.versions.node}, ${wasmVariant()} build, ${reps} interleaved rounds, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
shape(512, 512, 2048);
if (argv.includes('--small')) shape(1024, 30, 96);
console.log(`load average after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
