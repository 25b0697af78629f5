/**
 * The FFN block, forward and backward, for every activation form with and without biases against
 * the float64 references; the sparse path against the dense one; the certified sparse path against
 * the sparse one, bit for bit, with its unit counts; the sparse backward against the dense one
 * (float64 bit for bit, float32 within its rounding bound) and its rule for ±∞ and NaN met only by
 * zero units; typed errors for bad arguments.
 */
import {
  ErrorCode, OPS, referenceActivationStats, referenceFfn, referenceFfnBackward, referenceGradient, epsilon, tensor,
  type DType, type FfnGradients, type FfnOptions, type FfnWeights, type OpName, type Tensor, type TypedArray,
} from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches, expectCode, expectTensor, unmutated } from '../assertions.js';
import { compareUlp, compareWithin, maxAbs, type Mismatch } from '../compare.js';
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
    /** w with b1 = −x[0]·W1[:, j] rounded to the dtype and nudged down by about an ulp: token 0's units sit a hair below zero. */
    const nearThreshold = (x: Tensor, w: FfnWeights): FfnWeights => {
      const dtype = x.dtype;
      const round = (v: number): number => (dtype === 'float32' ? Math.fround(v) : v);
      const b1 = Array.from({ length: f }, (_, j) => {
        let dot = 0;
        for (let p = 0; p < d; p++) dot += x.data[p] * w.w1.data[p * f + j];
        const b = round(-dot);
        return round(b - Math.abs(b) * 2 * epsilon(dtype));
      });
      return { ...w, b1: tensor(b1, [f], dtype) };
    };

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
              // y does not depend on whether the caller also gets the hidden layer (a backend may
              // keep h to itself when it is not asked for): the same bits either way.
              const yOnly = await backend().ffn(x, w, opts);
              expect(Array.from(yOnly.y.data), `ffn ${label} y without returnHidden/stats`).toEqual(Array.from(out.y.data));
              const sparseFull = await backend().ffn(x, w, { ...full, sparse: true });
              expect(Array.from(sparse.y.data), `ffn ${label} sparse y without returnHidden/stats`).toEqual(Array.from(sparseFull.y.data));

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

    /** Where `got` is not `expected` bit for bit (the sign of a zero included unless `signedZeros` is false; NaNs alike). */
    const bitMismatches = (got: Tensor, expected: Tensor, signedZeros = true): Mismatch[] =>
      compareUlp(got.data, expected.data, got.dtype, 0, signedZeros, () => undefined);

    // The certified path (sparse: 'certified') is sparse: true with the first layer's provably zero
    // units skipped: the same bits, y and hidden, on every backend, and the certificate's counts.
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
            ['near the threshold', x, nearThreshold(x, weightsFor(dtype, false, true))],
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
              let bad = bitMismatches(certified.y, sparse.y);
              expect(bad, describeMismatches(`${label} ${activation} y`, bad)).toEqual([]);
              bad = bitMismatches(certified.hidden!, sparse.hidden!);
              expect(bad, describeMismatches(`${label} ${activation} hidden`, bad)).toEqual([]);
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

    // The sparse backward (`sparse` in ffnBackward) skips the zero units; its values are the dense
    // backward's: float64 sums bit for bit (the sign of a zero aside), float32 sums, which may run
    // in another order, within 2·γ_k·Σ|a·b| of them (k the sum's length; DESIGN.md §5); the bias
    // gradients, sums of the same dz and dy, bit for bit. 'certified' is the same as true there.
    const gradientKeys = ['dx', 'dw1', 'dw2', 'db1', 'db2', 'dv', 'dbv'] as const;
    const gamma = (n: number, dtype: DType): number => (n * epsilon(dtype) / 2) / (1 - n * epsilon(dtype) / 2);
    /** Σ|a·b| of every element of dx = dz·W1ᵀ, dW1 = xᵀ·dz and dW2 = hᵀ·dy, from float64 intermediates (a unary activation). */
    const backwardMagnitudes = (x: Tensor, w: FfnWeights, dy: Tensor, options: FfnOptions): Record<'dx' | 'dw1' | 'dw2', Float64Array> => {
      const tokens = x.shape[0];
      const h = referenceFfn(x, w, { ...options, returnHidden: true }).hidden!.data;
      const z = new Float64Array(tokens * f);
      const dh = new Float64Array(tokens * f);
      for (let t = 0; t < tokens; t++) {
        for (let j = 0; j < f; j++) {
          let zSum = w.b1?.data[j] ?? 0;
          for (let p = 0; p < d; p++) zSum += x.data[t * d + p] * w.w1.data[p * f + j];
          let dhSum = 0;
          for (let k = 0; k < dOut; k++) dhSum += dy.data[t * dOut + k] * w.w2.data[j * dOut + k];
          z[t * f + j] = zSum;
          dh[t * f + j] = dhSum;
        }
      }
      const dz = referenceGradient(options.activation!, tensor(z, [tokens, f], 'float64'), tensor(dh, [tokens, f], 'float64'), options.activationParams)[0].data;
      const magnitudes = { dx: new Float64Array(tokens * d), dw1: new Float64Array(d * f), dw2: new Float64Array(f * dOut) };
      for (let t = 0; t < tokens; t++) {
        for (let j = 0; j < f; j++) {
          const dzAbs = Math.abs(dz[t * f + j]);
          const hAbs = Math.abs(h[t * f + j]);
          for (let p = 0; p < d; p++) {
            magnitudes.dx[t * d + p] += dzAbs * Math.abs(w.w1.data[p * f + j]);
            magnitudes.dw1[p * f + j] += Math.abs(x.data[t * d + p]) * dzAbs;
          }
          for (let k = 0; k < dOut; k++) magnitudes.dw2[j * dOut + k] += hAbs * Math.abs(dy.data[t * dOut + k]);
        }
      }
      return magnitudes;
    };
    const sparseBackwardActivations: FfnOptions[] = [
      { activation: 'relu' }, { activation: 'relu6' }, { activation: 'relu_squared' },
      { activation: 'thresholded_relu', activationParams: { alpha: 0.25 } }, { activation: 'gelu' }, { activation: 'swiglu' },
    ];
    for (const dtype of dtypes) {
      for (const opts of sparseBackwardActivations) {
        it(`sparse backward: the dense backward's values, ${opts.activation}, ${dtype}`, requiring(backend, [opts.activation as OpName], async () => {
          await withDtype(dtype, async () => {
            const tokens = 32;
            const op = OPS[opts.activation as OpName];
            const glu = op.kind === 'glu';
            const x = tensor(normals(tokens * d, 63), [tokens, d], dtype);
            const dy = tensor(normals(tokens * dOut, 64), [tokens, dOut], dtype);
            // Mostly zero units (dh unit by unit where the CPU kernels can) and about half (dh dense, then zeroed).
            const cases: [string, FfnWeights][] = [['most units zero', weightsFor(dtype, glu, true, -1.5)], ['about half zero, no biases', weightsFor(dtype, glu, false)]];
            for (const [label, w] of cases) {
              const what = `${label}, ${opts.activation}`;
              const dense = await backend().ffnBackward(x, w, dy, opts);
              const sparse = await unmutated([x, dy, ...weightList(w)], () => backend().ffnBackward(x, w, dy, { ...opts, sparse: true }));
              const magnitudes = dtype === 'float32' && !glu ? backwardMagnitudes(x, w, dy, opts) : undefined;
              for (const key of gradientKeys) {
                const [got, want] = [sparse[key], dense[key]];
                if (want === undefined) {
                  expect(got, `${what}: ${key} only for weights that were given`).toBeUndefined();
                  continue;
                }
                expectTensor(got, want.shape, dtype);
                const magnitude = key === 'dx' || key === 'dw1' || key === 'dw2' ? magnitudes?.[key] : undefined;
                const k = key === 'dx' ? f : tokens;
                let bad: Mismatch[];
                if (dtype === 'float64' || key.startsWith('db')) bad = bitMismatches(got, want, false);
                else if (magnitude !== undefined) bad = compareWithin(got.data, want.data, (i) => 2 * gamma(k, dtype) * magnitude[i] * (1 + 2 ** -10) + k * 2 ** -149, undefined, dtype);
                else bad = compareWithin(got.data, want.data, () => 2 * ffnTol(dtype, want.data), undefined, dtype);
                expect(bad, describeMismatches(`${what}: sparse ${key} vs dense`, bad)).toEqual([]);
              }
              if (op.zeroAtOrBelow !== undefined) {
                const certified: FfnGradients = await backend().ffnBackward(x, w, dy, { ...opts, sparse: 'certified' });
                for (const key of gradientKeys) {
                  if (sparse[key] === undefined) continue;
                  const bad = bitMismatches(certified[key]!, sparse[key]!);
                  expect(bad, describeMismatches(`${what}: certified ${key} vs sparse`, bad)).toEqual([]);
                }
              }
            }
          });
        }));
      }
    }

    // Where the backend declares sparseBackward, a zero unit never multiplies (DESIGN.md §5): ±∞
    // and NaN met only by zero units leave the gradients as the same call with finite values there.
    it('sparse backward: ±∞ and NaN met only by zero units never reach the gradients', requiring(backend, ['relu', 'relu6'], async () => {
      const { nonFinite, sparseBackward } = backend().capabilities;
      if (!nonFinite || sparseBackward !== true) return;
      for (const dtype of dtypes) {
        await withDtype(dtype, async () => {
          const tokens = 32;
          const special = [Infinity, -Infinity, NaN];
          const zeroForAll = (j: number): boolean => j % 3 === 0; // b1 = −8: zero for every token
          const negativeBias = normals(f, 65).map((v) => -0.5 - Math.abs(v));
          const base: FfnWeights = { ...weightsFor(dtype, false, true), b1: tensor(negativeBias, [f], dtype) };
          const deadBias = tensor(negativeBias.map((v, j) => (zeroForAll(j) ? -8 : v)), [f], dtype);
          const w2Rows = (fill: (i: number) => number): Tensor => tensor(Array.from(base.w2.data, (v, i) => (zeroForAll(Math.floor(i / dOut)) ? fill(i) : v)), [f, dOut], dtype);
          const w1Columns = (fill: number): Tensor => tensor(Array.from(base.w1.data, (v, i) => (i % f) % 4 === 1 ? fill : v), [d, f], dtype);
          const x = tensor(normals(tokens * d, 66).map((v, i) => (i < d ? 0 : v)), [tokens, d], dtype); // token 0: z = b1 < 0, every unit zero
          const positiveX = tensor(normals(tokens * d, 67).map((v) => 0.1 + Math.abs(v)), [tokens, d], dtype);
          const dy = tensor(normals(tokens * dOut, 68), [tokens, dOut], dtype);
          const dyRow0 = (fill: (k: number) => number): Tensor => tensor(Array.from(dy.data, (v, i) => (i < dOut ? fill(i) : v)), [tokens, dOut], dtype);
          type Call = [Tensor, FfnWeights, Tensor];
          // [label, the call, the same call with finite values in place of the non-finite ones]
          const cases: [string, Call, Call][] = [
            ['∞ and NaN in dy on a token whose units are all zero', [x, base, dyRow0((k) => special[k % 3])], [x, base, dyRow0(() => 0)]],
            ['∞ and NaN in the rows of W2 of units zero for every token',
              [x, { ...base, b1: deadBias, w2: w2Rows((i) => special[i % 3]) }, dy], [x, { ...base, b1: deadBias, w2: w2Rows(() => 0) }, dy]],
            ['−∞ in the columns of W1 of the units it makes zero', [positiveX, { ...base, w1: w1Columns(-Infinity) }, dy], [positiveX, { ...base, w1: w1Columns(-1000) }, dy]],
          ];
          for (const [label, [xs, ws, dys], [xf, wf, dyf]] of cases) {
            for (const activation of ['relu', 'relu6']) {
              const got = await backend().ffnBackward(xs, ws, dys, { activation, sparse: true });
              const finite = await backend().ffnBackward(xf, wf, dyf, { activation, sparse: true });
              for (const key of ['dx', 'dw1', 'dw2', 'db1'] as const) {
                const bad = bitMismatches(got[key]!, finite[key]!);
                expect(bad, describeMismatches(`${label}, ${activation}: ${key}`, bad)).toEqual([]);
                expect(Array.from(got[key]!.data as TypedArray).every(Number.isFinite), `${label}, ${activation}: ${key} stays finite`).toBe(true);
              }
            }
          }
        });
      }
    }));

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
      await expectCode(backend().ffnBackward(x, w, tensor(normals(T * dOut, 2), [T, dOut]), { activation: 'gelu', sparse: 'certified' }), ErrorCode.BadArgument);
    });
  });
}
