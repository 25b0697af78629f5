#!/usr/bin/env node
/**
 * `pnpm bench`: Rectifier against what users would pick instead — TensorFlow.js (cpu, wasm),
 * ONNX Runtime (1 and 2 threads), a plain JS loop — and against the machine's limit (a memory copy
 * of the same bytes for element-wise ops; GFLOP/s for matmul and the FFN). One process, warm-up,
 * interleaved rounds, min and median. Every contender's output is checked against core's float64
 * reference while it is timed. Results: apps/bench/results/node<major>.json, .md and .svg, for this
 * Node; scripts/run-bench.mjs runs it under each Node and then summary.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createGpujsBackend } from '@rectifier/backend-gpujs';
import { createWorkersBackend, WorkersBackend } from '@rectifier/backend-workers';
import { OPS, referenceForward, scalar, tensor, type Backend, type FfnWeights, type OpName, type Tensor } from '@rectifier/core';
import { wasmKernels } from '@rectifier/kernels-wasm';
import { describeMachine } from './machine.js';
import { plotSvg } from './plot.js';
import { markdown, reportStem, STAGING_FLOOR, type BenchReport, type BenchResult, type TrainedFfnResult } from './report.js';
import type { TfBackendName } from './peers/tfjs.js';
import { timeInterleaved, type Contender } from './timing.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-gpujs': { type: 'boolean', default: false },
    /** Where the report goes (default apps/bench/results/): the GPU check runs a deployed copy. */
    out: { type: 'string' },
    /** Leave TensorFlow.js / onnxruntime-node out (the GPU check carries neither, to fit what travels to its machine; it times ONNX Runtime there from Python). */
    'no-tfjs': { type: 'boolean', default: false },
    'no-ort': { type: 'boolean', default: false },
  },
});

// Loaded only when they run: a run without a peer needs none of its packages installed.
const tfPeer = args['no-tfjs'] ? undefined : await import('./peers/tfjs.js');
const ortPeer = args['no-ort'] ? undefined : await import('./peers/onnx.js');

const root = join(import.meta.dirname, '..', '..', '..');
const timingOptions = args.quick ? { warmupMs: 50, warmupCalls: 2, rounds: 3, sampleMs: 20 } : { warmupMs: 200, warmupCalls: 24, rounds: 7, sampleMs: 60 };

/** An element-wise benchmark case: our op name, its parameters, and the peers' equivalents. */
interface ElementwiseCase {
  label: string;
  op: OpName;
  params?: object;
  gradient?: boolean;
  /** Also time ONNX Runtime on the op as @rectifier/onnx exports it (at this opset: silu is ONNX Swish at 24). */
  ort?: { opset: number };
  tf?: string;
  plain: (x: Float32Array, y: Float32Array) => void;
}

function plainMap(f: (v: number) => number) {
  return (x: Float32Array, y: Float32Array): void => {
    for (let i = 0; i < x.length; i++) y[i] = f(x[i]);
  };
}

const gelu = OPS.gelu.f!;

/**
 * The ops whose kernels are a select or clamp: beside them the bench times the staging floor —
 * x copied into the module's memory and back out, as every element-wise call on a JS array does,
 * with no kernel in between (issue 14, target 1: what relu into a caller's output cannot go below).
 */
const STAGING_FLOOR_OPS = new Set(['relu', 'relu6', 'leaky_relu']);
const WASM = wasmKernels();
const CASES: ElementwiseCase[] = [
  { label: 'relu', op: 'relu', ort: { opset: 22 }, tf: 'relu', plain: (x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > 0 ? v : 0; } } },
  { label: 'leaky_relu', op: 'leaky_relu', ort: { opset: 22 }, tf: 'leaky_relu', plain: (x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > 0 ? v : 0.01 * v; } } },
  { label: 'relu6', op: 'relu6', ort: { opset: 22 }, tf: 'relu6', plain: (x, y) => { for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0 ? 0 : v > 6 ? 6 : v; } } },
  { label: 'gelu (erf)', op: 'gelu', ort: { opset: 22 }, tf: 'gelu', plain: plainMap((v) => gelu(v, { approximate: 'none' })) },
  { label: 'gelu (tanh)', op: 'gelu', params: { approximate: 'tanh' }, ort: { opset: 22 }, tf: 'gelu_tanh', plain: plainMap((v) => gelu(v, { approximate: 'tanh' })) },
  { label: 'silu', op: 'silu', ort: { opset: 24 }, tf: 'silu', plain: plainMap((v) => v / (1 + Math.exp(-v))) },
  { label: 'mish', op: 'mish', ort: { opset: 22 }, tf: 'mish', plain: plainMap((v) => v * Math.tanh(Math.log1p(Math.exp(v)))) },
  { label: 'softplus', op: 'softplus', ort: { opset: 22 }, tf: 'softplus', plain: plainMap((v) => Math.log1p(Math.exp(v))) },
  { label: 'sigmoid', op: 'sigmoid', ort: { opset: 22 }, tf: 'sigmoid', plain: plainMap((v) => 1 / (1 + Math.exp(-v))) },
  // TensorFlow.js's gradients are not registered in its Node bundle of tfjs-core: no tfjs column for these.
  { label: 'relu′', op: 'relu', gradient: true, plain: (x, y) => { for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? 1 : 0; } },
  { label: 'gelu′ (erf)', op: 'gelu', gradient: true, plain: plainMap((v) => OPS.gelu.df!(v, { approximate: 'none' })) },
];

type Result = BenchResult;

/** Checks a contender's output against the float64 reference on the first 4096 elements. */
function check(kase: ElementwiseCase, x: Float32Array, y: ArrayLike<number>): number {
  const n = Math.min(4096, x.length);
  const xs = tensor(x.subarray(0, n), [n], 'float64');
  const ref = kase.gradient
    ? OPS[kase.op].df!
    : undefined;
  const r = ref ? Float64Array.from(xs.data, (v) => ref(v, { approximate: 'none' })) : referenceForward(kase.op, xs, kase.params).data;
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(y[i] - r[i]) / (1 + Math.abs(r[i])));
  if (!(worst < 1e-3)) throw new Error(`${kase.label}: output differs from the reference (worst ${worst})`);
  return worst;
}

interface RectifierContender { name: string; backend: Backend }

/** Every Rectifier backend that runs here: cpu, workers (one thread per core), gpu.js in the best mode it finds. */
async function rectifierBackends(): Promise<RectifierContender[]> {
  const list: RectifierContender[] = [{ name: 'rectifier cpu', backend: createCpuBackend() }];
  const workers = createWorkersBackend();
  await workers.ready();
  list.push({ name: `rectifier workers (${workers.threads} threads)`, backend: workers });
  if (!args['no-gpujs']) {
    const gpujs = createGpujsBackend();
    try {
      await gpujs.ready();
      list.push({ name: `rectifier gpujs (${gpujs.mode})`, backend: gpujs });
    } catch (e) {
      console.warn(`gpu.js backend unavailable, left out: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return list;
}

async function elementwise(backends: RectifierContender[]) {
  const sizes = args.quick ? [2 ** 16, 2 ** 20] : [2 ** 16, 2 ** 20, 2 ** 24];
  const out: { op: string; n: number; results: Result[] }[] = [];
  for (const kase of CASES) {
    if (args.only && (FFN_ONLY.has(args.only) || !kase.label.startsWith(args.only))) continue;
    for (const n of sizes) {
      const x = Float32Array.from({ length: n }, (_, i) => 4 * scalar.gaussianNoise(n, i));
      const xt = tensor(x, [n]);
      const ones = tensor(new Float32Array(n).fill(1), [n]);
      const yPlain = new Float32Array(n);
      const contenders: Contender[] = [];
      let last: ArrayLike<number> = new Float32Array(0);
      const keep = (v: ArrayLike<number>) => { last = v; };
      const resident: Tensor[] = [];
      contenders.push({ name: 'copy limit (Float32Array.set)', run: () => yPlain.set(x) });
      if (WASM !== undefined && STAGING_FLOOR_OPS.has(kase.label)) {
        contenders.push({ name: STAGING_FLOOR, run: () => WASM.stageOnly(x, yPlain, 0, n) });
      }
      contenders.push({ name: 'plain JS loop (into output)', run: () => { kase.plain(x, yPlain); keep(yPlain); } });
      for (const b of backends) {
        if (n > b.backend.capabilities.maxElements) continue;
        if (kase.gradient) {
          contenders.push({ name: b.name, run: () => b.backend.gradient(kase.op, xt, ones, kase.params as never).then(([d]) => keep(d.data)) });
          continue;
        }
        const out = tensor(new Float32Array(n), [n]);
        contenders.push({ name: `${b.name} (into output)`, run: () => b.backend.forward(kase.op, xt, kase.params as never, { out }).then((t) => keep(t.data)) });
        contenders.push({ name: `${b.name} (new output)`, run: () => b.backend.forward(kase.op, xt, kase.params as never).then((t) => keep(t.data)) });
        // precision: 'fast' (the declared float32-lane kernels, issue 14 target 4), where the op has one.
        const fast = b.name === 'rectifier cpu' && b.backend.capabilities.fastPrecision?.[kase.op] !== undefined;
        if (fast) contenders.push({ name: `${b.name} (fast, into output)`, run: () => b.backend.forward(kase.op, xt, kase.params as never, { out, precision: 'fast' }).then((t) => keep(t.data)) });
        if (b.backend.capabilities.residentTensors === true) {
          // x and out both in the backend's own memory (backend.allocate): the kernel runs on them, unstaged.
          const [xr, yr] = [b.backend.allocate([n]), b.backend.allocate([n])];
          xr.data.set(x);
          resident.push(xr, yr);
          contenders.push({ name: `${b.name} (resident in and out)`, run: () => b.backend.forward(kase.op, xr, kase.params as never, { out: yr }).then((t) => keep(t.data)) });
          if (fast) contenders.push({ name: `${b.name} (fast, resident in and out)`, run: () => b.backend.forward(kase.op, xr, kase.params as never, { out: yr, precision: 'fast' }).then((t) => keep(t.data)) });
        }
      }
      if (kase.ort && !kase.gradient && ortPeer) {
        for (const threads of [1, 2]) {
          const run = await ortPeer.unarySession(kase.op, kase.params, kase.ort.opset, n, threads);
          contenders.push({ name: `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`, run: () => run(x).then(keep) });
        }
      }
      const tfNames: TfBackendName[] = ['wasm', 'cpu'];
      const results: Result[] = [];
      // Rectifier, ORT, plain and copy run interleaved; tfjs runs per backend (it has one global backend).
      const timed = await timeAndCheck(kase, x, contenders, () => last);
      for (const t of resident) t.dispose();
      results.push(...timed);
      if (kase.tf && tfPeer) {
        for (const name of tfNames) {
          if (name === 'cpu' && n > 2 ** 20 && args.quick) continue;
          await tfPeer.useTf(name);
          const composite = tfPeer.TF_OPS[kase.tf].composite ? ' (composite)' : '';
          const c = { name: `tfjs-${name}${composite}`, run: () => keep(tfPeer.tfUnary(kase.tf!, x)) };
          results.push(...(await timeAndCheck(kase, x, [c], () => last)));
        }
      }
      out.push({ op: kase.label, n, results });
      const copy = results[0].medianMs;
      console.log(`${kase.label.padEnd(12)} n=2^${Math.log2(n)}  ${results.map((r) => `${r.name}: ${(r.medianMs / copy).toFixed(1)}×`).join('  ')}`);
    }
  }
  return out;
}

async function timeAndCheck(kase: ElementwiseCase, x: Float32Array, contenders: Contender[], last: () => ArrayLike<number>): Promise<Result[]> {
  const errors = new Map<string, number>();
  for (const c of contenders) {
    const r = c.run();
    if (r instanceof Promise) await r;
    errors.set(c.name, c.name.startsWith('copy') || c.name === STAGING_FLOOR ? 0 : check(kase, x, last()));
  }
  const timings = await timeInterleaved(contenders, timingOptions);
  return timings.map((t) => ({ ...t, maxError: errors.get(t.name)! }));
}

/** FFN 512×2048: dense, sparse and certified sparse Rectifier, TensorFlow.js, ONNX Runtime; GFLOP/s. */
async function ffn(backends: RectifierContender[]) {
  const d = 512;
  const f = 2048;
  const out: { tokens: number; sparsity: string; results: (Result & { gflops: number })[] }[] = [];
  const normals = (n: number, seed: number, s: number) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
  for (const T of [64, 512]) {
    if (args.only === 'trained') break;
    const x = normals(T * d, 1, 1);
    const w1 = normals(d * f, 2, 1 / Math.sqrt(d));
    const w2 = normals(f * d, 3, 1 / Math.sqrt(f));
    const b2 = normals(d, 4, 0.1);
    const z = createCpuBackend().sync.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data;
    const sorted = Float32Array.from(z).sort();
    for (const sparsity of [0.5, 0.9, 0.99]) {
      // --quick: 90 % only, and 99 % too in an FFN-only run (the backward target is stated at both)
      if (args.quick && sparsity !== 0.9 && !(sparsity === 0.99 && args.only === 'ffn')) continue;
      // A shared bias that puts the wanted fraction of pre-activations at or below zero.
      const shift = -sorted[Math.min(sorted.length - 1, Math.floor(sparsity * sorted.length))];
      const b1 = new Float32Array(f).fill(shift);
      const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
      const xt = tensor(x, [T, d]);
      const flops = 2 * 2 * T * d * f;
      const contenders: Contender[] = [];
      for (const b of backends) {
        contenders.push({ name: `${b.name} dense`, run: () => b.backend.ffn(xt, W) });
        // The workers backend's weights staged in shared memory once, as ONNX Runtime keeps its
        // session's weights loaded (plain weights are copied into shared memory at every call).
        if (b.backend instanceof WorkersBackend) {
          const prepared = b.backend.prepareFfnWeights(W);
          contenders.push({ name: `${b.name} dense (prepared weights)`, run: () => b.backend.ffn(xt, prepared) });
          if (sparsity === 0.5) contenders.push({ name: `${b.name} backward (prepared weights)`, run: () => b.backend.ffnBackward(xt, prepared, tensor(new Float32Array(T * d).fill(1), [T, d])) });
        }
        contenders.push({ name: `${b.name} sparse`, run: () => b.backend.ffn(xt, W, { sparse: true }) });
        // skips the first matmul's provably zero units too (same bits as sparse); worth it only at high sparsity
        if (sparsity >= 0.9) contenders.push({ name: `${b.name} certified`, run: () => b.backend.ffn(xt, W, { sparse: 'certified' }) });
        contenders.push({ name: `${b.name} first matmul only`, run: () => b.backend.matmul(xt, W.w1) });
        if (sparsity === 0.5) contenders.push({ name: `${b.name} backward`, run: () => b.backend.ffnBackward(xt, W, tensor(new Float32Array(T * d).fill(1), [T, d])) });
        // the sparse backward skips the zero units in dx, dW1, dW2 and dh (DESIGN.md §5); dy random
        if (sparsity >= 0.9) contenders.push(...backwardContenders(b, xt, W, tensor(normals(T * d, 5, 1), [T, d])));
      }
      contenders.push(...await ortContenders(T, d, f, { w1, b1, w2, b2 }, x));
      // 9 rounds: at 512 tokens a sample is one call, so a row's median is of its rounds alone
      const timings = await timeInterleaved(contenders, { ...timingOptions, rounds: args.quick ? 2 : 9 });
      const results = timings.map((t) => ({ ...t, maxError: 0, gflops: (t.name.includes('first matmul') ? flops / 2 : t.name.includes('backward') ? 2 * flops : flops) / (t.medianMs * 1e6) }));
      if (tfPeer) {
        await tfPeer.useTf('wasm');
        const tfw = tfPeer.tfFfn(x, T, d, f, { w1, b1, w2, b2 });
        const [tfTiming] = await timeInterleaved([{ name: 'tfjs-wasm', run: tfw.run }], { ...timingOptions, rounds: args.quick ? 2 : 5 });
        tfw.dispose();
        results.push({ ...tfTiming, maxError: 0, gflops: flops / (tfTiming.medianMs * 1e6) });
      }
      out.push({ tokens: T, sparsity: `${Math.round(sparsity * 100)} %`, results });
      console.log(`FFN T=${T} zeros=${sparsity}: ${results.map((r) => `${r.name}: ${r.gflops.toFixed(2)} GFLOP/s`).join('  ')}`);
      for (const b of backends) {
        const ratio = (kind: string) => results.find((r) => r.name === `${b.name} ${kind} backward`)?.medianMs;
        const [dense, sparse] = [ratio('dense'), ratio('sparse')];
        if (dense !== undefined && sparse !== undefined) console.log(`  ${b.name}: sparse backward ${(dense / sparse).toFixed(2)}× dense backward (${dense.toFixed(1)} → ${sparse.toFixed(1)} ms)`);
      }
    }
  }
  return out;
}

/** The dense and the sparse backward of one backend on the same call. */
function backwardContenders(b: RectifierContender, x: Tensor, W: FfnWeights, dy: Tensor): Contender[] {
  return [
    { name: `${b.name} dense backward`, run: () => b.backend.ffnBackward(x, W, dy) },
    { name: `${b.name} sparse backward`, run: () => b.backend.ffnBackward(x, W, dy, { sparse: true }) },
  ];
}

/** ONNX Runtime's dense ReLU FFN on 1 and 2 threads (none with --no-ort). */
async function ortContenders(T: number, d: number, f: number, w: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }, x: Float32Array): Promise<Contender[]> {
  const out: Contender[] = [];
  for (const threads of ortPeer ? [1, 2] : []) {
    const run = await ortPeer!.ffnSession(T, d, f, w, threads);
    out.push({ name: `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`, run: () => run(x) });
  }
  return out;
}

/** `--only` values that pick the FFN group (both parts, or the trained model's rows alone) instead of an element-wise op. */
const FFN_ONLY = new Set(['ffn', 'trained']);

/** One array of the trained-model fixture, by name. */
function fixtureArrays(stem: string): { meta: { seed: number; demoCommit: string; tokens: number; zeroFraction: number[] }; get: (name: string) => Float32Array } {
  const dir = join(import.meta.dirname, '..', 'fixtures'); // the package's own folder, also in a deployed copy (the GPU check's)
  const meta = JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as { seed: number; demoCommit: string; tokens: number; zeroFraction: number[]; arrays: { name: string; shape: number[] }[] };
  const bytes = readFileSync(join(dir, `${stem}.f32`));
  const all = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const at = new Map<string, Float32Array>();
  let offset = 0;
  for (const a of meta.arrays) {
    const size = a.shape.reduce((p, q) => p * q, 1);
    at.set(a.name, all.subarray(offset, offset + size));
    offset += size;
  }
  return { meta, get: (name) => at.get(name)! };
}

/**
 * The FFN blocks of the demo's trained ReLU char-LM (fixtures/char-lm-relu.*: its weights and the
 * residual stream entering each block on validation examples), at their own sparsity: dense,
 * sparse and certified Rectifier against ONNX Runtime's dense FFN, forward; and the CPU backward.
 */
async function trainedFfn(backends: RectifierContender[]): Promise<TrainedFfnResult[]> {
  const { meta, get } = fixtureArrays('char-lm-relu');
  const out: TrainedFfnResult[] = [];
  for (let block = 0; block < meta.zeroFraction.length; block++) {
    const [x, w1, b1, w2, b2] = ['x', 'w1', 'b1', 'w2', 'b2'].map((n) => get(`block${block}.${n}`));
    const f = b1.length;
    const d = b2.length;
    const T = x.length / d;
    const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
    const xt = tensor(x, [T, d]);
    const stats = createCpuBackend().sync.ffn(xt, W, { sparse: 'certified', stats: true }).stats!;
    const dy = tensor(Float32Array.from({ length: T * d }, (_, i) => scalar.gaussianNoise(6, i)), [T, d]);
    const contenders: Contender[] = [];
    for (const b of backends.filter((c) => !c.name.startsWith('rectifier gpujs'))) {
      contenders.push({ name: `${b.name} dense`, run: () => b.backend.ffn(xt, W) });
      contenders.push({ name: `${b.name} sparse`, run: () => b.backend.ffn(xt, W, { sparse: true }) });
      contenders.push({ name: `${b.name} certified`, run: () => b.backend.ffn(xt, W, { sparse: 'certified' }) });
      if (b.name === 'rectifier cpu') contenders.push(...backwardContenders(b, xt, W, dy));
    }
    contenders.push(...await ortContenders(T, d, f, { w1, b1, w2, b2 }, x));
    const timings = await timeInterleaved(contenders, { ...timingOptions, rounds: args.quick ? 3 : 7 });
    const flops = 2 * 2 * T * d * f;
    const results = timings.map((t) => ({ ...t, maxError: 0, gflops: (t.name.includes('backward') ? 2 * flops : flops) / (t.medianMs * 1e6) }));
    const row: TrainedFfnResult = {
      model: `char-LM (demo experiment 8, ReLU, seed ${meta.seed}, demo ${meta.demoCommit.slice(0, 10)})`, block, tokens: T, d, f,
      zeroFraction: stats.zeroFraction, certifiedFraction: stats.zeroUnits! > 0 ? stats.certifiedUnits! / stats.zeroUnits! : 0, results,
    };
    out.push(row);
    const ort1 = results.find((r) => r.name === 'onnxruntime-node (1 thread)')?.medianMs;
    console.log(`trained block ${block} (T=${T}, d=${d}, f=${f}, ${(100 * row.zeroFraction).toFixed(1)} % zeros, ${(100 * row.certifiedFraction).toFixed(1)} % of them certified): ${results.map((r) => `${r.name}: ${r.medianMs.toFixed(3)} ms${ort1 === undefined ? '' : ` (${(ort1 / r.medianMs).toFixed(2)}× ORT 1 thread)`}`).join('  ')}`);
  }
  return out;
}

async function runAll() {
  const machine = describeMachine();
  const backends = await rectifierBackends();
  const elementwiseResults = await elementwise(backends);
  const ffnGroup = !args.only || FFN_ONLY.has(args.only);
  const ffnResults = ffnGroup ? await ffn(backends) : [];
  const trained = ffnGroup ? await trainedFfn(backends) : [];
  for (const b of backends) await b.backend.dispose();
  tfPeer?.tf.engine().reset();
  return { machine, elementwise: elementwiseResults, ffn: ffnResults, trained };
}

// This Node's report: results/node<major>.json, .md and .svg (summary.ts then writes the summary
// of every Node the run used: results/latest.md and the block in docs/benchmarks.md).
const report: BenchReport = await runAll();
const dir = args.out ?? join(root, 'apps', 'bench', 'results');
const stem = reportStem(report.machine.node);
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, `${stem}.json`), `${JSON.stringify(report, null, 1)}\n`);
writeFileSync(join(dir, `${stem}.svg`), await plotSvg(report));
writeFileSync(join(dir, `${stem}.md`), `${markdown(report)}\n![Benchmark plot](${stem}.svg)\n`);
console.log(`\nwrote ${join(dir, `${stem}.json`)}, .md and .svg`);
process.exit(0);
