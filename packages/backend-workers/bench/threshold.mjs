/**
 * Where the pool starts to pay: median time per call of the CPU backend, of this backend with
 * every call sent to the pool (minSavingNs 0), and of this backend as it ships (the cost model),
 * for growing sizes, on the built packages:
 *
 *   node packages/backend-workers/bench/threshold.mjs [threads]
 *
 * float32 relu runs in WebAssembly near copy speed, hardswish through the JS loop, gelu is a costly
 * WebAssembly kernel; matmul's work is in multiply-adds. "saving" is what the model expects the pool
 * to save (µs; the pool is used from DEFAULT_MIN_SAVING_NS): "shipped" should never be much slower
 * than "cpu", and as fast as "pool" where that wins (see the README).
 */
import { tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { createWorkersBackend, elementwiseNs, multiplyAddNs, poolSavingNs } from '@rectifier/backend-workers';

const threads = Number(process.argv[2] ?? 2);
const cpu = createCpuBackend();
const pool = createWorkersBackend({ threads, minSavingNs: 0 });
const shipped = createWorkersBackend({ threads });
await pool.ready();
await shipped.ready();

/** Median ms per call of each function, alternating them, over ≥ 9 rounds and ≥ ~100 ms each. */
async function perCall(fns) {
  for (const fn of fns) for (let i = 0; i < 5; i++) await fn();
  const samples = fns.map(() => []);
  const t0 = performance.now();
  for (let r = 0; r < 9 || performance.now() - t0 < 100 * fns.length; r++) {
    for (const [i, fn] of fns.entries()) {
      const s = performance.now();
      await fn();
      samples[i].push(performance.now() - s);
    }
    if (r > 2000) break;
  }
  return samples.map((xs) => xs.sort((a, b) => a - b)[xs.length >> 1]);
}

const rows = [];
const add = (what, savingNs, [c, p, s]) => rows.push({
  what, savingUs: Math.round(savingNs / 1000), cpuMs: +c.toFixed(3), poolMs: +p.toFixed(3), shippedMs: +s.toFixed(3), poolSpeedup: +(c / p).toFixed(2), shippedSpeedup: +(c / s).toFixed(2),
});
for (const [op, maxExp] of [['relu', 22], ['hardswish', 22], ['gelu', 20]]) {
  for (let e = 10; e <= maxExp; e += 2) {
    const n = 2 ** e;
    const x = tensor(Float32Array.from({ length: n }, (_, i) => Math.sin(i) * 4));
    add(`${op} ${n}`, poolSavingNs(elementwiseNs(op, 'float32', 'forward', n), 2 * n, threads), await perCall([() => cpu.forward(op, x), () => pool.forward(op, x), () => shipped.forward(op, x)]));
  }
}
for (const s of [64, 128, 256, 384, 512]) {
  const a = tensor(Float32Array.from({ length: s * s }, (_, i) => Math.sin(i)), [s, s]);
  add(`matmul ${s}³`, poolSavingNs(multiplyAddNs('float32', s ** 3), 3 * s * s, threads), await perCall([() => cpu.matmul(a, a), () => pool.matmul(a, a), () => shipped.matmul(a, a)]));
}
console.table(rows);
await pool.dispose();
await shipped.dispose();
