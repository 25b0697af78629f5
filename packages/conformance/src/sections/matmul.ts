/** matmul with every transpose against a summation error bound, and NaN/∞ as the sums give them. */
import { epsilon, referenceMatmul, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches, expectTensor, unmutated } from '../assertions.js';
import { compareWithin } from '../compare.js';
import { normals } from '../inputs.js';
import type { SuiteContext } from '../harness.js';

/** Defines the matmul section. */
export function matmulSection(ctx: SuiteContext): void {
  const { backend, dtypes, withDtype, recorder, reportKey } = ctx;
  describe('matmul', () => {
    const cases: [number, number, number][] = [[1, 1, 1], [3, 4, 5], [0, 3, 2], [2, 0, 3], [17, 33, 9], [64, 64, 64], [1, 300, 1]];
    for (const dtype of dtypes) {
      it(`against the float64 reference with every transpose, ${dtype}`, async () => {
        await withDtype(dtype, async () => {
          for (const [m, k, n] of cases) {
            for (const transposeA of [false, true]) {
              for (const transposeB of [false, true]) {
                const a = tensor(normals(m * k, m + k), transposeA ? [k, m] : [m, k], dtype);
                const bT = tensor(normals(k * n, k + n + 1), transposeB ? [n, k] : [k, n], dtype);
                const opts = { transposeA, transposeB };
                const c = await unmutated([a, bT], () => backend().matmul(a, bT, opts));
                const ref = referenceMatmul(a, bT, opts);
                expectTensor(c, [m, n], dtype);
                const mag = referenceMatmul(tensor(Array.from(a.data, Math.abs), a.shape, 'float64'), tensor(Array.from(bT.data, Math.abs), bT.shape, 'float64'), opts).data;
                const accEps = epsilon(backend().capabilities.accumulation);
                const bad = compareWithin(c.data, ref.data, (i) => (k + 2) * accEps * mag[i] + epsilon(dtype) * Math.abs(ref.data[i]),
                  (abs) => recorder.record(reportKey('matmul', dtype, 'forward'), undefined, abs), dtype);
                expect(bad, describeMismatches(`matmul ${m}×${k}×${n} ${JSON.stringify(opts)}`, bad)).toEqual([]);
              }
            }
          }
        });
      });
    }
    it('propagates NaN and ∞ as the sums do', async () => {
      const c = await backend().matmul(tensor([NaN, 1, 2, 3], [2, 2]), tensor([1, 0, 0, 1], [2, 2]));
      expect(Number.isNaN(c.data[0]) && Number.isNaN(c.data[1])).toBe(true);
      expect(Array.from(c.data.slice(2))).toEqual([2, 3]);
      const d = await backend().matmul(tensor([Infinity, 1], [1, 2]), tensor([1, 1], [2, 1]));
      expect(d.data[0]).toBe(Infinity);
    });
  });
}
