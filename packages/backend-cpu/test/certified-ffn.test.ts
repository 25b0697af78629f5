/**
 * The certified sparse FFN (`sparse: 'certified'`) against `sparse: true` on this backend (and the
 * sparse backward's dh, computed by the same unit products, against the dense backward's): the
 * output and hidden layer bit for bit, on random Gaussian layers at 90 % and 99 % zeros and on
 * adversarial ones (units a hair below the threshold, huge and tiny magnitudes, subnormals, ±0,
 * NaN and ±∞ in x, W1, b1 and W2). Run it with RECTIFIER_WASM_RELAXED=off and RECTIFIER_WASM=off
 * too: the certified path must match each arithmetic of the dense first layer (fused and unfused
 * WebAssembly GEMM, float64 sums in JS).
 */
import { certifiedUnitCount, ErrorCode, scalar, Tensor, type DType, type FfnResult } from '@rectifier/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/index.js';
import { fma32 } from '../src/kernels/certified-ffn.js';

const cpu = createCpuBackend();
afterAll(() => cpu.dispose());

/** Exact values as text (NaN as NaN, −0 kept): equal strings are equal bits up to NaN payloads. */
const bits = (t: { data: ArrayLike<number> } | undefined): string => Array.from(t!.data, (e) => (Object.is(e, -0) ? '-0' : String(e))).join();

function make(dtype: DType, shape: number[], values: (i: number) => number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = values(i);
  return new Tensor(data, shape);
}

/** A Gaussian layer whose bias leaves about `zeros` of relu's units at zero: b = −Φ⁻¹(zeros)·√d. */
function gaussianLayer(dtype: DType, T: number, d: number, f: number, dOut: number, quantile: number, seed: number) {
  const g = (s: number) => (i: number) => scalar.gaussianNoise(seed * 7 + s, i);
  return {
    x: make(dtype, [T, d], g(1)),
    w: {
      w1: make(dtype, [d, f], (i) => g(2)(i) / Math.sqrt(d)),
      b1: make(dtype, [f], () => -quantile),
      w2: make(dtype, [f, dOut], g(3)),
      b2: make(dtype, [dOut], g(4)),
    },
  };
}

function expectSameAsSparse(x: Tensor, w: Parameters<typeof cpu.sync.ffn>[1], options: { activation?: string; activationParams?: Record<string, unknown> } = {}): FfnResult {
  const sparse = cpu.sync.ffn(x, w, { ...options, sparse: true, returnHidden: true, stats: true });
  const certified = cpu.sync.ffn(x, w, { ...options, sparse: 'certified', returnHidden: true, stats: true });
  expect(bits(certified.hidden), 'hidden').toBe(bits(sparse.hidden));
  expect(bits(certified.y), 'y').toBe(bits(sparse.y));
  const s = certified.stats!;
  const units = s.rows * s.units;
  expect(s.certifiedUnits! + s.computedUnits!).toBe(units);
  expect(s.zeroUnits).toBe(Math.round(s.zeroFraction * units));
  expect(s.certifiedUnits).toBeLessThanOrEqual(s.zeroUnits!);
  expect(sparse.stats!.certifiedUnits).toBeUndefined();
  return certified;
}

describe("sparse: 'certified' gives the bits of sparse: true", () => {
  for (const dtype of ['float32', 'float64'] as const) {
    // d = 600 and 1100 cross the GEMM's k-blocks of 512; f = 203 has a column tail (203 mod 4 = 3).
    for (const [d, f] of [[64, 96], [600, 203], [1100, 37]] as const) {
      it(`${dtype}, d = ${d}, f = ${f}: Gaussian weights at 90 % and 99 % zeros`, () => {
        for (const [quantile, zeros] of [[1.2816, 0.9], [2.3263, 0.99]] as const) {
          const { x, w } = gaussianLayer(dtype, 24, d, f, 13, quantile, d + f);
          const r = expectSameAsSparse(x, w);
          expectSameAsSparse(x, { w1: w.w1, w2: w.w2 }); // no biases
          const s = r.stats!;
          expect(Math.abs(s.zeroFraction - zeros)).toBeLessThan(0.06);
          // The bound is tight enough to prove most zeros (about 90 % of them at 90 % zeros).
          expect(s.certifiedUnits! / s.zeroUnits!).toBeGreaterThan(0.75);
        }
      });
    }
  }

  it('every activation with a zero region: relu, relu6, relu_squared, thresholded_relu (θ = ±0.5)', () => {
    const { x, w } = gaussianLayer('float32', 16, 80, 45, 7, 1.28, 3);
    for (const [activation, activationParams] of [['relu', {}], ['relu6', {}], ['relu_squared', {}], ['thresholded_relu', { alpha: 0.5 }], ['thresholded_relu', { alpha: -0.5 }]] as const) {
      const r = expectSameAsSparse(x, w, { activation, activationParams });
      expect(r.stats!.certifiedUnits, activation).toBeGreaterThan(0);
    }
  });

  it('adversarial layers: near-threshold units, huge and tiny magnitudes, subnormals, ±0, NaN and ±∞', () => {
    const [T, d, f, dOut] = [12, 40, 30, 5];
    for (const dtype of ['float32', 'float64'] as const) {
      const big = dtype === 'float32' ? 1e37 : 1e306;
      const tiny = dtype === 'float32' ? 1e-42 : 1e-320; // subnormal
      const cases: [string, (i: number) => number, (i: number) => number, (i: number) => number, (i: number) => number][] = [
        ['near threshold', (i) => (i % 3) - 1, (i) => ((i * 7) % 5) - 2, (j) => -(2 ** -20) * j, () => 1],
        ['huge', (i) => big * scalar.gaussianNoise(1, i), (i) => scalar.gaussianNoise(2, i), (j) => -big * (j % 4), () => 1],
        ['overflowing sums', (i) => big * (1 + (i % 2)), (i) => (i % 5) - 2, () => -big, () => 1],
        ['tiny and subnormal', (i) => tiny * scalar.gaussianNoise(1, i), (i) => tiny * ((i % 9) - 4), (j) => -tiny * j, () => 1],
        ['signed zeros', (i) => (i % 2 === 0 ? -0 : 0), (i) => (i % 3 === 0 ? -0 : -1), (j) => (j % 2 === 0 ? -0 : -1), () => 1],
        ['NaN and ∞ in x', (i) => (i === 5 ? NaN : i === 77 ? Infinity : i === 130 ? -Infinity : scalar.gaussianNoise(1, i)), (i) => scalar.gaussianNoise(2, i), () => -3, () => 1],
        ['NaN and ∞ in W1 and b1', (i) => scalar.gaussianNoise(1, i), (i) => (i === 3 ? NaN : i === 61 ? Infinity : i === 62 ? -Infinity : scalar.gaussianNoise(2, i)),
          (j) => (j === 7 ? NaN : j === 8 ? -Infinity : j === 9 ? Infinity : -3), () => 1],
        // 0·∞: every unit is zero here and W2 holds ±∞ and NaN; sparse: true never multiplies those rows.
        ['∞ in W2 under zero units', (i) => scalar.gaussianNoise(1, i), (i) => scalar.gaussianNoise(2, i), () => -100,
          (i) => (i % 3 === 0 ? Infinity : i % 3 === 1 ? -Infinity : NaN)],
      ];
      for (const [name, xv, w1v, b1v, w2v] of cases) {
        const x = make(dtype, [T, d], xv);
        const w = { w1: make(dtype, [d, f], w1v), b1: make(dtype, [f], b1v), w2: make(dtype, [f, dOut], w2v), b2: make(dtype, [dOut], () => 0.5) };
        for (const activation of ['relu', 'relu6', 'thresholded_relu'] as const) {
          const r = expectSameAsSparse(x, w, { activation });
          if (name === '∞ in W2 under zero units') {
            expect(r.stats!.certifiedUnits, `${dtype} ${name}`).toBe(T * f);
            expect(Array.from(r.y.data).every((e) => e === 0.5), `${dtype} ${name}: y is b2`).toBe(true);
          }
        }
      }
    }
  });

  it('refuses an activation without an exact +0 region (BAD_ARGUMENT)', () => {
    const { x, w } = gaussianLayer('float32', 2, 4, 3, 2, 0, 1);
    for (const activation of ['gelu', 'leaky_relu', 'hardswish']) {
      expect(() => cpu.sync.ffn(x, w, { activation, sparse: 'certified' }), activation).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    }
    const v = { ...w, v: w.w1 };
    expect(() => cpu.sync.ffn(x, v, { activation: 'reglu', sparse: 'certified' })).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    expect(() => cpu.sync.ffn(x, w, { sparse: 'yes' as unknown as boolean })).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
  });
});

// The sparse backward forms dh = dy·W2ᵀ only for units outside the zero region, with the dense
// GEMM's bits for each (the certified forward's unit products): so dz, and its column sums db1, are
// the dense backward's bit for bit — here across k-blocks (dOut > 512), a column tail (f mod 4 = 3),
// unit by unit (95 % zeros) and dense then zeroed (60 %). Float64 sums run one term after another,
// so every gradient is the dense one's bits there.
describe('a reused weight array (its quantised W1 kept across calls)', () => {
  it("gives the bits of sparse: true and the certificate's own count at every call, also after W1 changes in place", () => {
    // An odd token count (the integer pass pads a row) and d = 60 (padded to 64 in the pass).
    const [T, d, f] = [41, 60, 96];
    const { x, w } = gaussianLayer('float32', T, d, f, 24, 1.2816, 11);
    const w1 = w.w1.data;
    const certificate = (): number => certifiedUnitCount(x.data, w1, w.b1.data, T, d, f, 0, 'float32');
    for (let call = 0; call < 6; call++) {
      // calls 0–2 make and keep the prepared W1, 3 reuses it; then the caller's array changes
      if (call === 4) { w1[5] = -3 * w1[5]; w1[d * f - 1] = 0; }
      if (call === 5) w1.fill(0, 0, f); // a row of W1 to zeros (quantised levels change)
      const r = expectSameAsSparse(x, w);
      expect(r.stats!.certifiedUnits, `call ${call}`).toBe(certificate());
      expect(r.stats!.certifiedUnits).toBeGreaterThan(0);
    }
  });
});

describe('sparse: true in ffnBackward', () => {
  it("gives dz the dense backward's bits (db1), and float64 every gradient's", () => {
    const [T, d, f, dOut] = [40, 24, 37, 600];
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [zeros, quantile] of [[0.95, 1.645], [0.6, 0.253]] as const) {
        for (const activation of ['relu', 'relu6']) {
          const { x, w } = gaussianLayer(dtype, T, d, f, dOut, quantile, 5);
          const dy = make(dtype, [T, dOut], (i) => scalar.gaussianNoise(77, i));
          const dense = cpu.sync.ffnBackward(x, w, dy, { activation });
          const sparse = cpu.sync.ffnBackward(x, w, dy, { activation, sparse: true });
          const what = `${dtype} ${activation} ${zeros * 100} % zeros`;
          expect(bits(sparse.db1).replaceAll('-0', '0'), `${what} db1`).toBe(bits(dense.db1).replaceAll('-0', '0'));
          if (dtype === 'float64') for (const key of ['dx', 'dw1', 'dw2', 'db2'] as const) expect(bits(sparse[key]), `${what} ${key}`).toBe(bits(dense[key]));
        }
      }
    }
  });
});

/** x·2^300 as a BigInt (every float32 and every product of two is a multiple of 2^-298). */
function scaled(x: number): bigint {
  let e = 0;
  while (!Number.isInteger(x)) { x *= 2; e++; }
  return BigInt(x) << BigInt(300 - e);
}

/** N·2^-300 rounded to float32, to nearest, ties to even (±∞ past the range). */
function roundToFloat32(n: bigint): number {
  if (n === 0n) return 0;
  const sign = n < 0n ? -1 : 1;
  const m = n < 0n ? -n : n;
  const exponent = m.toString(2).length - 1 - 300; // m·2^-300 in [2^exponent, 2^(exponent+1))
  const quantum = Math.max(exponent - 23, -149);
  const shift = BigInt(quantum + 300);
  let q = m >> shift;
  const rem = m - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q++;
  const v = Number(q) * 2 ** quantum;
  return sign * (v >= 2 ** 128 ? Infinity : v);
}

describe('the fused multiply-add of the relaxed-SIMD GEMM, emulated', () => {
  it('fma32 is a·b + c rounded once to float32 (hard cases: cancellation, midpoints, subnormals, overflow edge)', () => {
    let seed = 12345;
    const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
    const f32 = (mantissa: number, exponent: number): number => Math.fround((1 + Math.floor(mantissa * 2 ** 23) / 2 ** 23) * 2 ** exponent);
    let checked = 0;
    for (let i = 0; i < 40000; i++) {
      const ea = Math.floor(rand() * 120) - 80;
      const eb = Math.floor(rand() * 120) - 80;
      const a = (rand() < 0.5 ? -1 : 1) * f32(rand(), ea);
      const b = (rand() < 0.5 ? -1 : 1) * f32(rand(), eb);
      const p = Math.fround(a * b);
      const kind = i % 4;
      // c near −a·b (cancellation), near a float32 midpoint of a·b's neighbourhood, random, or tiny
      let c = kind === 0 ? -p : kind === 1 ? Math.fround(-p + p * 2 ** -24 * (rand() - 0.5)) : kind === 2 ? f32(rand(), ea + eb + Math.floor(rand() * 60) - 30) : f32(rand(), -140);
      if (!Number.isFinite(c) || !Number.isFinite(a * b)) continue;
      if (kind === 1 && rand() < 0.5) c = Math.fround(c + p * 2 ** -25); // nudges onto midpoints
      const exact = roundToFloat32(scaled(a * b) + scaled(c));
      if (exact === 0) continue; // the sign of an exact zero is not what is checked here
      expect(fma32(a, b, c), `${a}·${b} + ${c}`).toBe(exact);
      checked++;
    }
    expect(checked).toBeGreaterThan(30000);
    // Sums a hair off a float32 midpoint, where rounding through float64 first lands on the midpoint
    // and ties to even the wrong way: a·b = 2^(E−24)·(1 − u²) with c = ±(1 + odd)·2^E.
    for (let i = 0; i < 2000; i++) {
      const u = (1 + Math.floor(rand() * 1000)) * 2 ** -23;
      const e = Math.floor(rand() * 200) - 100;
      const c = (i % 2 === 0 ? 1 : -1) * f32(rand(), e);
      const a = Math.fround((1 + u) * 2 ** Math.floor((e - 24) / 2));
      const b = Math.sign(c) * Math.fround((1 - u) * 2 ** (e - 24 - Math.floor((e - 24) / 2)));
      expect(fma32(a, b, c), `${a}·${b} + ${c}`).toBe(roundToFloat32(scaled(a * b) + scaled(c)));
    }
    // Just below the overflow edge (the midpoint of the largest float32 and 2¹²⁸): the largest float32, not ∞.
    const max32 = 3.4028234663852886e38;
    for (const sign of [1, -1]) {
      const a = Math.fround((1 + 2 ** -23) * 2 ** 51);
      const b = sign * Math.fround((1 - 2 ** -23) * 2 ** 52);
      expect(fma32(a, b, sign * max32)).toBe(roundToFloat32(scaled(a * b) + scaled(sign * max32)));
      expect(fma32(a, b, sign * max32)).toBe(sign * max32);
    }
    expect(fma32((1 + 2 ** -23) * 2 ** -12, (1 - 2 ** -23) * 2 ** -12, Math.fround(1 + 2 ** -23))).toBe(Math.fround(1 + 2 ** -23));
    expect(fma32(1 + 2 ** -23, 1 - 2 ** -23, -1)).toBe(-(2 ** -46)); // the loader's probe
  });
});
