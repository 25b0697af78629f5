/**
 * What a careless or hostile caller can do in plain JavaScript, held against every backend: empty
 * products with huge dims (the work must be bounded by what the call computes), tensors whose
 * fields are reassigned or whose shape answers differently on each read, an `out` on a second
 * handle of the same SharedArrayBuffer memory, and keys set on `Object.prototype`. The bad-input
 * rows (bad-input.ts) cover the typed errors (detached buffers, revoked Proxies, resizable
 * buffers, lying typed arrays); this file covers the values.
 */
import {
  OPS, referenceFfn, referenceFfnBackward, Tensor, tensor,
  type Backend, type DType, type FfnResult, type FfnGradients, type OpName,
} from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { checksum } from './compare.js';
import { requiring } from './declared-ops.js';
import { normals } from './inputs.js';

const HUGE = 2 ** 40;

/** Every tensor of a result, by name, as checksums (bit-exact comparison of two runs). */
function fingerprint(result: Tensor | FfnResult | FfnGradients | Tensor[]): Record<string, string> {
  if (result instanceof Tensor) return { y: checksum(result.data) };
  if (Array.isArray(result)) return Object.fromEntries(result.map((t, i) => [String(i), checksum(t.data)]));
  return Object.fromEntries(Object.entries(result).map(([k, v]) => [k, v instanceof Tensor ? checksum(v.data) : JSON.stringify(v, (_, x) => (ArrayBuffer.isView(x) ? Array.from(x as Float64Array) : x))]));
}

/** Close to a float64 reference: a few roundings of the dtype (the backends' sums are short here). */
function expectClose(got: Tensor, ref: Tensor, dtype: DType): void {
  expect(got.shape).toEqual(ref.shape);
  const eps = dtype === 'float32' ? 2 ** -23 : 2 ** -52;
  got.data.forEach((v, i) => {
    const e = ref.data[i];
    expect(Math.abs(v - e), `element ${i}: ${v} vs ${e}`).toBeLessThanOrEqual(8 * eps * Math.abs(e) + 1e-30);
  });
}

/** A SharedArrayBuffer-backed float tensor of `n` elements starting `offset` elements in. */
function sharedTensor(buffer: SharedArrayBuffer, dtype: DType, offset: number, shape: readonly number[]): Tensor {
  const n = shape.reduce((a, d) => a * d, 1);
  const data = dtype === 'float32' ? new Float32Array(buffer, 4 * offset, n) : new Float64Array(buffer, 8 * offset, n);
  return new Tensor(data, shape);
}

export function hostileInputSuite(b: () => Backend): void {
  const dtypes = (): DType[] => b().capabilities.dtypes.filter((d): d is DType => d === 'float32' || d === 'float64');

  describe('work is bounded by what the call computes (class 1)', () => {
    it('matmul of empty operands with a 2^40 dim returns the empty result at once, in every declared dtype', async () => {
      for (const dtype of dtypes()) {
        const y = await b().matmul(tensor([], [HUGE, 0], dtype), tensor([], [0, 0], dtype));
        expect(y.shape).toEqual([HUGE, 0]);
        expect(y.dtype).toBe(dtype);
        const yt = await b().matmul(tensor([], [0, HUGE], dtype), tensor([], [0, 0], dtype), { transposeA: true });
        expect(yt.shape).toEqual([HUGE, 0]);
        const wide = await b().matmul(tensor([], [0, 0], dtype), tensor([], [HUGE, 0], dtype), { transposeB: true });
        expect(wide.shape).toEqual([0, HUGE]);
        // k = 0: the empty sum, +0 everywhere.
        const z = await b().matmul(tensor([], [3, 0], dtype), tensor([], [0, 2], dtype));
        expect(z.shape).toEqual([3, 2]);
        expect(Array.from(z.data).every((v) => Object.is(v, 0))).toBe(true);
      }
    });

    it('ffn and ffnBackward on x [2^40, 0] with empty weights return empty results at once', async () => {
      for (const dtype of dtypes()) {
        const x = tensor([], [HUGE, 0], dtype);
        const w = { w1: tensor([], [0, 0], dtype), w2: tensor([], [0, 0], dtype) };
        const r = await b().ffn(x, w, { returnHidden: true });
        expect(r.y.shape).toEqual([HUGE, 0]);
        expect(r.hidden!.shape).toEqual([HUGE, 0]);
        const g = await b().ffnBackward(x, w, tensor([], [HUGE, 0], dtype));
        expect(g.dx.shape).toEqual([HUGE, 0]);
        expect(g.dw1.shape).toEqual([0, 0]);
        expect(g.dw2.shape).toEqual([0, 0]);
      }
    });

    it('an FFN with one zero dim (d, f, dOut or T) gives the reference values', async () => {
      for (const dtype of dtypes()) {
        const t = (values: number[], shape: number[]): Tensor => tensor(values, shape, dtype);
        const cases: [string, number, number, number, number][] = [['d = 0', 2, 0, 3, 2], ['f = 0', 2, 3, 0, 2], ['dOut = 0', 2, 3, 4, 0], ['T = 0', 0, 3, 4, 2]];
        for (const [what, T, d, f, dOut] of cases) {
          const x = t(normals(T * d, 1), [T, d]);
          const w = { w1: t(normals(d * f, 2), [d, f]), b1: t(normals(f, 3), [f]), w2: t(normals(f * dOut, 4), [f, dOut]), b2: t(normals(dOut, 5), [dOut]) };
          const dy = t(normals(T * dOut, 6), [T, dOut]);
          const r = await b().ffn(x, w, { returnHidden: true, stats: true });
          const ref = referenceFfn(x, w, { returnHidden: true, stats: true });
          expectClose(r.y, ref.y, dtype);
          expectClose(r.hidden!, ref.hidden!, dtype);
          expect(r.stats!.rows, what).toBe(T);
          expect(r.stats!.units, what).toBe(f);
          const g = await b().ffnBackward(x, w, dy);
          const gref = referenceFfnBackward(x, w, dy);
          for (const k of Object.keys(gref) as (keyof FfnGradients)[]) expectClose(g[k]!, gref[k]!, dtype);
        }
      }
    });

    it('activationStats of [3, 0] and [0, 5] (no elements) are all zeros, not NaN', async () => {
      const rows = await b().activationStats(tensor([], [3, 0]));
      expect(rows.zeroFraction).toBe(0);
      expect(Array.from(rows.zeroFractionPerRow)).toEqual([0, 0, 0]);
      const units = await b().activationStats(tensor([], [0, 5]));
      expect(Array.from(units.zeroFractionPerUnit)).toEqual([0, 0, 0, 0, 0]);
      expect(units.deadUnits).toEqual([]);
    });
  });

  describe('tensors are immutable in fact, and read once (class 2)', () => {
    it('dtype, shape, size and data cannot be reassigned or redefined, and the shape is a frozen copy', () => {
      const dims = [2, 3];
      const t = new Tensor(new Float32Array(6), dims);
      dims[0] = 6;
      expect(t.shape).toEqual([2, 3]);
      const any = t as unknown as Record<string, unknown>;
      expect(() => { any.shape = [6]; }).toThrow(TypeError);
      expect(() => { any.size = 1; }).toThrow(TypeError);
      expect(() => { any.dtype = 'float64'; }).toThrow(TypeError);
      expect(() => { any.data = new Float32Array(1); }).toThrow(TypeError);
      expect(() => { (t.shape as number[])[0] = 1; }).toThrow(TypeError);
      expect(() => Object.defineProperty(t, 'size', { value: 1 })).toThrow(TypeError);
      expect(() => Object.setPrototypeOf(t, Object.prototype)).toThrow(TypeError);
      expect([t.shape, t.size, t.dtype, t.data.length]).toEqual([[2, 3], 6, 'float32', 6]);
    });

    it('a shape whose getters answer differently on each read is read once: the check and the tensor agree', async () => {
      let reads = 0;
      const shape = new Proxy([2, 3], {
        get(target, key, receiver) {
          if (key === '0') return ++reads === 1 ? 2 : 7; // 2 to the first read, 7 afterwards
          return Reflect.get(target, key, receiver) as unknown;
        },
      });
      const t = new Tensor(new Float32Array([-1, 2, -3, 4, -5, 6]), shape);
      expect(t.shape).toEqual([2, 3]);
      const y = await b().forward('relu', t);
      expect(Array.from(y.data)).toEqual([0, 2, 0, 4, 0, 6]);
    });

    it('a detached input never lets an earlier call\'s values through: the call is refused and the next one is right', requiring(b, ['gelu', 'relu'], async () => {
      const big = tensor(normals(40_000, 9));
      await b().forward('gelu', big); // fills any staging memory with this call's values
      const x = tensor(normals(20_000, 10));
      structuredClone(x.data.buffer, { transfer: [x.data.buffer as ArrayBuffer] });
      await expect(b().forward('gelu', x)).rejects.toMatchObject({ code: 'DETACHED' });
      await expect(b().gradient('gelu', tensor([1, 2]), x)).rejects.toMatchObject({ code: 'DETACHED' });
      const small = tensor([-1, 0.5]);
      expect(Array.from((await b().forward('relu', small)).data)).toEqual([0, 0.5]);
    }));
  });

  describe('out is checked for overlap by memory, not by buffer object (class 3)', () => {
    /** x and out on two SharedArrayBuffer objects over the same memory, out `shift` elements after x. */
    const cases: { op: OpName; n: number; params?: object; shape?: (n: number) => number[] }[] = [
      { op: 'relu', n: 20_000 },
      { op: 'elu', n: 4_096 },
      { op: 'softsign', n: 4_096 },
      { op: 'gelu', n: 4_096 },
      { op: 'crelu', n: 900, shape: (n) => [n / 9, 9] },
      { op: 'leaky_relu', n: 20_000, params: { alpha: 0.1 } },
    ];
    for (const { op, n, params, shape } of cases) {
      it(`${op}: out on a second handle of x's SharedArrayBuffer memory, shifted by −1, 0 (in place), +1 and n/2 elements`, requiring(b, [op], async () => {
        for (const dtype of dtypes()) {
          const xShape = shape?.(n) ?? [n];
          const values = normals(n, 11).map((v, i) => (i % 7 === 0 ? -v : 3 * v));
          const clean = await b().forward(op, tensor(values, xShape, dtype), params as never);
          const bytes = dtype === 'float32' ? 4 : 8;
          for (const shift of [-1, 0, 1, n / 2]) {
            const base = 8 + n; // room on both sides for the shifts and crelu's doubled output
            const memory = new SharedArrayBuffer(bytes * (3 * n + 2 * base));
            const x = sharedTensor(memory, dtype, base, xShape);
            x.data.set(tensor(values, xShape, dtype).data);
            const twin = structuredClone(memory); // a second SharedArrayBuffer object, the same memory
            expect(twin).not.toBe(memory);
            const out = sharedTensor(twin, dtype, base + shift, clean.shape);
            const y = await b().forward(op, x, params as never, { out });
            expect(y).toBe(out);
            expect(checksum(out.data), `${op} ${dtype} shift ${shift}`).toBe(checksum(clean.data));
          }
        }
      }));
    }

    it('prelu and a GLU with out on a second handle of the weight\'s or the value\'s memory', requiring(b, ['prelu', 'swiglu'], async () => {
      for (const dtype of dtypes()) {
        const n = 4_096;
        const xs = normals(n, 12);
        const ws = normals(n, 13);
        for (const op of ['prelu', 'swiglu'] as const) {
          const clean = await b().forward(op, [tensor(xs, [n], dtype), tensor(ws, [n], dtype)]);
          const bytes = dtype === 'float32' ? 4 : 8;
          const memory = new SharedArrayBuffer(bytes * 4 * n);
          const x = sharedTensor(memory, dtype, 0, [n]);
          const w = sharedTensor(memory, dtype, 2 * n, [n]);
          x.data.set(tensor(xs, [n], dtype).data);
          w.data.set(tensor(ws, [n], dtype).data);
          const out = sharedTensor(structuredClone(memory), dtype, 2 * n + 1, [n]); // overlaps the second input
          await b().forward(op, [x, w], {}, { out });
          expect(checksum(out.data), `${op} ${dtype}`).toBe(checksum(clean.data));
        }
      }
    }));
  });

  describe('a key on Object.prototype is not an argument (class 4)', () => {
    /** Every parameter of every op, every option and every weight name, with a value that would change the result. */
    const pollution = (): Record<string, unknown> => {
      const keys: Record<string, unknown> = {
        out: tensor([9, 9, 9, 9]), transposeA: true, transposeB: true, activation: 'gelu', activationParams: { alpha: 3 },
        sparse: 'yes', returnHidden: true, stats: true, w1: tensor([1], [1, 1]), b1: tensor([100, 100, 100]), w2: tensor([1], [1, 1]),
        b2: tensor([100, 100]), v: tensor([1], [1, 1]), bv: tensor([1]),
      };
      for (const def of Object.values(OPS)) {
        for (const spec of def.params) {
          if (spec.name in keys) continue;
          keys[spec.name] = spec.type === 'enum' ? spec.values.find((v) => v !== spec.default) : spec.rule === 'uint32' || spec.rule === 'axis' ? 1 : 0.375;
        }
      }
      return keys;
    };
    const calls = (be: Backend): Promise<unknown>[] => {
      const x = tensor([-2, -0.5, 0, 0.25, 1.5, 3]);
      const m = tensor([1, -2, 3, 0.5, -1, 2], [2, 3]);
      const w = { w1: tensor(normals(12, 14), [3, 4]), w2: tensor(normals(8, 15), [4, 2]) };
      const ops = Object.values(OPS).filter((d) => d.kind === 'unary' || d.kind === 'noisy').map((d) => d.name);
      return [
        ...ops.map((op) => be.forward(op, x)),
        ...ops.map((op) => be.gradient(op, x, tensor([1, 1, 1, 1, 1, 1]))),
        be.forward('prelu', [x, tensor([0.25])]),
        be.forward('swiglu', [x, x]),
        be.matmul(m, tensor(normals(6, 16), [3, 2])),
        be.ffn(m, w),
        be.ffnBackward(m, w, tensor([1, 0, 0, 1], [2, 2])),
      ];
    };
    const settle = async (ps: Promise<unknown>[]): Promise<unknown[]> =>
      Promise.all(ps.map((p) => p.then((r) => ({ keys: Object.keys(r as object).sort(), values: fingerprint(r as Tensor) }), (e: unknown) => ({ error: String(e) }))));

    it('every op, matmul, ffn and ffnBackward give the same bits with and without polluted keys', async () => {
      const clean = await settle(calls(b()));
      const keys = pollution();
      const proto = Object.prototype as Record<string, unknown>;
      const before = Object.keys(keys).filter((k) => k in proto);
      expect(before, 'the test runs on an unpolluted Object.prototype').toEqual([]);
      let polluted: unknown[];
      try {
        for (const [k, v] of Object.entries(keys)) proto[k] = v; // as `Object.prototype.alpha = …` does: enumerable, inherited by every object
        polluted = await settle(calls(b()));
      } finally {
        for (const k of Object.keys(keys)) delete proto[k];
      }
      expect(polluted).toEqual(clean);
    });
  });
}
