import { describe, expect, it } from 'vitest';
import { integerPassFor, wasmKernels, wasmKernelsOf, wasmVariant, type GradientKernel, type UnaryKernel } from '../src/index.js';

const plain = wasmKernelsOf('simd')!;
const relaxed = wasmKernelsOf('relaxed-simd');
const relaxedOff = ['off', '0'].includes(process.env.RECTIFIER_WASM_RELAXED ?? '');
const UNAVAILABLE = `relaxed-simd build UNAVAILABLE on Node ${process.versions.node} (WebAssembly.validate rejects relaxed SIMD, or its madd is not fused): SKIPPED`;

/** Every 4093rd float32 bit pattern (≈ 1.05 million values: both signs, subnormals, ±∞, NaNs). */
function sweep(): Float32Array {
  const u = new Uint32Array(Math.ceil(2 ** 32 / 4093));
  for (let i = 0; i < u.length; i++) u[i] = i * 4093;
  return new Float32Array(u.buffer);
}

const UNARY: Array<[UnaryKernel, number, number]> = [
  ['relu_f32', 0, 0], ['relu6_f32', 0, 0], ['leaky_relu_f32', 0.01, 0], ['leaky_relu_f32', 0.2, 0],
  ['gelu_erf_f32', 0, 0], ['gelu_tanh_f32', 0, 0], ['silu_f32', 1, 0], ['silu_f32', 1.702, 0], ['mish_f32', 0, 0],
  ['softplus_f32', 1, 20], ['softplus_f32', 2, 10], ['sigmoid_f32', 0, 0],
];
const GRADIENT: GradientKernel[] = ['relu_grad_f32', 'gelu_erf_grad_f32'];

describe('build variants', () => {
  it(`wasmKernels() loads the relaxed-simd build exactly where it is available and RECTIFIER_WASM_RELAXED is not off (here: ${wasmVariant()})`, () => {
    expect(wasmKernels()).toBeDefined();
    expect(wasmVariant()).toBe(relaxed !== undefined && !relaxedOff ? 'relaxed-simd' : 'simd');
  });

  it("the plain build's madd rounds twice: (1 + 2⁻²³)(1 − 2⁻²³) − 1 = 0", () => {
    expect(plain.exportedFunction('madd_probe_f32')!(1 + 2 ** -23, 1 - 2 ** -23, -1)).toBe(0);
  });

  it.skipIf(relaxed === undefined)(`relaxed-simd: the madd is fused, (1 + 2⁻²³)(1 − 2⁻²³) − 1 = −2⁻⁴⁶${relaxed ? '' : ` — ${UNAVAILABLE}`}`, () => {
    expect(relaxed!.exportedFunction('madd_probe_f32')!(1 + 2 ** -23, 1 - 2 ** -23, -1)).toBe(-(2 ** -46));
  });

  it("the plain build has only the certificate's wide integer pass (its dot_split_probe is 0)", () => {
    expect(plain.exportedFunction('dot_split_probe')!(127, -1)).toBe(0);
    expect(plain.integerPass()).toBe('wide');
  });

  it("integerPassFor: the split pass for a one-instruction relaxed dot (vpdpbusd's 129540, sdot's −508), the wide one for pmaddubsw's saturated 65534, the plain build's 0 and any other value", () => {
    expect(integerPassFor(129540)).toBe('split');
    expect(integerPassFor(-508)).toBe('split');
    for (const other of [65534, 0, undefined, -254, 129539, 64516]) expect(integerPassFor(other), String(other)).toBe('wide');
  });

  it.skipIf(relaxed === undefined)(`relaxed-simd: dot_split_probe runs the relaxed dot (4·127·127 = 64516 for 7-bit operands, on every implementation), and integerPass takes integerPassFor of its (127, −1)${relaxed ? ` — here ${relaxed.exportedFunction('dot_split_probe')!(127, -1)}, the ${relaxed.integerPass()} pass` : ` — ${UNAVAILABLE}`}`, () => {
    const probe = relaxed!.exportedFunction('dot_split_probe')!;
    expect(probe(127, 127)).toBe(64516);
    expect(probe(-128, 3)).toBe(-1536);
    expect(relaxed!.integerPass()).toBe(integerPassFor(probe(127, -1)));
  });

  it.skipIf(relaxed === undefined)(`relaxed-simd: every element-wise kernel gives the plain build's bits (every 4093rd bit pattern)${relaxed ? '' : ` — ${UNAVAILABLE}`}`, () => {
    const x = sweep();
    const n = x.length;
    const bitsOf = (f: Float32Array): Uint32Array => new Uint32Array(f.buffer, f.byteOffset, f.length);
    /** The first x where the two results' bits differ, or '' (toEqual on a million elements takes minutes). */
    const firstDifference = (got: Float32Array, want: Float32Array): string => {
      const g = bitsOf(got), w = bitsOf(want);
      for (let i = 0; i < n; i++) if (g[i] !== w[i]) return `x = ${x[i]}: relaxed ${got[i]}, plain ${want[i]}`;
      return '';
    };
    for (const [kernel, p0, p1] of UNARY) {
      const want = new Float32Array(n);
      const got = new Float32Array(n);
      plain.unary(kernel, x, want, 0, n, p0, p1);
      relaxed!.unary(kernel, x, got, 0, n, p0, p1);
      expect(firstDifference(got, want), `${kernel}(p0 = ${p0}, p1 = ${p1})`).toBe('');
    }
    const dy = x.slice().reverse();
    for (const kernel of GRADIENT) {
      const want = new Float32Array(n);
      const got = new Float32Array(n);
      plain.gradient(kernel, x, dy, want, 0, n);
      relaxed!.gradient(kernel, x, dy, got, 0, n);
      expect(firstDifference(got, want), kernel).toBe('');
    }
  });

  it.skipIf(relaxed === undefined)(`relaxed-simd: the dense GEMM's sums are fused (they differ from the plain build's in the last bits) and within the same bound${relaxed ? '' : ` — ${UNAVAILABLE}`}`, () => {
    const [m, k, n] = [20, 300, 24];
    const a = new Float32Array(m * k).map((_, i) => Math.sin(i * 0.7) * 3);
    const b = new Float32Array(k * n).map((_, i) => Math.cos(i * 1.3) * 2);
    const cPlain = new Float32Array(m * n);
    const cRelaxed = new Float32Array(m * n);
    plain.gemm(a, b, cPlain, m, k, n, false);
    relaxed!.gemm(a, b, cRelaxed, m, k, n, false);
    let differ = 0;
    for (let i = 0; i < m * n; i++) {
      if (cPlain[i] !== cRelaxed[i]) differ++;
      const row = Math.floor(i / n), col = i % n;
      let ref = 0, mag = 0;
      for (let p = 0; p < k; p++) { const t = a[row * k + p]! * b[p * n + col]!; ref += t; mag += Math.abs(t); }
      expect(Math.abs(cRelaxed[i]! - ref)).toBeLessThanOrEqual((k + 2) * 2 ** -24 * mag);
    }
    expect(differ).toBeGreaterThan(0);
  });
});
