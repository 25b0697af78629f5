/**
 * The certified sparse FFN's certificate (ffn-certify.ts): the zero-region facts it relies on, its
 * soundness (a certified unit's pre-activation is below θ however the exact path sums it) and its
 * strength (the share of the zeros it proves on Gaussian layers).
 */
import { describe, expect, it } from 'vitest';
import { certifiedUnitCount, certifyZeroUnits, OP_NAMES, OP_TESTING, OPS, prepareFfn, quantiseW1, referenceFfn, resolveParams, scalar, Tensor, type DType } from '../src/index.js';

const fround = Math.fround;

describe('zeroAtOrBelow: the activation is +0 at and below θ, and its derivative 0', () => {
  it('holds for every op that declares it, for its test parameters and more thresholds', () => {
    const declared = OP_NAMES.filter((op) => OPS[op].zeroAtOrBelow !== undefined);
    expect(declared.sort()).toEqual(['relu', 'relu6', 'relu_squared', 'thresholded_relu']);
    for (const op of declared) {
      const def = OPS[op];
      const variants = [...OP_TESTING[op].variants, ...(op === 'thresholded_relu' ? [{ alpha: -0.5 }, { alpha: 0 }, { alpha: 1e30 }, { alpha: -1e-30 }] : [])];
      for (const v of variants) {
        const p = resolveParams(op, def.params, v);
        const theta = def.zeroAtOrBelow!(p);
        const xs = [theta, -0, 0, -Infinity, -1e-300, -5e-324, -1, -1e30, theta - Math.abs(theta) * 1e-16, theta - 1].filter((x) => x <= theta);
        for (const x of xs) {
          expect(Object.is(def.f!(x, p), 0), `${op}(${x}) with ${JSON.stringify(v)}`).toBe(true);
          // the sparse backward gives these units dz = +0 without their dh
          expect(def.df!(x, p), `${op}′(${x}) with ${JSON.stringify(v)}`).toBe(0);
        }
      }
    }
  });

  it('is absent where the zero region gives −0 or no exact zero (hardswish(−4) = −0, leaky_relu, gelu)', () => {
    expect(Object.is(OPS.hardswish.f!(-4, {}), -0)).toBe(true);
    for (const op of ['hardswish', 'hardsigmoid', 'leaky_relu', 'gelu', 'reglu'] as const) expect(OPS[op].zeroAtOrBelow).toBeUndefined();
  });
});

/** Float32 sums of a dot product plus bias in several orders: forward, backward, pairwise, fused-free. */
function float32Sums(x: ArrayLike<number>, w: ArrayLike<number>, b: number): number[] {
  const d = x.length;
  const prods = Array.from({ length: d }, (_, i) => fround(x[i] * w[i]));
  let forward = fround(b);
  for (let i = 0; i < d; i++) forward = fround(forward + prods[i]);
  let backward = 0;
  for (let i = d - 1; i >= 0; i--) backward = fround(backward + prods[i]);
  backward = fround(backward + b);
  const pairwise = (lo: number, hi: number): number => (hi - lo === 1 ? prods[lo] : fround(pairwise(lo, (lo + hi) >> 1) + pairwise((lo + hi) >> 1, hi)));
  let exact64 = b;
  for (let i = 0; i < d; i++) exact64 += x[i] * w[i];
  return [forward, backward, fround(pairwise(0, d) + b), exact64];
}

function check(dtype: DType, T: number, d: number, f: number, xv: (i: number) => number, wv: (i: number) => number, bv: (j: number) => number, theta = 0): { certified: number; zeros: number } {
  const make = (n: number, v: (i: number) => number): Float32Array | Float64Array =>
    (dtype === 'float32' ? Float32Array.from({ length: n }, (_, i) => v(i)) : Float64Array.from({ length: n }, (_, i) => v(i)));
  const x = make(T * d, xv);
  const w1 = make(d * f, wv);
  const b1 = make(f, bv);
  const q = quantiseW1(w1, d, f);
  const mask = new Uint8Array(T * f);
  const certified = certifyZeroUnits(x, q, b1, theta, dtype, 0, T, mask);
  let zeros = 0;
  for (let t = 0; t < T; t++) {
    for (let j = 0; j < f; j++) {
      const xs = x.subarray(t * d, (t + 1) * d);
      const ws = Array.from({ length: d }, (_, i) => w1[i * f + j]);
      const sums = dtype === 'float32' ? float32Sums(xs, ws, b1[j]) : [float32Sums(xs, ws, b1[j])[3]];
      if (sums[sums.length - 1] <= theta) zeros++;
      if (mask[t * f + j] === 1) for (const s of sums) expect(s < theta, `token ${t} unit ${j}: certified, yet a sum is ${s}`).toBe(true);
    }
  }
  return { certified, zeros };
}

describe('the certificate', () => {
  it('is sound: every certified unit sums below θ in every order (random layers, both dtypes)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const r = check(dtype, 8, 50, 40, (i) => scalar.gaussianNoise(1, i), (i) => scalar.gaussianNoise(2, i) / 7, (j) => (j - 20) / 10);
      expect(r.certified).toBeGreaterThan(0);
      const t = check(dtype, 8, 50, 40, (i) => scalar.gaussianNoise(1, i), (i) => scalar.gaussianNoise(2, i) / 7, (j) => (j - 20) / 10, 0.5);
      expect(t.certified).toBeGreaterThan(0);
    }
  });

  it('is sound on adversarial layers: near-threshold units, huge, tiny and subnormal values, and never certifies non-finite inputs', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      const big = dtype === 'float32' ? 1e36 : 1e305;
      const tiny = dtype === 'float32' ? 1e-40 : 1e-315;
      // exact products that cancel to a hair below zero: x = ±1, w = ±1 (sums are exact integers), b = −2⁻²⁰
      check(dtype, 6, 32, 20, (i) => (i % 2 === 0 ? 1 : -1), (i) => ((i * 5) % 3) - 1, () => -(2 ** -20));
      check(dtype, 6, 32, 20, (i) => big * scalar.gaussianNoise(3, i), (i) => scalar.gaussianNoise(4, i), (j) => -big * j);
      check(dtype, 6, 32, 20, (i) => tiny * scalar.gaussianNoise(3, i), (i) => scalar.gaussianNoise(4, i), (j) => -tiny * j);
      check(dtype, 6, 32, 20, (i) => scalar.gaussianNoise(3, i), (i) => tiny * scalar.gaussianNoise(4, i), (j) => -tiny * j);
      // a subnormal x against a huge weight: z is far from zero although x quantises to nothing
      const sub = dtype === 'float32' ? 2 ** -149 : 2 ** -1074;
      const r = check(dtype, 1, 4, 2, () => sub, () => (dtype === 'float32' ? 1e38 : 1e308), () => -(sub * 1e38 * 2));
      expect(r.certified).toBe(0);
      // NaN and ±∞ anywhere in a token or a column: that token's or column's units are never certified
      const x = Float32Array.from({ length: 3 * 4 }, (_, i) => (i === 1 ? NaN : i === 6 ? Infinity : -1));
      const w1 = Float32Array.from({ length: 4 * 3 }, (_, i) => (i === 2 ? -Infinity : 1));
      const mask = new Uint8Array(9);
      certifyZeroUnits(x, quantiseW1(w1, 4, 3), Float32Array.of(-1, -1, NaN), 0, dtype, 0, 3, mask);
      expect(Array.from(mask)).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 0]);
    }
  });

  it('proves about 90 % of the zeros of a Gaussian layer at 90 % zeros, and more at 99 %', () => {
    const [T, d, f] = [16, 512, 256];
    for (const [quantile, share] of [[1.2816, 0.85], [2.3263, 0.9]] as const) {
      const x = Float32Array.from({ length: T * d }, (_, i) => scalar.gaussianNoise(5, i));
      const w1 = Float32Array.from({ length: d * f }, (_, i) => scalar.gaussianNoise(6, i) / Math.sqrt(d));
      const b1 = new Float32Array(f).fill(-quantile);
      const certified = certifiedUnitCount(x, w1, b1, T, d, f, 0, 'float32');
      const ref = referenceFfn(new Tensor(x, [T, d]), { w1: new Tensor(w1, [d, f]), b1: new Tensor(b1, [f]), w2: new Tensor(new Float32Array(f), [f, 1]) },
        { sparse: 'certified', stats: true }).stats!;
      expect(ref.certifiedUnits).toBe(certified);
      expect(certified / ref.zeroUnits!, `at ${quantile}: ${certified} of ${ref.zeroUnits} zeros`).toBeGreaterThan(share);
    }
  });

  it("sparse: 'certified' sets certified and sparse, and θ from the activation's parameters", () => {
    const x = new Tensor(new Float32Array(4), [2, 2]);
    const w = { w1: new Tensor(new Float32Array(6), [2, 3]), w2: new Tensor(new Float32Array(3), [3, 1]) };
    const c = prepareFfn(x, w, { sparse: 'certified', activation: 'thresholded_relu', activationParams: { alpha: 0.25 } });
    expect([c.sparse, c.certified, c.zeroThreshold]).toEqual([true, true, 0.25]);
    const plain = prepareFfn(x, w, { sparse: true });
    expect([plain.sparse, plain.certified, plain.zeroThreshold]).toEqual([true, false, NaN]);
  });
});
