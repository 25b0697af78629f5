/**
 * The FFN block and its backward pass with one dimension 0 (each of T, d, f and dOut in turn), with
 * and without biases, for a plain and a GLU activation: the results (empty, bias-only or computed
 * layers), the hidden layer, its statistics and every gradient against the float64 references.
 */
import {
  epsilon, referenceFfn, referenceFfnBackward, tensor,
  type ActivationStats, type Backend, type FfnOptions, type FfnWeights, type Tensor,
} from '@rectifier/core';
import { expect, it } from 'vitest';
import { compareWithin, maxAbs } from './compare.js';
import { requiring } from './declared-ops.js';
import { normals } from './inputs.js';

const BASE = { T: 3, d: 4, f: 5, dOut: 2 } as const;
type Dim = keyof typeof BASE;

/** The statistics as plain data (typed arrays as arrays), for deep equality. */
const plainStats = (s: ActivationStats | undefined): unknown =>
  s === undefined ? undefined : { ...s, zeroFractionPerRow: Array.from(s.zeroFractionPerRow), zeroFractionPerUnit: Array.from(s.zeroFractionPerUnit) };

export function ffnZeroDimsSuite(b: () => Backend): void {
  for (const zero of Object.keys(BASE) as Dim[]) {
    for (const activation of ['gelu', 'swiglu'] as const) {
      it(`${zero} = 0, ${activation}: ffn and ffnBackward against the references`, requiring(b, [activation], async () => {
        const { T, d, f, dOut }: Record<Dim, number> = { ...BASE, [zero]: 0 };
        for (const biases of [true, false]) {
          const t = (n: number, shape: number[], seed: number, scale = 1): Tensor => tensor(normals(n, seed, scale), shape);
          const w: FfnWeights = {
            w1: t(d * f, [d, f], 61, 0.5), w2: t(f * dOut, [f, dOut], 62, 0.5),
            ...(biases ? { b1: t(f, [f], 63, 0.1), b2: t(dOut, [dOut], 64, 0.1) } : {}),
            ...(activation === 'swiglu' ? { v: t(d * f, [d, f], 65, 0.5), ...(biases ? { bv: t(f, [f], 66, 0.1) } : {}) } : {}),
          };
          const x = t(T * d, [T, d], 67);
          const opts: FfnOptions = { activation, returnHidden: true, stats: true };
          const label = `${zero} = 0, ${activation}${biases ? ', biases' : ''}`;
          const tol = (ref: ArrayLike<number>): number => 8 * (d + f + 1) * epsilon('float32') * (1 + maxAbs(ref));
          const check = (what: string, got: Tensor | undefined, ref: Tensor | undefined): void => {
            if (ref === undefined) {
              expect(got, `${label}: ${what} is returned only for weights that were given`).toBeUndefined();
              return;
            }
            expect(got?.shape, `${label}: ${what} shape`).toEqual(ref.shape);
            const bad = compareWithin(got!.data, ref.data, () => tol(ref.data), undefined, 'float32');
            expect(bad, `${label}: ${what} ${JSON.stringify(bad)}`).toEqual([]);
          };
          for (const sparse of [false, true]) {
            const out = await b().ffn(x, w, { ...opts, sparse });
            const ref = referenceFfn(x, w, opts);
            check(`y${sparse ? ' (sparse)' : ''}`, out.y, ref.y);
            check(`hidden${sparse ? ' (sparse)' : ''}`, out.hidden, ref.hidden);
            expect(plainStats(out.stats), `${label}: stats`).toEqual(plainStats(ref.stats));
          }
          const dy = t(T * dOut, [T, dOut], 68);
          const grads = await b().ffnBackward(x, w, dy, { activation });
          const refs = referenceFfnBackward(x, w, dy, { activation });
          for (const key of ['dx', 'dw1', 'dw2', 'db1', 'db2', 'dv', 'dbv'] as const) check(key, grads[key], refs[key]);
        }
      }));
    }
  }
}
