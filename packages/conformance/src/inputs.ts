/**
 * Deterministic test inputs: edge values, seeded random values, and the per-op test facts (parameter
 * variants, monotonic ops, spot values, kinks) in the forms the suite uses, derived from core's
 * OP_TESTING table beside the op catalogue.
 */
import { OP_NAMES, OP_TESTING, scalar, type OpName, type OpSpotValue } from '@rectifier/core';

/** Special and boundary values every op sees (rounded to float32 where the dtype is float32). */
export const EDGE_VALUES: readonly number[] = [
  0, -0, 1, -1, 0.5, -0.5, 2, -2, 3, -3, 6, -6, 5.999, 6.001, 2.9999, -2.9999, 0.01, -0.01, 0.25,
  1e-7, -1e-7, 1e-30, -1e-30,
  1e-40, -1e-40, // float32 subnormals
  5e-324, -5e-324, 1e-310, // float64 subnormals (0 in float32)
  10, -10, 15, -15, 19.9, 20, 20.1, -20, 30, -30, 40, -40, 88, -88, 89, -104, 700, -700, 710, -750,
  1e10, -1e10, 1e20, -1e20, 3.4e38, -3.4e38, 1.7e308, -1.7e308,
  Infinity, -Infinity, NaN,
];

/** n standard-normal values from a seed (core's counter-based generator). */
export function normals(n: number, seed: number, scale = 1): number[] {
  return Array.from({ length: n }, (_, i) => scale * scalar.gaussianNoise(seed, i));
}

/** The values an element-wise op is tested on: the edge values plus random values at several scales. */
export function opInputs(seed: number): number[] {
  return [...EDGE_VALUES, ...normals(96, seed), ...normals(48, seed + 1, 10), ...normals(32, seed + 2, 1e-3), ...normals(32, seed + 3, 40)];
}

/** A table with one entry per op (OP_NAMES lists every op, so the Record is complete by construction). */
export function perOp<T>(entry: (op: OpName) => T): Record<OpName, T> {
  return Object.fromEntries(OP_NAMES.map((op): [OpName, T] => [op, entry(op)])) as Record<OpName, T>;
}

/**
 * Parameter sets each op is tested with: the defaults first, then non-default ones (core's
 * OP_TESTING, beside the catalogue, holds them with the rest of each op's test facts).
 */
export const PARAM_VARIANTS: Readonly<Record<OpName, readonly object[]>> = Object.freeze(perOp((op): readonly object[] => OP_TESTING[op].variants));

/** Ops that are non-decreasing in x (for their default parameters), in catalogue order. */
export const MONOTONIC: ReadonlySet<OpName> = new Set<OpName>(OP_NAMES.filter((op) => OP_TESTING[op].monotonic));

/** Values from the definitions (DESIGN.md §3), independent of the reference code: every op's OP_TESTING spot values, in catalogue order. */
export const SPEC_VALUES: readonly {
  /** The op. */
  op: OpName;
  /** Its parameters, where not the defaults. */
  params?: object;
  /** The input value. */
  x: number;
  /** The definition's f(x), checked against `forward` (within the op's tolerance); absent: not checked. */
  y?: number;
  /** The definition's f′(x), checked against `gradient` with dy = 1; absent: not checked. */
  dy?: number;
}[] = OP_NAMES.flatMap((op) => OP_TESTING[op].spotValues.map((v: OpSpotValue<object>) => ({ op, ...v })));

/** Where an op's derivative jumps (finite differences are not taken within a step of these). */
export function kinks(op: OpName, p: Record<string, unknown>): number[] {
  return [...(OP_TESTING[op].kinks as (params: Record<string, unknown>) => readonly number[])(p)];
}
