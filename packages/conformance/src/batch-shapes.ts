/**
 * The shapes users have: matmul with batch dims (NumPy/PyTorch `matmul`: rank ≥ 2, leading dims
 * broadcast, transposes on the last two) and the FFN and activation statistics on `[..., d]`
 * (leading dims flattened into tokens, as PyTorch's `nn.Linear` takes them). Each batched call
 * must equal, bit for bit, the 2-D calls it is made of on the same backend, and the float64
 * reference within the matmul bound.
 */
import {
  epsilon, referenceFfn, referenceMatmul, tensor, Tensor,
  type Backend, type DType,
} from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { checksum, compareWithin } from './compare.js';
import { normals } from './inputs.js';

/** The matrix `index` of a [..., r, c] tensor, as a 2-D tensor (a copy). */
function matrix(t: Tensor, index: number): Tensor {
  const [r, c] = t.shape.slice(-2);
  return new Tensor(t.data.slice(index * r * c, (index + 1) * r * c), [r, c]);
}

const absOf = (t: Tensor): Tensor => tensor(Array.from(t.data, Math.abs), t.shape, 'float64');

export function batchShapeSuite(b: () => Backend): void {
  const dtypes = (): DType[] => b().capabilities.dtypes.filter((d): d is DType => d === 'float32' || d === 'float64');

  describe('matmul with batch dims (NumPy broadcasting)', () => {
    // [a's shape, b's shape, transposeA, transposeB, the result's shape]
    const cases: [number[], number[], boolean, boolean, number[]][] = [
      [[2, 3, 4], [4, 5], false, false, [2, 3, 5]],
      [[3, 4], [2, 4, 5], false, false, [2, 3, 5]],
      [[2, 1, 3, 4], [5, 4, 2], false, false, [2, 5, 3, 2]],
      [[2, 4, 3], [4, 5], true, false, [2, 3, 5]],
      [[2, 3, 4], [2, 5, 4], false, true, [2, 3, 5]],
      [[3, 1, 4, 3], [1, 2, 5, 4], true, true, [3, 2, 3, 5]],
      [[0, 3, 4], [4, 5], false, false, [0, 3, 5]],
      [[2, 3, 0], [1, 0, 5], false, false, [2, 3, 5]],
    ];
    it('every case, every declared dtype: the 2-D products bit for bit, and the float64 reference within the matmul bound', async () => {
      for (const dtype of dtypes()) {
        for (const [as, bs, transposeA, transposeB, shape] of cases) {
          const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
          const a = tensor(normals(size(as), as.length + size(as)), as, dtype);
          const w = tensor(normals(size(bs), bs.length + 7), bs, dtype);
          const opts = { transposeA, transposeB };
          const what = `[${as}]·[${bs}] ${JSON.stringify(opts)} ${dtype}`;
          const c = await b().matmul(a, w, opts);
          expect(c.shape, what).toEqual(shape);
          expect(c.dtype).toBe(dtype);
          const ref = referenceMatmul(a, w, opts);
          expect(ref.shape).toEqual(shape);
          const k = transposeA ? as[as.length - 2] : as[as.length - 1];
          const mag = referenceMatmul(absOf(a), absOf(w), opts).data;
          const bound = (i: number): number => (k + 2) * epsilon(b().capabilities.accumulation) * mag[i] + epsilon(dtype) * Math.abs(ref.data[i]);
          expect(compareWithin(c.data, ref.data, bound, () => undefined, dtype), what).toEqual([]);
          // Each product of the batch equals the backend's own 2-D call on those matrices.
          const batch = shape.slice(0, -2);
          const count = size(batch);
          const index = (t: Tensor, i: number): number => {
            const lead = t.shape.slice(0, -2);
            let rest = i;
            let linear = 0;
            let stride = 1;
            for (let j = batch.length - 1; j >= 0; j--) {
              const coordinate = rest % batch[j];
              rest = Math.floor(rest / batch[j]);
              const dj = j - (batch.length - lead.length);
              if (dj >= 0) {
                linear += (lead[dj] === 1 ? 0 : coordinate) * stride;
                stride *= lead[dj];
              }
            }
            return linear;
          };
          for (let i = 0; i < count; i++) {
            const one = await b().matmul(matrix(a, index(a, i)), matrix(w, index(w, i)), opts);
            expect(checksum(matrix(c, i).data), `${what}: product ${i}`).toBe(checksum(one.data));
          }
        }
      }
    });

    it('batch dims that do not broadcast give DIM_MISMATCH', async () => {
      await expect(b().matmul(tensor(normals(12, 1), [2, 2, 3]), tensor(normals(9, 2), [3, 3, 1]))).rejects.toMatchObject({ code: 'DIM_MISMATCH' });
    });
  });

  describe('the FFN and activation statistics on [..., d] (leading dims are tokens)', () => {
    it('ffn, ffnBackward and activationStats on [2, 3, d] equal the calls on [6, d], bit for bit, with the leading dims back on the results', async () => {
      for (const dtype of dtypes()) {
        const [d, f, dOut] = [5, 8, 3];
        const x3 = tensor(normals(2 * 3 * d, 21), [2, 3, d], dtype);
        const x2 = new Tensor(x3.data.slice(), [6, d]);
        const w = {
          w1: tensor(normals(d * f, 22), [d, f], dtype), b1: tensor(normals(f, 23), [f], dtype),
          w2: tensor(normals(f * dOut, 24), [f, dOut], dtype), b2: tensor(normals(dOut, 25), [dOut], dtype),
        };
        const r3 = await b().ffn(x3, w, { returnHidden: true, stats: true });
        const r2 = await b().ffn(x2, w, { returnHidden: true, stats: true });
        expect(r3.y.shape).toEqual([2, 3, dOut]);
        expect(r3.hidden!.shape).toEqual([2, 3, f]);
        expect(checksum(r3.y.data)).toBe(checksum(r2.y.data));
        expect(checksum(r3.hidden!.data)).toBe(checksum(r2.hidden!.data));
        expect(r3.stats!.rows).toBe(6);
        expect(Array.from(r3.stats!.zeroFractionPerRow)).toEqual(Array.from(r2.stats!.zeroFractionPerRow));
        expect(referenceFfn(x3, w).y.shape).toEqual([2, 3, dOut]);
        const dy3 = tensor(normals(2 * 3 * dOut, 26), [2, 3, dOut], dtype);
        const g3 = await b().ffnBackward(x3, w, dy3);
        const g2 = await b().ffnBackward(x2, w, new Tensor(dy3.data.slice(), [6, dOut]));
        expect(g3.dx.shape).toEqual([2, 3, d]);
        for (const key of ['dx', 'dw1', 'dw2', 'db1', 'db2'] as const) expect(checksum(g3[key]!.data), key).toBe(checksum(g2[key]!.data));
        await expect(b().ffnBackward(x3, w, new Tensor(dy3.data.slice(), [6, dOut]))).rejects.toMatchObject({ code: 'DIM_MISMATCH', argument: 'dy' });
        const s3 = await b().activationStats(r3.hidden!);
        const s2 = await b().activationStats(r2.hidden!);
        expect(s3.rows).toBe(6);
        expect(s3.zeroFraction).toBe(s2.zeroFraction);
        expect(s3.deadUnits).toEqual(s2.deadUnits);
      }
    });
  });
}
