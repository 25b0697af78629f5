/**
 * The FFN at the benchmark's sizes (d_model 512, d_ff 2048, relu, float32, with b1 and b2; the
 * bench app's FFN rows) on the CPU backend and on this backend, forward and backward, with the
 * caller's weights (copied into shared memory at every call; the backward pass transposes them
 * once per call) and with prepared weights (`prepareFfnWeights`: no copy, transposes kept). On
 * the built packages (run `npx pnpm exec turbo run build` first):
 *
 *   node packages/backend-workers/bench/ffn-weights.mjs [--threads 2] [--rounds 7] [--tokens 512] [--before path/to/index.js]
 *
 * `--before` adds another build of this package (e.g. a copy of an older dist/) as one more
 * contender, so a change is measured against what it replaces in the same run. Interleaved
 * rounds (rounds.mjs); medians of the wall time, its ratio to the CPU backend's (above 1: faster
 * than the CPU backend), and of the CPU time all of the process's threads spent on the call.
 */
import { availableParallelism, loadavg } from 'node:os';
import { scalar, tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createWorkersBackend } from '@rectifier/backend-workers';
import { timeRounds } from './rounds.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const threads = Number(option('threads', 2));
const rounds = Number(option('rounds', 7));
const T = Number(option('tokens', 512));
const before = option('before', undefined);
const [d, f] = [512, 2048];

const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
const x = tensor(normals(T * d, 1, 1), [T, d]);
const weights = {
  w1: tensor(normals(d * f, 2, 1 / Math.sqrt(d)), [d, f]), b1: tensor(new Float32Array(f).fill(-0.1), [f]),
  w2: tensor(normals(f * d, 3, 1 / Math.sqrt(f)), [f, d]), b2: tensor(normals(d, 4, 0.1), [d]),
};
const dy = tensor(new Float32Array(T * d).fill(1), [T, d]);

const cpu = createCpuBackend();
const workers = createWorkersBackend({ threads });
await workers.ready();
const prepared = workers.prepareFfnWeights(weights);
const backends = [['cpu', cpu, weights], [`workers (${threads})`, workers, weights], [`workers (${threads}) prepared`, workers, prepared]];
if (before !== undefined) {
  const old = (await import(before)).createWorkersBackend({ threads });
  await old.ready();
  backends.splice(1, 0, [`workers (${threads}) before`, old, weights]);
}

const cases = backends.flatMap(([name, b, w]) => [
  { name: `${name} ffn`, run: () => b.ffn(x, w) },
  { name: `${name} ffnBackward`, run: () => b.ffnBackward(x, w, dy) },
]);
const timed = await timeRounds(cases, rounds);
const medians = new Map([...timed].map(([name, t]) => [name, t.wallMs]));
const cpuMedians = new Map([...timed].map(([name, t]) => [name, t.cpuMs]));
console.log(`FFN T=${T} d=${d} f=${f} relu float32, ${threads} threads, median of ${rounds} rounds; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${availableParallelism()} cores`);
console.log(`  ${'case'.padEnd(40)} ${'wall'.padStart(10)}  ${'vs cpu'.padStart(8)}  ${'CPU time of all threads'.padStart(24)}`);
for (const kind of ['ffn', 'ffnBackward']) {
  const base = medians.get(`cpu ${kind}`);
  for (const [name] of backends) {
    const ms = medians.get(`${name} ${kind}`);
    console.log(`  ${`${name} ${kind}`.padEnd(40)} ${ms.toFixed(1).padStart(7)} ms  ${(base / ms).toFixed(2).padStart(7)}×  ${cpuMedians.get(`${name} ${kind}`).toFixed(1).padStart(21)} ms`);
  }
}
for (const [, b] of backends) await b.dispose?.();
