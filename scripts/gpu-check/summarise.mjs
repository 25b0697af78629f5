// The GPU check's summary (markdown on stdout) from the files `scripts/gpu-check.sh run` wrote in OUT:
// each suite's counts and failures (Vitest's JSON reports) and the bench's tables.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
/** A JSON file's value, or undefined where a run died before finishing it. */
const readJson = (path) => { try { return JSON.parse(readFileSync(path, 'utf8')); } catch { return undefined; } };
for (const [title, file] of [['gpu.js GL: conformance suite and backend tests', 'gpujs-suite.json'], ['gpu.js WebGPU: conformance suite', 'webgpu-suite.json']]) {
  console.log(`\n## ${title}`);
  const path = join(out, file);
  if (!existsSync(path)) { console.log(`No ${file}: see ${file.replace('.json', '.log')} (the run did not finish or was not made).`); continue; }
  const r = readJson(path);
  if (r === undefined) { console.log(`${file} is not readable JSON: see ${file.replace('.json', '.log')}.`); continue; }
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + (r.numTodoTests ?? 0)} skipped (${r.numTotalTests} tests)`);
  const failures = r.testResults.flatMap((f) => f.assertionResults.filter((a) => a.status === 'failed').map((a) => `- ${a.fullName}: ${String(a.failureMessages?.[0] ?? '').split('\n')[0].slice(0, 300)}`));
  if (failures.length > 0) console.log(['', 'Failures (first 30):', ...failures.slice(0, 30)].join('\n'));
}
console.log('\n## Bench (--quick)');
const md = readdirSync(out).filter((f) => /^node\d+\.md$/.test(f));
if (md.length === 0) console.log('No bench report: see bench.log.');
for (const f of md) console.log(readFileSync(join(out, f), 'utf8').replace(/!\[Benchmark plot\][^\n]*\n?/, ''));

// ONNX Runtime (the machine's own, from Python) beside the bench's Rectifier rows, in milliseconds.
const ortPath = join(out, 'onnxruntime.json');
const ortRun = existsSync(ortPath) ? readJson(ortPath) : undefined;
if (ortRun !== undefined) {
  const ortMs = (model, threads) => ortRun.results.find((r) => r.model === model && r.threads === threads)?.medianMs;
  const bench = md.length > 0 ? readJson(join(out, md[0].replace('.md', '.json'))) : undefined;
  const fmt = (v) => (v === undefined ? '–' : v.toFixed(3));
  const many = ortRun.cores;
  console.log(`\n## Against ONNX Runtime ${ortRun.onnxruntime} (Python, CPU execution provider), median ms`);
  const MODEL = { relu: 'relu', 'gelu (erf)': 'gelu-erf', 'gelu (tanh)': 'gelu-tanh', silu: 'silu', sigmoid: 'sigmoid', softplus: 'softplus', mish: 'mish' };
  const rows = [];
  for (const e of bench?.elementwise ?? []) {
    const model = MODEL[e.op];
    if (model === undefined) continue;
    const ms = (prefix) => e.results.find((r) => r.name.startsWith(prefix) && r.name.endsWith('(new output)'))?.medianMs;
    rows.push(`| ${e.op} | 2^${Math.log2(e.n)} | ${fmt(ms('rectifier cpu'))} | ${fmt(ms('rectifier workers'))} | ${fmt(ms('rectifier gpujs'))} | ${fmt(ortMs(`${model}.2^${Math.log2(e.n)}`, 1))} | ${fmt(ortMs(`${model}.2^${Math.log2(e.n)}`, many))} |`);
  }
  for (const e of bench?.ffn ?? []) {
    const ms = (prefix) => e.results.find((r) => r.name.startsWith(prefix) && r.name.endsWith(' dense'))?.medianMs;
    rows.push(`| ReLU FFN 512×2048 (zeros ${e.sparsity}) | T=${e.tokens} | ${fmt(ms('rectifier cpu'))} | ${fmt(ms('rectifier workers'))} | ${fmt(ms('rectifier gpujs'))} | ${fmt(ortMs(`ffn.T${e.tokens}`, 1))} | ${fmt(ortMs(`ffn.T${e.tokens}`, many))} |`);
  }
  console.log(['', `| op | size | rectifier cpu | rectifier workers | rectifier gpu.js | ORT 1 thread | ORT ${many} threads |`, '|---|---|---|---|---|---|---|', ...rows].join('\n'));
} else {
  console.log('\nNo ONNX Runtime figures: see onnxruntime.log.');
}
