/**
 * The ceiling of two threads on this machine (issue 14, target 6): the same half-size GEMM
 * (256 × 512 × 2048, the first layer of the bench's FFN at 512 tokens split in two) timed on one
 * worker thread alone and then on two worker threads at once, each on its own WebAssembly
 * instance and operands, started together. If two at once take s times as long as one alone, two
 * threads can be at most 2/s times as fast as one on this work, whatever the backend does.
 * Run after a build:  node packages/kernels-wasm/bench/side-by-side.mjs [rounds]
 */
import os from 'node:os';
import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

const rounds = Number(process.argv[2] ?? 9);
const [m, k, n] = [256, 512, 2048];
const source = `
import { parentPort, workerData } from 'node:worker_threads';
import { WASM_BASE64, WASM_RELAXED_BASE64 } from '../dist/generated/module.js';
import { wasmVariant } from '../dist/index.js';
const { m, k, n, go } = workerData;
const memory = new WebAssembly.Memory({ initial: Math.ceil((4 * (m * k + k * n + m * n) + 3 * 4096 + (4 << 20)) / 65536) });
const module = new WebAssembly.Module(Buffer.from(wasmVariant() === 'relaxed-simd' ? WASM_RELAXED_BASE64 : WASM_BASE64, 'base64'));
const ex = new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports;
const A = 320, B = ((A + 4 * m * k + 4095) & ~4095) + 1728, C = ((B + 4 * k * n + 4095) & ~4095) + 3136;
const f = new Float32Array(memory.buffer);
for (let i = 0; i < m * k + k * n; i++) f[A / 4 + i] = Math.sin(i);
const flag = new Int32Array(go);
ex.gemm_f32(A, B, C, m, k, n, 0);
parentPort.on('message', (round) => {
  while (Atomics.load(flag, 0) < round) Atomics.wait(flag, 0, round - 1, 5);
  const t = performance.now();
  ex.gemm_f32(A, B, C, m, k, n, 0);
  parentPort.postMessage(performance.now() - t);
});
parentPort.postMessage('ready');
`;
const go = new SharedArrayBuffer(4);
const flag = new Int32Array(go);
// The worker's source goes to a file beside this one for the run (its imports are relative to it).
const file = fileURLToPath(new URL('./.side-by-side-worker.mjs', import.meta.url));
writeFileSync(file, source);
const workers = [0, 1].map(() => new Worker(file, { workerData: { m, k, n, go } }));
await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
let round = 0;
async function run(ws) {
  round++;
  const done = ws.map((w) => new Promise((resolve) => w.once('message', resolve)));
  ws.forEach((w) => w.postMessage(round));
  Atomics.store(flag, 0, round); Atomics.notify(flag, 0);
  return Math.max(...(await Promise.all(done)));
}
const alone = [], together = [];
for (let r = 0; r < rounds; r++) { alone.push(await run([workers[0]])); together.push(await run(workers)); }
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const [a, t] = [median(alone), median(together)];
console.log(`gemm_f32 ${m}×${k}×${n} on a worker thread (Node ${process.versions.node}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}):`);
console.log(`  alone ${a.toFixed(2)} ms, two at once ${t.toFixed(2)} ms (the slower of the two): ${(t / a).toFixed(2)}× as long, so two threads reach at most ${(2 * a / t).toFixed(2)}× one`);
await Promise.all(workers.map((w) => w.terminate()));
rmSync(file);
