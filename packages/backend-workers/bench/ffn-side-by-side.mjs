/**
 * The ceiling of two threads for issue 14's target 6 (workers ≥ 1.7× the CPU backend, FFN at 512
 * tokens), with no workers backend in the way: ffn-case.mjs's FFN (d_model 512, d_ff 2048, relu,
 * float32, the bench app's 50 %-zeros row) on the CPU backend, whole (512 tokens) on the calling
 * thread, and split in two halves of 256 tokens, each half on its own worker thread with its own
 * CPU backend and its own copy of the weights, timed alone and both at once (started together by
 * an Atomics flag, the slower of the two counted). No shared memory, no pool, no messages inside
 * the timed part: what two threads can do on this machine with the same kernels. The ratio whole ÷
 * both-at-once bounds what any two-thread FFN built from these kernels can reach; the workers
 * backend's own figure (bench app) sits below it by its dispatch, copies and joins. "Half there"
 * is the half on the calling thread: whole ÷ that is what splitting the tokens alone costs (the
 * per-call work that does not shrink with them), halves at once ÷ half alone what running two
 * threads at once costs (shared caches, memory, the VM's neighbours).
 *
 * Forward only: the workers backend's backward splits its second round by weight rows, not by
 * tokens, so halving the tokens would not bound it.
 *
 *   node packages/backend-workers/bench/ffn-side-by-side.mjs [--rounds 15]
 */
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { b1, b2, d, f, T, w1, w2, x } from './ffn-case.mjs';

const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const rounds = Number(option('rounds', 15));
const half = T / 2;

const W = (a) => ({ w1: tensor(a.w1, [d, f]), b1: tensor(a.b1, [f]), w2: tensor(a.w2, [f, d]), b2: tensor(a.b2, [d]) });
/** One call on `rows` tokens of `xs`, timed (ms). */
const timer = (cpu, weights, xs, rows) => {
  const xt = tensor(xs, [rows, d]);
  return () => { const t = performance.now(); cpu.sync.ffn(xt, weights); return performance.now() - t; };
};

if (!isMainThread) {
  // A worker (this file again): its own CPU backend and weights, its half of the tokens; one timed
  // call each time the flag reaches the round it is sent.
  const call = timer(createCpuBackend(), W(workerData), workerData.x, half);
  for (let i = 0; i < 24; i++) call();
  const flag = new Int32Array(workerData.go);
  parentPort.on('message', (round) => {
    while (Atomics.load(flag, 0) < round) Atomics.wait(flag, 0, round - 1, 5);
    parentPort.postMessage(call());
  });
  parentPort.postMessage('ready');
} else {
const go = new SharedArrayBuffer(4);
const flag = new Int32Array(go);
const workers = [0, 1].map((i) => new Worker(new URL(import.meta.url), {
  workerData: { w1, b1, w2, b2, x: x.slice(i * half * d, (i + 1) * half * d), go }
}));
await Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));

const mainCpu = createCpuBackend();
const mainWeights = W({ w1, b1, w2, b2 });
const whole = timer(mainCpu, mainWeights, x, T);
const halfHere = timer(mainCpu, mainWeights, x.subarray(0, half * d), half);
for (let i = 0; i < 24; i++) { whole(); halfHere(); }

let round = 0;
async function halves(ws) {
  round++;
  const done = ws.map((w) => new Promise((resolve) => w.once('message', resolve)));
  ws.forEach((w) => w.postMessage(round));
  Atomics.store(flag, 0, round); Atomics.notify(flag, 0);
  return Math.max(...(await Promise.all(done)));
}
const [wholeMs, halfMs, alone, together] = [[], [], [], []];
for (let r = 0; r < rounds; r++) {
  wholeMs.push(whole());
  halfMs.push(halfHere());
  alone.push(await halves([workers[0]]));
  together.push(await halves(workers));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [wm, hm, a, t] = [median(wholeMs), median(halfMs), median(alone), median(together)];
console.log(`ffn ${T}×${d}×${f} relu float32 on the CPU backend (Node ${process.versions.node}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; medians of ${rounds} interleaved rounds):`);
console.log(`  whole on the calling thread ${wm.toFixed(2)} ms, half there ${hm.toFixed(2)} ms; half on one worker alone ${a.toFixed(2)} ms, both halves at once ${t.toFixed(2)} ms (the slower)`);
console.log(`  two threads reach at most ${(wm / t).toFixed(2)}× the CPU backend here (halves at once take ${(t / a).toFixed(2)}× one alone; whole ÷ half alone ${(wm / a).toFixed(2)})`);
await Promise.all(workers.map((w) => w.terminate()));
}
