// The CPU backend's sparse FFN backward (`ffnBackward(x, W, dy, { sparse: true })`, issue 15)
// against its dense backward, and against the sparse backward of another build (the old one),
// all in one process, interleaved (each round runs every contender once, every other round in
// reverse order; medians of the rounds).
// Run after `pnpm run build`, from the repository root, under each Node whose build you want:
//   node packages/backend-cpu/bench/sparse-backward.mjs [--rounds=9] [--baseline=<backend-cpu dist>] [--phases]
//   /work/main/.node-versions/24/node_modules/.bin/node packages/backend-cpu/bench/sparse-backward.mjs ...
// --baseline: a built backend-cpu dist folder (e.g. /work/main/packages/backend-cpu/dist, which
// imports its own worktree's kernels-wasm), whose sparse backward is timed as "old sparse".
// --phases: also the backward's steps one at a time on the call's own operands, dense and sparse
// (z = x·W1 + b1 and h; dh = dy·W2ᵀ, for the sparse call only its units outside ReLU's zero
// region; dz; dx = dz·W1ᵀ; dW1 = xᵀ·dz; dW2 = hᵀ·dy), as src/kernels/ffn.ts runs them.
// Shape: apps/bench's FFN rows, d 512 × f 2048 × 512 tokens, ReLU, Gaussian x, W1, W2 and dy, a
// shared bias b1 that puts 90 % (99 %) of z at or below 0.
import os from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { OPS, resolveParams, scalar, tensor } from '@rectifier/core';
import { wasmVariant } from '@rectifier/kernels-wasm';
import { createCpuBackend } from '../dist/index.js';
import { selectedProducts, zeroRegionUnits } from '../dist/kernels/certified-ffn.js';
import { activate, activateBackward } from '../dist/kernels/elementwise.js';
import { accumulator, denseLayerF32, gemmAccumulate, sparseProductOfTransposedA, transpose } from '../dist/kernels/matmul.js';
import { interleaved } from './rounds.mjs';

const option = (name) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const rounds = Number(option('rounds') ?? 9);
const baselineDir = option('baseline');
const withPhases = process.argv.includes('--phases');

const cpu = createCpuBackend().sync;
/** The baseline's backend and the tensor() of its own copy of core (a backend takes only its core's tensors). */
const old = baselineDir === undefined ? undefined : await (async () => {
  const at = (path) => import(pathToFileURL(join(resolve(baselineDir), path)).href);
  const [backend, core] = await Promise.all([at('index.js'), at('../node_modules/@rectifier/core/dist/index.js')]);
  return { backend: backend.createCpuBackend().sync, tensor: core.tensor };
})();

/** The backward's steps one at a time, dense and sparse (as ffnBackwardRows, outputGradient and ffnWeightGradientRows). */
function phases(x, w1, b1, w2, dy, T, d, f) {
  const relu = resolveParams('relu', OPS.relu.params, {});
  const z = new Float32Array(T * f);
  denseLayerF32(x, w1, b1, T, d, f, undefined, false, z);
  const h = new Float32Array(T * f);
  activate('relu', z, undefined, h, relu);
  const dhDense = (() => { const acc = accumulator('float32', T * f); gemmAccumulate(acc, dy, d, 1, transpose(w2, f, d), T, d, f, false); return acc; })();
  const dz = new Float32Array(T * f);
  activateBackward('relu', z, undefined, dhDense, dz, undefined, relu);
  const steps = {
    'z, h': () => { const out = new Float32Array(T * f); denseLayerF32(x, w1, b1, T, d, f, undefined, false, out); activate('relu', out, undefined, new Float32Array(T * f), relu); },
    'dh dense': () => { const acc = accumulator('float32', T * f); gemmAccumulate(acc, dy, d, 1, transpose(w2, f, d), T, d, f, false); },
    'dh sparse': () => {
      const { skip, known } = zeroRegionUnits(z, T, f, 0);
      selectedProducts({ a: dy, b: w2, bTransposed: true, bias: new Float32Array(f), rows: T, k: d, n: f, dtype: 'float32' }, skip, new Float32Array(T * f), known);
    },
    dz: () => activateBackward('relu', z, undefined, dhDense, new Float32Array(T * f), undefined, relu),
    'dx dense': () => gemmAccumulate(accumulator('float32', T * d), dz, f, 1, transpose(w1, d, f), T, f, d, false),
    'dx sparse': () => gemmAccumulate(accumulator('float32', T * d), dz, f, 1, transpose(w1, d, f), T, f, d, true),
    'dW1 dense': () => gemmAccumulate(accumulator('float32', d * f), x, 1, d, dz, d, T, f, false),
    'dW1 sparse': () => sparseProductOfTransposedA(dz, f, f, T, x, d, 'float32', true),
    'dW2 dense': () => gemmAccumulate(accumulator('float32', f * d), h, 1, f, dy, f, T, d, false),
    'dW2 sparse': () => sparseProductOfTransposedA(h, f, f, T, dy, d, 'float32', false),
  };
  return interleaved(steps, rounds);
}

const d = 512, f = 2048, T = 512;
const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
const x = normals(T * d, 1, 1), w1 = normals(d * f, 2, 1 / Math.sqrt(d)), w2 = normals(f * d, 3, 1 / Math.sqrt(f)), b2 = normals(d, 4, 0.1);
const dyData = normals(T * d, 5, 1);
/** The baseline's sparse backward on the same operands, as its own core's tensors. */
const oldSparse = (b1) => {
  const t = old.tensor;
  const W = { w1: t(w1, [d, f]), b1: t(b1, [f]), w2: t(w2, [f, d]), b2: t(b2, [d]) };
  const [xt, dy] = [t(x, [T, d]), t(dyData, [T, d])];
  return () => old.backend.ffnBackward(xt, W, dy, { sparse: true });
};
const sorted = Float32Array.from(cpu.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data).sort();
console.log(`sparse FFN backward, Node ${process.versions.node}, ${wasmVariant() ?? 'no'} WebAssembly build, ${rounds} rounds, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
for (const sparsity of [0.9, 0.99]) {
  const b1 = new Float32Array(f).fill(-sorted[Math.min(sorted.length - 1, Math.floor(sparsity * sorted.length))]);
  const W = { w1: tensor(w1, [d, f]), b1: tensor(b1, [f]), w2: tensor(w2, [f, d]), b2: tensor(b2, [d]) };
  const xt = tensor(x, [T, d]);
  const dy = tensor(dyData, [T, d]);
  const ms = interleaved({
    dense: () => cpu.ffnBackward(xt, W, dy),
    sparse: () => cpu.ffnBackward(xt, W, dy, { sparse: true }),
    ...(old === undefined ? {} : { 'old sparse': oldSparse(b1) }),
  }, rounds);
  const line = Object.entries(ms).map(([name, t]) => `${name} ${t.toFixed(1)} ms`).join(', ');
  const ratios = [`dense ÷ sparse ${(ms.dense / ms.sparse).toFixed(2)}×`];
  if (old !== undefined) ratios.push(`dense ÷ old sparse ${(ms.dense / ms['old sparse']).toFixed(2)}×`, `old sparse ÷ sparse ${(ms['old sparse'] / ms.sparse).toFixed(2)}×`);
  console.log(`${sparsity * 100} % zeros: ${line}; ${ratios.join(', ')}`);
  if (withPhases) console.log(`  phases: ${Object.entries(phases(x, w1, b1, w2, dyData, T, d, f)).map(([name, t]) => `${name} ${t.toFixed(1)}`).join(', ')} (ms)`);
}
console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
