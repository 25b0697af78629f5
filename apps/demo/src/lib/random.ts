/**
 * Seeded random numbers for the experiments. They come from core's counter-based normal sampler
 * (`scalar.gaussianNoise`, the same one noisy_relu uses), so a seed gives the same numbers in
 * Node and in the browser, on every backend.
 */
import { scalar, tensor, type DType, type Tensor } from '@rectifier/core';

/** A seed for stream `stream` of the experiment seed `seed` (distinct streams, distinct numbers). */
export function streamSeed(seed: number, stream: number): number {
  return (Math.imul(seed + 1, 0x9e3779b1) + Math.imul(stream + 1, 0x85ebca6b)) >>> 0;
}

/** `n` samples of N(0, std²). */
export function normals(n: number, seed: number, std = 1): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = std * scalar.gaussianNoise(seed, i);
  return out;
}

/** A tensor of N(0, std²) samples. */
export function randn(shape: number[], seed: number, std = 1, dtype: DType = 'float32'): Tensor {
  return tensor(normals(shape.reduce((a, b) => a * b, 1), seed, std), shape, dtype);
}

/** The `index`-th uniform draw on [0, 1) of stream `seed` (core's normal sample through Φ, so the same everywhere). */
export function uniform(seed: number, index: number): number {
  return Math.min(scalar.normalCdf(scalar.gaussianNoise(seed, index)), 1 - 2 ** -53);
}

/** A seeded permutation of 0…n−1 (Fisher–Yates driven by the same sampler). */
export function permutation(n: number, seed: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.min(i, Math.floor(uniform(seed, i) * (i + 1)));
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}
