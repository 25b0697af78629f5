#!/usr/bin/env node
/**
 * `pnpm bench`: Rectifier against what users would pick instead — TensorFlow.js (cpu, wasm),
 * ONNX Runtime (1 and 2 threads), a plain JS loop — and against the machine's limit (a memory copy
 * of the same bytes for element-wise ops; GFLOP/s for matmul and the FFN). One process, warm-up,
 * interleaved rounds, min and median. Every contender's output is checked against core's float64
 * reference while it is timed. Results: apps/bench/results/latest.json and .md, and the block in docs/benchmarks.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createGpujsBackend } from '@rectifier/backend-gpujs';
import { createWorkersBackend } from '@rectifier/backend-workers';
import { OPS, referenceForward, scalar, tensor, type Backend, type OpName } from '@rectifier/core';
import { describeMachine } from './machine.js';
import { plotSvg } from './plot.js';
import { ffnSession, unarySession } from './peers/onnx.js';
import { tf, TF_OPS, tfFfn, tfUnary, useTf, type TfBackendName } from './peers/tfjs.js';
import { timeInterleaved, type Contender, type Timing } from './timing.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'no-readme': { type: 'boolean', default: false },
    'no-gpujs': { type: 'boolean', default: false },
  },
});

const root = join(import.meta.dirname, '..', '..', '..');
const timingOptions = args.quick ? { warmupMs: 50, rounds: 3, sampleMs: 20 } : { warmupMs: 200, rounds: 7, sampleMs: 60 };

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

interface Result extends Timing {
  /** Worst |got − ref| / (1 + |ref|) over the checked sample. */
  maxError: number;
  note?: string;
}

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
    if (args.only && !kase.label.startsWith(args.only)) continue;
    for (const n of sizes) {
      const x = Float32Array.from({ length: n }, (_, i) => 4 * scalar.gaussianNoise(n, i));
      const xt = tensor(x, [n]);
      const ones = tensor(new Float32Array(n).fill(1), [n]);
      const yPlain = new Float32Array(n);
      const contenders: Contender[] = [];
      let last: ArrayLike<number> = new Float32Array(0);
      const keep = (v: ArrayLike<number>) => { last = v; };
      contenders.push({ name: 'copy limit (Float32Array.set)', run: () => yPlain.set(x) });
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
      }
      if (kase.ort && !kase.gradient) {
        for (const threads of [1, 2]) {
          const run = await unarySession(kase.op, kase.params, kase.ort.opset, n, threads);
          contenders.push({ name: `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`, run: () => run(x).then(keep) });
        }
      }
      const tfNames: TfBackendName[] = ['wasm', 'cpu'];
      const results: Result[] = [];
      // Rectifier, ORT, plain and copy run interleaved; tfjs runs per backend (it has one global backend).
      const timed = await timeAndCheck(kase, x, contenders, () => last);
      results.push(...timed);
      if (kase.tf) {
        for (const name of tfNames) {
          if (name === 'cpu' && n > 2 ** 20 && args.quick) continue;
          await useTf(name);
          const composite = TF_OPS[kase.tf].composite ? ' (composite)' : '';
          const c = { name: `tfjs-${name}${composite}`, run: () => keep(tfUnary(kase.tf!, x)) };
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
    errors.set(c.name, c.name.startsWith('copy') ? 0 : check(kase, x, last()));
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
    const x = normals(T * d, 1, 1);
    const w1 = normals(d * f, 2, 1 / Math.sqrt(d));
    const w2 = normals(f * d, 3, 1 / Math.sqrt(f));
    const b2 = normals(d, 4, 0.1);
    const z = createCpuBackend().sync.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data;
    const sorted = Float32Array.from(z).sort();
    for (const sparsity of [0.5, 0.9, 0.99]) {
      if (args.quick && sparsity !== 0.9) continue;
      // A shared bias that puts the wanted fraction of pre-activations at or below zero.
      const shift = -sorted[Math.min(sorted.length - 1, Math.floor(sparsity * sorted.length))];
      const b1 = new Float32Array(f).fill(shift);
      const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
      const xt = tensor(x, [T, d]);
      const flops = 2 * 2 * T * d * f;
      const contenders: Contender[] = [];
      for (const b of backends) {
        contenders.push({ name: `${b.name} dense`, run: () => b.backend.ffn(xt, W) });
        contenders.push({ name: `${b.name} sparse`, run: () => b.backend.ffn(xt, W, { sparse: true }) });
        // skips the first matmul's provably zero units too (same bits as sparse); worth it only at high sparsity
        if (sparsity >= 0.9) contenders.push({ name: `${b.name} certified`, run: () => b.backend.ffn(xt, W, { sparse: 'certified' }) });
        contenders.push({ name: `${b.name} first matmul only`, run: () => b.backend.matmul(xt, W.w1) });
        if (sparsity === 0.5) contenders.push({ name: `${b.name} backward`, run: () => b.backend.ffnBackward(xt, W, tensor(new Float32Array(T * d).fill(1), [T, d])) });
      }
      for (const threads of [1, 2]) {
        const run = await ffnSession(T, d, f, { w1, b1, w2, b2 }, threads);
        contenders.push({ name: `onnxruntime-node (${threads} thread${threads > 1 ? 's' : ''})`, run: () => run(x) });
      }
      const timings = await timeInterleaved(contenders, { ...timingOptions, rounds: args.quick ? 2 : 5 });
      const results = timings.map((t) => ({ ...t, maxError: 0, gflops: (t.name.includes('first matmul') ? flops / 2 : t.name.includes('backward') ? 2 * flops : flops) / (t.medianMs * 1e6) }));
      await useTf('wasm');
      const tfw = tfFfn(x, T, d, f, { w1, b1, w2, b2 });
      const [tfTiming] = await timeInterleaved([{ name: 'tfjs-wasm', run: tfw.run }], { ...timingOptions, rounds: args.quick ? 2 : 5 });
      tfw.dispose();
      results.push({ ...tfTiming, maxError: 0, gflops: flops / (tfTiming.medianMs * 1e6) });
      out.push({ tokens: T, sparsity: `${Math.round(sparsity * 100)} %`, results });
      console.log(`FFN T=${T} zeros=${sparsity}: ${results.map((r) => `${r.name}: ${r.gflops.toFixed(2)} GFLOP/s`).join('  ')}`);
    }
  }
  return out;
}

function markdown(report: Awaited<ReturnType<typeof runAll>>): string {
  const m = report.machine;
  const lines = [`Measured ${m.date} on ${m.cpu} (${m.isa}), ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node} (${m.platform}); CPU kernels: ${m.wasmSimd ? `WebAssembly SIMD (${m.wasmVariant} build)` : 'JS (no WebAssembly SIMD)'}; median of interleaved rounds.`, ''];
  lines.push('Element-wise float32, time as a multiple of the memory-copy limit (lower is better; `—` = not offered):', '');
  const names = [...new Set(report.elementwise.flatMap((e) => e.results.map((r) => r.name)))].filter((n) => !n.startsWith('copy'));
  lines.push(`| op | n | copy (ms) | ${names.join(' | ')} |`, `|---|---|---|${names.map(() => '---').join('|')}|`);
  for (const e of report.elementwise) {
    const copy = e.results.find((r) => r.name.startsWith('copy'))!.medianMs;
    const cells = names.map((n) => {
      const r = e.results.find((x) => x.name === n);
      return r ? `${(r.medianMs / copy).toFixed(1)}×` : '—';
    });
    lines.push(`| ${e.op} | 2^${Math.log2(e.n)} | ${copy.toFixed(3)} | ${cells.join(' | ')} |`);
  }
  lines.push('', 'FFN d_model 512, d_ff 2048, float32, GFLOP/s (higher is better; "first matmul only" is x·W1, the part the sparse path cannot skip):', '');
  const fnames = [...new Set(report.ffn.flatMap((e) => e.results.map((r) => r.name)))];
  lines.push(`| tokens | zeros in hidden | ${fnames.join(' | ')} |`, `|---|---|${fnames.map(() => '---').join('|')}|`);
  for (const e of report.ffn) {
    lines.push(`| ${e.tokens} | ${e.sparsity} | ${fnames.map((n) => { const r = e.results.find((x) => x.name === n); return r ? r.gflops.toFixed(2) : '—'; }).join(' | ')} |`);
  }
  return `${lines.join('\n')}\n`;
}

async function runAll() {
  const machine = describeMachine();
  const backends = await rectifierBackends();
  const elementwiseResults = await elementwise(backends);
  const ffnResults = args.only ? [] : await ffn(backends);
  for (const b of backends) await b.backend.dispose();
  tf.engine().reset();
  return { machine, elementwise: elementwiseResults, ffn: ffnResults };
}

const report = await runAll();
const dir = join(root, 'apps', 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'latest.json'), `${JSON.stringify(report, null, 1)}\n`);
writeFileSync(join(dir, 'latest.svg'), await plotSvg(report));
const md = `${markdown(report)}\n![Benchmark plot](apps/bench/results/latest.svg)\n`;
writeFileSync(join(dir, 'latest.md'), md);
if (!args['no-readme'] && !args.quick && !args.only) {
  // The benchmark page, docs/benchmarks.md (one folder down: the plot's path from there).
  const readme = join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(readme, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (text.includes(start) && text.includes(end)) {
    const page = md.replace('](apps/bench/results/latest.svg)', '](../apps/bench/results/latest.svg)');
    writeFileSync(readme, `${text.slice(0, text.indexOf(start) + start.length)}\n${page}${text.slice(text.indexOf(end))}`);
  }
}
console.log(`\nwrote ${join(dir, 'latest.json')} and latest.md`);
process.exit(0);
