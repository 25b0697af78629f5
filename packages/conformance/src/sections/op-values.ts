/**
 * Every op of the catalogue: forward and every input's gradient in each dtype on the edge and random
 * inputs, for each parameter variant, against the float64 reference; the gradient against finite
 * differences of the forward pass away from the kinks; NaN through forward and gradient.
 */
import { ErrorCode, OP_NAMES, OPS, referenceForward, tensor, type DType, type Tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode } from '../assertions.js';
import { kinks, normals, PARAM_VARIANTS } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines one describe per op (`op <name>`). */
export function opValuesSection(ctx: SuiteContext): void {
  const { backend, supports, dtypes, withDtype, checkForward, checkGradient, opTensors, inputData, forward, gradient } = ctx;
  for (const op of OP_NAMES) {
    const def = OPS[op];
    describe(`op ${op}`, () => {
      for (const dtype of dtypes) {
        it(`forward, ${dtype}: edge and random inputs against the float64 reference`, requiring(backend, [op], async () => {
          await withDtype(dtype, async () => {
            for (const [v, params] of PARAM_VARIANTS[op].entries()) {
              await checkForward(op, opTensors(def, dtype, 100 + v), params, dtype);
            }
          });
        }));

        it(`gradient, ${dtype}: against the float64 reference`, requiring(backend, [op], async () => {
          await withDtype(dtype, async () => {
            for (const [v, params] of PARAM_VARIANTS[op].entries()) {
              const inputs = opTensors(def, dtype, 200 + v);
              const outShape = referenceForward(op, inputs, params).shape;
              const n = outShape.reduce((a, c) => a * c, 1);
              const dyValues = normals(n, 300 + v);
              // Special upstream gradients where the unit is on and where it is off.
              dyValues[2] = -Infinity; // x = 1
              dyValues[3] = NaN; // x = −1
              dyValues[5] = Infinity; // x = −0.5
              await checkGradient(op, inputs, inputData(dtype, dyValues, outShape), params, dtype);
            }
          });
        }));
      }

      if (def.kind !== 'noisy') {
        it('gradient matches finite differences of the forward pass', requiring(backend, [op], async () => {
          const dtype: DType = supports('float64') ? 'float64' : 'float32';
          const params = PARAM_VARIANTS[op][0];
          const xs = normals(48, 400, 3);
          const hOf = (x: number): number => (dtype === 'float64' ? 1e-5 : 2 ** -7) * Math.max(1, Math.abs(x));
          const points = xs.filter((x) => kinks(op, params as Record<string, unknown>).every((k) => Math.abs(x - k) > 3 * hOf(x)));
          const n = points.length;
          const make = (shift: (x: number) => number): Tensor[] => {
            const x = inputData(dtype, points.map(shift));
            if (def.kind === 'glu') return [x, inputData(dtype, normals(n, 401))];
            if (def.kind === 'prelu') return [x, inputData(dtype, [0.3])];
            return [x];
          };
          const base = make((x) => x);
          const outShape = referenceForward(op, base, params).shape;
          // dy = 1 on each output (crelu: on both halves) gives d(sum of outputs)/dx per element.
          const ones = inputData(dtype, new Array(outShape.reduce((a, c) => a * c, 1)).fill(1), outShape);
          const [dx] = await gradient(op, base, ones, params);
          // x ± h as represented in the dtype, so the divided difference uses the true step.
          const xp = make((x) => x + hOf(x));
          const xm = make((x) => x - hOf(x));
          const yp = await forward(op, xp, params);
          const ym = await forward(op, xm, params);
          const sumRow = (y: Tensor, i: number): number => {
            if (def.kind !== 'crelu') return y.data[i];
            return y.data[i] + y.data[n + i]; // crelu on a 1-D x: [relu(x), relu(−x)]
          };
          const tol = dtype === 'float64' ? 1e-6 : 2e-2;
          for (let i = 0; i < n; i++) {
            const step = xp[0].data[i] - xm[0].data[i];
            const fd = (sumRow(yp, i) - sumRow(ym, i)) / step;
            const g = dx.data[i];
            expect(Math.abs(fd - g), `${op}'(${points[i]}) = ${g}, finite difference ${fd}`).toBeLessThanOrEqual(tol * (1 + Math.abs(g)));
          }
        }));
      }

      it('propagates NaN through forward and gradient', requiring(backend, [op], async () => {
        const inputs = def.inputs.map((_, i) => tensor(i === 0 ? [NaN, 1] : [2, 3]));
        if (!backend().capabilities.nonFinite) {
          await expectCode(backend().forward(op, inputs), ErrorCode.UnsupportedValue);
          return;
        }
        const y = await forward(op, def.kind === 'prelu' ? [inputs[0], tensor([0.5])] : inputs);
        expect(Number.isNaN(y.data[0])).toBe(true);
        const gIn = def.kind === 'prelu' ? [inputs[0], tensor([0.5])] : inputs;
        const [dx] = await gradient(op, gIn, tensor(new Array(y.size).fill(1), y.shape), {});
        expect(Number.isNaN(dx.data[0])).toBe(true);
      }));
    });
  }
}
