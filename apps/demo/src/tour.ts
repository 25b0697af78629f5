#!/usr/bin/env node
/**
 * The newcomer's first command: every op and its gradient on a few values, through the CPU
 * backend, then the two facts about ReLU that the rest of the project builds on.
 */
import { createCpuBackend } from '@rectifier/backend-cpu';
import { scalar, tensor } from '@rectifier/core';
import { opTable, renderTable, TOUR_INPUTS } from './table.js';

const backend = createCpuBackend();
console.log('Rectifier — the ReLU family on the CPU backend (float32)\n');
console.log(renderTable(await opTable(backend, TOUR_INPUTS), TOUR_INPUTS));

// ≈50 % of ReLU units are exactly zero at a symmetric random init (Glorot, Bordes & Bengio 2011).
const T = 256;
const d = 64;
const f = 256;
const normals = (n: number, seed: number, scale: number): number[] => Array.from({ length: n }, (_, i) => scale * scalar.gaussianNoise(seed, i));
const x = tensor(normals(T * d, 1, 1), [T, d]);
const out = await backend.ffn(x, { w1: tensor(normals(d * f, 2, 1 / Math.sqrt(d)), [d, f]), w2: tensor(normals(f * d, 3, 1 / Math.sqrt(f)), [f, d]) }, { stats: true });
console.log(`\nFFN ${T}×${d}→${f}→${d}, zero bias, random normal weights: ${(100 * out.stats!.zeroFraction).toFixed(1)} % of hidden activations are exactly 0 (expected ≈ 50 %).`);

// relu(−0) is +0 here, as in TensorFlow.js, ONNX and PyTorch on CUDA (PyTorch's CPU kernel returns −0).
const z = backend.sync.forward('relu', tensor([-0]));
console.log(`relu(−0) = ${Object.is(z.data[0], 0) ? '+0' : '-0'}`);
await backend.dispose();
