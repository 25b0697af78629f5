/**
 * The dense FFN backward pass of the bench app's 50 %-zeros row (apps/bench/src/bench.ts `ffn`:
 * d_model 512, d_ff 2048, 512 tokens, relu, float32, b1 putting half the pre-activations at or
 * below zero, dy all ones): the CPU backend's `ffnBackward(x, W, dy)` against this backend's with
 * prepared weights (`prepareFfnWeights`, 2 threads), and optionally against another build of this
 * backend (`--before`: the root of another checkout, e.g. main's, built), so a change is measured
 * against what it replaces in the same process. On the built packages:
 *
 *   node packages/backend-workers/bench/ffn-backward.mjs [--before /path/to/checkout] [--rounds 11] [--threads 2]
 *
 * The other build gets tensors from its own copy of core (a backend checks that its tensors are
 * core's). Interleaved rounds (rounds.mjs); prints each contender's median wall time, its
 * speed-up over the CPU backend (the CPU backend's time ÷ its time), and the median CPU time all of
 * the process's threads spent on the call.
 */
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import * as core from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createWorkersBackend } from '@rectifier/backend-workers';
import { b1, b2, d, f, T, w1, w2, x } from './ffn-case.mjs';
import { timeRounds } from './rounds.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const threads = Number(option('threads', 2));
const rounds = Number(option('rounds', 11));
const before = option('before', undefined);

/** One backend's contender: the case's tensors made by `tensor` (its core's), weights prepared if it can. */
function contender(name, backend, tensor) {
  const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
  const weights = backend.prepareFfnWeights?.(W) ?? W;
  const xt = tensor(x, [T, d]);
  return { name, backend, run: () => backend.ffnBackward(xt, weights, tensor(new Float32Array(T * d).fill(1), [T, d])) };
}

const contenders = [contender('cpu', createCpuBackend(), core.tensor)];
if (before !== undefined) {
  const oldCore = await import(join(before, 'packages/core/dist/index.js'));
  const oldWorkers = await import(join(before, 'packages/backend-workers/dist/index.js'));
  contenders.push(contender(`workers (${threads}) before`, oldWorkers.createWorkersBackend({ threads }), oldCore.tensor));
}
contenders.push(contender(`workers (${threads})`, createWorkersBackend({ threads }), core.tensor));
for (const c of contenders) await c.backend.ready();

const medians = await timeRounds(contenders, rounds);
const cpuMs = medians.get('cpu').wallMs;
console.log(`ffnBackward T=${T} d=${d} f=${f} relu float32 dense, dy ones; node ${process.versions.node}; median of ${rounds} rounds; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
for (const c of contenders) {
  const { wallMs, cpuMs: threadsMs } = medians.get(c.name);
  console.log(`  ${c.name.padEnd(24)} ${wallMs.toFixed(1).padStart(7)} ms  ${(cpuMs / wallMs).toFixed(3).padStart(6)}× cpu   CPU time of all threads ${threadsMs.toFixed(1).padStart(6)} ms`);
}
for (const c of contenders) await c.backend.dispose?.();
