/**
 * The ops a backend does not declare give the typed error: a declaration of canonical names, each
 * once, and `UNSUPPORTED_OP` (naming the backend, the op and the ops offered) for every other op,
 * through forward, gradient, the sync API and as an FFN activation. A backend that declares every
 * op (no `ops`) has nothing to refuse.
 */
import { OP_NAMES } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { declaredOps, expectUnsupportedOp } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

export function undeclaredOpsSection(ctx: SuiteContext): void {
  const { backend } = ctx;
  describe('ops it does not declare give UNSUPPORTED_OP', () => {
    it('declares its ops (capabilities.ops) as canonical names of the catalogue, each once', () => {
      const ops = backend().capabilities.ops;
      if (ops === undefined) return; // every op
      expect(new Set(ops).size, 'each op once').toBe(ops.length);
      for (const op of ops) expect(OP_NAMES, `'${op}' is an op of the catalogue`).toContain(op);
    });

    it('refuses every other op with UNSUPPORTED_OP through forward, gradient, sync and as an FFN activation', async () => {
      const offered = declaredOps(backend());
      for (const op of OP_NAMES.filter((name) => !offered.includes(name))) {
        await expectUnsupportedOp(backend(), op);
        const e = await backend().forward(op, [], undefined).catch((err: unknown) => err as Error);
        if (offered.length > 0) expect((e as Error).message, 'lists the ops it offers').toContain(`capabilities.ops: ${offered.join(', ')}`);
      }
    });
  });
}
