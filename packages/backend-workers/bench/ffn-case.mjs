/**
 * The bench app's 50 %-zeros FFN row (apps/bench/src/bench.ts `ffn`), value for value, as plain
 * arrays: d_model 512, d_ff 2048, 512 tokens, Gaussian x, W1, W2 and b2, and a shared b1 that puts
 * half the pre-activations x·W1 + b1 at or below zero. Shared by ffn-backward.mjs and warm-up.mjs.
 */
import { scalar, tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';

export const [T, d, f] = [512, 512, 2048];
const normals = (n, seed, s) => Float32Array.from({ length: n }, (_, i) => s * scalar.gaussianNoise(seed, i));
export const x = normals(T * d, 1, 1);
export const w1 = normals(d * f, 2, 1 / Math.sqrt(d));
export const w2 = normals(f * d, 3, 1 / Math.sqrt(f));
export const b2 = normals(d, 4, 0.1);
const z = createCpuBackend().sync.matmul(tensor(x, [T, d]), tensor(w1, [d, f])).data;
export const b1 = new Float32Array(f).fill(-Float32Array.from(z).sort()[Math.floor(0.5 * z.length)]);
