// The certified sparse FFN (`sparse: 'certified'`, issue 15) phase by phase, against the dense and
// the `sparse: true` FFN of the same backend, interleaved (median of rounds). Run after
// `pnpm run build`, from the repository root:
//   node packages/backend-cpu/bench/certified-profile.mjs [rounds]
// Shapes: d 512 × f 2048 × 512 tokens at 90 % and 99 % zeros (Gaussian x and W1, a shared bias
// that puts that fraction of z at or below 0, as apps/bench's FFN rows), and the trained char-LM's
// blocks (apps/bench/fixtures/char-lm-relu.*: 1024 tokens × d 30 × f 96 at their own sparsity).
// "whole call" is backend.ffn itself (validation, tensors, stats off); the phases re-run the steps
// of certifiedForwardRows (src/kernels/certified-ffn.ts) one at a time on the call's operands:
// W1's preparation (quantisation, facts, transpose: what a call pays when its W1 is not kept),
// the first layer in one WebAssembly call (WasmKernels.certifiedUnits) with the time of each of its
// kernels (the module's exports wrapped in timers; the rest of that call is staging copies), and
// the second layer. The old path's phases (core's certifyRows, then selectedProducts) are timed too.
import os from 'node:os';
import * as core from '@rectifier/core';
import { certificateBound, certificateColumnFacts, certifyZeroUnits, quantiseW1, tensor } from '@rectifier/core';
import { wasmKernels, wasmVariant } from '@rectifier/kernels-wasm';
import { createCpuBackend } from '../dist/index.js';
import * as certifiedFfn from '../dist/kernels/certified-ffn.js';
import { activate } from '../dist/kernels/elementwise.js';
import { denseLayerF32 } from '../dist/kernels/matmul.js';
import { ffnShapes } from './ffn-shapes.mjs';

const rounds = Number(process.argv[2] ?? 9);
const WASM = wasmKernels();
const cpu = createCpuBackend().sync;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };


const fast = WASM === undefined ? {} : {
  pass: (...a) => WASM.certify(...a),
  quantiser: {
    facts: (w1, d, f, l1, maxAbs, finite) => WASM.columnFacts(w1, d, f, l1, maxAbs, finite),
    levels: (w1, d, f, inverse, levels) => WASM.quantiseColumns(w1, d, f, inverse, levels),
  },
};

console.log(`certified FFN profile, Node ${process.versions.node}, ${wasmVariant() ?? 'no'} WebAssembly build (integer pass: ${WASM?.integerPass() ?? 'none'}), ${rounds} rounds, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const s of ffnShapes(core, cpu)) {
  const { x, w1, b1, w2, b2, T, d, f } = s;
  const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
  const xt = tensor(x, [T, d]);
  const stats = cpu.ffn(xt, W, { sparse: 'certified', stats: true }).stats;
  // The phases' state, handed from one to the next as certifiedForwardRows does.
  let q, mask, z, h;
  let passMs = 0;
  const timedPass = fast.pass && ((...a) => { const t = performance.now(); const r = fast.pass(...a); passMs += performance.now() - t; return r; });
  let prepared;
  const kernelMs = {};
  const exported = WASM.exportedFunction.bind(WASM);
  const timedKernels = Object.create(WASM, { exportedFunction: { value: (name) => { const k = exported(name); return k && ((...a) => { const t = performance.now(); const r = k(...a); kernelMs[name] = (kernelMs[name] ?? 0) + performance.now() - t; return r; }); } } });
  const bound = certificateBound(d, 0, 'float32');
  const relu = { kernel: 'relu_f32', p0: 0, p1: 0 };
  const phases = {
    'whole call: dense': () => cpu.ffn(xt, W),
    'whole call: sparse': () => cpu.ffn(xt, W, { sparse: true }),
    'whole call: certified': () => cpu.ffn(xt, W, { sparse: 'certified' }),
    'x·W1 alone (matmul)': () => cpu.matmul(xt, W.w1),
    'W1 prepared (when not kept)': () => {
      const quantised = quantiseW1(w1, d, f, fast.quantiser);
      const w1t = new Float32Array(d * f);
      WASM.transpose(w1, d, f, w1t);
      prepared = { quantised, colFacts: certificateColumnFacts(quantised), w1t };
    },
    'first layer in the module (certifiedUnits)': () => {
      h = new Float32Array(T * f);
      WASM.certifiedUnits.call(timedKernels, x, T, d, prepared.quantised.levels, f, prepared.colFacts, Float64Array.from(b1), bound, prepared.w1t, b1, relu, h);
    },
    'second layer (sparse)': () => { denseLayerF32(h, w2, b2, T, f, d, undefined, true, new Float32Array(T * d)); },
    'old: quantise W1': () => { q = quantiseW1(w1, d, f, fast.quantiser); },
    'old: certificate (x facts + pass)': () => { mask = new Uint8Array(T * f); passMs = 0; certifyZeroUnits(x, q, b1, 0, 'float32', 0, T, mask, timedPass); },
    'old: units (selectedProducts)': () => { z = new Float32Array(T * f); certifiedFfn.selectedProducts({ a: x, b: w1, bias: b1, rows: T, k: d, n: f, dtype: 'float32' }, mask, z); },
    'old: activation + mask': () => { const hh = new Float32Array(T * f); activate('relu', z, undefined, hh, {}); for (let i = 0; i < T * f; i++) if (mask[i] === 1) hh[i] = 0; },
  };
  const times = Object.fromEntries(Object.keys(phases).map((k) => [k, []]));
  const pass = [];
  for (const run of Object.values(phases)) run();
  for (let r = 0; r < rounds; r++) {
    for (const [name, run] of Object.entries(phases)) { const t = performance.now(); run(); times[name].push(performance.now() - t); }
    pass.push(passMs);
  }
  const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  const dense = ms['whole call: dense'];
  console.log(`${s.name}: T ${T} d ${d} f ${f}, ${(100 * stats.zeroFraction).toFixed(1)} % zeros, ${(100 * stats.certifiedUnits / Math.max(1, stats.zeroUnits)).toFixed(1)} % of them certified`);
  for (const [name, t] of Object.entries(ms)) console.log(`  ${name.padEnd(46)} ${t.toFixed(3).padStart(8)} ms  ${(t / dense).toFixed(3)}× dense`);
  console.log(`  ${'  old: of which the WebAssembly pass'.padEnd(46)} ${median(pass).toFixed(3).padStart(8)} ms`);
  for (const [name, total] of Object.entries(kernelMs)) console.log(`  ${`  certifiedUnits: ${name}`.padEnd(46)} ${(total / (rounds + 1)).toFixed(3).padStart(8)} ms (mean)`);
  console.log(`  dense ÷ certified ${(dense / ms['whole call: certified']).toFixed(2)}×, dense ÷ sparse ${(dense / ms['whole call: sparse']).toFixed(2)}×`);
}
