// Times the transcendental kernels at n = 2^20 float32 elements through wasmKernels().unary /
// .gradient (staging copies included), median of REPS runs after warm-up.
//   cd packages/kernels-wasm && npx --yes pnpm@12.4.2 run build && node bench/transcendental.mjs [reps]
import { wasmKernels } from '../dist/index.js';

const REPS = Number(process.argv[2] ?? 21);
const WARM = Number(process.argv[3] ?? 10);
const N = 2 ** 20;
const k = wasmKernels();
if (k === undefined) throw new Error('WebAssembly SIMD unavailable');

// Inputs: standard normal times 3 (the activations' interesting range, both branches of every select).
let seed = 12345;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed + 0.5) / 4294967296; };
const x = new Float32Array(N);
for (let i = 0; i < N; i++) x[i] = 3 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
const dy = new Float32Array(N).fill(1);
const y = new Float32Array(N);

function median(fn) {
  for (let i = 0; i < WARM; i++) fn();
  const t = [];
  for (let r = 0; r < REPS; r++) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  t.sort((a, b) => a - b);
  return [t[t.length >> 1], t[0]];
}

const cases = [
  ['gelu_erf_f32', 0, 0],
  ['gelu_tanh_f32', 0, 0],
  ['silu_f32', 1, 0],
  ['mish_f32', 0, 0],
  ['softplus_f32', 1, 20],
  ['sigmoid_f32', 0, 0],
];
const rows = [];
for (const [name, p0, p1] of cases) rows.push([name, median(() => k.unary(name, x, y, 0, N, p0, p1))]);
rows.push(['gelu_erf_grad_f32', median(() => k.gradient('gelu_erf_grad_f32', x, dy, y, 0, N))]);
// The staging copies alone (a kernel that does nothing measurable: relu).
rows.push(['(relu_f32, copy floor)', median(() => k.unary('relu_f32', x, y, 0, N))]);
console.log(`n = 2^20 float32, ${REPS} reps after ${WARM} warm-up: median (min) ms; load average ${(await import('node:os')).loadavg()[0].toFixed(2)}`);
for (const [name, [med, min]] of rows) console.log(`${name.padEnd(24)} ${med.toFixed(3)} (${min.toFixed(3)})`);
