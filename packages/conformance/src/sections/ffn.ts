/**
 * The FFN block, forward and backward, for every activation form with and without biases against
 * the float64 references; the sparse path against the dense one; the certified sparse path against
 * the sparse one, bit for bit, with its unit counts; typed errors for bad arguments.
 */
import {
  ErrorCode, OPS, referenceActivationStats, referenceFfn, referenceFfnBackward, epsilon, tensor,
  type DType, type FfnOptions, type FfnWeights, type OpName, type Tensor,
} from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches, expectCode, expectTensor, unmutated } from '../assertions.js';
import { compareWithin, maxAbs } from '../compare.js';
import { normals } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the FFN section. */
export function ffnSection(ctx: SuiteContext): void {
  const { backend, dtypes, withDtype, recorder, reportKey } = ctx;
  describe('FFN block', () => {
    const T = 6;
    const d = 8;
    const f = 12;
    const dOut = 5;
    const weightsFor = (dtype: DType, glu: boolean, biases: boolean, b1Shift = 0): FfnWeights => ({
      w1: tensor(normals(d * f, 51, 1 / Math.sqrt(d)), [d, f], dtype),
      w2: tensor(normals(f * dOut, 52, 1 / Math.sqrt(f)), [f, dOut], dtype),
      ...(biases ? { b1: tensor(normals(f, 53, 0.1).map((v) => v + b1Shift), [f], dtype), b2: tensor(normals(dOut, 54, 0.1), [dOut], dtype) } : {}),
      ...(glu ? { v: tensor(normals(d * f, 55, 1 / Math.sqrt(d)), [d, f], dtype) } : {}),
      ...(glu && biases ? { bv: tensor(normals(f, 56, 0.1), [f], dtype) } : {}),
    });
    const activations: [string, FfnOptions][] = [
      ['relu', { activation: 'relu' }],
      ['gelu', { activation: 'gelu' }],
      ['gelu (tanh)', { activation: 'gelu', activationParams: { approximate: 'tanh' } }],
      ['silu', { activation: 'silu' }],
      ['reglu', { activation: 'reglu' }],
      ['geglu', { activation: 'geglu' }],
      ['swiglu', { activation: 'swiglu' }],
    ];
    /** Normwise bound: rounding of d + f long sums in the dtype, relative to the output's scale. */
    const ffnTol = (dtype: DType, ref: ArrayLike<number>): number => 8 * (d + f) * epsilon(dtype) * (1 + maxAbs(ref));
    const weightList = (w: FfnWeights): Tensor[] => [w.w1, w.b1, w.w2, w.b2, w.v, w.bv].filter((t): t is Tensor => t !== undefined);

    for (const dtype of dtypes) {
      for (const [label, opts] of activations) {
        it(`forward and backward, ${label}, ${dtype}`, requiring(backend, [opts.activation as OpName], async () => {
          await withDtype(dtype, async () => {
            const glu = OPS[opts.activation as OpName].kind === 'glu';
            for (const biases of [true, false]) {
              const w = weightsFor(dtype, glu, biases);
              const x = tensor(normals(T * d, 57), [T, d], dtype);
              const full = { ...opts, returnHidden: true, stats: true };
              const out = await unmutated([x, ...weightList(w)], () => backend().ffn(x, w, full));
              const ref = referenceFfn(x, w, full);
              expectTensor(out.y, [T, dOut], dtype);
              expectTensor(out.hidden, [T, f], dtype);
              let bad = compareWithin(out.y.data, ref.y.data, () => ffnTol(dtype, ref.y.data),
                (abs) => recorder.record(reportKey(`ffn-${label}`, dtype, 'forward'), undefined, abs), dtype);
              expect(bad, describeMismatches(`ffn ${label} y`, bad)).toEqual([]);
              bad = compareWithin(out.hidden!.data, ref.hidden!.data, () => ffnTol(dtype, ref.hidden!.data));
              expect(bad, describeMismatches(`ffn ${label} hidden`, bad)).toEqual([]);
              expect(out.stats!.rows).toBe(T);
              expect(out.stats!.deadUnits).toEqual(ref.stats!.deadUnits);
              expect(Array.from(out.stats!.zeroFractionPerUnit)).toEqual(Array.from(ref.stats!.zeroFractionPerUnit));

              const sparse = await backend().ffn(x, w, { ...opts, sparse: true });
              bad = compareWithin(sparse.y.data, out.y.data, () => ffnTol(dtype, out.y.data));
              expect(bad, describeMismatches(`ffn ${label} sparse vs dense`, bad)).toEqual([]);

              const dy = tensor(normals(T * dOut, 58), [T, dOut], dtype);
              const grads = await unmutated([x, dy, ...weightList(w)], () => backend().ffnBackward(x, w, dy, opts));
              const refs = referenceFfnBackward(x, w, dy, opts);
              const names = ['dx', 'dw1', 'dw2', 'db1', 'db2', 'dv', 'dbv'] as const;
              for (const key of names) {
                const r = refs[key];
                const g = grads[key];
                if (r === undefined) {
                  expect(g, `${key} is returned only for weights that were given`).toBeUndefined();
                  continue;
                }
                expectTensor(g, r.shape, dtype);
                bad = compareWithin(g.data, r.data, () => ffnTol(dtype, r.data),
                  (abs) => recorder.record(reportKey(`ffn-${label}`, dtype, `backward-${key}`), undefined, abs), dtype);
                expect(bad, describeMismatches(`ffn ${label} ${key}`, bad)).toEqual([]);
              }
            }
          });
        }));
      }
    }

    it('sparsity-aware path equals the dense path at high sparsity, with the statistics of the reference', requiring(backend, ['relu'], async () => {
      const w = weightsFor('float32', false, true, -1.5); // negative bias: most units are off
      const x = tensor(normals(64 * d, 59), [64, d]);
      const dense = await backend().ffn(x, w, { stats: true, returnHidden: true });
      const sparse = await backend().ffn(x, w, { sparse: true, stats: true });
      expect(dense.stats!.zeroFraction).toBeGreaterThan(0.8);
      expect(compareWithin(sparse.y.data, dense.y.data, () => ffnTol('float32', dense.y.data))).toEqual([]);
      const refStats = referenceActivationStats(dense.hidden!);
      expect(sparse.stats!.zeroFraction).toBe(refStats.zeroFraction);
      expect(Array.from(sparse.stats!.zeroFractionPerRow)).toEqual(Array.from(refStats.zeroFractionPerRow));
      expect(sparse.stats!.deadUnits).toEqual(refStats.deadUnits);
    }));

    // The certified path (sparse: 'certified') is sparse: true with the first layer's provably zero
    // units skipped: the same bits, y and hidden, on every backend, and the certificate's counts.
    const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): string[] => {
      const out: string[] = [];
      for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) out.push(`[${i}] ${a[i]} vs ${b[i]}`);
      return out.slice(0, 5);
    };
    for (const dtype of dtypes) {
      it(`certified sparse path: the bits of sparse: true and the certificate's unit counts, ${dtype}`, requiring(backend, ['relu', 'relu6'], async () => {
        await withDtype(dtype, async () => {
          const nonFinite = backend().capabilities.nonFinite;
          const tokens = 32;
          const x = tensor(normals(tokens * d, 61), [tokens, d], dtype);
          const cases: [string, Tensor, FfnWeights][] = [
            ['90 % zeros', x, weightsFor(dtype, false, true, -1.5)],
            ['no biases', x, weightsFor(dtype, false, false)],
            // units a hair below zero: b1 = −x·w1 rounded, nudged down
            ['near the threshold', x, { ...weightsFor(dtype, false, true), b1: tensor(Array.from({ length: f }, (_, j) => -1e-6 * (j + 1)), [f], dtype) }],
          ];
          if (nonFinite) {
            const w = weightsFor(dtype, false, true, -8);
            // 0·∞: W2's rows are ±∞ and NaN under units that are all zero; neither path multiplies them.
            cases.push(['∞ and NaN in W2 under zero units', x, { ...w, w2: tensor(Array.from({ length: f * dOut }, (_, i) => [Infinity, -Infinity, NaN][i % 3]), [f, dOut], dtype) }]);
            cases.push(['NaN and ∞ in x', tensor(normals(tokens * d, 62).map((v, i) => (i === 3 ? NaN : i === 40 ? Infinity : v)), [tokens, d], dtype), w]);
          }
          for (const [label, input, w] of cases) {
            for (const activation of ['relu', 'relu6']) {
              const options = { activation, returnHidden: true, stats: true };
              const sparse = await backend().ffn(input, w, { ...options, sparse: true });
              const certified = await unmutated([input, ...weightList(w)], () => backend().ffn(input, w, { ...options, sparse: 'certified' }));
              expect(sameBits(certified.y.data, sparse.y.data), `${label} ${activation} y`).toEqual([]);
              expect(sameBits(certified.hidden!.data, sparse.hidden!.data), `${label} ${activation} hidden`).toEqual([]);
              const ref = referenceFfn(input, w, { ...options, sparse: 'certified' }).stats!;
              const stats = certified.stats!;
              const zeros = Array.from(certified.hidden!.data).filter((v) => v === 0).length;
              expect(stats.certifiedUnits, `${label} ${activation} certifiedUnits`).toBe(ref.certifiedUnits);
              expect(stats.computedUnits).toBe(tokens * f - stats.certifiedUnits!);
              expect(stats.zeroUnits).toBe(zeros);
              expect(stats.certifiedUnits).toBeLessThanOrEqual(zeros);
              expect(sparse.stats!.certifiedUnits, 'only certified calls count units').toBeUndefined();
              if (label === '90 % zeros') expect(stats.certifiedUnits, `${label}: the certificate proves some zeros`).toBeGreaterThan(0);
              if (label.startsWith('∞')) expect(Array.from(certified.y.data).every(Number.isFinite), `${label}: y stays finite`).toBe(true);
            }
          }
        });
      }));
    }

    it('rejects bad FFN arguments with typed errors', async () => {
      const w = weightsFor('float32', false, true);
      const x = tensor(normals(T * d, 60), [T, d]);
      await expectCode(backend().ffn(tensor(normals(T * 3, 1), [T, 3]), w), ErrorCode.DimMismatch);
      await expectCode(backend().ffn(x, { ...w, b1: tensor([1, 2]) }), ErrorCode.DimMismatch);
      await expectCode(backend().ffn(x, { ...w, w2: tensor(normals(f, 1), [f]) }), ErrorCode.BadShape);
      await expectCode(backend().ffn(x, w, { activation: 'swiglu' }), ErrorCode.BadArgument);
      await expectCode(backend().ffn(x, w, { activation: 'crelu' }), ErrorCode.BadArgument);
      await expectCode(backend().ffn(x, w, { activation: 'nope' }), ErrorCode.UnknownOp);
      await expectCode(backend().ffn(x, w, { activation: 'gelu', activationParams: { approximate: 'fast' } }), ErrorCode.BadParameter);
      await expectCode(backend().ffnBackward(x, w, tensor([1], [1, 1])), ErrorCode.DimMismatch);
      // sparse: 'certified' needs an activation that is +0 below a threshold; sparse takes nothing else
      await expectCode(backend().ffn(x, w, { activation: 'gelu', sparse: 'certified' }), ErrorCode.BadArgument);
      await expectCode(backend().ffn(x, w, { activation: 'leaky_relu', sparse: 'certified' }), ErrorCode.BadArgument);
      await expectCode(backend().ffn(x, w, { sparse: 'always' as unknown as boolean }), ErrorCode.BadArgument);
    });
  });
}
