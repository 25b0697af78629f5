/**
 * A benchmark run's report, as bench.ts writes it (results/node<major>.json), and its markdown:
 * one Node's tables, and the summary of every Node of one `pnpm bench` (results/latest.md and the
 * block in docs/benchmarks.md), which summary.ts writes.
 */
import type { Machine } from './machine.js';
import type { Timing } from './timing.js';

export interface BenchResult extends Timing {
  /** Worst |got − ref| / (1 + |ref|) over the checked sample (0 where not checked). */
  maxError: number;
  note?: string;
}

export interface BenchReport {
  machine: Machine;
  elementwise: { op: string; n: number; results: BenchResult[] }[];
  ffn: { tokens: number; sparsity: string; results: (BenchResult & { gflops: number })[] }[];
  /** The trained model's FFN blocks at their own sparsity (absent in reports made before them). */
  trained?: TrainedFfnResult[];
}

/** One FFN block of a trained model, on its own inputs: its measured sparsity and the contenders' timings. */
export interface TrainedFfnResult {
  model: string;
  block: number;
  tokens: number;
  d: number;
  f: number;
  /** Fraction of the hidden layer's entries that are exactly 0 on these inputs. */
  zeroFraction: number;
  /** Fraction of those zeros that the certified path proved (and skipped in the first matmul). */
  certifiedFraction: number;
  results: (BenchResult & { gflops: number })[];
}

/** The file stem of a report made under Node `version` (e.g. v24.11.0 → node24). */
export const reportStem = (version: string): string => `node${/^v?(\d+)/.exec(version)?.[1] ?? 'unknown'}`;

/** One Node's report as markdown: the machine line, the element-wise table and the FFN table. */
export function markdown(report: BenchReport): string {
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
  const trained = report.trained ?? [];
  if (trained.length > 0) {
    lines.push('', `FFN blocks of a trained model on their own inputs (${trained[0].model}), float32, time in ms (lower is better) and × ONNX Runtime 1 thread:`, '');
    const tnames = [...new Set(trained.flatMap((e) => e.results.map((r) => r.name)))];
    lines.push(`| block | tokens × d × f | zeros | certified of them | ${tnames.join(' | ')} |`, `|---|---|---|---|${tnames.map(() => '---').join('|')}|`);
    for (const e of trained) {
      const ort1 = e.results.find((r) => r.name === 'onnxruntime-node (1 thread)')?.medianMs;
      const cells = tnames.map((n) => {
        const r = e.results.find((x) => x.name === n);
        return r ? `${r.medianMs.toFixed(3)}${ort1 === undefined || n.includes('backward') ? '' : ` (${(ort1 / r.medianMs).toFixed(2)}×)`}` : '—';
      });
      lines.push(`| ${e.block} | ${e.tokens} × ${e.d} × ${e.f} | ${(100 * e.zeroFraction).toFixed(1)} % | ${(100 * e.certifiedFraction).toFixed(1)} % | ${cells.join(' | ')} |`);
    }
  }
  return `${lines.join('\n')}\n`;
}


/** The contender that times WasmKernels.stageOnly: staging without a kernel (not checked against the op). */
export const STAGING_FLOOR = 'staging floor (copy in and out of module memory)';

/** The headline figures: what issue 14's targets are stated in, one column per Node. */
const HEADLINES: { label: string; pick: (r: BenchReport) => number | undefined; unit: string }[] = [
  ...['relu', 'leaky_relu', 'relu6', 'gelu (erf)', 'silu', 'sigmoid'].map((op) => ({
    label: `${op} 2^20, cpu into output`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, op, 2 ** 20, 'rectifier cpu (into output)'),
  })),
  ...['relu', 'relu6'].map((op) => ({
    label: `${op} 2^24, cpu into output`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, op, 2 ** 24, 'rectifier cpu (into output)'),
  })),
  // Issue 14 target 1's floor: the copies into and out of the module's memory alone, no kernel.
  ...[20, 24].map((log) => ({
    label: `staging floor 2^${log} (copy in and out, no kernel)`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, 'relu', 2 ** log, STAGING_FLOOR),
  })),
  // Issue 14 target 2: relu with x and out resident in the cpu backend's memory (backend.allocate).
  ...[20, 24].map((log) => ({
    label: `relu 2^${log}, cpu resident in and out`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, 'relu', 2 ** log, 'rectifier cpu (resident in and out)'),
  })),
  ...['gelu (erf)', 'silu'].map((op) => ({
    label: `${op} 2^20, ONNX Runtime 1 thread`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, op, 2 ** 20, 'onnxruntime-node (1 thread)'),
  })),
  ...[['dense', 0.5], ['sparse', 0.9], ['certified', 0.9], ['sparse', 0.99], ['certified', 0.99]].map(([kind, zeros]) => ({
    label: `FFN 512 tokens, ${Math.round(Number(zeros) * 100)} % zeros, cpu ${kind}`, unit: 'GFLOP/s',
    pick: (r: BenchReport) => gflops(r, 512, Number(zeros), `rectifier cpu ${kind}`),
  })),
  { label: 'FFN 512 tokens, cpu first matmul only', unit: 'GFLOP/s', pick: (r) => gflops(r, 512, 0.5, 'rectifier cpu first matmul only') },
  ...[0.9, 0.99].map((zeros) => ({
    label: `FFN 512 tokens, ${Math.round(zeros * 100)} % zeros, cpu sparse backward`, unit: '× dense backward',
    pick: (r: BenchReport) => {
      const [dense, sparse] = ['dense', 'sparse'].map((kind) => gflops(r, 512, zeros, `rectifier cpu ${kind} backward`));
      return dense === undefined || sparse === undefined ? undefined : sparse / dense;
    },
  })),
  { label: 'FFN 512 tokens, workers dense', unit: 'GFLOP/s', pick: (r) => gflops(r, 512, 0.5, (n) => n.startsWith('rectifier workers') && n.endsWith(' dense')) },
  { label: 'FFN 512 tokens, workers dense, prepared weights', unit: 'GFLOP/s', pick: (r) => gflops(r, 512, 0.5, (n) => n.startsWith('rectifier workers') && n.endsWith(' dense (prepared weights)')) },
  { label: 'FFN 512 tokens, ONNX Runtime 1 thread', unit: 'GFLOP/s', pick: (r) => gflops(r, 512, 0.5, 'onnxruntime-node (1 thread)') },
  ...[0, 1].flatMap((block) => ['sparse', 'certified'].map((kind) => ({
    label: `trained char-LM block ${block}, cpu ${kind}`, unit: '× ONNX Runtime 1 thread',
    pick: (r: BenchReport) => {
      const e = r.trained?.find((t) => t.block === block);
      const time = (name: string) => e?.results.find((x) => x.name === name)?.medianMs;
      const [ort, ours] = [time('onnxruntime-node (1 thread)'), time(`rectifier cpu ${kind}`)];
      return ort === undefined || ours === undefined ? undefined : ort / ours;
    },
  }))),
];

/**
 * Issues 14's and 15's targets, each read off a report and compared with its goal, so the
 * benchmark page says which are met in the run it shows. `at` limits a target to the kernel build
 * it is stated for (the relaxed-SIMD GEMM targets hold where relaxed SIMD is on).
 */
interface Target { id: string; figure: string; goal: string; pick: (r: BenchReport) => number | undefined; met: (v: number) => boolean; unit: string; at?: 'relaxed-simd' | 'simd' }

const atMost = (limit: number) => (v: number) => v <= limit;
const atLeast = (limit: number) => (v: number) => v >= limit;

const TARGETS: Target[] = [
  ...([['relu', 20, 2.5], ['relu6', 20, 2.5], ['leaky_relu', 20, 3], ['relu', 24, 2], ['relu6', 24, 2]] as const).map(([op, log, limit]) => ({
    id: '14.1', figure: `${op} 2^${log}, cpu into output`, goal: `≤ ${limit}× copy`, unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, op, 2 ** log, 'rectifier cpu (into output)'), met: atMost(limit),
  })),
  ...[20, 24].map((log) => ({
    id: '14.1', figure: `staging floor 2^${log} (no kernel)`, goal: 'what 14.1 cannot go below', unit: '× copy',
    pick: (r: BenchReport) => copyRatio(r, 'relu', 2 ** log, STAGING_FLOOR), met: () => true,
  })),
  {
    id: '14.2', figure: 'relu 2^20, cpu resident in and out', goal: '≤ 1.3× copy', unit: '× copy',
    pick: (r) => copyRatio(r, 'relu', 2 ** 20, 'rectifier cpu (resident in and out)'), met: atMost(1.3),
  },
  ...['gelu (erf)', 'gelu (tanh)', 'silu', 'sigmoid', 'softplus', 'mish'].map((op) => ({
    id: '14.3', figure: `${op} 2^20, cpu into output`, goal: '≤ ONNX Runtime 1 thread', unit: '× ONNX Runtime time',
    pick: (r: BenchReport) => timeRatio(r, op, 2 ** 20, 'rectifier cpu (into output)', 'onnxruntime-node (1 thread)'), met: atMost(1),
  })),
  ...['gelu (erf)', 'gelu (tanh)', 'silu', 'sigmoid'].map((op) => ({
    id: '14.4', figure: `${op} 2^20, cpu precision 'fast'`, goal: '≤ 0.5× ONNX Runtime 1 thread', unit: '× ONNX Runtime time',
    pick: (r: BenchReport) => timeRatio(r, op, 2 ** 20, FAST_INTO_OUTPUT, 'onnxruntime-node (1 thread)'), met: atMost(0.5),
  })),
  // absolute figures: the median over the rows that time the same computation (gflopsOverRows)
  { id: '14.5', figure: 'GEMM 512×512×2048 (x·W1), cpu, median of its sparsity rows', goal: '≥ 45 GFLOP/s', unit: 'GFLOP/s', at: 'relaxed-simd', pick: (r) => gflopsOverRows(r, 512, 'rectifier cpu first matmul only'), met: atLeast(45) },
  { id: '14.5', figure: 'FFN 512 tokens, cpu dense, median of its sparsity rows', goal: '≥ 40 GFLOP/s', unit: 'GFLOP/s', at: 'relaxed-simd', pick: (r) => gflopsOverRows(r, 512, 'rectifier cpu dense'), met: atLeast(40) },
  { id: '14.5', figure: 'FFN 512 tokens, cpu dense, median of its sparsity rows', goal: '≥ 33 GFLOP/s', unit: 'GFLOP/s', at: 'simd', pick: (r) => gflopsOverRows(r, 512, 'rectifier cpu dense'), met: atLeast(33) },
  {
    id: '14.6', figure: 'FFN 512 tokens, workers (prepared weights) ÷ cpu, forward', goal: '≥ 1.7×', unit: '×',
    pick: (r) => ratioOf(gflops(r, 512, 0.5, (n) => n.startsWith('rectifier workers') && n.endsWith(' dense (prepared weights)')), gflops(r, 512, 0.5, 'rectifier cpu dense')), met: atLeast(1.7),
  },
  {
    id: '14.6', figure: 'FFN 512 tokens, workers (prepared weights) ÷ cpu, backward', goal: '≥ 1.7×', unit: '×',
    pick: (r) => ratioOf(gflops(r, 512, 0.5, (n) => n.startsWith('rectifier workers') && n.endsWith(' backward (prepared weights)')), gflops(r, 512, 0.5, 'rectifier cpu backward')), met: atLeast(1.7),
  },
  ...([[0.9, 2.5], [0.99, 4]] as const).map(([zeros, limit]) => ({
    id: '15', figure: `FFN 512 tokens, ${Math.round(zeros * 100)} % zeros, cpu certified ÷ dense`, goal: `≥ ${limit}×`, unit: '×',
    pick: (r: BenchReport) => ratioOf(gflops(r, 512, zeros, 'rectifier cpu certified'), gflops(r, 512, zeros, 'rectifier cpu dense')), met: atLeast(limit),
  })),
  {
    id: '15', figure: 'FFN 512 tokens, 90 % zeros, cpu sparse backward ÷ dense backward', goal: '≥ 2×', unit: '×',
    pick: (r) => ratioOf(gflops(r, 512, 0.9, 'rectifier cpu sparse backward'), gflops(r, 512, 0.9, 'rectifier cpu dense backward')), met: atLeast(2),
  },
  ...[0, 1].map((block) => ({
    id: '15', figure: `trained char-LM block ${block}, the faster of cpu sparse and certified vs ONNX Runtime 1 thread`, goal: 'faster (≥ 1×)', unit: '× ONNX Runtime speed',
    pick: (r: BenchReport) => {
      const e = r.trained?.find((t) => t.block === block);
      const times = ['rectifier cpu sparse', 'rectifier cpu certified'].flatMap((name) => e?.results.find((x) => x.name === name)?.medianMs ?? []);
      return ratioOf(e?.results.find((x) => x.name === 'onnxruntime-node (1 thread)')?.medianMs, times.length === 0 ? undefined : Math.min(...times));
    },
    met: atLeast(1),
  })),
];

/** The element-wise contender of issue 14 target 4 (the cpu backend with `precision: 'fast'`, into a caller's output). */
export const FAST_INTO_OUTPUT = 'rectifier cpu (fast, into output)';

function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

function timeRatio(r: BenchReport, op: string, n: number, name: string, over: string): number | undefined {
  const e = r.elementwise.find((x) => x.op === op && x.n === n);
  const time = (c: string) => e?.results.find((x) => x.name === c)?.medianMs;
  return ratioOf(time(name), time(over));
}

/** The targets table: one column per Node, each cell the figure and whether it meets the goal there. */
function targetsMarkdown(reports: readonly BenchReport[], nodes: readonly string[]): string[] {
  const cell = (t: Target, r: BenchReport) => {
    if (t.at !== undefined && r.machine.wasmVariant !== t.at) return 'not stated for this build';
    const v = t.pick(r);
    if (v === undefined) return '—';
    const text = t.unit === 'GFLOP/s' ? v.toFixed(1) : `${v.toFixed(2)}×`;
    return t.goal.startsWith('what') ? text : `${text} ${t.met(v) ? '**met**' : 'not met'}`;
  };
  return [
    'Issues 14 and 15: each target as this run measured it (the figure in the unit named, then whether it meets the goal):', '',
    `| issue.target | figure (unit) | goal | ${nodes.join(' | ')} |`, `|---|---|---|${nodes.map(() => '---').join('|')}|`,
    ...TARGETS.map((t) => `| ${t.id} | ${t.figure} (${t.unit}) | ${t.goal} | ${reports.map((r) => cell(t, r)).join(' | ')} |`),
  ];
}

function copyRatio(r: BenchReport, op: string, n: number, name: string): number | undefined {
  const e = r.elementwise.find((x) => x.op === op && x.n === n);
  const copy = e?.results.find((x) => x.name.startsWith('copy'));
  const got = e?.results.find((x) => x.name === name);
  return copy && got ? got.medianMs / copy.medianMs : undefined;
}

function gflops(r: BenchReport, tokens: number, zeros: number, name: string | ((name: string) => boolean)): number | undefined {
  const e = r.ffn.find((x) => x.tokens === tokens && x.sparsity === `${Math.round(zeros * 100)} %`);
  return e?.results.find((x) => (typeof name === 'string' ? x.name === name : name(x.name)))?.gflops;
}

/**
 * A contender's GFLOP/s as the median over every sparsity row of `tokens` that times it. The dense
 * FFN and x·W1 alone compute the same thing in each row, so the rows are repeated measurements of
 * one figure minutes apart; one row's median of a few one-call samples moves with what the VM's
 * neighbours do during that minute (the 2026-12-02 run read Node 24's dense FFN at 36.7, 43.5 and
 * 46.9 GFLOP/s across its three rows). Ratios of two contenders stay within one row.
 */
function gflopsOverRows(r: BenchReport, tokens: number, name: string): number | undefined {
  const all = r.ffn.filter((x) => x.tokens === tokens).flatMap((e) => e.results.filter((x) => x.name === name).map((x) => x.gflops)).sort((a, b) => a - b);
  if (all.length === 0) return undefined;
  const mid = all.length >> 1;
  return all.length % 2 === 1 ? all[mid] : (all[mid - 1] + all[mid]) / 2;
}

/**
 * Every Node of one `pnpm bench`: a headline table (one column per Node, so the kernel builds —
 * plain SIMD on Node 20, relaxed SIMD where it is on — compare in one place), then each Node's own
 * tables. `plot(stem)` is the path of a report's plot, relative to where the markdown goes.
 */
export function summaryMarkdown(reports: readonly BenchReport[], plot: (stem: string) => string): string {
  const nodes = reports.map((r) => `Node ${r.machine.node} (${r.machine.wasmVariant})`);
  const cell = (v: number | undefined, unit: string) => (v === undefined ? '—' : unit === 'GFLOP/s' ? v.toFixed(1) : `${v.toFixed(1)}×`);
  const lines = [
    `Headline figures, median of interleaved rounds (element-wise: time as a multiple of the copy; FFN d_model 512, d_ff 2048: GFLOP/s):`, '',
    `| figure | ${nodes.join(' | ')} |`, `|---|${nodes.map(() => '---').join('|')}|`,
    ...HEADLINES.map((h) => `| ${h.label} (${h.unit}) | ${reports.map((r) => cell(h.pick(r), h.unit)).join(' | ')} |`),
    '', ...targetsMarkdown(reports, nodes),
  ];
  for (const r of reports) {
    const stem = reportStem(r.machine.node);
    lines.push('', `### Node ${r.machine.node}`, '', markdown(r).trimEnd(), '', `![Benchmark plot, Node ${r.machine.node}](${plot(stem)})`);
  }
  return `${lines.join('\n')}\n`;
}
