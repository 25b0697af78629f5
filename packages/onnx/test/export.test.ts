/**
 * Every exported model runs in ONNX Runtime (onnxruntime-node 1.30, CPU) and matches Rectifier's
 * CPU backend: exact ops bit for bit (up to the sign of zero), leaky_relu within 1 ulp (ONNX
 * attributes are float32), transcendental ops within |Δ| ≤ 2e-6 + 2e-6·|y| on finite, normal
 * inputs in [−10, 10]. Special values are compared separately and every difference is named.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, OPS, RectifierError, Tensor, tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { exportFfn, exportMatmul, exportOp } from '../src/index.js';
import { opCases, type OpCase } from './cases.js';
import { grid, maxUlp, runOrt } from './helpers.js';

const cpu = createCpuBackend();
const ATOL = 2e-6;
const RTOL = 2e-6;

function inputsOf(c: OpCase, x: Tensor): { feeds: Record<string, Tensor>; call: Tensor | Tensor[] } {
  const def = OPS[c.op];
  if (def.kind === 'glu') {
    const value = new Tensor(Float32Array.from(x.data, (v) => 1.5 - v / 4), x.shape);
    return { feeds: { gate: x, value }, call: [x, value] };
  }
  return { feeds: { x }, call: c.weight ? [x, c.weight] : x };
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol: number): void {
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i] - expected[i]) - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= 0)) worst = Math.max(worst, Number.isNaN(excess) ? Infinity : excess);
  }
  expect(worst).toBe(0);
}

describe('exported ops in ONNX Runtime', () => {
  const x2d = new Tensor(Float32Array.from(grid(-10, 10, 2001).data).subarray(0, 2000), [40, 50]);
  for (const opset of [13, 20, 22, 24, 26]) {
    describe(`opset ${opset}`, () => {
      for (const c of opCases([40, 50])) {
        it(c.label, async () => {
          const { feeds, call } = inputsOf(c, x2d);
          const bytes = exportOp(c.op, c.params as never, { shape: [40, 50], opset, ...(c.weight ? { weight: c.weight } : {}) });
          const ort = (await runOrt(bytes, feeds)).y;
          const mine = cpu.sync.forward(c.op, call, c.params as never);
          expect([...ort.dims]).toEqual([...mine.shape]);
          const accuracy = OPS[c.op].accuracy;
          if (c.op === 'leaky_relu') expect(maxUlp(ort.data, mine.data)).toBeLessThanOrEqual(1);
          else if (accuracy === 'transcendental' || OPS[c.op].kind === 'glu') expectClose(ort.data, mine.data, 4 * ATOL, 8 * RTOL); // a GLU: |value| ≤ 4 scales the activation's error
          else expectClose(ort.data, mine.data, 0, 0); // exact: equal values; ±0 compared as equal (see "special values")
        });
      }
    });
  }

  it('the model declares the chosen opset, and symbolic dims run at any size', async () => {
    const bytes = exportOp('gelu', { approximate: 'tanh' }, { shape: ['batch', 3] });
    const x = tensor([[-1, 0, 1], [2, 3, 4]]);
    const y = (await runOrt(bytes, { x })).y;
    expectClose(y.data, cpu.sync.forward('gelu', x, { approximate: 'tanh' }).data, ATOL, RTOL);
  });
});

/**
 * Where ONNX Runtime's results differ from Rectifier's on special inputs, named: ONNX Runtime's Relu
 * keeps −0 (Rectifier's relu(−0) = +0, DESIGN.md); its Elu/Celu/Selu compute α(eˣ − 1), losing
 * the sign of −0 and flushing subnormal results to 0 (expm1 cancellation); its Tanh is not
 * correctly rounded on subnormals; ThresholdedRelu and Shrink give 0 for NaN (Rectifier: NaN);
 * x·σ(x)-style kernels (Gelu, Swish decomposed, Mish, HardSwish) give NaN at −∞ (−∞·0) where
 * Rectifier gives −0; Softsign gives NaN at ±∞ (∞/∞); and the squareplus decomposition overflows x².
 */
describe('special values: every difference from ONNX Runtime, named', () => {
  const specials = [0, -0, NaN, Infinity, -Infinity, 1e-40, -1e-40, 3.4e38, -3.4e38];
  const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));
  const KNOWN = [
    'relu(-0): onnxruntime -0, rectifier 0',
    'relu6(-0): onnxruntime -0, rectifier 0',
    'elu(-9.99994610111476e-41): onnxruntime 0, rectifier -9.99994610111476e-41',
    'celu(-0): onnxruntime 0, rectifier -0',
    'celu(-9.99994610111476e-41): onnxruntime 0, rectifier -9.99994610111476e-41',
    'selu(-0): onnxruntime 0, rectifier -0',
    'selu(-9.99994610111476e-41): onnxruntime 0, rectifier -1.7580830663265587e-40',
    'gelu(-Infinity): onnxruntime NaN, rectifier -0',
    'silu(-Infinity): onnxruntime NaN, rectifier -0',
    'mish(-Infinity): onnxruntime NaN, rectifier -0',
    'hardswish(-Infinity): onnxruntime NaN, rectifier -0',
    'squareplus(3.3999999521443642e+38): onnxruntime Infinity, rectifier 3.3999999521443642e+38',
    'squareplus(-3.3999999521443642e+38): onnxruntime 0, rectifier 2.9411769389805726e-39',
    'thresholded_relu(NaN): onnxruntime 0, rectifier NaN',
    'crelu(-0): onnxruntime -0, rectifier 0',
    'crelu(0, relu(−x) half): onnxruntime -0, rectifier 0',
    'tanh(9.99994610111476e-41): onnxruntime 9.993920517718163e-41, rectifier 9.99994610111476e-41',
    'tanh(-9.99994610111476e-41): onnxruntime -9.993920517718163e-41, rectifier -9.99994610111476e-41',
    'softsign(Infinity): onnxruntime NaN, rectifier 1',
    'softsign(-Infinity): onnxruntime NaN, rectifier -1',
    'hardshrink(NaN): onnxruntime 0, rectifier NaN',
    'softshrink(NaN): onnxruntime 0, rectifier NaN',
    'reglu(-0): onnxruntime 0, rectifier -0',
  ];

  it('at opset 22, the differences are exactly the known ones', async () => {
    const x = new Tensor(Float32Array.from(specials), [specials.length]);
    const found: string[] = [];
    for (const c of opCases([specials.length])) {
      if (Object.keys(c.params).length > 0 || c.label !== c.op && c.op !== 'prelu') continue;
      if (c.op === 'prelu' && c.weight!.rank !== 0) continue;
      const glu = OPS[c.op].kind === 'glu';
      const bytes = exportOp(c.op, undefined, { shape: [x.size], opset: 22, ...(c.weight ? { weight: c.weight } : {}) });
      const ort = (await runOrt(bytes, glu ? { gate: x, value: x } : { x })).y.data;
      const mine = cpu.sync.forward(c.op, glu ? [x, x] : c.weight ? [x, c.weight] : x).data;
      for (let i = 0; i < mine.length; i++) {
        const a = ort[i];
        const b = mine[i];
        const same = Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b)) || (a !== 0 && Math.abs(a - b) <= 1e-6 * Math.abs(b));
        const half = i >= x.size ? ', relu(−x) half' : ''; // crelu's output is [relu(x), relu(−x)]
        if (!same) found.push(`${c.op}(${show(x.data[i % x.size])}${half}): onnxruntime ${show(a)}, rectifier ${show(b)}`);
      }
    }
    expect(found).toEqual(KNOWN);
  });
});

describe('exported matmul and FFN blocks in ONNX Runtime', () => {
  const seq = (n: number, scale: number, shift = 0): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + shift) * scale);
  const t = (n: number[], shape: number[]): Tensor => tensor(n, shape);

  it.each([
    { a: [3, 4], b: [4, 5], transposeA: false, transposeB: false },
    { a: [4, 3], b: [4, 5], transposeA: true, transposeB: false },
    { a: [3, 4], b: [5, 4], transposeA: false, transposeB: true },
    { a: [2, 3, 4], b: [4, 5], transposeA: false, transposeB: false },
    { a: [2, 4, 3], b: [2, 5, 4], transposeA: true, transposeB: true },
  ])('matmul $a × $b (transposeA $transposeA, transposeB $transposeB): within 1e-6 relative', async (m) => {
    const size = (s: number[]): number => s.reduce((p, d) => p * d, 1);
    const a = t(seq(size(m.a), 2), m.a);
    const b = t(seq(size(m.b), 1.5, 1), m.b);
    const opts = { transposeA: m.transposeA, transposeB: m.transposeB };
    const mine = cpu.sync.matmul(a, b, opts);
    const ort = (await runOrt(exportMatmul(m.a, m.b, opts), { a, b })).y;
    expect([...ort.dims]).toEqual([...mine.shape]);
    expectClose(ort.data, mine.data, 1e-6, 1e-6);
    const constant = (await runOrt(exportMatmul(m.a, b, opts), { a })).y;
    expectClose(constant.data, mine.data, 1e-6, 1e-6);
  });

  for (const activation of ['relu', 'gelu', 'silu', 'reglu', 'geglu', 'swiglu'] as const) {
    it(`ffn with ${activation} (d 8, f 16, dOut 6, x [2, 5, 8]): within 1e-5 absolute`, async () => {
      const glu = OPS[activation].kind === 'glu';
      const weights = {
        w1: t(seq(8 * 16, 0.5), [8, 16]), b1: t(seq(16, 0.1, 2), [16]),
        w2: t(seq(16 * 6, 0.4, 3), [16, 6]), b2: t(seq(6, 0.2, 4), [6]),
        ...(glu ? { v: t(seq(8 * 16, 0.5, 5), [8, 16]), bv: t(seq(16, 0.1, 6), [16]) } : {}),
      };
      const x = t(seq(80, 2, 7), [2, 5, 8]);
      const mine = cpu.sync.ffn(x, weights, { activation }).y;
      const ort = (await runOrt(exportFfn(weights, { activation, leading: [2, 'T'] }), { x })).y;
      expect([...ort.dims]).toEqual([...mine.shape]);
      expectClose(ort.data, mine.data, 1e-5, 1e-5);
    });
  }
});

describe('what cannot be exported', () => {
  it('noisy_relu: BAD_ARGUMENT (its seeded noise has no ONNX operator)', () => {
    expect(() => exportOp('noisy_relu', { seed: 1 }, { shape: [3] })).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument, op: 'noisy_relu' }));
  });
  it('an unknown op, a bad parameter, an opset out of range, prelu without a weight', () => {
    const code = (f: () => unknown): string | undefined => { try { f(); } catch (e) { return e instanceof RectifierError ? e.code : 'not a RectifierError'; } return undefined; };
    expect(code(() => exportOp('softmax' as never, undefined, { shape: [3] }))).toBe(ErrorCode.UnknownOp);
    expect(code(() => exportOp('leaky_relu', { alpha: NaN }, { shape: [3] }))).toBe(ErrorCode.BadParameter);
    expect(code(() => exportOp('relu', undefined, { shape: [3], opset: 12 }))).toBe(ErrorCode.BadParameter);
    expect(code(() => exportOp('relu', undefined, { shape: [3], opset: 27 }))).toBe(ErrorCode.BadParameter);
    expect(code(() => exportOp('prelu', undefined, { shape: [3] }))).toBe(ErrorCode.BadArgument);
    expect(code(() => exportOp('relu', undefined, { shape: [-1] }))).toBe(ErrorCode.BadShape);
    expect(code(() => exportFfn({ w1: tensor([[1, 2]]), w2: tensor([[1, 2]]) }))).toBe(ErrorCode.DimMismatch);
    expect(code(() => exportFfn({ w1: tensor([[1]]), w2: tensor([[1]]) }, { activation: 'crelu' }))).toBe(ErrorCode.UnknownOp);
  });
});
