/**
 * The transcendental kernels against the float64 reference of @rectifier/core, rounded to float32:
 * within 1 ulp everywhere (a sparse sweep of every float32 bit pattern, dense grids on [−20, 20]
 * and on the tails where results turn subnormal and then zero), special values exact (NaN ↔ NaN,
 * Object.is for ±0 and ±∞), plus sub-ranges, odd lengths and in-place calls through the wrappers.
 */
import { describe, expect, it } from 'vitest';
import { gradientProduct, OPS, ulpDistance } from '@rectifier/core';
import { wasmKernels, type GradientKernel, type UnaryKernel } from '../src/index.js';

const k = wasmKernels()!;

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
function fromBits(b: number): number {
  bits[0] = b >>> 0;
  return asFloat[0];
}

/** Every STEP-th float32 bit pattern (both signs, NaNs and infinities included). */
function sweep(step: number): number[] {
  const out: number[] = [];
  for (let b = 0; b < 2 ** 32; b += step) out.push(fromBits(b));
  return out;
}

/** Every float32 from a to b (a < b, same sign), taking every `every`-th. */
function floatsBetween(a: number, b: number, every = 1): number[] {
  const out: number[] = [];
  const f = new Float32Array(1);
  const u = new Int32Array(f.buffer);
  f[0] = a;
  const ua = u[0];
  f[0] = b;
  const ub = u[0];
  const lo = Math.min(ua, ub);
  const hi = Math.max(ua, ub);
  for (let i = lo; i <= hi; i += every) {
    u[0] = i;
    out.push(f[0]);
  }
  return out;
}

function grid(a: number, b: number, h: number): number[] {
  const out: number[] = [];
  for (let v = a; v <= b; v += h) out.push(v);
  return out;
}

const SPECIALS = [
  0, -0, Infinity, -Infinity, NaN, 3.4028234663852886e38, -3.4028234663852886e38, 3.4e38, -3.4e38,
  1e-45, -1e-45, 1.1754942106924411e-38, -1.1754942106924411e-38, 1.1754943508222875e-38, -1.1754943508222875e-38,
  5.877471754111438e-39, -5.877471754111438e-39, 1, -1, 0.5, -0.5, 2, -2, 20, -20, 88, -88, 89, -89, 100, -100,
  103, -103, 104, -104, 200, -200, 1e10, -1e10, 1e30, -1e30, -13, -14, -14.2, -14.5, -15, -37.5, -38.57550048828125, -39,
  -90, -0.7517915246935645, 0.7517915246935645, 1e-8, -1e-8,
];

const STEP = 4093; // ≈ 1.05 million bit patterns
const X = new Float32Array([
  ...sweep(STEP),
  ...grid(-20, 20, 1 / 256),
  ...floatsBetween(-1e-30, -1e-45, 4099), // negative subnormals and tiny normals
  ...floatsBetween(1e-45, 1e-30, 4099),
  ...floatsBetween(-14.6, -12.5, 97), // gelu: results through the subnormal range to zero
  ...floatsBetween(-110, -80, 997), // silu, softplus, mish, sigmoid: subnormal tails
  ...floatsBetween(-0.76, -0.74, 13), // next to the zero of gelu′
  ...floatsBetween(-40, -36, 101), // gelu′: where the reference becomes exactly 0
  ...floatsBetween(-21, -19, 101),
  ...floatsBetween(5, 10, 997), // saturation towards x
  ...SPECIALS,
]);

function isSpecial(v: number): boolean {
  return v !== v || v === 0 || !Number.isFinite(v);
}

interface Check {
  worst: number;
  worstAt: number;
  failures: string[];
}

const signBit = new Float32Array(1);
const signWord = new Uint32Array(signBit.buffer);
function negativeSign(v: number): boolean {
  signBit[0] = v;
  return signWord[0] >>> 31 === 1;
}

/**
 * Compares y with fround(ref(x_i)): ≤ 1 ulp (core's ulpDistance), the same sign bit (so a zero
 * has the reference's sign, and a result next to zero is on its side), and exact equality where
 * the reference is NaN or ±∞, where the input is special (NaN, ±0, ±∞), and where both are zero.
 * (A tiny result may be the neighbour of a zero, e.g. ±2^−149 for a reference that rounds a tie
 * to ±0: that is the 1 ulp the contract allows.)
 */
function compare(x: Float32Array, y: Float32Array, ref: (i: number) => number, label: string, inputs: Float32Array[] = [x]): Check {
  let worst = 0;
  let worstAt = NaN;
  const failures: string[] = [];
  for (let i = 0; i < x.length; i++) {
    const r = Math.fround(ref(i));
    const v = y[i];
    const d = ulpDistance(v, r, 'float32');
    let bad = d > 1;
    const exact = r !== r || !Number.isFinite(r) || !Number.isFinite(v) || (r === 0 && v === 0) || inputs.some((a) => isSpecial(a[i]));
    if (exact && !(Object.is(r, v) || (r !== r && v !== v))) bad = true;
    if (r === r && v === v && negativeSign(r) !== negativeSign(v)) bad = true;
    if (d > worst) {
      worst = d;
      worstAt = x[i];
    }
    if (bad && failures.length < 10) failures.push(`${label}: x=${x[i]} got ${Object.is(v, -0) ? '-0' : v} want ${Object.is(r, -0) ? '-0' : r} (${d} ulp)`);
  }
  return { worst, worstAt, failures };
}

interface UnaryCase {
  kernel: UnaryKernel;
  label: string;
  p0?: number;
  p1?: number;
  ref: (x: number) => number;
}

const UNARY: UnaryCase[] = [
  { kernel: 'gelu_erf_f32', label: 'gelu erf', ref: (x) => OPS.gelu.f!(x, { approximate: 'none' }) },
  { kernel: 'gelu_tanh_f32', label: 'gelu tanh', ref: (x) => OPS.gelu.f!(x, { approximate: 'tanh' }) },
  ...[1, 0, 0.5, -1, 2, -0.5, 1e-300, -1e-300, 1e30].map((beta): UnaryCase => ({
    kernel: 'silu_f32', label: `silu β=${beta}`, p0: beta, ref: (x) => OPS.silu.f!(x, { beta }),
  })),
  { kernel: 'mish_f32', label: 'mish', ref: (x) => OPS.mish.f!(x, {}) },
  ...([[1, 20], [2, 5], [0.5, -Infinity], [1, Infinity], [3, 0], [1e-30, 20], [1e30, 20], [1e-305, 20], [1e305, 20]] as const).map(([beta, threshold]): UnaryCase => ({
    kernel: 'softplus_f32', label: `softplus β=${beta} threshold=${threshold}`, p0: beta, p1: threshold,
    ref: (x) => OPS.softplus.f!(x, { beta, threshold }),
  })),
  { kernel: 'sigmoid_f32', label: 'sigmoid', ref: (x) => OPS.sigmoid.f!(x, {}) },
];

const worstSeen: Record<string, { worst: number; at: number }> = {};

describe('transcendental kernels: accuracy over the float32 range', () => {
  for (const c of UNARY) {
    it(`${c.label}: ≤ 1 ulp from the float64 reference, specials exact`, () => {
      const y = new Float32Array(X.length);
      k.unary(c.kernel, X, y, 0, X.length, c.p0 ?? 0, c.p1 ?? 0);
      const res = compare(X, y, (i) => c.ref(X[i]), c.label);
      worstSeen[c.label] = { worst: res.worst, at: res.worstAt };
      expect(res.failures).toEqual([]);
      expect(res.worst).toBeLessThanOrEqual(1);
    });
  }

  it('gelu erf gradient: ≤ 1 ulp from gradientProduct(gelu′(x), dy), exact zero rule and specials', () => {
    const DYS = [1, -1, 0.37, -2.5, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 0, -0, 1e-45, -1e-45, 1e30];
    for (const dyValue of DYS) {
      const dy = new Float32Array(X.length).fill(dyValue);
      const dx = new Float32Array(X.length);
      k.gradient('gelu_erf_grad_f32', X, dy, dx, 0, X.length);
      const res = compare(X, dx, (i) => gradientProduct(OPS.gelu.df!(X[i], { approximate: 'none' }), dy[i]), `gelu′ dy=${dyValue}`, [X, dy]);
      const prev = worstSeen['gelu erf grad'];
      if (prev === undefined || res.worst > prev.worst) worstSeen['gelu erf grad'] = { worst: res.worst, at: res.worstAt };
      expect(res.failures).toEqual([]);
    }
    // Mixed dy per element.
    const dy = new Float32Array(X.length);
    for (let i = 0; i < dy.length; i++) dy[i] = DYS[i % DYS.length] * (1 + (i % 7) / 8);
    const dx = new Float32Array(X.length);
    k.gradient('gelu_erf_grad_f32', X, dy, dx, 0, X.length);
    const res = compare(X, dx, (i) => gradientProduct(OPS.gelu.df!(X[i], { approximate: 'none' }), dy[i]), 'gelu′ mixed dy', [X, dy]);
    expect(res.failures).toEqual([]);
  });

  it('reports the worst ulp per kernel', () => {
    console.log('worst ulp seen:', Object.entries(worstSeen).map(([name, w]) => `${name}: ${w.worst} (x=${w.at})`).join('; '));
    for (const w of Object.values(worstSeen)) expect(w.worst).toBeLessThanOrEqual(1);
  });
});

describe('transcendental kernels: exact special values', () => {
  const expectSame = (got: number, want: number, what: string): void => {
    expect(Object.is(got, want) || (got !== got && want !== want), `${what}: got ${Object.is(got, -0) ? '-0' : got}, want ${Object.is(want, -0) ? '-0' : want}`).toBe(true);
  };
  const run = (kernel: UnaryKernel, xs: number[], p0 = 0, p1 = 0): Float32Array => {
    const y = new Float32Array(xs.length);
    k.unary(kernel, new Float32Array(xs), y, 0, xs.length, p0, p1);
    return y;
  };
  it('limits at ±∞, ±0 and NaN, as DESIGN.md §3 lists them', () => {
    const xs = [NaN, Infinity, -Infinity, 0, -0];
    const g = run('gelu_erf_f32', xs);
    [NaN, Infinity, -0, 0, -0].forEach((w, i) => expectSame(g[i], w, `gelu(${xs[i]})`));
    const t = run('gelu_tanh_f32', xs);
    [NaN, Infinity, -0, 0, -0].forEach((w, i) => expectSame(t[i], w, `gelu_tanh(${xs[i]})`));
    const s = run('silu_f32', xs, 1);
    [NaN, Infinity, -0, 0, -0].forEach((w, i) => expectSame(s[i], w, `silu(${xs[i]})`));
    const sn = run('silu_f32', xs, -1);
    [NaN, 0, -Infinity, 0, -0].forEach((w, i) => expectSame(sn[i], w, `silu β=−1 (${xs[i]})`));
    const s0 = run('silu_f32', xs, 0);
    [NaN, Infinity, -Infinity, 0, -0].forEach((w, i) => expectSame(s0[i], w, `silu β=0 (${xs[i]})`));
    const m = run('mish_f32', xs);
    [NaN, Infinity, -0, 0, -0].forEach((w, i) => expectSame(m[i], w, `mish(${xs[i]})`));
    const sp = run('softplus_f32', xs, 1, 20);
    [NaN, Infinity, 0, Math.fround(Math.LN2), Math.fround(Math.LN2)].forEach((w, i) => expectSame(sp[i], w, `softplus(${xs[i]})`));
    const spi = run('softplus_f32', xs, 1, Infinity);
    [NaN, Infinity, 0, Math.fround(Math.LN2), Math.fround(Math.LN2)].forEach((w, i) => expectSame(spi[i], w, `softplus thr=∞ (${xs[i]})`));
    const sig = run('sigmoid_f32', xs);
    [NaN, 1, 0, 0.5, 0.5].forEach((w, i) => expectSame(sig[i], w, `sigmoid(${xs[i]})`));
  });
  it('subnormal results in the tails', () => {
    const g = run('gelu_erf_f32', [-13, -14, -14.2]);
    for (const [i, x] of [-13, -14, -14.2].entries()) expectSame(g[i], Math.fround(OPS.gelu.f!(x, { approximate: 'none' })), `gelu(${x})`);
    expect(g[1]).toBeLessThan(0);
    expect(g[1]).toBeGreaterThan(-1.1754943508222875e-38); // subnormal
    const sp = run('softplus_f32', [-100], 1, 20);
    expect(ulpDistance(sp[0], Math.fround(OPS.softplus.f!(-100, { beta: 1, threshold: 20 })), 'float32')).toBeLessThanOrEqual(1);
    expect(sp[0]).toBeGreaterThan(0);
    const m = run('mish_f32', [-90]);
    expect(ulpDistance(m[0], Math.fround(OPS.mish.f!(-90, {})), 'float32')).toBeLessThanOrEqual(1);
  });
  it('gelu′: 1 at +∞, exact +0 where the reference derivative is 0 (whatever dy is), NaN propagates', () => {
    const x = new Float32Array([Infinity, -Infinity, -40, NaN, 0, -0, -30]);
    const dy = new Float32Array([2, NaN, Infinity, 1, 3, -3, Infinity]);
    const dx = new Float32Array(x.length);
    k.gradient('gelu_erf_grad_f32', x, dy, dx, 0, x.length);
    expectSame(dx[0], 2, 'gelu′(∞)·2');
    expectSame(dx[1], 0, 'gelu′(−∞)·NaN');
    expectSame(dx[2], 0, 'gelu′(−40)·∞');
    expectSame(dx[3], NaN, 'gelu′(NaN)');
    expectSame(dx[4], 1.5, 'gelu′(0)·3');
    expectSame(dx[5], -1.5, 'gelu′(−0)·−3');
    expectSame(dx[6], -Infinity, 'gelu′(−30)·∞ (tiny negative derivative)');
  });
});

describe('transcendental kernels: lengths, sub-ranges, aliasing', () => {
  const source = new Float32Array(20000);
  for (let i = 0; i < source.length; i++) source[i] = Math.fround(Math.sin(i * 0.7) * 12 + (i % 3) - 1);
  const kernels: Array<[UnaryKernel, number, number]> = [
    ['gelu_erf_f32', 0, 0], ['gelu_tanh_f32', 0, 0], ['silu_f32', 1, 0], ['silu_f32', -0.5, 0], ['mish_f32', 0, 0],
    ['softplus_f32', 1, 20], ['sigmoid_f32', 0, 0],
  ];
  for (const [kernel, p0, p1] of kernels) {
    it(`${kernel} (${p0}, ${p1}): lengths 1, 2, 3, 5, 8193 and offset sub-ranges match the full run; outside untouched`, () => {
      const full = new Float32Array(source.length);
      k.unary(kernel, source, full, 0, source.length, p0, p1);
      for (const [start, len] of [[0, 1], [0, 2], [0, 3], [0, 5], [0, 8193], [7, 1], [9, 2], [1, 3], [3, 5], [5, 8193], [8191, 8194], [100, 16385]]) {
        const end = start + len;
        const y = new Float32Array(source.length).fill(123.5);
        k.unary(kernel, source, y, start, end, p0, p1);
        for (let i = 0; i < y.length; i++) {
          if (i >= start && i < end) {
            if (!Object.is(y[i], full[i])) throw new Error(`${kernel} [${start}, ${end}) at ${i}: ${y[i]} vs ${full[i]}`);
          } else if (y[i] !== 123.5) throw new Error(`${kernel} [${start}, ${end}) wrote ${i}`);
        }
      }
      // In place (x and y the same array).
      const inPlace = source.slice();
      k.unary(kernel, inPlace, inPlace, 3, 8200, p0, p1);
      for (let i = 0; i < inPlace.length; i++) {
        const want = i >= 3 && i < 8200 ? full[i] : source[i];
        if (!Object.is(inPlace[i], want)) throw new Error(`${kernel} in place at ${i}`);
      }
    });
  }
  it('gelu_erf_grad_f32: lengths and sub-ranges; dx may be dy', () => {
    const dy = new Float32Array(source.length);
    for (let i = 0; i < dy.length; i++) dy[i] = Math.fround(Math.cos(i) * 3);
    const full = new Float32Array(source.length);
    const kern: GradientKernel = 'gelu_erf_grad_f32';
    k.gradient(kern, source, dy, full, 0, source.length);
    for (const [start, len] of [[0, 1], [0, 2], [0, 3], [0, 5], [0, 8193], [3, 5], [11, 8193], [8190, 3]]) {
      const end = start + len;
      const dx = new Float32Array(source.length).fill(-7.25);
      k.gradient(kern, source, dy, dx, start, end);
      for (let i = 0; i < dx.length; i++) {
        const want = i >= start && i < end ? full[i] : -7.25;
        if (!Object.is(dx[i], want)) throw new Error(`grad [${start}, ${end}) at ${i}: ${dx[i]} vs ${want}`);
      }
    }
    const same = dy.slice();
    k.gradient(kern, source, same, same, 0, source.length);
    for (let i = 0; i < same.length; i++) if (!Object.is(same[i], full[i])) throw new Error(`grad in place at ${i}`);
  });
});
