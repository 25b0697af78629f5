import { allocate, OP_NAMES, OPS, prepareGradientCall, prepareOpCall, scalar, tensor, type Tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { forwardKernel, gradientKernel } from '../src/kernels.js';

/** Inputs for an op: 3 × 5 × 7 (prelu: 5 channels on axis 1). */
function inputsFor(op: (typeof OP_NAMES)[number]): Tensor[] {
  const shape = [3, 5, 7];
  const x = tensor(Array.from({ length: 105 }, (_, i) => 3 * scalar.gaussianNoise(1, i)), shape, 'float64');
  const kind = OPS[op].kind;
  if (kind === 'glu') return [x, tensor(Array.from({ length: 105 }, (_, i) => scalar.gaussianNoise(2, i)), shape, 'float64')];
  if (kind === 'prelu') return [x, tensor([0.1, -0.2, 0.3, 2, 0], [5], 'float64')];
  return [x];
}

describe('kernels over ranges (the worker backend runs them per chunk)', () => {
  const cuts = [0, 1, 17, 50, 51, 104, 105]; // ranges that start and end mid-row and mid-channel

  for (const op of OP_NAMES) {
    it(`${op}: chunks give exactly the single-pass result, forward and gradient`, () => {
      const inputs = inputsFor(op);
      const call = prepareOpCall(op, inputs, {});
      const whole = allocate('float64', call.outShape.reduce((a, b) => a * b, 1));
      forwardKernel(call, whole);
      const chunked = allocate('float64', whole.length);
      for (let k = 0; k + 1 < cuts.length; k++) forwardKernel(call, chunked, cuts[k], cuts[k + 1]);
      expect(Array.from(chunked)).toEqual(Array.from(whole));

      const dy = tensor(Array.from({ length: whole.length }, (_, i) => scalar.gaussianNoise(3, i)), call.outShape, 'float64');
      const g = prepareGradientCall(op, inputs, dy, {});
      const wholeGrads = inputs.map((t) => allocate('float64', t.size));
      gradientKernel(g, wholeGrads);
      const parts = inputs.map((t) => allocate('float64', t.size));
      const slopeSums = new Float64Array(inputs[1]?.size ?? 0);
      for (let k = 0; k + 1 < cuts.length; k++) gradientKernel(g, parts, cuts[k], cuts[k + 1], slopeSums);
      expect(Array.from(parts[0])).toEqual(Array.from(wholeGrads[0]));
      if (OPS[op].kind === 'prelu') {
        // Sums split differently agree to rounding.
        slopeSums.forEach((s, c) => expect(s).toBeCloseTo(wholeGrads[1][c], 12));
      } else if (inputs.length > 1) {
        expect(Array.from(parts[1])).toEqual(Array.from(wholeGrads[1]));
      }
    });
  }
});
