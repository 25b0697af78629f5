import { describe, expect, it } from 'vitest';
import { ResidentMemory, wasmKernelsOf, type UnaryKernel } from '../src/index.js';

const memory = ResidentMemory.create();

describe('resident memory', () => {
  it('exists where the runtime has shared WebAssembly memory (Node: always)', () => {
    expect(typeof SharedArrayBuffer).toBe('function');
    expect(memory).toBeDefined();
  });

  it('hands out disjoint 64-byte-aligned blocks, and reuses freed ones', () => {
    const m = ResidentMemory.create()!;
    const a = m.allocate(10)!;
    const b = m.allocate(100)!;
    const c = m.allocate(64)!;
    expect([a % 64, b % 64, c % 64]).toEqual([0, 0, 0]);
    expect(b).toBeGreaterThanOrEqual(a + 64);
    expect(c).toBeGreaterThanOrEqual(b + 128);
    expect(m.free(b)).toBe(true);
    expect(m.free(b)).toBe(false); // twice: nothing happens
    expect(m.allocate(128)).toBe(b);
    expect(m.free(1)).toBe(false);
  });

  it('coalesces freed neighbours and lowers its top: cycles stay within the peak', () => {
    const m = ResidentMemory.create()!;
    const sizes = [4096, 1 << 20, 64, 3 << 18, 12345];
    for (let round = 0; round < 200; round++) {
      const blocks = sizes.map((s, i) => m.allocate(s * (1 + ((round + i) % 3)))!);
      // free in a rotating order so every neighbour case comes up
      for (let i = 0; i < blocks.length; i++) m.free(blocks[(i + round) % blocks.length]);
      expect(m.liveBytes).toBe(0);
    }
    const peak = sizes.reduce((a, s) => a + Math.ceil((3 * s) / 64) * 64, 64);
    expect(m.byteLength).toBeLessThanOrEqual(2 * Math.ceil(peak / 65536) * 65536); // it grows at least twofold
    expect(m.allocate(64)).toBe(64); // everything coalesced back to the bottom
  });

  it('keeps views valid when the memory grows', () => {
    const m = ResidentMemory.create()!;
    const at = m.allocate(16)!;
    const v = m.float32(at, 4);
    v.set([1, 2, 3, 4]);
    const big = m.allocate(8 << 20)!; // grows the memory
    expect(m.byteLength).toBeGreaterThanOrEqual(8 << 20);
    expect(Array.from(v)).toEqual([1, 2, 3, 4]);
    const later = m.float32(at, 4); // on the newer, longer handle: the same bytes
    expect(later.buffer).not.toBe(v.buffer);
    expect(Array.from(later)).toEqual([1, 2, 3, 4]);
    expect(m.holds(v) && m.holds(later)).toBe(true);
    expect(m.holds(new Float32Array(4))).toBe(false);
    m.free(big);
  });

  it("refuses what passes MAX_MEMORY_BYTES (undefined, nothing allocated)", () => {
    const m = ResidentMemory.create()!;
    expect(m.allocate(2 ** 31)).toBeUndefined();
    expect(m.liveBytes).toBe(0);
  });

  it("runs element-wise kernels in place on its blocks with the plain build's bits", () => {
    const m = ResidentMemory.create()!;
    const plain = wasmKernelsOf('simd')!;
    const n = 10007; // a 16-float body, a 4-float tail and scalars
    const source = new Float32Array(n).map((_, i) => (i - n / 2) / 97);
    const kernels: Array<[UnaryKernel, number, number]> = [['relu_f32', 0, 0], ['leaky_relu_f32', 0.1, 0], ['gelu_erf_f32', 0, 0], ['softplus_f32', 2, 10]];
    for (const [kernel, p0, p1] of kernels) {
      const want = new Float32Array(n);
      plain.unary(kernel, source, want, 0, n, p0, p1);
      const x = m.float32(m.allocate(n * 4)!, n);
      const y = m.float32(m.allocate(n * 4)!, n);
      x.set(source);
      m.unary(kernel, x, y, p0, p1);
      expect(new Uint32Array(y.slice().buffer)).toEqual(new Uint32Array(want.buffer));
      m.unary(kernel, x, x, p0, p1); // in place
      expect(new Uint32Array(x.slice().buffer)).toEqual(new Uint32Array(want.buffer));
    }
  });
});
