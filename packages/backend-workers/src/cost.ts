/**
 * What an element of each op costs the CPU kernels, in elements of a tight select loop (relu),
 * so that one threshold means about the same calling-thread time for every op. Measured with the
 * CPU backend on 2^16 float32 elements on the README's machine (ns per element: relu6 2.3,
 * hardswish 17, sigmoid 25, silu 47, gelu 82, mish 96) and rounded to powers of two. An op not
 * listed counts 1: it then reaches the pool later than it could, never earlier (never slower).
 */
import type { OpName } from '@rectifier/core';

export const ELEMENT_COST: Readonly<Partial<Record<OpName, number>>> = Object.freeze({
  // relu, relu6, leaky_relu, prelu, relu_squared, thresholded_relu, crelu, hardtanh, hardshrink, reglu: 1
  elu: 4, hardsigmoid: 4, hardswish: 4, softsign: 4, softshrink: 4,
  celu: 8, selu: 8, sigmoid: 8,
  silu: 16, swiglu: 16, tanh: 16, softplus: 16, squareplus: 16,
  gelu: 32, geglu: 32, mish: 32, noisy_relu: 32,
});

export function elementCost(op: OpName): number {
  return ELEMENT_COST[op] ?? 1;
}
