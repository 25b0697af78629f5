import { defaultRegistry, ErrorCode, getBackend, referenceForward, tensor, ulpDistance } from '@rectifier/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createCpuBackend, registerCpuBackend } from '../src/index.js';
import { WASM_ELEMENTWISE } from '../src/kernels.js';

const cpu = createCpuBackend();
afterAll(() => cpu.dispose());

describe('CPU backend: what only it has', () => {
  it('answers synchronously through backend.sync, with the same bits as the async API', async () => {
    const x = tensor([-2, -0, 0.5, 3], [2, 2], 'float64');
    const y = cpu.sync.forward('gelu', x);
    expect(y).not.toBeInstanceOf(Promise);
    expect(Array.from(y.data)).toEqual(Array.from((await cpu.forward('gelu', x)).data));
    const [dx] = cpu.sync.gradient('relu', x, tensor([1, 1, 1, 1], [2, 2], 'float64'));
    expect(Array.from(dx.data)).toEqual([0, 0, 1, 1]);
    const c = cpu.sync.matmul(tensor([[1, 2], [3, 4]]), tensor([[1, 0], [0, 1]]), { transposeB: true });
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
  });

  it('sync calls throw typed errors synchronously', () => {
    expect(() => cpu.sync.forward('nope' as 'relu', tensor([1]))).toThrow(expect.objectContaining({ code: ErrorCode.UnknownOp }));
  });

  it('float32: the WebAssembly kernels within 1 ulp of the reference, the JS ones the reference rounded once (0 ulp)', async () => {
    const xs = Array.from({ length: 2001 }, (_, i) => (i - 1000) / 97);
    for (const op of ['gelu', 'mish', 'silu', 'elu', 'softplus', 'tanh'] as const) {
      const y = await cpu.forward(op, tensor(xs));
      const ref = referenceForward(op, tensor(xs));
      const worst = Math.max(...Array.from(y.data, (v, i) => ulpDistance(v, Math.fround(ref.data[i]), 'float32')));
      // elu and tanh have no WebAssembly kernel: they run core's float64 definition, rounded once.
      expect(worst).toBeLessThanOrEqual(WASM_ELEMENTWISE && op !== 'elu' && op !== 'tanh' ? 1 : 0);
    }
  });

  it('float64 always runs the JS kernels: the reference itself (0 ulp)', async () => {
    const xs = Array.from({ length: 2001 }, (_, i) => (i - 1000) / 97);
    for (const op of ['gelu', 'mish', 'silu', 'softplus'] as const) {
      const y = await cpu.forward(op, tensor(xs, undefined, 'float64'));
      expect(Array.from(y.data)).toEqual(Array.from(referenceForward(op, tensor(xs, undefined, 'float64')).data));
    }
  });

  it('the sparse FFN path skips the rows of W2 whose activation is zero', async () => {
    // Unit 1 is dead for every token (huge negative bias); its W2 row holds ∞. The dense product
    // forms 0·∞ = NaN; the sparse path never touches that row, which proves the skip.
    const x = tensor([[1, 2], [3, 4]]);
    const w = { w1: tensor([[1, 1], [1, 1]]), b1: tensor([0, -100]), w2: tensor([[1], [Infinity]]) };
    const dense = await cpu.ffn(x, w);
    const sparse = await cpu.ffn(x, w, { sparse: true, stats: true });
    expect(Number.isNaN(dense.y.data[0])).toBe(true);
    expect(Array.from(sparse.y.data)).toEqual([3, 7]);
    expect(sparse.stats!.deadUnits).toEqual([1]);
  });

  it('the FFN forward pass (bias and activation fused into the GEMMs) gives the bits of the separate steps', () => {
    const [T, d, f, dOut] = [23, 37, 70, 19];
    const v = (n: number, seed: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + seed) * 2);
    const x = tensor(v(T * d, 1), [T, d]);
    const w1 = tensor(v(d * f, 2), [d, f]);
    const w2 = tensor(v(f * dOut, 3), [f, dOut]);
    const bits = (t: { data: ArrayLike<number> }): string => Array.from(t.data, (e) => (Object.is(e, -0) ? '-0' : String(e))).join();
    for (const activation of ['relu', 'gelu', 'leaky_relu', 'elu'] as const) {
      for (const sparse of [false, true]) {
        // Without biases the steps are matmul, the activation, matmul, each summing from zero as the
        // fused GEMM does (the bias rows are checked in @rectifier/kernels-wasm's epilogue test).
        const { y, hidden } = cpu.sync.ffn(x, { w1, w2 }, { activation, sparse, returnHidden: true });
        const h = cpu.sync.forward(activation, cpu.sync.matmul(x, w1));
        expect(bits(hidden!), `${activation} hidden`).toBe(bits(h));
        const dense = cpu.sync.matmul(h, w2);
        if (!sparse) expect(bits(y), `${activation} y`).toBe(bits(dense));
        // The sparse GEMM sums its k-steps in another grouping: the dense result within float32 summation rounding.
        else y.data.forEach((e, i) => expect(Math.abs(e - dense.data[i])).toBeLessThanOrEqual(f * 2 ** -23 * 40));
      }
    }
  });

  it('registers itself in core’s registry and is found by name and as the best backend', async () => {
    registerCpuBackend();
    expect(defaultRegistry.names()).toContain('cpu');
    const byName = await getBackend('cpu');
    expect(byName.name).toBe('cpu');
    const best = await getBackend(undefined, { only: ['cpu'] });
    expect(best.capabilities.sync).toBe(true);
    await byName.dispose();
    await best.dispose();
  });
});
