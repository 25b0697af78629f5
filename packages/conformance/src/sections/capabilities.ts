/**
 * The capability declaration itself: complete and consistent, and held to its word — the sync API,
 * undeclared dtypes, maxElements, maxInner, NaN/±∞ and the sign of zero, subnormals.
 */
import { ErrorCode, MAX_TENSOR_ELEMENTS, tensor, type Tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode, expectTensor } from '../assertions.js';
import { offers } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the capabilities section. */
export function capabilitiesSection(ctx: SuiteContext): void {
  const { backend, supports, dtypes } = ctx;
  describe('capabilities', () => {
    it('declares a complete, consistent capability set', () => {
      const c = backend().capabilities;
      expect(typeof backend().name).toBe('string');
      expect(c.dtypes).toContain('float32');
      for (const d of c.dtypes) {
        expect(dtypes).toContain(d);
        expect(c.ulp[d]).toBeGreaterThanOrEqual(0);
      }
      expect(dtypes).toContain(c.accumulation);
      for (const k of ['sync', 'signedZeros', 'nonFinite', 'subnormals'] as const) expect(typeof c[k]).toBe('boolean');
      expect(Number.isInteger(c.maxElements) && c.maxElements > 0 && c.maxElements <= MAX_TENSOR_ELEMENTS).toBe(true);
    });

    it('offers the sync API exactly when it declares sync (elsewhere every sync method gives SYNC_UNSUPPORTED)', async () => {
      expect(backend().sync).toBeDefined();
      if (backend().capabilities.sync) {
        const y = backend().sync.forward('relu', tensor([-1, 2]));
        expect(Array.from(y.data)).toEqual([0, 2]);
      } else {
        const x = tensor([1, 2]);
        await expectCode(() => backend().sync.forward('relu', x), ErrorCode.SyncUnsupported);
        await expectCode(() => backend().sync.gradient('relu', x, x), ErrorCode.SyncUnsupported);
        await expectCode(() => backend().sync.matmul(tensor([1], [1, 1]), tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
        await expectCode(() => backend().sync.ffn(tensor([1], [1, 1]), { w1: tensor([1], [1, 1]), w2: tensor([1], [1, 1]) }), ErrorCode.SyncUnsupported);
        await expectCode(() => backend().sync.ffnBackward(tensor([1], [1, 1]), { w1: tensor([1], [1, 1]), w2: tensor([1], [1, 1]) }, tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
        await expectCode(() => backend().sync.activationStats(tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
      }
    });

    it('gives UNSUPPORTED_DTYPE for every dtype it does not declare', async () => {
      for (const dtype of dtypes) {
        const x = tensor([1, -1], [2], dtype);
        if (supports(dtype)) expectTensor(await backend().forward('relu', x), [2], dtype);
        else await expectCode(backend().forward('relu', x), ErrorCode.UnsupportedDtype);
      }
    });

    it('honours its maxElements declaration', async () => {
      const max = backend().capabilities.maxElements;
      // An output of max + 1 elements from empty inputs: [max + 1, 0] · [0, 1] allocates nothing.
      await expectCode(backend().matmul(tensor([], [max + 1, 0]), tensor([], [0, 1])), ErrorCode.TooLarge);
      if (max < 2 ** 24) {
        await expectCode(backend().forward('relu', tensor(new Float32Array(max + 1))), ErrorCode.TooLarge);
      }
      const atLimit = await backend().matmul(tensor([], [Math.min(max, 4096), 0]), tensor([], [0, 1]));
      expect(Array.from(atLimit.data).every((v) => v === 0)).toBe(true); // an empty sum is 0
      // … and keeps serving: real work after the refusals gives the right answer.
      await expectCode(backend().ffn(tensor([], [max + 1, 0]), { w1: tensor([], [0, 1]), w2: tensor([0], [1, 1]) }), ErrorCode.TooLarge);
      const y = await backend().forward('relu', tensor([-1, 2, -0, 3.5]));
      expect(Array.from(y.data)).toEqual([0, 2, 0, 3.5]);
      const c = await backend().matmul(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 0, 0, 1], [2, 2]));
      expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
    });

    it('honours its maxInner declaration (the longest sum its products run)', async () => {
      const limit = backend().capabilities.maxInner;
      if (limit === undefined) return;
      expect(Number.isInteger(limit) && limit > 0).toBe(true);
      const ones = (shape: number[]): Tensor => tensor(new Float32Array(shape[0] * shape[1]).fill(1), shape);
      const e = await expectCode(backend().matmul(ones([1, limit + 1]), ones([limit + 1, 1])), ErrorCode.TooLarge);
      expect(e.argument).toBe('k');
      if (offers(backend(), 'relu')) await expectCode(backend().ffn(ones([1, limit + 1]), { w1: ones([limit + 1, 1]), w2: ones([1, 1]) }), ErrorCode.TooLarge);
      expect(Array.from((await backend().matmul(ones([1, limit]), ones([limit, 1]))).data)).toEqual([limit]);
    });

    it('keeps NaN, ±∞ and the sign of zero as declared', async () => {
      const c = backend().capabilities;
      const x = tensor([NaN, Infinity, -Infinity, -0]);
      if (!c.nonFinite) {
        await expectCode(backend().forward('relu', x), ErrorCode.UnsupportedValue);
        // An output's old contents are overwritten, never read: NaN or ∞ left there is no reason to refuse.
        const out = tensor([NaN, Infinity, -Infinity, 5]);
        await backend().forward('relu', tensor([1, -2, 3, -0]), {}, { out });
        expect(Array.from(out.data, (v) => (Object.is(v, -0) ? 0 : v))).toEqual([1, 0, 3, 0]);
        return;
      }
      // leaky_relu passes each value through; without it, relu′ = 1 passes dy through.
      const y = offers(backend(), 'leaky_relu') ? await backend().forward('leaky_relu', x) : (await backend().gradient('relu', tensor([1, 1, 1, 1]), x))[0];
      expect(Number.isNaN(y.data[0])).toBe(true);
      expect(y.data[1]).toBe(Infinity);
      expect(y.data[2]).toBe(-Infinity);
      expect(Object.is(y.data[3], -0)).toBe(c.signedZeros);
    });

    it('keeps or flushes subnormals as declared', async () => {
      const tiny = 1e-40; // a float32 subnormal
      const x = tensor([tiny, -tiny]);
      const y = offers(backend(), 'leaky_relu') ? await backend().forward('leaky_relu', x, { alpha: 1 }) : (await backend().gradient('relu', tensor([1, 1]), x))[0];
      if (backend().capabilities.subnormals) expect(Array.from(y.data)).toEqual([Math.fround(tiny), Math.fround(-tiny)]);
      else expect(Array.from(y.data, Math.abs)).toEqual([0, 0]);
    });
  });
}
