import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  defaultRegistry, ErrorCode, getBackend, OP_NAMES, OPS, RectifierError, referenceForward, tensor,
  type DType, type FfnWeights, type OpName, type Tensor,
} from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { transpose } from '@rectifier/backend-cpu/kernels';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkersBackend } from '../src/backend.js';
import { splitStackedRows } from '../src/chunks.js';
import { weightGradientRowCosts } from '../src/cost.js';
import { workerScript } from '../src/platform/node.js';
import { emptyStats, SharedInputs, StagingBuffers, transposeInto } from '../src/staging.js';
import { PreparedWeights } from '../src/weights.js';
import { threadsOf } from './threads.js';
import {
  createWorkersBackend, DEFAULT_MIN_SAVING_NS, elementwiseNs, multiplyAddNs, poolSavingNs, registerWorkersBackend,
} from '../src/index.js';

const cpu = createCpuBackend();
const backends: WorkersBackend[] = [];
/** A backend disposed after the file (every test that makes one registers it here). */
function make(options: ConstructorParameters<typeof WorkersBackend>[0] = {}): WorkersBackend {
  const b = new WorkersBackend(options);
  backends.push(b);
  return b;
}
afterAll(async () => {
  await Promise.all(backends.map((b) => b.dispose()));
  await cpu.dispose();
});

/** Deterministic values in [−8, 8) with zeros, ±0, NaN and ±∞ sprinkled in. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (i % 997 === 5) return [0, -0, NaN, Infinity, -Infinity][i % 5];
    return (s / 2 ** 32) * 16 - 8;
  });
}
/** Equal within a relative tolerance (NaN equals NaN, ∞ equals ∞). */
function expectClose(got: number, want: number, rel: number): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) expect(got).toBe(want);
  else expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-300);
}
/**
 * The values exactly, as text: the same string means the same floats, −0 told from +0. NaNs all
 * print alike: their payload and sign bits are not values (and V8 does not keep them stable).
 */
const bits = (t: Tensor): string => Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',');

async function expectCode(p: Promise<unknown>, code: string): Promise<RectifierError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected a RectifierError ${code}`).toBeInstanceOf(RectifierError);
  expect((e as RectifierError).code).toBe(code);
  return e as RectifierError;
}

/** Inputs of an op on n elements (PReLU: one slope per channel of a [4, 3, n/12] x). */
function opInputs(op: OpName, n: number, dtype: DType, seed: number): Tensor[] {
  const kind = OPS[op].kind;
  if (kind === 'prelu') return [tensor(values(n, seed), [4, 3, n / 12], dtype), tensor([0.25, -0.5, 2], [3], dtype)];
  if (kind === 'crelu') return [tensor(values(n, seed), [n / 12, 12], dtype)];
  const x = tensor(values(n, seed), [n], dtype);
  return kind === 'glu' ? [x, tensor(values(n, seed + 1), [n], dtype)] : [x];
}

describe('workers backend: same bits as the CPU backend, split across threads', () => {
  // 3 threads and a size that is no multiple of 3, 16 or 12·16: chunk edges fall mid-channel and mid-row.
  const workers = make({ threads: 3, minSavingNs: 0 });
  const n = 12 * 4001;

  for (const dtype of ['float64', 'float32'] as const) {
    it(`every op's forward and gradient, ${dtype} (PReLU's slope gradient within summation rounding)`, async () => {
      for (const [i, op] of OP_NAMES.entries()) {
        const inputs = opInputs(op, n, dtype, i + 1);
        const y = await workers.forward(op, inputs);
        expect(y.data.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(bits(y), `${op} forward`).toBe(bits(await cpu.forward(op, inputs)));
        const dy = tensor(values(y.size, i + 50), y.shape, dtype);
        const grads = await workers.gradient(op, inputs, dy);
        const expected = await cpu.gradient(op, inputs, dy);
        for (const [j, g] of grads.entries()) {
          if (OPS[op].kind === 'prelu' && j === 1) {
            for (let c = 0; c < g.size; c++) expectClose(g.data[c], expected[1].data[c], dtype === 'float64' ? 1e-12 : 1e-6);
          } else {
            expect(bits(g), `${op} gradient ${j}`).toBe(bits(expected[j]));
          }
        }
      }
    });
  }

  it("PReLU's slope gradient does not depend on the split beyond float rounding (and is exact with one slope per element)", async () => {
    const finite = (v: number): number => (Number.isFinite(v) ? v : 1);
    const x = tensor(values(3 * 50_000, 7).map(finite), [3, 50_000], 'float64');
    const dy = tensor(values(3 * 50_000, 8).map(finite), [3, 50_000], 'float64');
    const scalar = tensor([0.1], [1], 'float64');
    const perChannel = tensor([0.1, 0.2, 0.3], [3], 'float64');
    const perElement = tensor(values(3 * 50_000, 9), [3, 50_000], 'float64');
    const [, cpuScalar] = await cpu.gradient('prelu', [x, scalar], dy);
    const [, cpuChannel] = await cpu.gradient('prelu', [x, perChannel], dy, { axis: 0 });
    const [, cpuElement] = await cpu.gradient('prelu', [x, perElement], dy);
    for (const threads of [1, 2, 5]) {
      const b = make({ threads, minSavingNs: 0 });
      const [, s] = await b.gradient('prelu', [x, scalar], dy);
      const [, c] = await b.gradient('prelu', [x, perChannel], dy, { axis: 0 });
      const [, e] = await b.gradient('prelu', [x, perElement], dy);
      expect(Number.isFinite(s.data[0])).toBe(true); // the values() specials would make it NaN: they are masked below
      expectClose(s.data[0], cpuScalar.data[0], 1e-12);
      for (let k = 0; k < 3; k++) expectClose(c.data[k], cpuChannel.data[k], 1e-12);
      expect(bits(e)).toBe(bits(cpuElement));
      await b.dispose();
    }
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`matmul (every transpose), FFN forward and backward (every activation family), ${dtype}: the CPU's bits`, async () => {
      const [m, k, n2] = [37, 29, 23];
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const a = tensor(values(m * k, 3), transposeA ? [k, m] : [m, k], dtype);
          const b = tensor(values(k * n2, 4), transposeB ? [n2, k] : [k, n2], dtype);
          const opts = { transposeA, transposeB };
          expect(bits(await workers.matmul(a, b, opts))).toBe(bits(await cpu.matmul(a, b, opts)));
        }
      }
      const [T, d, f, dOut] = [19, 7, 11, 5];
      const scaled = (count: number, seed: number, shape: number[]): Tensor => tensor(values(count, seed).map((v) => (Number.isFinite(v) ? v / 8 : 0.5)), shape, dtype);
      for (const activation of ['relu', 'gelu', 'swiglu']) {
        const glu = OPS[activation as OpName].kind === 'glu';
        const w: FfnWeights = {
          w1: scaled(d * f, 11, [d, f]), b1: scaled(f, 12, [f]), w2: scaled(f * dOut, 13, [f, dOut]), b2: scaled(dOut, 14, [dOut]),
          ...(glu ? { v: scaled(d * f, 15, [d, f]), bv: scaled(f, 16, [f]) } : {}),
        };
        const x = scaled(T * d, 17, [T, d]);
        const options = { activation, returnHidden: true, stats: true };
        const got = await workers.ffn(x, w, options);
        const want = await cpu.ffn(x, w, options);
        expect(bits(got.y)).toBe(bits(want.y));
        expect(bits(got.hidden!)).toBe(bits(want.hidden!));
        expect(got.stats).toEqual(want.stats);
        const sparse = await workers.ffn(x, w, { activation, sparse: true });
        expect(bits(sparse.y)).toBe(bits((await cpu.ffn(x, w, { activation, sparse: true })).y));
        const dy = scaled(T * dOut, 18, [T, dOut]);
        for (const sparseBackward of [false, true]) {
          const grads = await workers.ffnBackward(x, w, dy, { activation, sparse: sparseBackward });
          const wantGrads = await cpu.ffnBackward(x, w, dy, { activation, sparse: sparseBackward });
          expect(Object.keys(grads).sort()).toEqual(Object.keys(wantGrads).sort());
          for (const key of Object.keys(wantGrads) as (keyof typeof wantGrads)[]) {
            expect(bits(grads[key]!), `${activation} ${key}${sparseBackward ? ' (sparse)' : ''}`).toBe(bits(wantGrads[key]!));
          }
        }
      }
    });
  }
});

describe('splitting', () => {
  it('cuts stacked blocks of rows by cost: every row in exactly one part, the parts near-equal', () => {
    // The bench's weight gradients by multiply-adds alone: one thread makes dW1, the other dW2.
    expect(splitStackedRows([{ rows: 512, rowCost: 2048 }, { rows: 2048, rowCost: 512 }], 2)).toEqual([[[0, 512], [0, 0]], [[512, 512], [0, 2048]]]);
    // With the gathering of A counted, dW2's rows weigh more: the first thread takes a few of them too.
    const [dW1, dW2] = weightGradientRowCosts({ f: 2048, dOut: 512, v: undefined });
    const [first, second] = splitStackedRows([{ rows: 512, rowCost: dW1 }, { rows: 2048, rowCost: dW2 }], 2);
    expect(first[0]).toEqual([0, 512]);
    expect(first[1][0]).toBe(0);
    expect(second).toEqual([[512, 512], [first[1][1], 2048]]);
    expect(Math.abs(512 * dW1 + first[1][1] * dW2 - (2048 - first[1][1]) * dW2)).toBeLessThanOrEqual(2 * dW2); // within one row moved across
    for (const [blocks, parts] of [
      [[{ rows: 7, rowCost: 3 }, { rows: 5, rowCost: 11 }, { rows: 0, rowCost: 4 }], 3],
      [[{ rows: 3, rowCost: 0 }, { rows: 4, rowCost: 1 }], 4],
      [[{ rows: 1, rowCost: 5 }], 3],
    ] as const) {
      const split = splitStackedRows(blocks, parts);
      expect(split).toHaveLength(parts);
      // near-equal: each part within one row of its share of the total cost (a row goes to the part its starting cost falls in)
      const total = blocks.reduce((sum, b) => sum + b.rows * b.rowCost, 0);
      const widest = Math.max(...blocks.map((b) => b.rowCost));
      for (const ranges of split) {
        const cost = ranges.reduce((sum, [start, end], b) => sum + (end - start) * blocks[b].rowCost, 0);
        expect(Math.abs(cost - total / parts)).toBeLessThanOrEqual(widest);
      }
      blocks.forEach((block, b) => {
        let next = 0; // each part's range starts where the previous part's ended; the last ends at the block's end
        for (const ranges of split) {
          expect(ranges[b][0]).toBe(next);
          expect(ranges[b][1]).toBeGreaterThanOrEqual(next);
          next = ranges[b][1];
        }
        expect(next).toBe(block.rows);
      });
    }
  });
});

describe('shared memory', () => {
  it('copies a caller array into shared memory once per call, and uses a shared one as it is', () => {
    const staging = new StagingBuffers(1024);
    const shared = new SharedInputs(staging);
    const plain = new Float32Array([1, 2, 3]);
    const copy = shared.of(plain);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(copy).toBeInstanceOf(Float32Array);
    expect(Array.from(copy)).toEqual([1, 2, 3]);
    expect(shared.of(plain)).toBe(copy); // the same tensor twice in one call: one copy
    const alreadyShared = new Float64Array(new SharedArrayBuffer(24));
    expect(shared.of(alreadyShared)).toBe(alreadyShared);
    shared.release(); // the copy's buffer waits for the next call; the caller's shared one is not ours
    expect(staging.freeBytes).toBe(12);
    const next = new SharedInputs(staging);
    const reused = next.of(new Float32Array([4, 5])); // 8 bytes: the 12-byte buffer serves
    expect(reused.buffer).toBe(copy.buffer);
    expect(Array.from(reused)).toEqual([4, 5]);
    expect(next.of(new Float64Array([6, 7])).buffer).not.toBe(copy.buffer); // 16 bytes: a new one
    expect(staging.freeBytes).toBe(0);
    next.release();
    expect(staging.freeBytes).toBe(28);
    staging.give(new SharedArrayBuffer(2048)); // over the cap: dropped, not kept
    expect(staging.freeBytes).toBe(28);
  });

  it('returns outputs over SharedArrayBuffers that feed the next call without a copy, and mutates no input', async () => {
    const workers = make({ threads: 2, minSavingNs: 0 });
    const xs = values(10_000, 21);
    const x = tensor(xs, [10_000], 'float64');
    const y = await workers.forward('silu', x);
    expect(y.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(x.data)).toEqual(Array.from(Float64Array.from(xs)));
    const z = await workers.forward('relu', y);
    expect(bits(z)).toBe(bits(await cpu.forward('relu', await cpu.forward('silu', x))));
    expect(bits(y)).toBe(bits(await cpu.forward('silu', x))); // y, now an input, unchanged
  });
});

describe('FFN weights in shared memory: prepared once, transposed once', () => {
  // Sizes that are no multiple of the transpose's 32-element tiles, 3 threads: every edge is hit.
  const [T, d, f, dOut] = [19, 37, 45, 23];
  const scaled = (count: number, seed: number, shape: number[], dtype: DType = 'float32'): Tensor =>
    tensor(values(count, seed).map((v) => (Number.isFinite(v) ? v / 8 : 0.5)), shape, dtype);
  const weightsOf = (seed: number, glu = false, dtype: DType = 'float32'): FfnWeights => ({
    w1: scaled(d * f, seed, [d, f], dtype), b1: scaled(f, seed + 1, [f], dtype), w2: scaled(f * dOut, seed + 2, [f, dOut], dtype), b2: scaled(dOut, seed + 3, [dOut], dtype),
    ...(glu ? { v: scaled(d * f, seed + 4, [d, f], dtype), bv: scaled(f, seed + 5, [f], dtype) } : {}),
  });
  const bytesOf = (...ts: (Tensor | undefined)[]): number => ts.reduce((sum, t) => sum + (t?.data.byteLength ?? 0), 0);
  /** Every gradient of a call, as bits, keyed by name. */
  const gradientBits = (g: Record<string, Tensor | undefined>): Record<string, string> =>
    Object.fromEntries(Object.entries(g).map(([k, t]) => [k, bits(t!)]));

  it('the tiled transpose gives the CPU kernels\' transpose element for element', () => {
    for (const [rows, cols] of [[1, 1], [1, 70], [70, 1], [33, 65], [64, 32]]) {
      for (const dtype of ['float32', 'float64'] as const) {
        const src = tensor(values(rows * cols, rows + cols), [rows, cols], dtype).data;
        const out = transposeInto(src, rows, cols, dtype === 'float32' ? new Float32Array(rows * cols) : new Float64Array(rows * cols));
        expect(Array.from(out)).toEqual(Array.from(transpose(src, rows, cols)));
      }
    }
  });

  it('prepared weights: later calls copy only x (and dy), the backward pass transposes once for all calls; the CPU\'s bits, forward and backward', async () => {
    const workers = make({ threads: 3, minSavingNs: 0 });
    for (const [activation, dtype] of [['relu', 'float32'], ['gelu', 'float64'], ['swiglu', 'float32']] as const) {
      const glu = activation === 'swiglu';
      const w = weightsOf(31, glu, dtype);
      const x = scaled(T * d, 37, [T, d], dtype);
      const dy = scaled(T * dOut, 38, [T, dOut], dtype);
      const before = workers.stagingStats;
      const prepared = workers.prepareFfnWeights(w);
      const afterPrepare = workers.stagingStats;
      expect(afterPrepare.preparedBytes - before.preparedBytes).toBe(bytesOf(w.w1, w.b1, w.w2, w.b2, w.v, w.bv));
      expect(Object.keys(prepared).sort()).toEqual(Object.keys(w).sort());
      for (const key of Object.keys(w) as (keyof FfnWeights)[]) {
        expect(prepared[key]!.data.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(prepared[key]!.shape).toEqual(w[key]!.shape);
        expect(bits(prepared[key]!)).toBe(bits(w[key]!));
      }
      const options = { activation, returnHidden: true };
      const want = await cpu.ffn(x, w, options);
      const results = [];
      for (let call = 0; call < 2; call++) {
        const start = workers.stagingStats;
        const got = await workers.ffn(x, prepared, options);
        expect(workers.stagingStats.copiedBytes - start.copiedBytes, `ffn call ${call}: x only`).toBe(bytesOf(x));
        expect(bits(got.y)).toBe(bits(want.y));
        expect(bits(got.hidden!)).toBe(bits(want.hidden!));
        expect(bits((await workers.ffn(x, prepared, { activation })).y)).toBe(bits(want.y)); // the hidden layer in scratch memory
        results.push(got);
      }
      const wantGrads = gradientBits({ ...(await cpu.ffnBackward(x, w, dy, { activation })) });
      for (let call = 0; call < 2; call++) {
        const start = workers.stagingStats;
        const grads = await workers.ffnBackward(x, prepared, dy, { activation });
        expect(workers.stagingStats.copiedBytes - start.copiedBytes, `ffnBackward call ${call}: x and dy only`).toBe(bytesOf(x, dy));
        // W1ᵀ, W2ᵀ (and Vᵀ) at the first call, once for all three threads; none at the second.
        expect(workers.stagingStats.transposedBytes - start.transposedBytes, `ffnBackward call ${call}`).toBe(call === 0 ? bytesOf(w.w1, w.w2, w.v) : 0);
        expect(gradientBits({ ...grads })).toEqual(wantGrads);
        // No output is over a prepared weight's memory, and the weights are as prepared.
        const preparedBuffers = Object.values(prepared).map((t) => t!.data.buffer);
        for (const g of Object.values(grads)) expect(preparedBuffers).not.toContain(g!.data.buffer);
        for (const key of Object.keys(w) as (keyof FfnWeights)[]) expect(bits(prepared[key]!)).toBe(bits(w[key]!));
      }
      expect(workers.stagingStats.preparedBytes).toBe(afterPrepare.preparedBytes); // calls prepare nothing
      for (const r of results) expect(bits(r.hidden!)).toBe(bits(want.hidden!)); // returned memory is never reused as scratch
    }
  });

  it("the caller's weights: copied at every call and transposed once per call (not per thread); an in-place change is seen at the next call", async () => {
    const workers = make({ threads: 3, minSavingNs: 0 });
    const w = weightsOf(41);
    const x = scaled(T * d, 47, [T, d]);
    const dy = scaled(T * dOut, 48, [T, dOut]);
    for (let call = 0; call < 2; call++) {
      const start = workers.stagingStats;
      const grads = await workers.ffnBackward(x, w, dy);
      expect(workers.stagingStats.copiedBytes - start.copiedBytes).toBe(bytesOf(x, dy, w.w1, w.b1, w.w2, w.b2));
      expect(workers.stagingStats.transposedBytes - start.transposedBytes).toBe(bytesOf(w.w1, w.w2));
      expect(gradientBits({ ...grads })).toEqual(gradientBits({ ...(await cpu.ffnBackward(x, w, dy)) }));
      // The same tensors, other values: nothing of the last call's copies or transposes is reused.
      (w.w1.data as Float32Array).reverse();
      (w.w2.data as Float32Array).fill(0.25, 0, 100);
      const { y } = await workers.ffn(x, w);
      expect(bits(y)).toBe(bits((await cpu.ffn(x, w)).y));
    }
    expect(workers.stagingStats.cachedBytes).toBe(0); // only prepared weights' transposes are kept
  });

  it('other prepared weights of the same shapes give their own answer; preparing copies, so the caller may change the originals', async () => {
    const workers = make({ threads: 2, minSavingNs: 0 });
    const x = scaled(T * d, 57, [T, d]);
    const dy = scaled(T * dOut, 58, [T, dOut]);
    const w = weightsOf(51);
    const first = workers.prepareFfnWeights(w);
    await workers.ffnBackward(x, first, dy); // its transposes are kept now
    const other = weightsOf(61);
    const second = workers.prepareFfnWeights(other);
    expect(gradientBits({ ...(await workers.ffnBackward(x, second, dy)) })).toEqual(gradientBits({ ...(await cpu.ffnBackward(x, other, dy)) }));
    expect(bits((await workers.ffn(x, second)).y)).toBe(bits((await cpu.ffn(x, other)).y));
    const snapshot = weightsOf(51);
    (w.w1.data as Float32Array).fill(3); // the caller's tensor; `first` is a copy taken before
    expect(gradientBits({ ...(await workers.ffnBackward(x, first, dy)) })).toEqual(gradientBits({ ...(await cpu.ffnBackward(x, snapshot, dy)) }));
    expect(bits(first.w1)).toBe(bits(snapshot.w1));
  });

  it('dispose() drops the kept transposes; prepareFfnWeights checks its argument and the backend', async () => {
    const workers = createWorkersBackend({ threads: 2, minSavingNs: 0 });
    const w = weightsOf(71);
    const prepared = workers.prepareFfnWeights(w);
    await workers.ffnBackward(scaled(T * d, 77, [T, d]), prepared, scaled(T * dOut, 78, [T, dOut]));
    expect(workers.stagingStats.cachedBytes).toBe(2 * bytesOf(w.w1, w.w2)); // each prepared weight and its transpose
    expect(() => workers.prepareFfnWeights({ w1: w.w1 } as FfnWeights)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument, argument: 'w2' }));
    expect(() => workers.prepareFfnWeights({ ...w, w3: w.w1 } as FfnWeights)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument, argument: 'w3' }));
    expect(() => workers.prepareFfnWeights({ ...w, b1: [1, 2] } as unknown as FfnWeights)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument, argument: 'b1' }));
    expect(() => workers.prepareFfnWeights(null as unknown as FfnWeights)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    await workers.dispose();
    expect(workers.stagingStats.cachedBytes).toBe(0);
    expect(() => workers.prepareFfnWeights(w)).toThrow(expect.objectContaining({ code: ErrorCode.Disposed }));
    expect(bits((await cpu.ffn(scaled(T * d, 77, [T, d]), prepared)).y)).toBe(bits((await cpu.ffn(scaled(T * d, 77, [T, d]), w)).y)); // still ordinary tensors
  });

  it('the transposes kept stay within their byte bound, least recently used going first, however many weights are prepared', () => {
    const stats = emptyStats();
    const cache = new PreparedWeights(stats, 4 * 1024); // room for two 1 KiB arrays with their transposes
    const arrays = Array.from({ length: 50 }, (_, i) => cache.prepare(Float32Array.from({ length: 256 }, (_, j) => i * 1000 + j)));
    expect(stats.preparedBytes).toBe(50 * 1024);
    for (const [i, a] of arrays.entries()) {
      const t = cache.transposed(a, 16, 16)!;
      expect(Array.from(t)).toEqual(Array.from(transpose(a, 16, 16)));
      expect(cache.heldBytes).toBe(Math.min(i + 1, 2) * 2 * 1024);
    }
    expect(stats.transposedBytes).toBe(50 * 1024);
    const [last, beforeLast] = [arrays[49], arrays[48]];
    cache.transposed(beforeLast, 16, 16); // kept: no new transpose, and now the most recent
    expect(stats.transposedBytes).toBe(50 * 1024);
    cache.transposed(arrays[0], 16, 16); // evicts `last`, the least recently used
    cache.transposed(beforeLast, 16, 16);
    expect(stats.transposedBytes).toBe(51 * 1024);
    cache.transposed(last, 16, 16);
    expect(stats.transposedBytes).toBe(52 * 1024);
    expect(cache.transposed(a16(), 4, 4)).toBeUndefined(); // not prepared here: never kept
    const big = cache.prepare(new Float32Array(1024)); // 4 KiB: with its transpose over the bound
    expect(cache.transposed(big, 32, 32)).toHaveLength(1024);
    expect(cache.heldBytes).toBeLessThanOrEqual(4 * 1024);
    cache.clear();
    expect(cache.heldBytes).toBe(0);
  });
});

const a16 = (): Float32Array => new Float32Array(new SharedArrayBuffer(64));

describe('the small-input threshold', () => {
  it('runs calls the cost model expects the pool to speed up by less than minSavingNs on the calling thread, larger ones in the pool', async () => {
    // In this pool every chunk of softsign throws: a call that reaches the pool fails, one the
    // model keeps on the calling thread never does. The saving grows with the size: set the bar
    // at 1,000 float32 elements' worth (each moves one input and one output element).
    const bar = poolSavingNs(elementwiseNs('softsign', 'float32', 'forward', 1000), 2000, 2);
    expect(bar).toBeGreaterThan(0);
    const faulty = make({ threads: 2, minSavingNs: bar, workerFile: new URL('./fixtures/faulty-worker.js', import.meta.url) });
    const small = tensor(values(999, 1));
    expect(bits(await faulty.forward('softsign', small))).toBe(bits(await cpu.forward('softsign', small)));
    await expectCode(faulty.forward('softsign', tensor(values(1000, 1))), ErrorCode.WorkerFailure);
  });

  it('the cost model: relu never gains at any size; float64 gelu and the 512-token FFN do; a small matmul and one thread do not', () => {
    // relu's WebAssembly kernel is about as fast as the copies the pool needs: it never gains.
    expect(poolSavingNs(elementwiseNs('relu', 'float32', 'forward', 2 ** 24), 2 ** 25, 2)).toBeLessThan(0);
    expect(poolSavingNs(elementwiseNs('gelu', 'float64', 'forward', 2 ** 20), 2 ** 21, 2)).toBeGreaterThan(DEFAULT_MIN_SAVING_NS);
    // The benchmark's FFN at 512 tokens (512 → 2048 → 512, float32): 2^30 multiply-adds against
    // 2^21 weights and the activations moved.
    const staged = 2 * 512 * 2048 + 512 * (512 + 2048 + 512);
    expect(poolSavingNs(multiplyAddNs('float32', 512 * 2048 * 1024), staged, 2)).toBeGreaterThan(DEFAULT_MIN_SAVING_NS);
    expect(poolSavingNs(multiplyAddNs('float32', 128 ** 3), 3 * 128 ** 2, 2)).toBeLessThan(DEFAULT_MIN_SAVING_NS);
    // One thread can only lose.
    expect(poolSavingNs(elementwiseNs('gelu', 'float64', 'forward', 2 ** 20), 2 ** 21, 1)).toBeLessThan(0);
  });

  it('with the default model, a large float32 relu stays on the calling thread and a large float64 gelu goes to the pool', async () => {
    // Where a call ran shows in its output: the pool writes into a new SharedArrayBuffer.
    const b = make({ threads: 2 });
    const inPool = (t: Tensor): boolean => t.data.buffer instanceof SharedArrayBuffer;
    expect(inPool(await b.forward('relu', tensor(values(1 << 22, 3))))).toBe(false);
    expect(inPool(await b.forward('gelu', tensor(values(1 << 20, 3), [1 << 20], 'float64')))).toBe(true);
    expect(inPool(await b.forward('gelu', tensor(values(1 << 10, 3), [1 << 10], 'float64')))).toBe(false);
  });

  it('defaults to the model\'s minimum saving and the available cores', async () => {
    const b = make();
    expect(b.minSavingNs).toBe(DEFAULT_MIN_SAVING_NS);
    expect(b.threads).toBeGreaterThanOrEqual(1);
    await b.ready();
    expect(threadsOf(b).length).toBe(b.threads);
  });

  it('ready() rejects with BACKEND_UNAVAILABLE when the threads cannot load the kernels', async () => {
    const broken = make({ threads: 1, workerFile: new URL('./fixtures/no-such-worker.js', import.meta.url) });
    const e = await expectCode(broken.ready(), ErrorCode.BackendUnavailable);
    expect(e.message).toContain('no-such-worker');
    await broken.dispose();
  });

  it('refuses to start without the built worker entry, with BACKEND_UNAVAILABLE naming the build', () => {
    // The threads always run the built entry (plain Node cannot load the .ts sources).
    expect(workerScript(undefined)).toBe(fileURLToPath(new URL('../dist/worker-entry.js', import.meta.url)));
    const unbuilt = new URL('./fixtures/unbuilt/dist/worker-entry.js', import.meta.url);
    expect(() => workerScript(undefined, unbuilt)).toThrow(expect.objectContaining({ code: ErrorCode.BackendUnavailable }));
    expect(() => workerScript(undefined, unbuilt)).toThrow(/unbuilt.*build @rectifier\/backend-workers/);
  });

  it('rejects bad options with BAD_ARGUMENT', () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { minSavingNs: -1 }, { minSavingNs: NaN }, { thread: 2 }]) {
      expect(() => createWorkersBackend(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    }
  });
});

describe('faults', () => {
  const faulty = make({ threads: 2, minSavingNs: 0, workerFile: new URL('./fixtures/faulty-worker.js', import.meta.url) });
  const x = tensor(values(4096, 31));

  it('a worker that throws rejects that call with WORKER_FAILURE naming the op; the next calls succeed', async () => {
    const e = await expectCode(faulty.forward('softsign', x), ErrorCode.WorkerFailure);
    expect(e.op).toBe('softsign');
    expect(e.message).toContain('softsign');
    expect(e.message).toContain('injected fault');
    expect(bits(await faulty.forward('gelu', x))).toBe(bits(await cpu.forward('gelu', x)));
  });

  it('a worker thread that exits mid-call rejects that call; the pool replaces it and the next calls succeed', async () => {
    const before = new Set(threadsOf(faulty).map((t) => t.threadId));
    const e = await expectCode(faulty.forward('tanh', x), ErrorCode.WorkerFailure);
    expect(e.message).toMatch(/\[WORKER_FAILURE\] tanh: .*exited/);
    for (let i = 0; i < 20; i++) expect(bits(await faulty.forward('mish', x))).toBe(bits(await cpu.forward('mish', x)));
    const after = threadsOf(faulty);
    expect(after.length).toBe(2);
    expect(after.some((t) => !before.has(t.threadId))).toBe(true);
  });

  it("terminating one of the pool's threads during a long call rejects it with WORKER_FAILURE; later calls succeed", async () => {
    const workers = make({ threads: 2 });
    await workers.ready();
    const big = tensor(values(1 << 21, 41), [1 << 21], 'float64');
    // The chunks are posted synchronously inside forward(): the thread dies with its chunk in hand.
    const call = workers.forward('gelu', big);
    await threadsOf(workers)[0].terminate();
    const e = await expectCode(call, ErrorCode.WorkerFailure);
    expect(e.op).toBe('gelu');
    expect(e.message).toContain('gelu');
    const after = await Promise.all([workers.forward('gelu', big), workers.forward('gelu', big)]);
    const expected = bits(await cpu.forward('gelu', big));
    expect(after.map(bits)).toEqual([expected, expected]);
    expect(threadsOf(workers).length).toBe(2);
  });
});

describe('many concurrent calls', () => {
  it('250 calls fired at once, mixed ops, sizes and kinds, all resolve with the CPU backend’s values', async () => {
    // A low bar, so that sizes on both sides of it stay quick: the costlier ops go to the pool from
    // a few hundred elements, the cheap ones only from thousands or never, smaller calls run here.
    const workers = make({ threads: 2, minSavingNs: 20_000 });
    const sizes = [1, 7, 100, 255, 256, 4095, 4099, 30_011];
    const ops = OP_NAMES.filter((op) => OPS[op].kind === 'unary' || OPS[op].kind === 'glu' || OPS[op].kind === 'noisy');
    const ffnActivation = (op: OpName): string => (OPS[op].kind === 'unary' ? op : 'relu');
    const jobs: { run: (b: typeof cpu | WorkersBackend) => Promise<Tensor[]> }[] = [];
    for (let i = 0; i < 250; i++) {
      const op = ops[i % ops.length];
      const n = sizes[i % sizes.length];
      const dtype: DType = i % 3 === 0 ? 'float64' : 'float32';
      const inputs = opInputs(op, n, dtype, i);
      switch (i % 5) {
        case 0: case 1:
          jobs.push({ run: async (b) => [await b.forward(op, inputs)] });
          break;
        case 2: case 3: {
          const dy = tensor(values(n, i + 7), [n], dtype);
          jobs.push({ run: (b) => b.gradient(op, inputs, dy) });
          break;
        }
        default: {
          const rows = 1 + (i % 97);
          const a = tensor(values(rows * 64, i), [rows, 64], dtype);
          const w = tensor(values(64 * 48, i + 1), [64, 48], dtype);
          jobs.push({ run: async (b) => [await b.matmul(a, w), (await b.ffn(a, { w1: w, w2: tensor(values(48 * 8, i + 2), [48, 8], dtype) }, { activation: ffnActivation(op) })).y] });
        }
      }
    }
    const results = await Promise.all(jobs.map((j) => j.run(workers)));
    for (const [i, r] of results.entries()) {
      const expected = await jobs[i].run(cpu);
      expect(r.map(bits), `call ${i}`).toEqual(expected.map(bits));
    }
  });
});

describe('lifecycle', () => {
  it('dispose() terminates every worker; calls in flight and after it reject with DISPOSED, none hangs', async () => {
    const b = createWorkersBackend({ threads: 2, minSavingNs: 0 }); // every call in flight is in the pool
    await b.ready();
    const threads = threadsOf(b);
    expect(threads.length).toBe(2);
    const big = tensor(values(1 << 20, 5));
    const inFlight = [b.forward('mish', big), b.gradient('gelu', big, big), b.matmul(tensor(values(256 * 256, 1), [256, 256]), tensor(values(256 * 256, 2), [256, 256]))]
      .map((p) => expectCode(p, ErrorCode.Disposed)); // handlers attached now: they reject during dispose()
    await b.dispose();
    expect(threadsOf(b).length).toBe(0);
    expect(threads.map((t) => t.threadId)).toEqual([-1, -1]); // Node's mark of a thread that has exited
    await Promise.all(inFlight);
    await expectCode(b.forward('relu', big), ErrorCode.Disposed);
    await expectCode(b.forward('relu', tensor([1])), ErrorCode.Disposed);
    await expectCode(b.ready(), ErrorCode.Disposed);
    await b.dispose();
  });

  it('a process that creates the backend, runs calls and disposes it exits by itself, with no open handles', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), `${dist} is missing: build the workspace first (npx pnpm exec turbo run build)`).toBe(true);
    const script = fileURLToPath(new URL('./fixtures/dispose-child.mjs', import.meta.url));
    // A plain node process (no Vitest flags): it resolves the packages' built entries.
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const started = Date.now();
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('did not exit within 120 s'); }, 120_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c ?? 'killed'); });
    });
    expect(code, err).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const report = JSON.parse(out.trim().split('\n').pop()!) as { disposed: boolean; during: string[]; after: string[] };
    expect(report.disposed).toBe(true);
    expect(report.during.length).toBeGreaterThan(0); // the check sees the pool's handles while it works…
    expect(report.after).toEqual([]); // …and none once disposed
  });

  it('registers in core’s registry above the CPU backend and is chosen as the best', async () => {
    registerWorkersBackend();
    expect(defaultRegistry.names()).toContain('workers');
    const best = await getBackend(undefined, { only: ['workers', 'cpu'] });
    expect(best.name).toBe('workers');
    expect(best.capabilities.sync).toBe(false);
    expect(() => best.sync.forward('relu', tensor([1]))).toThrow(/SYNC_UNSUPPORTED/);
    const y = await best.forward('relu', tensor([-1, 2]));
    expect(Array.from(y.data)).toEqual(Array.from(referenceForward('relu', tensor([-1, 2])).data));
    await best.dispose();
    defaultRegistry.unregister('workers');
  });
});
