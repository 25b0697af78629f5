/**
 * How many calls the FFN takes to reach its speed, per backend: the bench app's 50 %-zeros FFN row
 * (d_model 512, d_ff 2048, 512 tokens, relu, float32, prepared weights where the backend has them),
 * called `--calls` times in a row on a fresh CPU backend and then on a fresh workers backend, each
 * call's wall time printed in order. On the project's Zen 5 VM (2026-12-02, Node 20) the workers
 * backend's forward pass took 46–55 ms for its first 2 to 13 calls and 23–27 ms after (the CPU
 * backend's 45–48 from about its second call); its backward pass 115–190 ms for its first 3 to 19
 * calls, 70–90 after. Most of it is V8 tiering the worker threads' WebAssembly up to its optimising
 * compiler late: with `--v8-flags --no-liftoff` (process-wide, set before the workers start) the
 * forward pass was at 25–29 ms from its second or third call in two runs of three. The VM's own
 * slow stretches (the CPU backend's calls also vary 1.5× within a run) come on top. The bench
 * app's warm-up makes 24 calls at least (apps/bench/src/timing.ts `warmupCalls`). On the built
 * packages:
 *
 *   node packages/backend-workers/bench/warm-up.mjs [--calls 24] [--threads 2] [--backward] [--v8-flags "--no-liftoff"]
 */
import v8 from 'node:v8';
import { availableParallelism, loadavg } from 'node:os';
import * as core from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createWorkersBackend } from '@rectifier/backend-workers';
import { b1, b2, d, f, T, w1, w2, x } from './ffn-case.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const calls = Number(option('calls', 24));
const threads = Number(option('threads', 2));
const backward = process.argv.includes('--backward');
const flags = option('v8-flags', undefined);
// Process-wide, so it reaches the worker threads, which compile their module after this line
// (the calling thread's was compiled when the imports above ran).
if (flags !== undefined) v8.setFlagsFromString(flags);

console.log(`ffn${backward ? 'Backward' : ''} T=${T} d=${d} f=${f} relu float32; node ${process.versions.node}; ${calls} calls in a row; `
  + `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores${flags === undefined ? '' : `; V8 flags ${flags}`}`);
for (const [name, make] of [['cpu', () => createCpuBackend()], [`workers (${threads})`, () => createWorkersBackend({ threads })]]) {
  const backend = make();
  await backend.ready();
  const W = { w1: core.tensor(w1, [d, f]), b1: core.tensor(b1, [f]), w2: core.tensor(w2, [f, d]), b2: core.tensor(b2, [d]) };
  const weights = backend.prepareFfnWeights?.(W) ?? W;
  const xt = core.tensor(x, [T, d]);
  const dy = core.tensor(new Float32Array(T * d).fill(1), [T, d]);
  const ms = [];
  for (let i = 0; i < calls; i++) {
    const start = performance.now();
    await (backward ? backend.ffnBackward(xt, weights, dy) : backend.ffn(xt, weights));
    ms.push(performance.now() - start);
  }
  console.log(`  ${name.padEnd(12)} ms per call: ${ms.map((t) => t.toFixed(0)).join(' ')}`);
  await backend.dispose?.();
}
