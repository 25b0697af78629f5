import { describe, expect, it } from 'vitest';
import {
  ErrorCode, findOp, OP_ALIASES, OP_NAMES, OPS, prepareOpCall, referenceForward, referenceGradient, resolveParams, scalar, tensor,
} from '../src/index.js';

describe('op catalogue', () => {
  it('has every op of DESIGN.md §3 with a summary, inputs and valid defaults', () => {
    expect(OP_NAMES).toEqual(expect.arrayContaining([
      'relu', 'relu6', 'leaky_relu', 'prelu', 'elu', 'celu', 'selu', 'gelu', 'silu', 'softplus', 'mish', 'hardsigmoid',
      'hardswish', 'squareplus', 'relu_squared', 'thresholded_relu', 'crelu', 'noisy_relu', 'sigmoid', 'tanh', 'hardtanh',
      'softsign', 'hardshrink', 'softshrink', 'reglu', 'geglu', 'swiglu',
    ]));
    for (const name of OP_NAMES) {
      const def = OPS[name];
      expect(def.summary.length).toBeGreaterThan(5);
      expect(() => resolveParams(name, def.params, undefined)).not.toThrow();
      if (def.kind === 'unary' || def.kind === 'glu') {
        expect(typeof def.f).toBe('function');
        expect(typeof def.df).toBe('function');
      }
    }
  });

  it('resolves aliases (swish → silu, clip → hardtanh)', () => {
    expect(findOp('swish')?.name).toBe('silu');
    expect(findOp('clip')?.name).toBe('hardtanh');
    for (const target of Object.values(OP_ALIASES)) expect(OPS[target]).toBeDefined();
    expect(findOp('toString')).toBeUndefined();
    expect(findOp(42)).toBeUndefined();
  });

  it('fills defaults and rejects bad parameters with messages naming op, argument, expectation and value', () => {
    expect(resolveParams('leaky_relu', OPS.leaky_relu.params, {})).toEqual({ alpha: 0.01 });
    expect(resolveParams('softplus', OPS.softplus.params, { beta: 2 })).toEqual({ beta: 2, threshold: 20 });
    try {
      prepareOpCall('leaky_relu', tensor([1]), { alpha: NaN });
      expect.unreachable();
    } catch (e) {
      expect((e as { code: string }).code).toBe(ErrorCode.BadParameter);
      expect((e as Error).message).toBe("[BAD_PARAMETER] leaky_relu: argument 'alpha': expected a finite number, got NaN");
    }
    expect(() => prepareOpCall('relu', tensor([1]), null)).toThrow(/params/);
    expect(() => prepareOpCall('relu', tensor([1]), { alpha: 1 })).toThrow(/no parameters/);
  });
});

describe('reference semantics (DESIGN.md §3)', () => {
  const f = (op: string, xs: number[], params?: object): number[] => Array.from(referenceForward(op, tensor(xs, undefined, 'float64'), params).data);
  const df = (op: string, xs: number[], params?: object): number[] =>
    Array.from(referenceGradient(op, tensor(xs, undefined, 'float64'), tensor(xs.map(() => 1), undefined, 'float64'), params)[0].data);

  it('relu: −0 → +0, NaN → NaN, derivative 0 at the kink', () => {
    const y = f('relu', [-0, NaN, -Infinity, Infinity, 5e-324]);
    expect(Object.is(y[0], 0)).toBe(true);
    expect(y[1]).toBeNaN();
    expect(y.slice(2)).toEqual([0, Infinity, 5e-324]);
    expect(df('relu', [0, -0, 1, -1])).toEqual([0, 0, 1, 0]);
    expect(df('relu', [NaN])[0]).toBeNaN();
  });

  it('limits at ±∞', () => {
    expect(f('elu', [-Infinity], { alpha: 2 })).toEqual([-2]);
    for (const op of ['gelu', 'silu', 'mish', 'hardswish']) expect(Math.abs(f(op, [-Infinity])[0])).toBe(0);
    expect(f('softplus', [Infinity, -Infinity])).toEqual([Infinity, 0]);
    expect(f('sigmoid', [Infinity, -Infinity])).toEqual([1, 0]);
    expect(f('gelu', [-Infinity], { approximate: 'tanh' }).map(Math.abs)).toEqual([0]);
    expect(f('squareplus', [Infinity, -Infinity])).toEqual([Infinity, 0]);
    expect(f('softsign', [Infinity, -Infinity])).toEqual([1, -1]);
    for (const op of ['gelu', 'silu', 'mish', 'softplus', 'sigmoid', 'tanh', 'squareplus', 'softsign', 'elu', 'selu', 'celu']) {
      for (const v of df(op, [Infinity, -Infinity])) expect(Number.isNaN(v), `${op}′(±∞)`).toBe(false);
    }
  });

  it('kink values of the derivative', () => {
    expect(df('mish', [0])[0]).toBeCloseTo(0.6, 15);
    expect(df('leaky_relu', [0])).toEqual([0.01]);
    expect(df('elu', [0], { alpha: 3 })).toEqual([3]);
    expect(df('celu', [0], { alpha: 3 })).toEqual([1]);
    expect(df('relu6', [0, 6, 3])).toEqual([0, 0, 1]);
    expect(df('hardswish', [-3, 3, 0])).toEqual([0, 1, 0.5]);
    expect(df('hardsigmoid', [-3, 3])).toEqual([0, 0]);
    expect(df('hardtanh', [-1, 1, 0])).toEqual([0, 0, 1]);
    expect(df('thresholded_relu', [1, 1.5])).toEqual([0, 1]);
    expect(df('hardshrink', [0.5, 0.6])).toEqual([0, 1]);
  });

  it('GELU keeps relative accuracy far in the lower tail (erfc, not 1 + erf)', () => {
    // x·Φ(x) for x = −10: Φ(−10) = 7.619853024160526e-24.
    const y = f('gelu', [-10])[0];
    expect(Math.abs(y / (-10 * 7.619853024160526e-24) - 1)).toBeLessThan(1e-13);
  });

  it('Nair & Hinton: Σ σ(x − i + 0.5) approaches softplus (largest gap ≈ 0.0106)', () => {
    let worst = 0;
    for (let x = -5; x <= 5; x += 0.01) {
      let s = 0;
      for (let i = 1; i <= 200; i++) s += scalar.sigmoid(x - i + 0.5);
      worst = Math.max(worst, Math.abs(s - scalar.softplus(x)));
    }
    expect(worst).toBeGreaterThan(0.0100);
    expect(worst).toBeLessThan(0.0110);
  });

  it('the gradient rule: an exact-zero derivative gives 0 whatever dy is', () => {
    const x = tensor([-1, 1, -1], undefined, 'float64');
    const dy = tensor([Infinity, NaN, NaN], undefined, 'float64');
    const [dx] = referenceGradient('relu', x, dy);
    expect(dx.data[0]).toBe(0);
    expect(dx.data[1]).toBeNaN();
    expect(dx.data[2]).toBe(0);
  });

  it('crelu doubles the last axis; prelu gives the slope gradient Σ_{x≤0} x·dy per channel', () => {
    const y = referenceForward('crelu', tensor([[1, -2], [-0, 3]], undefined, 'float64'));
    expect(y.shape).toEqual([2, 4]);
    expect(Array.from(y.data)).toEqual([1, 0, 0, 2, 0, 3, 0, 0]);
    const x = tensor([[-1, 2], [-3, -4]], undefined, 'float64'); // [N=2, C=2]
    const w = tensor([0.5, 0.25], undefined, 'float64');
    const dy = tensor([[1, 1], [2, 3]], undefined, 'float64');
    const [dx, dw] = referenceGradient('prelu', [x, w], dy);
    expect(Array.from(dx.data)).toEqual([0.5, 1, 1, 0.75]);
    expect(Array.from(dw.data)).toEqual([-1 * 1 + -3 * 2, -4 * 3]);
  });
});

describe('seeded Gaussian noise', () => {
  it('is standard normal and depends only on (seed, index)', () => {
    const n = 200_000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = scalar.gaussianNoise(9, i);
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / n)).toBeLessThan(0.01);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.01);
    expect(scalar.gaussianNoise(9, 12345)).toBe(scalar.gaussianNoise(9, 12345));
    expect(scalar.gaussianNoise(9, 12345)).not.toBe(scalar.gaussianNoise(10, 12345));
    expect(Number.isFinite(scalar.gaussianNoise(1, 2 ** 40))).toBe(true);
  });
});

describe('the sign of zero in the float64 references', () => {
  it('f(−0) is −0 exactly where the definition gives −0 (x times a positive factor at 0, α·expm1(x)), +0 for the selecting ops', async () => {
    const { OPS, referenceForward, tensor } = await import('../src/index.js');
    const negativeZero = ['celu', 'elu', 'geglu', 'gelu', 'hardswish', 'hardtanh', 'leaky_relu', 'mish', 'selu', 'silu', 'softsign', 'swiglu', 'tanh'];
    const positiveZero = ['hardshrink', 'reglu', 'relu', 'relu6', 'relu_squared', 'softshrink', 'thresholded_relu'];
    for (const def of Object.values(OPS)) {
      if (def.kind !== 'unary' && def.kind !== 'glu') continue;
      const x = tensor([-0, 0], [2], 'float64');
      const inputs = def.kind === 'glu' ? [x, tensor([1, 1], [2], 'float64')] : [x];
      const [atMinus, atPlus] = referenceForward(def.name, inputs, {}).data;
      if (negativeZero.includes(def.name)) expect(Object.is(atMinus, -0), `${def.name}(−0)`).toBe(true);
      else if (positiveZero.includes(def.name)) expect(Object.is(atMinus, 0), `${def.name}(−0)`).toBe(true);
      else expect(atMinus, `${def.name}(−0) is not a zero`).not.toBe(0);
      if (atPlus === 0) expect(Object.is(atPlus, 0), `${def.name}(+0)`).toBe(true);
    }
  });
});
