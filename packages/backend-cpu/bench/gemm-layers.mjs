// Where the dense GEMM's time goes between the kernel and the backend: the same products through
// gemm_f32 alone (operands already in the module's memory, where the wrapper puts them),
// WasmKernels.gemm (copies in and out; also into a fresh array, and accumulating onto a fresh
// zeroed one as matmul did), the cpu backend's matmul and its dense FFN, interleaved in one process
// so that load changes hit every row alike. Run after `pnpm build`, from packages/backend-cpu:
//   node bench/gemm-layers.mjs [--reps 9] [--small] [--against /path/to/other/checkout]
// GFLOP/s = 2·m·k·n / median time (the FFN: two products). --small adds the trained char-LM's FFN
// shape (1024 tokens × d 30 × f 96). --against also runs the kernel, wrapper, matmul and FFN rows
// of another built checkout (its packages/*/dist), interleaved with these: a before/after in one
// run. Each checkout uses the module build its wasmKernels() loads on this Node.
import os from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
const reps = Number(option('--reps')) || 9;
const checkouts = [['', '@rectifier/backend-cpu', '@rectifier/core', '@rectifier/kernels-wasm']];
const against = option('--against');
if (against !== undefined) {
  const dist = (pkg, file) => pathToFileURL(join(against, 'packages', pkg, 'dist', file)).href;
  checkouts.push(['other: ', dist('backend-cpu', 'index.js'), dist('core', 'index.js'), dist('kernels-wasm', 'index.js')]);
}
const loaded = [];
for (const [label, cpuAt, coreAt, wasmAt] of checkouts) {
  const [{ createCpuBackend }, { tensor }, { wasmKernels, wasmVariant }] = await Promise.all([import(cpuAt), import(coreAt), import(wasmAt)]);
  const kernels = wasmKernels();
  if (!kernels) throw new Error('no WebAssembly SIMD');
  loaded.push({ label, cpu: createCpuBackend().sync, tensor, kernels, variant: wasmVariant() });
}
const now = () => performance.now();
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const random = (n) => Float32Array.from({ length: n }, () => Math.random() - 0.5);
const gf = (flops, ms) => (flops / ms / 1e6).toFixed(1);

function shape(T, d, f) {
  const x = random(T * d), w1 = random(d * f), w2 = random(f * d);
  const b1 = new Float32Array(f).fill(0.01), b2 = random(d);
  const c = new Float32Array(T * f);
  const rows = [];
  for (const { label, cpu, tensor, kernels } of loaded) {
    const xt = tensor(x, [T, d]);
    const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
    const gemm = kernels.exportedFunction('gemm_f32');
    // The kernel alone: run once through the wrapper so that A and B sit where it puts them (with
    // its scratch past C), then call the export on what is already there.
    kernels.gemm(x, w1, c, T, d, f, false);
    const at = kernels['gemmLayout'](T, d, f);
    rows.push([`${label}gemm_f32 alone`, 2 * T * d * f, () => gemm(at.A, at.B, at.C, T, d, f, 0)]);
    rows.push([`${label}WasmKernels.gemm`, 2 * T * d * f, () => kernels.gemm(x, w1, c, T, d, f, false)]);
    if (label === '') {
      rows.push(['  into a fresh array', 2 * T * d * f, () => kernels.gemm(x, w1, new Float32Array(T * f), T, d, f, false)]);
      rows.push(['  onto fresh zeros', 2 * T * d * f, () => kernels.gemm(x, w1, new Float32Array(T * f), T, d, f, true)]);
    }
    rows.push([`${label}cpu matmul(x, W1)`, 2 * T * d * f, () => cpu.matmul(xt, W.w1)]);
    rows.push([`${label}cpu ffn dense`, 4 * T * d * f, () => cpu.ffn(xt, W)]);
  }
  const inner = Math.max(1, Math.round(3e7 / (T * d * f))); // small shapes: several calls per sample
  const times = rows.map(() => []);
  for (let r = 0; r < reps; r++) {
    rows.forEach(([, , run], i) => { const t = now(); for (let q = 0; q < inner; q++) run(); times[i].push((now() - t) / inner); });
  }
  console.log(`  T ${T}, d ${d}, f ${f}:`);
  rows.forEach(([name, flops], i) => {
    const m = median(times[i]);
    console.log(`    ${name.padEnd(27)} ${m.toFixed(3).padStart(8)} ms  ${gf(flops, m).padStart(5)} GFLOP/s (best ${gf(flops, Math.min(...times[i]))})`);
  });
}

console.log(`Node ${process.versions.node}, ${loaded.map((l) => `${l.label}${l.variant}`).join(' / ')} build, ${reps} interleaved rounds, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
shape(512, 512, 2048);
if (argv.includes('--small')) shape(1024, 30, 96);
console.log(`load average after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
