/**
 * The ops a backend declares (`capabilities.ops`, absent: every op) and the typed error for the
 * others. Every section runs its cases on the declared ops; a case that needs an op the backend does
 * not declare asks that op's `UNSUPPORTED_OP` instead (through `requiring`), and nothing else of it.
 */
import { ErrorCode, OP_NAMES, OPS, tensor, type Backend, type OpName } from '@rectifier/core';
import { expect } from 'vitest';
import { expectCode } from './assertions.js';

/** The ops the backend offers: `capabilities.ops`, or every op of the catalogue. */
export function declaredOps(b: Backend): readonly OpName[] {
  return b.capabilities.ops ?? OP_NAMES;
}

/** Whether the backend offers `op`. */
export function offers(b: Backend, op: OpName): boolean {
  return declaredOps(b).includes(op);
}

/**
 * Expects `op` refused with `UNSUPPORTED_OP` naming the backend and the op: forward, gradient (and
 * their sync twins where declared), and an FFN with it as the activation where it can be one.
 */
export async function expectUnsupportedOp(b: Backend, op: OpName): Promise<void> {
  const def = OPS[op];
  // Any inputs do: the op is refused before they are read.
  const inputs = def.inputs.map(() => tensor([1, -1]));
  const e = await expectCode(b.forward(op, inputs), ErrorCode.UnsupportedOp);
  expect(e.op).toBe(op);
  expect(e.message, 'names the backend').toContain(b.name);
  expect(e.message, 'names the op').toContain(op);
  await expectCode(b.gradient(op, inputs, tensor([1, 1])), ErrorCode.UnsupportedOp);
  if (b.capabilities.sync) {
    await expectCode(() => b.sync.forward(op, inputs), ErrorCode.UnsupportedOp);
    await expectCode(() => b.sync.gradient(op, inputs, tensor([1, 1])), ErrorCode.UnsupportedOp);
  }
  if (def.kind === 'unary' || def.kind === 'glu') {
    const m = tensor([1, 0, 0, 1], [2, 2]);
    const weights = { w1: m, w2: m, ...(def.kind === 'glu' ? { v: m } : {}) };
    expect((await expectCode(b.ffn(m, weights, { activation: op }), ErrorCode.UnsupportedOp)).argument).toBe('activation');
    await expectCode(b.ffnBackward(m, weights, m, { activation: op }), ErrorCode.UnsupportedOp);
  }
}

/**
 * A test body that needs `ops`: it runs where the backend offers all of them; elsewhere each one it
 * does not offer must give `UNSUPPORTED_OP`, and the body does not run.
 */
export function requiring(b: () => Backend, ops: readonly OpName[], body: () => Promise<void>): () => Promise<void> {
  return async () => {
    const missing = ops.filter((op) => !offers(b(), op));
    if (missing.length === 0) return body();
    for (const op of missing) await expectUnsupportedOp(b(), op);
  };
}
