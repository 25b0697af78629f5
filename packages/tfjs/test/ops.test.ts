/**
 * rectifierOp and rectifierFfn on tf.Tensors: Rectifier's own results (bit-identical to calling the
 * CPU backend directly), hence within the CPU backend's declared bounds of core's float64 reference;
 * gradients through tf.grad equal Rectifier's gradient; the typed errors.
 */
import {
  epsilon, ErrorCode, OP_NAMES, OPS, RectifierError, referenceFfn, referenceFfnBackward, referenceForward, referenceGradient,
  type Backend, type FfnWeights,
} from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { fromTf, rectifierFfn, rectifierOp, toTf, type TfFfnWeights } from '../src/index.js';
import {
  both, closeMisses, cpu, EPS32, forwardUlps, gradientUlps, grid, opInputs, tf, ulpMisses, uniform,
} from './helpers.js';

const ROWS = 6;
const COLS = 8;
const PARAMS: Record<string, Record<string, number | string>[]> = {
  leaky_relu: [{}, { alpha: 0.2 }], elu: [{}, { alpha: 0.5 }], gelu: [{}, { approximate: 'tanh' }], silu: [{}, { beta: 1.5 }],
  softplus: [{}, { beta: 2, threshold: 10 }], hardtanh: [{}, { min: -2, max: 3 }], noisy_relu: [{ seed: 7 }],
  prelu: [{ axis: -1 }], geglu: [{}, { approximate: 'tanh' }], swiglu: [{}, { beta: 2 }],
};

const arr = (t: tf.Tensor): number[] => Array.from(t.dataSync());

describe('every catalogue op on tf.Tensors, float32', () => {
  const x = both(grid(ROWS, COLS, -6, 6), [ROWS, COLS]);
  const dyData = uniform(ROWS * COLS * 2, -1.5, 1.5, 3);
  for (const op of OP_NAMES) {
    const def = OPS[op];
    for (const params of PARAMS[op] ?? [{}]) {
      for (const inputs of opInputs(op, x, COLS)) {
        const label = `${op} ${JSON.stringify(params)}${def.kind === 'prelu' ? ` slope ${JSON.stringify(inputs.r[1].shape)}` : ''}`;
        const single = inputs.t.length === 1;
        // prelu with a scalar slope takes the default axis.
        const p = def.kind === 'prelu' && inputs.r[1].rank === 0 ? {} : params;

        it(`${label}: the value is the CPU backend's, bit for bit, and within its declared bound of the float64 reference`, () => {
          const y = rectifierOp(cpu, op, single ? inputs.t[0] : inputs.t, p as never);
          const direct = cpu.sync.forward(op, single ? inputs.r[0] : inputs.r, p as never);
          expect(y.shape).toEqual([...direct.shape]);
          expect(y.dtype).toBe('float32');
          expect(arr(y)).toEqual(Array.from(direct.data));
          const ref = referenceForward(op, inputs.r, p);
          expect(ulpMisses(y.dataSync(), ref.data, forwardUlps(def)), label).toEqual([]);
        });

        it(`${label}: tf.grads through the op give Rectifier's gradient, bit for bit, within bounds of referenceGradient`, () => {
          const outShape = cpu.sync.forward(op, inputs.r, p as never).shape;
          const n = outShape.reduce((a, b) => a * b, 1);
          const dy = both(dyData.slice(0, n), [...outShape]);
          // L = Σ op(inputs) ⊙ dy, so ∂L/∂y = dy exactly and ∂L/∂inputs is the op's gradient for dy.
          const grads = tf.grads((...ts: tf.Tensor[]) => tf.sum(tf.mul(rectifierOp(cpu, op, single ? ts[0] : ts, p as never), dy.t)))(inputs.t);
          const direct = cpu.sync.gradient(op, inputs.r, dy.r, p as never);
          const refs = referenceGradient(op, inputs.r, dy.r, p);
          expect(grads.length).toBe(def.inputs.length);
          for (const [i, g] of grads.entries()) {
            expect(g.shape).toEqual([...inputs.r[i].shape]);
            expect(arr(g), `${label} d${def.inputs[i]}`).toEqual(Array.from(direct[i].data));
            if (def.kind === 'prelu' && i === 1) {
              // The slope's gradient is a sum over x: within a summation bound (the conformance suite's).
              // Σ |x·dy| over x < 0 bounds the sum's rounding: the slope's gradient with −|x| and |dy|.
              const negated = both(Float32Array.from(inputs.r[0].data, (v) => -Math.abs(v)), [...inputs.r[0].shape]).r;
              const absDy = both(Float32Array.from(dy.r.data, Math.abs), [...dy.r.shape]).r;
              const bound = referenceGradient(op, [negated, inputs.r[1]], absDy, p)[1].data;
              const accumulation = epsilon(cpu.capabilities.accumulation) * (inputs.r[0].size + 2);
              const got = g.dataSync();
              const want = refs[1].data;
              const bad = want.map((w, k) => Math.abs(got[k] - w) <= accumulation * Math.abs(bound[k]) + EPS32 * Math.abs(w) ? -1 : k).filter((k) => k >= 0);
              expect(Array.from(bad), `${label} dweight`).toEqual([]);
            } else {
              expect(ulpMisses(g.dataSync(), refs[i].data, gradientUlps(def)), `${label} d${def.inputs[i]}`).toEqual([]);
            }
          }
        });
      }
    }
  }
});

describe('tf.grad of a scalar loss through a Rectifier op', () => {
  it("equals Rectifier's gradient of the same loss (gelu, then a tfjs mean of squares)", () => {
    const x = both(uniform(32, -4, 4, 11), [4, 8]);
    const loss = (t: tf.Tensor) => tf.mean(tf.square(rectifierOp(cpu, 'gelu', t)));
    const g = tf.grad(loss)(x.t);
    // By hand: ∂L/∂y = 2y/n, then Rectifier's gradient with that dy.
    const y = cpu.sync.forward('gelu', x.r);
    const dy = both(Float32Array.from(y.data, (v) => Math.fround(Math.fround(2 * v) / 32)), [4, 8]);
    expect(arr(g)).toEqual(Array.from(cpu.sync.gradient('gelu', x.r, dy.r)[0].data));
  });

  it('works with tf.variableGrads and an optimizer (prelu slope learnt towards its target)', () => {
    const x = both(uniform(64, -3, 3, 5), [8, 8]);
    const target = tf.tidy(() => tf.where(tf.greater(x.t, 0), x.t, tf.mul(x.t, 0.6)));
    const slope = tf.variable(tf.scalar(0.1), true, 'slope');
    const opt = tf.train.sgd(0.5);
    const lossOf = () => tf.losses.meanSquaredError(target, rectifierOp(cpu, 'prelu', [x.t, slope])) as tf.Scalar;
    const first = lossOf().dataSync()[0];
    for (let i = 0; i < 50; i++) opt.minimize(lossOf);
    expect(lossOf().dataSync()[0]).toBeLessThan(first * 1e-4);
    expect(slope.dataSync()[0]).toBeCloseTo(0.6, 3);
  });
});

describe('rectifierFfn: Rectifier\'s FFN block and its backward on tf.Tensors', () => {
  const [T, d, f, dOut] = [5, 4, 6, 3];
  const make = (glu: boolean) => {
    const w = {
      w1: both(uniform(d * f, -1, 1, 21), [d, f]), b1: both(uniform(f, -0.5, 0.5, 22), [f]),
      w2: both(uniform(f * dOut, -1, 1, 23), [f, dOut]), b2: both(uniform(dOut, -0.5, 0.5, 24), [dOut]),
      ...(glu ? { v: both(uniform(d * f, -1, 1, 25), [d, f]), bv: both(uniform(f, -0.5, 0.5, 26), [f]) } : {}),
    };
    const r = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.r])) as unknown as FfnWeights;
    const t = Object.fromEntries(Object.entries(w).map(([k, v]) => [k, v.t])) as unknown as TfFfnWeights;
    return { r, t };
  };
  for (const activation of ['relu', 'gelu', 'silu', 'swiglu', 'geglu'] as const) {
    it(`${activation}: y and the gradients w.r.t. x and every weight are the CPU backend's, within 1e-5 of the float64 reference`, () => {
      const glu = OPS[activation].kind === 'glu';
      const w = make(glu);
      const x = both(uniform(T * d, -2, 2, 27), [T, d]);
      const dy = both(uniform(T * dOut, -1, 1, 28), [T, dOut]);
      const options = { activation };
      const y = rectifierFfn(cpu, x.t, w.t, options);
      const direct = cpu.sync.ffn(x.r, w.r, options).y;
      expect(y.shape).toEqual([T, dOut]);
      expect(arr(y)).toEqual(Array.from(direct.data));
      expect(closeMisses(y.dataSync(), referenceFfn(x.r, w.r, options).y.data, 1e-5, 1e-5)).toEqual([]);

      const names = Object.keys(w.t) as (keyof TfFfnWeights)[];
      const grads = tf.grads((xt: tf.Tensor, ...ws: tf.Tensor[]) =>
        tf.sum(tf.mul(rectifierFfn(cpu, xt, Object.fromEntries(names.map((k, i) => [k, ws[i]])) as unknown as TfFfnWeights, options), dy.t)),
      )([x.t, ...names.map((k) => w.t[k]!)]);
      const directG = cpu.sync.ffnBackward(x.r, w.r, dy.r, options) as unknown as Record<string, { data: Float32Array }>;
      const refG = referenceFfnBackward(x.r, w.r, dy.r, options) as unknown as Record<string, { data: Float64Array }>;
      for (const [i, key] of ['dx', ...names.map((k) => `d${k}`)].entries()) {
        expect(arr(grads[i]), key).toEqual(Array.from(directG[key].data));
        expect(closeMisses(grads[i].dataSync(), refG[key].data, 1e-5, 1e-5), key).toEqual([]);
      }
    });
  }

  it('without biases: gradients for x, W1 and W2 only', () => {
    const { w1, w2 } = make(false).t;
    const x = tf.tensor(uniform(T * d, -2, 2, 29), [T, d]);
    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(rectifierFfn(cpu, a, { w1: b, w2: c })))([x, w1, w2]);
    expect(grads.map((g) => g.shape)).toEqual([[T, d], [d, f], [f, dOut]]);
  });
});

describe('typed errors', () => {
  const x = tf.tensor([1, -2, 3]);
  const expectCode = (f: () => unknown, code: string) => {
    let caught: unknown;
    try {
      f();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RectifierError);
    expect((caught as RectifierError).code).toBe(code);
    return caught as RectifierError;
  };

  it('an asynchronous-only backend is refused with SYNC_UNSUPPORTED, naming the CPU backend', () => {
    const asyncOnly = { ...cpu, name: 'workers', capabilities: { ...cpu.capabilities, sync: false } } as unknown as Backend;
    const e = expectCode(() => rectifierOp(asyncOnly, 'relu', x), ErrorCode.SyncUnsupported);
    expect(e.message).toMatch(/CPU backend/);
    expectCode(() => rectifierFfn(asyncOnly, tf.zeros([1, 1]), { w1: tf.zeros([1, 1]), w2: tf.zeros([1, 1]) }), ErrorCode.SyncUnsupported);
  });

  it('a non-float32 tensor gives UNSUPPORTED_DTYPE; a non-tensor BAD_ARGUMENT', () => {
    expectCode(() => rectifierOp(cpu, 'relu', tf.tensor([1, 2], [2], 'int32')), ErrorCode.UnsupportedDtype);
    expectCode(() => fromTf([1, 2] as never), ErrorCode.BadArgument);
  });

  it("Rectifier's own errors come through: unknown op, bad parameter, shapes", () => {
    expectCode(() => rectifierOp(cpu, 'rleu' as never, x), ErrorCode.UnknownOp);
    expectCode(() => rectifierOp(cpu, 'leaky_relu', x, { alpha: Number.NaN }), ErrorCode.BadParameter);
    expectCode(() => rectifierFfn(cpu, tf.zeros([2, 3]), { w1: tf.zeros([4, 2]), w2: tf.zeros([2, 1]) }), ErrorCode.DimMismatch);
  });

  it('toTf and fromTf round-trip values and shapes', () => {
    const t = fromTf(tf.tensor([[1.5, -2], [0, 3]]));
    expect([...t.shape]).toEqual([2, 2]);
    expect(arr(toTf(t))).toEqual([1.5, -2, 0, 3]);
  });
});
