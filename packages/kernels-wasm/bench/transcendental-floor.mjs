// The floor under the exact transcendental kernels, and the kernels against it, at n = 2^20
// float32 elements: every contender as a multiple of y.set(x) (a plain copy of the same bytes),
// interleaved in one process (each round runs every contender once, in turn, a batch of calls
// each), median of the rounds. Two clocks: the process's CPU time (process.cpuUsage, all its
// threads: ONNX Runtime's run happens on a pool thread) and wall time. On a shared machine the
// CPU time is the steadier one — it leaves out the time other processes hold the cores — so the
// ratios are taken from it; the wall-time ratios are printed beside them. ONNX Runtime's pool
// threads may spin while they wait, so its CPU time can exceed its wall time: on a quiet machine
// (the two clocks agree for the Rectifier rows) read its wall time. The faults column is the median
// of minor page faults per call: ONNX Runtime allocates its 4 MiB output at every run, and where
// glibc's malloc serves that by a fresh mmap (blocks above its threshold: 128 KiB at first, raised
// dynamically when such a block is freed) each run faults the pages in, ≈ 1000 faults and ≈ 2 ms
// of system time per call on this VM — more than the op itself. Whether it does varies from process to process; MALLOC_MMAP_THRESHOLD_=268435456 in
// the environment keeps the buffer on the heap (no faults), which times ONNX Runtime's kernel.
//
//   cd packages/kernels-wasm && npx --yes pnpm@12.4.2 run build
//   node bench/transcendental-floor.mjs [--rounds=15] [--baseline=DIR] [--no-ort] [--l1-only] [--ghz=3.2]
//                                       [--only=sigmoid-ceiling | --only=relu6-ceiling]
//
// A second table times each kernel ALONE (no staging, no JS) on an L1-resident chunk: L1_N
// floats in and L1_N out at fixed offsets of the module's memory (16 KiB together, inside a 32 KiB
// L1d), called directly through exportedFunction, interleaved by rounds as above, in ns and in
// cycles per element at the assumed clock (--ghz; the VM does not show the real one). With the
// f32x4 kernels' op count per vector (wasm SIMD instructions in the loop body, printed beside) it
// tells a latency-bound loop (cycles per vector well above ops/issue width) from a throughput-bound one.
// --l1-only skips the 2^20 table (and ONNX Runtime).
//
// --only=sigmoid-ceiling times just the rows of issue 14's target 4 (sigmoid with precision 'fast'
// at half ONNX Runtime's time): the copy, the staging alone, floor.ts's float32-lane toy kernels
// (copy, softsign, Schraudolph's σ with and without a degree-2 correction: all far looser than the
// 8 ulp sigmoid_fast_f32 declares), the shipped sigmoid kernels and ONNX Runtime's sigmoid, with a
// column of each as a multiple of ONNX Runtime's time. If no toy reaches 0.5× there, no kernel
// meeting the bound can. The toys' maximum errors against σ in float64 on a grid are printed first.
//
// --only=relu6-ceiling times the rows of issue 14's target 1 for relu6 (≤ 2.5× the copy at 2^20,
// into a caller's output): the copy, the staging alone, relu and relu6 staged, and floor.ts's select
// toys (a plain v128 copy, one pmin, relu6 in two float instructions but for −0, the former relu6
// in three); the L1 table then gives each kernel's own cost per vector without the staging.
//
// --same-bits[=STRIDE] (with --baseline) times nothing: it runs every kernel of both builds over
// every STRIDE-th float32 bit pattern (default 1: all 2^32) and counts the outputs whose bits differ,
// for changes meant to keep results bit-identical (a loop's shape, an operation's order that is exact).
//
// Contenders:
//  - the shipped kernels through WasmKernels.unary (staging included), compiled from assembly/ at
//    bench time together with the bench-only micro-kernels of bench/floor.ts (never part of the
//    package's module): the staging alone, the cheapest float64-lane exp meeting the bound, that
//    exp plus one f64x2 division, the exp in float32 lanes, the sigmoid-ceiling toys (see floor.ts for each);
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
      [join(dir, 'entry.ts'), '-O3', '--noAssert', '--runtime', 'stub', '--importMemory', '--enable', 'simd', '--outFile', 'k.wasm', '--textFile', 'k.wat'],
      { writeFile: (name, contents) => { out[name] = contents; }, stdout: process.stdout, stderr: process.stderr },
    );
    if (error) throw error;
    const kernels = new WasmKernels(new WebAssembly.Module(out['k.wasm']));
    kernels.wat = out['k.wat'];
    return kernels;
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
// precision 'fast' kernels (assembly/fast.ts), timed beside the exact ones and against the same ORT op.
const FAST = [
  ['gelu_erf_fast_f32', 0, 0],
  ['gelu_tanh_fast_f32', 0, 0],
  ['silu_fast_f32', 0, 0],
  ['sigmoid_fast_f32', 0, 0],
  ['tanh_fast_f32', 0, 0],
];
const L1_ONLY = process.argv.includes('--l1-only');
const GHZ = Number(arg('ghz', 3.2));
const L1_N = 2048;
const SIGMOID_TOYS = ['floor_copy_f32x4', 'floor_softsign_f32x4', 'floor_sigmoid_schraudolph_f32x4', 'floor_sigmoid_schraudolph2_f32x4'];
const RELU6_TOYS = ['floor_copy_f32x4', 'floor_pmin_f32x4', 'floor_relu6_two_f32x4', 'floor_relu6_add_f32x4'];
const ONLY = arg('only', undefined);
if (ONLY !== undefined && ONLY !== 'sigmoid-ceiling' && ONLY !== 'relu6-ceiling') throw new Error(`--only=${ONLY}: the selections are sigmoid-ceiling and relu6-ceiling`);
const SIGMOID_CEILING = ONLY === 'sigmoid-ceiling';
const RELU6_CEILING = ONLY === 'relu6-ceiling';
if (RELU6_CEILING) {
  // relu and relu6 (no ONNX Runtime row: the target is against the copy) and the select toys.
  OPS.splice(0, OPS.length, ['relu_f32', 0, 0], ['relu6_f32', 0, 0]);
  FAST.splice(0, FAST.length);
}
if (SIGMOID_CEILING) {
  // Keep the sigmoid rows only (the ONNX Runtime row follows OPS).
  OPS.splice(0, OPS.length, ...OPS.filter(([kernel]) => kernel === 'sigmoid_f32'));
  FAST.splice(0, FAST.length, ...FAST.filter(([kernel]) => kernel === 'sigmoid_fast_f32'));
}
const FLOOR = SIGMOID_CEILING
  ? ['floor_stage_f32', ...SIGMOID_TOYS]
  : RELU6_CEILING ? ['floor_stage_f32', ...RELU6_TOYS]
  : ['floor_stage_f32', 'floor_exp_f32', 'floor_exp7_f32', 'floor_exp_div_f32', 'floor_exp_rcp_f32', 'floor_exp_f32x4', ...SIGMOID_TOYS];

const current = await compile(join(pkg, 'assembly'));
const baseline = BASELINE === undefined ? undefined : await compile(join(BASELINE, 'assembly'));

const SAME_BITS = process.argv.find((a) => a.startsWith('--same-bits'));
if (SAME_BITS !== undefined) {
  if (baseline === undefined) throw new Error('--same-bits needs --baseline=DIR');
  const stride = Number(SAME_BITS.split('=')[1] ?? 1);
  const CH = 1 << 16;
  const xs = new Uint32Array(CH);
  const xf = new Float32Array(xs.buffer);
  const ya = new Float32Array(CH);
  const yb = new Float32Array(CH);
  const ua = new Uint32Array(ya.buffer);
  const ub = new Uint32Array(yb.buffer);
  // plus the parameter paths the timed rows do not take (silu with β < 0 and β ≠ 1, softplus with β ≠ 1)
  for (const [kernel, p0, p1] of [...OPS, ...FAST, ['silu_f32', -1.5, 0], ['silu_f32', 0.7, 0], ['softplus_f32', 2, 20]]) {
    if (!baseline.has(kernel)) continue;
    let differ = 0;
    let first;
    let checked = 0;
    for (let b = 0; b < 2 ** 32; ) {
      let len = 0;
      for (; len < CH && b < 2 ** 32; len++, b += stride) xs[len] = b;
      current.unary(kernel, xf, ya, 0, len, p0, p1);
      baseline.unary(kernel, xf, yb, 0, len, p0, p1);
      for (let i = 0; i < len; i++) if (ua[i] !== ub[i]) { differ++; first ??= [xf[i], ya[i], yb[i]]; }
      checked += len;
    }
    console.log(`${`${kernel} (${p0}, ${p1})`.padEnd(30)} ${checked} inputs, ${differ} differ${first ? ` (first: x = ${first[0]}: ${first[1]} vs ${first[2]})` : ''}`);
  }
  process.exit(0);
}

if (SIGMOID_CEILING) printToyErrors();

/**
 * The toys' (and sigmoid_fast_f32's, for scale) maximum absolute and relative error on the grid
 * x = −80 + i/1024, i < 160·1024 (a multiple of 4, as the toys need), against the float64 function
 * each computes: σ, or x/(1 + |x|) for softsign. Maxima on a grid, NOT ulp bounds over all inputs.
 */
function printToyErrors() {
  const len = 160 * 1024;
  const gx = new Float32Array(len);
  for (let i = 0; i < len; i++) gx[i] = -80 + i / 1024;
  const gy = new Float32Array(len);
  const sigma = (v) => 1 / (1 + Math.exp(-v));
  console.log('maximum error on the grid x ∈ [−80, 80), step 1/1024 (grid maxima, not ulp bounds; sigmoid_fast_f32 declares ≤ 8 ulp ≈ 4.8e-7 relative)');
  for (const [kernel, exact] of [['floor_softsign_f32x4', (v) => v / (1 + Math.abs(v))], ['floor_sigmoid_schraudolph_f32x4', sigma], ['floor_sigmoid_schraudolph2_f32x4', sigma], ['sigmoid_fast_f32', sigma]]) {
    current.unary(kernel, gx, gy, 0, len);
    let abs = 0;
    let rel = 0;
    for (let i = 0; i < len; i++) {
      const want = exact(gx[i]);
      const err = Math.abs(gy[i] - want);
      abs = Math.max(abs, err);
      if (want !== 0) rel = Math.max(rel, err / Math.abs(want));
    }
    console.log(`  ${kernel.padEnd(34)} vs ${kernel.includes('softsign') ? 'x/(1+|x|)' : 'σ(x)     '} in float64: abs ${abs.toExponential(2)}, relative ${rel.toExponential(2)}`);
  }
  console.log('');
}

const contenders = [{ name: 'copy: y.set(x)', run: () => y.set(x) }];
for (const f of FLOOR) contenders.push({ name: f, run: () => current.unary(f, x, y, 0, N) });
for (const [kernel, p0, p1] of [...OPS, ...FAST]) {
  contenders.push({ name: kernel, run: () => current.unary(kernel, x, y, 0, N, p0, p1) });
  if (baseline !== undefined && baseline.has(kernel)) contenders.push({ name: `${kernel} (baseline)`, run: () => baseline.unary(kernel, x, y, 0, N, p0, p1) });
}

let ortNote = 'ONNX Runtime: not timed (--no-ort)';
if (WITH_ORT && !L1_ONLY) {
  try {
    const benchApp = join(pkg, '../../apps/bench/package.json');
    const req = createRequire(benchApp);
    const ort = req('onnxruntime-node');
    const { exportOp } = await import(pathToFileURL(req.resolve('@rectifier/onnx')).href);
    for (const [kernel, , , op, params, opset] of OPS) {
      if (op === undefined) continue;
      const s = await ort.InferenceSession.create(exportOp(op, params, { shape: [N], opset }), { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
      contenders.push({ name: `ORT 1 thread: ${kernel.replace('_f32', '')}`, run: () => s.run({ x: new ort.Tensor('float32', x, [N]) }) });
    }
    ortNote = `ONNX Runtime ${JSON.parse(readFileSync(req.resolve('onnxruntime-node/package.json'), 'utf8')).version}, 1 thread`;
  } catch (e) {
    ortNote = `ONNX Runtime: not timed (${e.message.split('\n')[0]})`;
  }
}

const cpuMs = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const minorFaults = () => process.resourceUsage().minorPageFault;
/** [CPU ms, wall ms, minor page faults] for n calls. */
async function callN(c, n) {
  const f0 = minorFaults();
  const c0 = cpuMs();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = c.run();
    if (r instanceof Promise) await r;
  }
  return [cpuMs() - c0, performance.now() - t0, minorFaults() - f0];
}
/** Per-call CPU ms, wall ms and minor page faults, one sample per round, over ROUNDS interleaved rounds, each contender a batch of ~SAMPLE_MS. */
async function timeRounds(contenders) {
const batch = new Map();
for (const c of contenders) {
  let n = 1;
  let spent = (await callN(c, 1))[1];
  while (spent < 40) { spent += (await callN(c, n))[1]; n *= 2; }
  batch.set(c, Math.max(1, Math.round(SAMPLE_MS / (spent / (2 * n - 1)))));
}
const samples = new Map(contenders.map((c) => [c, { cpu: [], wall: [], faults: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  for (const c of contenders) {
    const n = batch.get(c);
    const [cpu, wall, faults] = await callN(c, n);
    samples.get(c).cpu.push(cpu / n);
    samples.get(c).wall.push(wall / n);
    samples.get(c).faults.push(faults / n);
  }
}
return samples;
}
const median = (s) => [...s].sort((a, b) => a - b)[s.length >> 1];

if (!L1_ONLY) {
const samples = await timeRounds(contenders);
const copyCpu = median(samples.get(contenders[0]).cpu);
const copyWall = median(samples.get(contenders[0]).wall);
// With --only=sigmoid-ceiling, each row also as a multiple of ONNX Runtime's sigmoid (target 14.4: ≤ 0.5).
const ortSigmoid = SIGMOID_CEILING ? contenders.find((c) => c.name === 'ORT 1 thread: sigmoid') : undefined;
const ortCpu = ortSigmoid && median(samples.get(ortSigmoid).cpu);
const ortWall = ortSigmoid && median(samples.get(ortSigmoid).wall);
const ortHead = ortSigmoid ? ` ${'× ORT'.padStart(7)} ${'× ORT'.padStart(7)}` : '';

console.log(`n = 2^20 float32, ${ROUNDS} interleaved rounds, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${ortNote}`);
console.log(`${'contender'.padEnd(36)} ${'CPU ms'.padStart(8)} ${'× copy'.padStart(7)} ${'wall ms'.padStart(8)} ${'× copy'.padStart(7)}${ortHead} ${'faults'.padStart(7)}${ortSigmoid ? '  (× ORT: CPU, wall)' : ''}`);
for (const c of contenders) {
  const cpu = median(samples.get(c).cpu);
  const wall = median(samples.get(c).wall);
  const vsOrt = ortSigmoid ? ` ${(cpu / ortCpu).toFixed(2).padStart(7)} ${(wall / ortWall).toFixed(2).padStart(7)}` : '';
  console.log(`${c.name.padEnd(36)} ${cpu.toFixed(3).padStart(8)} ${(cpu / copyCpu).toFixed(1).padStart(7)} ${wall.toFixed(3).padStart(8)} ${(wall / copyWall).toFixed(1).padStart(7)}${vsOrt} ${median(samples.get(c).faults).toFixed(0).padStart(7)}`);
}
}

// ---- the kernels alone, L1-resident ----
/** x at L1_X, y at L1_Y (byte offsets in the module's memory, past the wrappers' stages' start: nothing else runs meanwhile). */
const L1_X = 1 << 16;
const L1_Y = L1_X + L1_N * 4 + 64;
const l1 = [];
for (const [label, mod] of [['', current], [' (baseline)', baseline]]) {
  if (mod === undefined) continue;
  new Float32Array(mod.memory.buffer, L1_X, L1_N).set(x.subarray(0, L1_N));
  for (const [kernel, p0, p1] of [...FLOOR.map((f) => [f, 0, 0]), ...OPS, ...FAST]) {
    const fn = mod.exportedFunction(kernel);
    if (fn === undefined) continue;
    const reps = 16;
    l1.push({ name: kernel + label, kernel, run: () => { for (let r = 0; r < reps; r++) fn(L1_X, L1_Y, L1_N, p0, p1); }, per: reps * L1_N });
  }
}
const opsPerVector = wasmOpsPerVector();
const l1Samples = await timeRounds(l1);
console.log(`\nkernels alone on ${L1_N} float32 in L1 (16 KiB in + out), ${ROUNDS} interleaved rounds, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; cycles at an assumed ${GHZ} GHz`);
console.log(`${'kernel'.padEnd(36)} ${'ns/elt'.padStart(7)} ${'cyc/elt'.padStart(8)} ${'cyc/vec4'.padStart(9)} ${'simd ops/vec4'.padStart(14)}`);
for (const c of l1) {
  const ns = (median(l1Samples.get(c).cpu) * 1e6) / c.per; // CPU time: the steadier clock on a shared machine (see above)
  const ops = opsPerVector.get(c.kernel);
  console.log(`${c.name.padEnd(36)} ${ns.toFixed(3).padStart(7)} ${(ns * GHZ).toFixed(2).padStart(8)} ${(ns * GHZ * 4).toFixed(1).padStart(9)} ${(ops === undefined ? '' : String(ops)).padStart(14)}`);
}

/**
 * For the f32x4 kernels of fast.ts: the SIMD instructions in the main loop's body per four elements,
 * counted in the current build's text format (the loop with the most v128 instructions; those
 * unrolled k vectors per iteration divide by k, found from the count of v128.store in it).
 */
function wasmOpsPerVector() {
  const out = new Map();
  const lines = String(current.wat).split('\n');
  for (const [kernel] of [...FLOOR.map((f) => [f]), ...OPS, ...FAST]) {
    const head = lines.findIndex((l) => l.startsWith(' (func $') && l.split(' ')[2].endsWith(`/${kernel}`));
    if (head < 0) continue;
    let end = lines.findIndex((l, i) => i > head && l.startsWith(' (func '));
    if (end < 0) end = lines.length;
    // Binaryen's stack format: a loop runs from "loop $label" to the "end" at its indentation.
    let best = { simd: 0, elements: 0 };
    for (let i = head; i < end; i++) {
      const m = /^(\s*)loop \$/.exec(lines[i]);
      if (m === null) continue;
      let j = i + 1;
      while (j < end && lines[j] !== `${m[1]}end`) j++;
      const body = lines.slice(i, j).map((l) => l.trim());
      const simd = body.filter((l) => /^(f32x4|i32x4|f64x2|i64x2|v128)\.(?!load|store)/.test(l)).length;
      const elements = 4 * body.filter((l) => /^v128\.store( |$)/.test(l)).length + 2 * body.filter((l) => l.startsWith('v128.store64_lane')).length;
      if (simd > best.simd) best = { simd, elements };
    }
    if (best.elements > 0) out.set(kernel, Math.round((best.simd * 4) / best.elements));
  }
  return out;
}
