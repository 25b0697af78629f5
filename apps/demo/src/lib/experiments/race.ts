/**
 * Experiment 7 — backend race: the same ops on every backend available, timed, and checked against
 * core's float64 reference (referenceForward / referenceMatmul / referenceFfn) while they are timed.
 */
import { referenceFfn, referenceForward, referenceMatmul, type Backend, type OpName, type Tensor } from '@rectifier/core';
import { describeBackend } from '../backends.js';
import { randn, streamSeed } from '../random.js';
import { maxUlpF32, median, relDiff } from '../tensors.js';
import { fmt, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CLAIM =
  'Every backend computes the same values (within its declared precision) behind one interface; they differ only in speed.';
const SOURCE =
  "Rectifier's DESIGN.md §2–4 (one contract, one conformance suite); the pattern of TensorFlow.js's kernel registry.";

export interface RaceOptions {
  elements: number;
  matmulSize: number;
  repeats: number;
}
export const RACE_DEFAULTS: RaceOptions = { elements: 1 << 19, matmulSize: 192, repeats: 3 };

const ELEMENTWISE: OpName[] = ['relu', 'leaky_relu', 'gelu', 'silu'];

interface Task {
  name: string;
  /** Work per call, in the unit of `unit`. */
  work: number;
  unit: 'M elem/s' | 'GFLOP/s';
  run(b: Backend): Promise<Tensor>;
  reference: () => Tensor;
  /** Agreement with the reference: ulps for element-wise ops, normwise relative error for sums. */
  agreement(got: Tensor, want: Tensor): number;
  agreementUnit: string;
}

async function timed(b: Backend, task: Task, repeats: number): Promise<{ ms: number; out: Tensor }> {
  let out = await task.run(b); // warm-up (JIT, worker start, kernel compilation)
  const times: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t = performance.now();
    out = await task.run(b);
    times.push(performance.now() - t);
  }
  return { ms: median(times), out };
}

export async function runRace(ctx: ExperimentContext, options: Partial<RaceOptions> = {}): Promise<ExperimentResult> {
  const o = { ...RACE_DEFAULTS, ...options };
  const t0 = performance.now();
  const backends = ctx.raceBackends?.length ? ctx.raceBackends : [ctx.backend];
  const s = (k: number) => streamSeed(ctx.seed, 700 + k);
  const x = randn([o.elements], s(0), 3);
  const n = o.matmulSize;
  const a = randn([n, n], s(1));
  const b = randn([n, n], s(2));
  const fx = randn([n, n], s(3));
  const ffnW = { w1: randn([n, 4 * n], s(4), 1 / Math.sqrt(n)), w2: randn([4 * n, n], s(5), 1 / Math.sqrt(4 * n)) };
  const tasks: Task[] = [
    ...ELEMENTWISE.map((op): Task => ({
      name: op, work: o.elements, unit: 'M elem/s',
      run: (bk) => bk.forward(op, x), reference: () => referenceForward(op, x),
      agreement: maxUlpF32, agreementUnit: 'ulp',
    })),
    {
      name: `matmul ${n}³`, work: 2 * n ** 3, unit: 'GFLOP/s',
      run: (bk) => bk.matmul(a, b), reference: () => referenceMatmul(a, b),
      agreement: relDiff, agreementUnit: 'rel',
    },
    {
      name: `ffn ${n}→${4 * n}→${n}`, work: 4 * n * n * 4 * n, unit: 'GFLOP/s',
      run: async (bk) => (await bk.ffn(fx, ffnW)).y, reference: () => referenceFfn(fx, ffnW).y,
      agreement: relDiff, agreementUnit: 'rel',
    },
  ];
  const rows: { backend: string; declaredUlp: number | undefined; task: string; ms: number; throughput: number; unit: string; agreement: number; agreementUnit: string }[] = [];
  let done = 0;
  for (const task of tasks) {
    const want = task.reference();
    for (const bk of backends) {
      const { ms, out } = await timed(bk, task, o.repeats);
      const throughput = task.unit === 'GFLOP/s' ? task.work / ms / 1e6 : task.work / ms / 1e3;
      rows.push({ backend: describeBackend(bk), declaredUlp: bk.capabilities.ulp.float32, task: task.name, ms, throughput, unit: task.unit, agreement: task.agreement(out, want), agreementUnit: task.agreementUnit });
      ctx.onProgress?.(++done, tasks.length * backends.length);
      await tick();
    }
  }
  const worstUlp = Math.max(...rows.filter((r) => r.agreementUnit === 'ulp').map((r) => r.agreement));
  const worstRel = Math.max(...rows.filter((r) => r.agreementUnit === 'rel').map((r) => r.agreement));
  const names = backends.map(describeBackend);
  return {
    id: 'race',
    title: '7. Backend race',
    claim: CLAIM,
    source: SOURCE,
    verdict: `${names.join(', ')}: element-wise ops within ${fmt(worstUlp)} ulp of the float64 reference (float32), matmul and FFN within ${fmt(worstRel, 2)} (normwise relative). gelu: ${rows.filter((r) => r.task === 'gelu').map((r) => `${r.backend} ${fmt(r.throughput, 3)} M elem/s`).join(', ')}.`,
    metrics: { worstUlp, worstRel, backends: backends.length },
    table: {
      columns: ['op', 'backend', 'ms (median)', 'throughput', 'vs reference', 'declared ulp (transcendental)'],
      rows: rows.map((r) => [r.task, r.backend, fmt(r.ms, 3), `${fmt(r.throughput, 3)} ${r.unit}`, r.agreementUnit === 'ulp' ? `${fmt(r.agreement)} ulp` : fmt(r.agreement, 2), r.agreementUnit === 'ulp' && r.declaredUlp !== undefined ? `${r.declaredUlp} ulp` : '']),
    },
    charts: [{
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Time per call (median of repeats, lower is faster)',
      width: 360, height: 220,
      data: { values: rows.map((r) => ({ op: r.task, backend: r.backend, ms: r.ms })) },
      mark: 'bar',
      encoding: {
        y: { field: 'op', type: 'nominal', sort: null, title: null },
        yOffset: { field: 'backend' },
        x: { field: 'ms', type: 'quantitative', title: 'ms per call' },
        color: { field: 'backend', type: 'nominal' },
      },
    }],
    data: { options: o, rows },
    backend: names.join(', '),
    seconds: (performance.now() - t0) / 1000,
  };
}

export const race: Experiment = { id: 'race', title: 'Backend race', claim: CLAIM, source: SOURCE, run: (ctx) => runRace(ctx) };
