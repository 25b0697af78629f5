/** forward into a caller-provided output: in place, and the typed errors for a bad `out`. */
import { ErrorCode, Tensor, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode } from '../assertions.js';
import { checksum } from '../compare.js';
import { normals } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the `{ out }` section. */
export function forwardOutSection(ctx: SuiteContext): void {
  const { backend, supports } = ctx;
  describe('forward(op, inputs, params, { out })', () => {
    it('in place (out is the input) gives the out-of-place result, for unary and GLU ops', requiring(backend, ['relu', 'gelu', 'leaky_relu', 'silu', 'swiglu'], async () => {
      for (const [op, params] of [['relu', {}], ['gelu', {}], ['leaky_relu', { alpha: 0.2 }], ['silu', {}]] as const) {
        const xs = normals(5000, 7).map((v) => 3 * v);
        const x = tensor(xs);
        const y = await backend().forward(op, x, params as never);
        const r = await backend().forward(op, x, params as never, { out: x });
        expect(r).toBe(x);
        expect(checksum(x.data)).toBe(checksum(y.data));
      }
      const gate = tensor(normals(300, 8));
      const value = tensor(normals(300, 9));
      const y = await backend().forward('swiglu', [gate, value]);
      await backend().forward('swiglu', [gate, value], undefined, { out: value });
      expect(checksum(value.data)).toBe(checksum(y.data));
    }));
    it('a bad out gives the typed error and leaves the call unmade', requiring(backend, ['relu', 'crelu', 'prelu'], async () => {
      const x = tensor([1, -2, 3, -4]);
      await expectCode(backend().forward('relu', x, undefined, { out: tensor([0, 0, 0]) }), ErrorCode.DimMismatch);
      await expectCode(backend().forward('crelu', x, undefined, { out: x }), ErrorCode.DimMismatch);
      await expectCode(backend().forward('relu', x, undefined, { out: [0, 0, 0, 0] as never }), ErrorCode.BadArgument);
      await expectCode(backend().forward('relu', x, undefined, { bogus: 1 } as never), ErrorCode.BadArgument);
      // Sharing memory with an input other than exactly, element for element, is refused.
      const shifted = new Tensor((x.data as Float32Array).subarray(1, 4), [3]);
      await expectCode(backend().forward('relu', new Tensor((x.data as Float32Array).subarray(0, 3), [3]), undefined, { out: shifted }), ErrorCode.BadArgument);
      const w = tensor([0.5]);
      await expectCode(backend().forward('prelu', [tensor([2]), w], undefined, { out: w }), ErrorCode.BadArgument);
      const gone = tensor([0, 0, 0, 0]);
      gone.dispose();
      await expectCode(backend().forward('relu', x, undefined, { out: gone }), ErrorCode.Disposed);
      if (supports('float64')) {
        await expectCode(backend().forward('relu', x, undefined, { out: tensor([0, 0, 0, 0], [4], 'float64') }), ErrorCode.DtypeMismatch);
      }
      expect(Array.from(x.data)).toEqual([1, -2, 3, -4]);
    }));
  });
}
