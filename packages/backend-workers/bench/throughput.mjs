/**
 * Throughput of this backend against the CPU backend, both in this process, on the built
 * packages (run `npx pnpm exec turbo run build` first):
 *
 *   node packages/backend-workers/bench/throughput.mjs [--threads 2] [--rounds 7]
 *
 * Element-wise: gelu, silu, mish (the targets) and relu (memory-bound, for reference) on
 * 2^22 float32 elements from an ordinary (non-shared) Float32Array, so every workers call pays its
 * copy into shared memory; plus gelu on an input that already lives in a SharedArrayBuffer. FFN:
 * d_model 512, d_ff 2048, 512 tokens, relu, float32. Each case warms up, then runs `rounds`
 * rounds alternating the two backends (so a neighbour's load hits both alike) and keeps the
 * median; the best round of each is kept too. The machine's CPU time spent by other processes
 * during the run (from /proc/stat, less this process's own) is recorded, because a neighbour on
 * one of two cores halves what two threads can do. Writes bench/results.json beside this file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createWorkersBackend } from '@rectifier/backend-workers';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const threads = arg('threads', 2);
const rounds = arg('rounds', 7);

/** Deterministic values in [−6, 6). */
function values(n, seed, scale = 1) {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 12 - 6) * scale;
  }
  return out;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Busy and total CPU seconds of the whole machine so far (all cores), from /proc/stat. */
function machineCpu() {
  const [, ...f] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0) / 100;
  const idle = (f[3] + f[4]) / 100;
  return { busy: total - idle, total };
}
const cpuAtStart = machineCpu();
const ownAtStart = process.cpuUsage();

const cpu = createCpuBackend();
const workers = createWorkersBackend({ threads });
await workers.ready();

/** Warm-up, then `rounds` alternating rounds; median milliseconds per call of each. */
async function compare(runCpu, runWorkers, warmup = 2) {
  for (let i = 0; i < warmup; i++) {
    await runCpu();
    await runWorkers();
  }
  const c = [];
  const w = [];
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    await runCpu();
    c.push(performance.now() - t0);
    t0 = performance.now();
    await runWorkers();
    w.push(performance.now() - t0);
  }
  return { cpuMs: median(c), workersMs: median(w), cpuRoundsMs: c.map((v) => +v.toFixed(1)), workersRoundsMs: w.map((v) => +v.toFixed(1)) };
}

const machine = {
  cpu: /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown',
  cores: availableParallelism(),
  node: process.version,
  loadAverageAtStart: loadavg().map((v) => +v.toFixed(2)),
};
const results = [];
const n = 2 ** 22;
const x = tensor(values(n, 1));
for (const op of ['gelu', 'silu', 'mish', 'relu']) {
  const r = await compare(() => cpu.forward(op, x), () => workers.forward(op, x));
  results.push({ case: `${op} forward`, elements: n, dtype: 'float32', ...r });
}
const sharedX = tensor(new Float32Array(new SharedArrayBuffer(4 * n)).fill(0).map((_, i) => x.data[i]));
{
  const r = await compare(() => cpu.forward('gelu', x), () => workers.forward('gelu', sharedX));
  results.push({ case: 'gelu forward, input already shared', elements: n, dtype: 'float32', ...r });
}
const [T, d, f] = [512, 512, 2048];
const ffnX = tensor(values(T * d, 2), [T, d]);
const weights = {
  w1: tensor(values(d * f, 3, 1 / Math.sqrt(d)), [d, f]),
  b1: tensor(values(f, 4, 0.01), [f]),
  w2: tensor(values(f * d, 5, 1 / Math.sqrt(f)), [f, d]),
  b2: tensor(values(d, 6, 0.01), [d]),
};
{
  const r = await compare(() => cpu.ffn(ffnX, weights), () => workers.ffn(ffnX, weights), 1);
  results.push({ case: `ffn forward (d_model ${d}, d_ff ${f}, ${T} tokens, relu)`, multiplyAdds: 2 * T * d * f, dtype: 'float32', ...r });
}
await workers.dispose();
machine.loadAverageAtEnd = loadavg().map((v) => +v.toFixed(2));
{
  const end = machineCpu();
  const own = process.cpuUsage(ownAtStart);
  const ownSeconds = (own.user + own.system) / 1e6;
  machine.otherProcessesCpuShare = +(((end.busy - cpuAtStart.busy) - ownSeconds) / (end.total - cpuAtStart.total)).toFixed(3);
}

for (const r of results) {
  r.ratio = +(r.cpuMs / r.workersMs).toFixed(2);
  r.ratioBestRounds = +(Math.min(...r.cpuRoundsMs) / Math.min(...r.workersRoundsMs)).toFixed(2);
  if (r.elements) {
    r.cpuMelementsPerS = +(r.elements / r.cpuMs / 1e3).toFixed(1);
    r.workersMelementsPerS = +(r.elements / r.workersMs / 1e3).toFixed(1);
  } else {
    r.cpuGflops = +((2 * r.multiplyAdds) / r.cpuMs / 1e6).toFixed(2);
    r.workersGflops = +((2 * r.multiplyAdds) / r.workersMs / 1e6).toFixed(2);
  }
  r.cpuMs = +r.cpuMs.toFixed(1);
  r.workersMs = +r.workersMs.toFixed(1);
}
const out = { date: new Date().toISOString(), machine, threads, rounds, results };
writeFileSync(new URL('./results.json', import.meta.url), `${JSON.stringify(out, null, 1)}\n`);
console.log(JSON.stringify(machine));
console.table(results.map((r) => ({ case: r.case, cpuMs: r.cpuMs, workersMs: r.workersMs, ratio: r.ratio, ratioBestRounds: r.ratioBestRounds })));
