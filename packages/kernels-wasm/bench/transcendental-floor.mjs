// The floor under the exact transcendental kernels, and the kernels against it, at n = 2^20
// float32 elements: every contender as a multiple of y.set(x) (a plain copy of the same bytes),
// interleaved in one process (each round runs every contender once, in turn, a batch of calls
// each), median of the rounds. Two clocks: the process's CPU time (process.cpuUsage, all its
// threads: ONNX Runtime's run happens on a pool thread) and wall time. On a shared machine the
// CPU time is the steadier one — it leaves out the time other processes hold the cores — so the
// ratios are taken from it; the wall-time ratios are printed beside them. ONNX Runtime's pool
// threads may spin while they wait, so its CPU time can exceed its wall time: on a quiet machine
// (the two clocks agree for the Rectifier rows) read its wall time.
//
//   cd packages/kernels-wasm && npx --yes pnpm@12.4.2 run build
//   node bench/transcendental-floor.mjs [--rounds=15] [--baseline=DIR] [--no-ort]
//
// Contenders:
//  - the shipped kernels through WasmKernels.unary (staging included), compiled from assembly/ at
//    bench time together with the bench-only micro-kernels of bench/floor.ts (never part of the
//    package's module): the staging alone, the cheapest float64-lane exp meeting the bound, that
//    exp plus one f64x2 division, the exp in float32 lanes (see floor.ts for each);
//  - with --baseline=DIR (a directory holding another assembly/ tree, e.g. from `git archive main
//    packages/kernels-wasm/assembly | tar -x -C DIR --strip-components=2`), the same kernels
//    compiled from it: before/after in one run;
//  - ONNX Runtime on one thread (intraOpNumThreads 1), the op as @rectifier/onnx exports it, where
//    apps/bench can import onnxruntime-node and @rectifier/onnx is built (as the root bench does).
import asc from 'assemblyscript/asc';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { WasmKernels } from '../dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const pkg = join(here, '..');
const arg = (name, fallback) => {
  const a = process.argv.find((s) => s.startsWith(`--${name}=`));
  return a === undefined ? fallback : a.slice(name.length + 3);
};
const ROUNDS = Number(arg('rounds', 15));
const SAMPLE_MS = Number(arg('sample-ms', 25));
const BASELINE = arg('baseline', undefined);
const WITH_ORT = !process.argv.includes('--no-ort');
const N = 2 ** 20;

/** `assemblyDir`/index.ts plus bench/floor.ts (beside it, as in this package), compiled as build-wasm.mjs compiles the plain build. */
async function compile(assemblyDir) {
  const dir = mkdtempSync(join(os.tmpdir(), 'kernels-floor-'));
  try {
    cpSync(assemblyDir, join(dir, 'assembly'), { recursive: true });
    cpSync(join(here, 'floor.ts'), join(dir, 'bench/floor.ts'));
    writeFileSync(join(dir, 'entry.ts'), "export * from './assembly/index';\nexport * from './bench/floor';\n");
    const out = {};
    const { error } = await asc.main(
      [join(dir, 'entry.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--enable', 'simd', '--outFile', 'k.wasm'],
      { writeFile: (name, contents) => { out[name] = contents; }, stdout: process.stdout, stderr: process.stderr },
    );
    if (error) throw error;
    return new WasmKernels(new WebAssembly.Module(out['k.wasm']));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

let seed = 12345;
const rand = () => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return (seed + 0.5) / 4294967296; };
// Standard normal times 3, as bench/transcendental.mjs: both branches of every select.
const x = new Float32Array(N);
for (let i = 0; i < N; i++) x[i] = 3 * Math.sqrt(-2 * Math.log(rand())) * Math.cos(2 * Math.PI * rand());
const y = new Float32Array(N);

const OPS = [
  // kernel, p0, p1, catalogue op, params, ONNX opset (as apps/bench/src/bench.ts)
  ['gelu_erf_f32', 0, 0, 'gelu', undefined, 22],
  ['gelu_tanh_f32', 0, 0, 'gelu', { approximate: 'tanh' }, 22],
  ['silu_f32', 1, 0, 'silu', undefined, 24],
  ['sigmoid_f32', 0, 0, 'sigmoid', undefined, 22],
  ['softplus_f32', 1, Infinity, 'softplus', { beta: 1, threshold: Infinity }, 22],
  ['mish_f32', 0, 0, 'mish', undefined, 22],
  ['relu_f32', 0, 0, 'relu', undefined, 22],
];
const FLOOR = ['floor_stage_f32', 'floor_exp_f32', 'floor_exp7_f32', 'floor_exp_div_f32', 'floor_exp_rcp_f32', 'floor_exp_f32x4'];

const current = await compile(join(pkg, 'assembly'));
const baseline = BASELINE === undefined ? undefined : await compile(join(BASELINE, 'assembly'));

const contenders = [{ name: 'copy: y.set(x)', run: () => y.set(x) }];
for (const f of FLOOR) contenders.push({ name: f, run: () => current.unary(f, x, y, 0, N) });
for (const [kernel, p0, p1] of OPS) {
  contenders.push({ name: kernel, run: () => current.unary(kernel, x, y, 0, N, p0, p1) });
  if (baseline !== undefined) contenders.push({ name: `${kernel} (baseline)`, run: () => baseline.unary(kernel, x, y, 0, N, p0, p1) });
}

let ortNote = 'ONNX Runtime: not timed (--no-ort)';
if (WITH_ORT) {
  try {
    const benchApp = join(pkg, '../../apps/bench/package.json');
    const req = createRequire(benchApp);
    const ort = req('onnxruntime-node');
    const { exportOp } = await import(pathToFileURL(req.resolve('@rectifier/onnx')).href);
    for (const [kernel, , , op, params, opset] of OPS) {
      const s = await ort.InferenceSession.create(exportOp(op, params, { shape: [N], opset }), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
      contenders.push({ name: `ORT 1 thread: ${kernel.replace('_f32', '')}`, run: () => s.run({ x: new ort.Tensor('float32', x, [N]) }) });
    }
    ortNote = `ONNX Runtime ${JSON.parse(readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8')).version}, 1 thread`;
  } catch (e) {
    ortNote = `ONNX Runtime: not timed (${e.message.split('\n')[0]})`;
  }
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
/** [CPU ms, wall ms] for n calls. */
async function callN(c, n) {
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = c.run();
    if (r instanceof Promise) await r;
  }
  return [cpuMs() - c0, performance.now() - t0];
}
const batch = new Map();
for (const c of contenders) {
  let n = 1;
  let spent = (await callN(c, 1))[1];
  while (spent < 40) { spent += (await callN(c, n))[1]; n *= 2; }
  batch.set(c, Math.max(1, Math.round(SAMPLE_MS / (spent / (2 * n - 1)))));
}
const samples = new Map(contenders.map((c) => [c, { cpu: [], wall: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const c of contenders) {
    const n = batch.get(c);
    const [cpu, wall] = await callN(c, n);
    samples.get(c).cpu.push(cpu / n);
    samples.get(c).wall.push(wall / n);
  }
}
const median = (s) => [...s].sort((a, b) => a - b)[s.length >> 1];
const copyCpu = median(samples.get(contenders[0]).cpu);
const copyWall = median(samples.get(contenders[0]).wall);

console.log(`n = 2^20 float32, ${ROUNDS} interleaved rounds, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${ortNote}`);
console.log(`${'contender'.padEnd(36)} ${'CPU ms'.padStart(8)} ${'× copy'.padStart(7)} ${'wall ms'.padStart(8)} ${'× copy'.padStart(7)}`);
for (const c of contenders) {
  const cpu = median(samples.get(c).cpu);
  const wall = median(samples.get(c).wall);
  console.log(`${c.name.padEnd(36)} ${cpu.toFixed(3).padStart(8)} ${(cpu / copyCpu).toFixed(1).padStart(7)} ${wall.toFixed(3).padStart(8)} ${(wall / copyWall).toFixed(1).padStart(7)}`);
}
