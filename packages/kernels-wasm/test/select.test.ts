import { describe, expect, it } from 'vitest';
import { OPS, gradientProduct, ulpDistance } from '@rectifier/core';
import { wasmKernels, type UnaryKernel } from '../src/index.js';

const kernels = wasmKernels()!;

const SPECIALS = [
  0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 1e-40, -1e-40, 3.4e38, -3.4e38, 1, -1, 6, -6, 5.999999, 6.000001,
  0.5, -0.5, 1.1754943508222875e-38, -1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38,
];
// relu and relu6 take 32 floats per iteration, the others 16: 31 puts the specials through the
// 4-float loop, 33 and 63 through the main loop with each tail after it.
const LENGTHS = [0, 1, 3, 4, 5, 15, 16, 17, 31, 32, 33, 63, 8191, 8192, 8193, 20000];

/** Deterministic pseudo-random float32 data mixing the special values with wide-range randoms. */
function data(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const rnd = (): number => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (r < 0.15) out[i] = SPECIALS[Math.floor(rnd() * SPECIALS.length)]!;
    else if (r < 0.3) out[i] = (rnd() - 0.5) * 2 ** Math.floor(rnd() * 260 - 130);
    else out[i] = (rnd() - 0.5) * 20;
  }
  // the specials at the start, so every length ≥ their count sees each one in the SIMD body
  for (let i = 0; i < Math.min(n, SPECIALS.length); i++) out[i] = SPECIALS[i]!;
  // and in the scalar tail
  if (n > 3) { out[n - 1] = NaN; out[n - 2] = -0; out[n - 3] = -Infinity; }
  return out;
}

function bits(x: number): string {
  const f = new Float32Array([x]);
  return `${x} (0x${new Uint32Array(f.buffer)[0]!.toString(16)})`;
}

function expectExact(got: Float32Array, want: (i: number) => number, from: number, to: number, label: string): void {
  let bad = 0;
  let first = '';
  for (let i = from; i < to; i++) {
    const w = Math.fround(want(i));
    if (!Object.is(got[i], w)) {
      if (bad++ === 0) first = `${label}[${i}]: got ${bits(got[i]!)}, want ${bits(w)}`;
    }
  }
  expect(first).toBe('');
  expect(bad).toBe(0);
}

const exactForward: Array<[UnaryKernel, (x: number) => number]> = [
  ['relu_f32', (x) => OPS.relu.f!(x, {})],
  ['relu6_f32', (x) => OPS.relu6.f!(x, {})],
];

describe('stageOnly: the staging without a kernel (the bench floor) copies bits', () => {
  it('y = x bit for bit over all lengths and sub-ranges, NaN payloads and −0 included', () => {
    for (const n of LENGTHS) {
      const x = data(n, n + 11);
      if (n > 5) new Uint32Array(x.buffer)[5] = 0x7fc01234; // a NaN with a payload
      const y = new Float32Array(n).fill(123);
      kernels.stageOnly(x, y, 0, n);
      expect(new Uint32Array(y.buffer)).toEqual(new Uint32Array(x.buffer));
    }
    const n = 20000;
    const x = data(n, 5);
    const z = new Float32Array(n).fill(-7);
    kernels.stageOnly(x, z, 8191, 16385);
    expectExact(z, (i) => (i >= 8191 && i < 16385 ? x[i]! : -7), 0, n, 'stageOnly [8191,16385)');
  });
});

describe('select kernels: forward, bit-exact vs the float64 reference rounded to float32', () => {
  for (const [kernel, ref] of exactForward) {
    it(`${kernel} over all lengths, out of place`, () => {
      for (const n of LENGTHS) {
        const x = data(n, n + 1);
        const y = new Float32Array(n).fill(123);
        kernels.unary(kernel, x, y, 0, n);
        expectExact(y, (i) => ref(x[i]!), 0, n, `${kernel} n=${n}`);
      }
    });
    it(`${kernel} in place and over sub-ranges`, () => {
      const n = 20000;
      const x = data(n, 7);
      const y = Float32Array.from(x);
      kernels.unary(kernel, y, y, 0, n);
      expectExact(y, (i) => ref(x[i]!), 0, n, `${kernel} in place`);
      for (const [s, e] of [[0, 0], [3, 4], [1, 17], [5, 8197], [8191, 16385], [9999, 20000], [17, 17]] as const) {
        const z = new Float32Array(n).fill(-7);
        kernels.unary(kernel, x, z, s, e);
        expectExact(z, (i) => (i >= s && i < e ? ref(x[i]!) : -7), 0, n, `${kernel} [${s},${e})`);
      }
    });
  }

  it('relu maps −0 to +0, keeps NaN, zeroes negatives and subnormal negatives, keeps ±3.4e38 sign rule', () => {
    const x = new Float32Array([-0, 0, NaN, -Infinity, Infinity, -1e-40, 1e-45, -3.4e38, 3.4e38, -2, 2.5]);
    const y = new Float32Array(x.length);
    kernels.unary('relu_f32', x, y, 0, x.length);
    expect(Array.from(y)).toEqual([0, 0, NaN, 0, Infinity, 0, Math.fround(1e-45), 0, Math.fround(3.4e38), 0, 2.5]);
    expect(Object.is(y[0], 0)).toBe(true);
    kernels.unary('relu6_f32', x, y, 0, x.length);
    expect(Array.from(y)).toEqual([0, 0, NaN, 0, 6, 0, Math.fround(1e-45), 0, 6, 0, 2.5]);
    expect(Object.is(y[0], 0)).toBe(true);
  });
});

describe('relu and relu6 return the input NaN itself', () => {
  // A NaN's payload and sign, signalling NaNs (quiet bit clear) included, in every path of the loop:
  // the 32-float body, the 4-float loop and the scalar tail. (Until 2026-12-04 the vector paths'
  // +0 add quietened a signalling NaN and the scalar tail did not.)
  const NANS = [0x7f800001, 0x7fbfffff, 0x7fc00000, 0x7fc01234, 0xff800001, 0xffc00000, 0xffffffff];
  for (const kernel of ['relu_f32', 'relu6_f32'] as const) {
    it(`${kernel}: NaN bits in = NaN bits out, at every position of lengths 1 to 70`, () => {
      for (let n = 1; n <= 70; n++) {
        const x = new Float32Array(n).fill(-0);
        const u = new Uint32Array(x.buffer);
        for (let i = 0; i < n; i += 2) u[i] = NANS[(i >> 1) % NANS.length]!;
        const y = new Float32Array(n).fill(123);
        kernels.unary(kernel, x, y, 0, n);
        const v = new Uint32Array(y.buffer);
        for (let i = 0; i < n; i++) {
          const want = i % 2 === 0 ? u[i]! : 0; // the odd positions are −0 in, +0 out
          if (v[i] !== want) expect(`n=${n} [${i}]: 0x${v[i]!.toString(16)}`).toBe(`n=${n} [${i}]: 0x${want.toString(16)}`);
        }
      }
    });
  }
});

describe('leaky_relu_f32', () => {
  // The kernel's rule (select.ts, leakyFloat32Lanes): float32 lanes, fround(alpha)·x rounded once,
  // when alpha is a float32 or |alpha| ≤ 1 with a normal float32 rounding; float64 lanes, the
  // reference's fround(alpha·x), otherwise.
  const float32Lanes = (alpha: number): boolean => {
    const a = Math.fround(alpha);
    return a === alpha || (Math.abs(alpha) <= 1 && Math.abs(a) >= 2 ** -126);
  };
  const expected = (alpha: number) => (x: number): number =>
    (x > 0 ? x : float32Lanes(alpha) ? Math.fround(alpha) * x : OPS.leaky_relu.f!(x, { alpha }));
  // The alphas whose float32 rounding is furthest from them (relative error just under 2^-24, at the
  // bottom of a binade, either way), one a float32 rounding to a neighbour of 1, and the boundaries
  // of the rule: |alpha| just above 1, and just below the smallest normal float32.
  const WORST_ALPHAS = [0.5 + 2 ** -25 - 2 ** -45, -(0.25 + 2 ** -26 - 2 ** -46), 2 ** -100 * (1 + 2 ** -24 - 2 ** -40), 1 - 2 ** -26, 1 + 2 ** -30, 2 ** -126 * 0.75, 2 ** -126 * (1 + 2 ** -30)];

  for (const alpha of [0, 0.01, 1, -0.5, 3, 0.2, 0.3, 1e-30, 1e30, ...WORST_ALPHAS]) {
    it(`alpha=${alpha}: within 1 ulp of fround(alpha·x), and the bits of its lanes' product (${float32Lanes(alpha) ? 'float32' : 'float64'})`, () => {
      for (const n of LENGTHS) {
        const x = data(n, 31 * n + 5);
        const y = new Float32Array(n);
        kernels.unary('leaky_relu_f32', x, y, 0, n, alpha);
        let worst = 0;
        for (let i = 0; i < n; i++) {
          const w = Math.fround(OPS.leaky_relu.f!(x[i]!, { alpha }));
          const d = ulpDistance(y[i]!, w, 'float32');
          if (d > worst) worst = d;
        }
        expect(worst).toBeLessThanOrEqual(1);
        expectExact(y, (i) => expected(alpha)(x[i]!), 0, n, `leaky alpha=${alpha} n=${n}`);
      }
    });
  }

  it('the float32-lane product stays within 1 ulp of the exact one where rounding is hardest', () => {
    // x at the top and the bottom of their binades, in every binade from the subnormals up, so
    // alpha·x lands next to a power of two, where the float32 grid's spacing halves or doubles.
    const xs: number[] = [];
    for (let e = -149; e <= 127; e++) {
      for (const m of [1, 1 + 2 ** -23, 1 + 2 ** -22, 2 - 2 ** -23, 2 - 2 ** -22, 2 - 3 * 2 ** -23, 1.5, 1.5 + 2 ** -23]) {
        const v = Math.fround(-m * 2 ** e);
        if (Number.isFinite(v) && v !== 0) xs.push(v);
      }
    }
    const x = Float32Array.from(xs);
    const y = new Float32Array(x.length);
    for (const alpha of [0.01, 0.1, 0.3, 1 / 3, 0.7, ...WORST_ALPHAS]) {
      if (!float32Lanes(alpha)) continue;
      kernels.unary('leaky_relu_f32', x, y, 0, x.length, alpha);
      let worst = 0;
      for (let i = 0; i < x.length; i++) worst = Math.max(worst, ulpDistance(y[i]!, Math.fround(alpha * x[i]!), 'float32'));
      expect(worst, `alpha=${alpha}`).toBeLessThanOrEqual(1);
      expectExact(y, (i) => Math.fround(alpha) * x[i]!, 0, x.length, `leaky float32 lanes alpha=${alpha}`);
    }
  });

  it('edge values: alpha·(−0), alpha·(−∞), NaN', () => {
    const x = new Float32Array([-0, -Infinity, NaN, Infinity, -1e-45, -3.4e38]);
    const y = new Float32Array(x.length);
    kernels.unary('leaky_relu_f32', x, y, 0, x.length, 0.01);
    expect(Object.is(y[0], -0)).toBe(true);
    expect(y[1]).toBe(-Infinity);
    expect(y[2]).toBeNaN();
    expect(y[3]).toBe(Infinity);
    expect(Object.is(y[4], -0)).toBe(true); // 0.01·(−1e-45) rounds to −0 in float32
    expect(y[5]).toBe(Math.fround(Math.fround(0.01) * Math.fround(-3.4e38)));
    expect(ulpDistance(y[5]!, Math.fround(-3.4e38 * 0.01), 'float32')).toBeLessThanOrEqual(1);
    kernels.unary('leaky_relu_f32', x, y, 0, x.length, 0);
    expect(Object.is(y[0], -0)).toBe(true);
    expect(y[1]).toBeNaN(); // 0·(−∞)
    kernels.unary('leaky_relu_f32', x, y, 0, x.length, 3);
    expect(y[5]).toBe(-Infinity); // overflows float32
    kernels.unary('leaky_relu_f32', x, y, 0, x.length, 1 + 2 ** -30); // |alpha| > 1: float64 lanes
    expect(y[5]).toBe(Math.fround(-3.4e38 * (1 + 2 ** -30)));
  });

  it('in place over a sub-range', () => {
    const n = 20000;
    const x = data(n, 99);
    const y = Float32Array.from(x);
    kernels.unary('leaky_relu_f32', y, y, 13, 17001, -0.5);
    expectExact(y, (i) => (i >= 13 && i < 17001 ? OPS.leaky_relu.f!(x[i]!, { alpha: -0.5 }) : x[i]!), 0, n, 'leaky in place');
    const z = Float32Array.from(x);
    kernels.unary('leaky_relu_f32', z, z, 13, 17001, 0.01);
    expectExact(z, (i) => (i >= 13 && i < 17001 ? expected(0.01)(x[i]!) : x[i]!), 0, n, 'leaky in place, float32 lanes');
  });
});

describe('relu_grad_f32', () => {
  const ref = (x: number, dy: number): number => gradientProduct(OPS.relu.df!(x, {}), dy);

  it('bit-exact over all lengths, dx separate', () => {
    for (const n of LENGTHS) {
      const x = data(n, 3 * n + 1);
      const dy = data(n, 5 * n + 2);
      const dx = new Float32Array(n).fill(42);
      kernels.gradient('relu_grad_f32', x, dy, dx, 0, n);
      expectExact(dx, (i) => ref(x[i]!, dy[i]!), 0, n, `relu_grad n=${n}`);
    }
  });

  it('dx aliasing dy, and sub-ranges', () => {
    const n = 20000;
    const x = data(n, 11);
    const dy = data(n, 12);
    const d = Float32Array.from(dy);
    kernels.gradient('relu_grad_f32', x, d, d, 0, n);
    expectExact(d, (i) => ref(x[i]!, dy[i]!), 0, n, 'relu_grad aliased');
    const e = Float32Array.from(dy);
    kernels.gradient('relu_grad_f32', x, e, e, 8190, 16387);
    expectExact(e, (i) => (i >= 8190 && i < 16387 ? ref(x[i]!, dy[i]!) : dy[i]!), 0, n, 'relu_grad sub-range');
  });

  it('exact-zero rule: x ≤ 0 gives +0 even for dy = ±∞ or NaN; x NaN gives NaN; x > 0 passes dy', () => {
    const x = new Float32Array([-1, -0, 0, -Infinity, -1, NaN, NaN, 2, 1e-45, Infinity, 3, -1e-40]);
    const dy = new Float32Array([Infinity, NaN, -Infinity, 5, -0, 1, 0, NaN, -3, -0, -Infinity, 7]);
    const dx = new Float32Array(x.length);
    kernels.gradient('relu_grad_f32', x, dy, dx, 0, x.length);
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 0, NaN, NaN, NaN, -3, -0, -Infinity, 0]);
    for (const i of [0, 1, 2, 3, 4, 11]) expect(Object.is(dx[i], 0)).toBe(true);
    expect(Object.is(dx[9], -0)).toBe(true);
  });
});
