/**
 * Resident tensors (`backend.allocate`, where `capabilities.residentTensors` is declared): the
 * declaration held to allocate's behaviour on every backend; where declared, results on resident
 * tensors bit for bit those on ordinary ones (every declared op: forward, into `out`, in place,
 * gradient; matmul and the FFN), their lifetime (dispose, use after it, twice, the backend's
 * dispose), overlap refused by byte range, and memory that stays bounded over allocate/dispose cycles.
 */
import { ErrorCode, OPS, referenceForward, Tensor, tensor, type Backend, type DType } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode } from '../assertions.js';
import { checksum } from '../compare.js';
import { normals, PARAM_VARIANTS } from '../inputs.js';
import type { SuiteContext } from '../harness.js';

/** A resident copy of `t` (same shape, dtype and values). */
function residentCopy(b: Backend, t: Tensor): Tensor {
  const r = b.allocate(t.shape, t.dtype);
  r.data.set(t.data);
  return r;
}

/** The checksums of a list of tensors. */
const sums = (ts: readonly Tensor[]): string[] => ts.map((t) => checksum(t.data));

/** Defines the resident-tensors section. */
export function residentSection(ctx: SuiteContext): void {
  const { backend, dtypes, supports, opTensors, create } = ctx;
  const declared = (): boolean => backend().capabilities.residentTensors === true;

  describe('resident tensors (backend.allocate)', () => {
    it('allocate answers as capabilities.residentTensors declares', async () => {
      const b = backend();
      const flag = b.capabilities.residentTensors;
      expect(flag === undefined || typeof flag === 'boolean').toBe(true);
      if (!declared()) {
        const e = await expectCode(() => b.allocate([4]), ErrorCode.UnsupportedOp);
        expect(e.op).toBe('allocate');
        expect(e.message, 'names the backend').toContain(b.name);
        return;
      }
      for (const dtype of dtypes) {
        if (!supports(dtype)) {
          await expectCode(() => b.allocate([2], dtype), ErrorCode.UnsupportedDtype);
          continue;
        }
        const t = b.allocate([2, 3], dtype);
        expect(Tensor.isTensor(t)).toBe(true);
        expect([t.dtype, t.shape, Array.from(t.data)]).toEqual([dtype, [2, 3], [0, 0, 0, 0, 0, 0]]);
        t.data.set([1, -2, 3, -4, 5, -6]);
        expect(Array.from(t.data)).toEqual([1, -2, 3, -4, 5, -6]);
        t.dispose();
      }
      const [scalar, empty, plain] = [b.allocate([]), b.allocate([0, 5]), b.allocate([3])];
      expect([scalar.size, empty.size, plain.dtype]).toEqual([1, 0, 'float32']); // float32: the default dtype
      for (const t of [scalar, empty, plain]) t.dispose();
      await expectCode(() => b.allocate([-1]), ErrorCode.BadShape);
      await expectCode(() => b.allocate('x' as never), ErrorCode.BadShape);
      await expectCode(() => b.allocate([2], 'int8' as never), ErrorCode.UnsupportedDtype);
      await expectCode(() => b.allocate([b.capabilities.maxElements + 1]), ErrorCode.TooLarge);
    });

    it('every declared op gives the same bits on resident tensors: forward, into a resident out, in place, gradient', async () => {
      if (!declared()) return;
      const b = backend();
      for (const dtype of dtypes.filter(supports)) {
        for (const op of ctx.ops) {
          const def = OPS[op];
          for (const [v, params] of PARAM_VARIANTS[op].entries()) {
            const what = `${op} ${dtype} ${JSON.stringify(params)}`;
            const inputs = opTensors(def, dtype, 700 + v);
            const outShape = referenceForward(op, inputs, params).shape;
            const dy = tensor(normals(outShape.reduce((a, d) => a * d, 1), 701 + v), outShape, dtype);
            const want = await b.forward(op, inputs, params as never);
            const wantGradients = await b.gradient(op, inputs, dy, params as never);
            const resident = inputs.map((t) => residentCopy(b, t));
            expect(checksum((await b.forward(op, resident, params as never)).data), `${what}: forward`).toBe(checksum(want.data));
            const out = b.allocate(outShape, dtype);
            expect(await b.forward(op, resident, params as never, { out })).toBe(out);
            expect(checksum(out.data), `${what}: into out`).toBe(checksum(want.data));
            const residentDy = residentCopy(b, dy);
            expect(sums(await b.gradient(op, resident, residentDy, params as never)), `${what}: gradient`).toEqual(sums(wantGradients));
            if (def.kind === 'unary' || def.kind === 'noisy' || def.kind === 'prelu') {
              await b.forward(op, resident, params as never, { out: resident[0] }); // in place
              expect(checksum(resident[0].data), `${what}: in place`).toBe(checksum(want.data));
            }
            for (const t of [...resident, out, residentDy]) t.dispose();
          }
        }
      }
    });

    it('matmul, the FFN and its backward pass take resident tensors like any others', async () => {
      if (!declared()) return;
      const b = backend();
      const a = tensor(normals(6 * 5, 710), [6, 5]);
      const w1 = tensor(normals(5 * 8, 711), [5, 8]);
      const w2 = tensor(normals(8 * 5, 712), [8, 5]);
      const dy = tensor(normals(6 * 5, 713), [6, 5]);
      const [ra, rw1, rw2, rdy] = [a, w1, w2, dy].map((t) => residentCopy(b, t));
      expect(checksum((await b.matmul(ra, rw1)).data)).toBe(checksum((await b.matmul(a, w1)).data));
      const ffn = await b.ffn(ra, { w1: rw1, w2: rw2 });
      expect(checksum(ffn.y.data)).toBe(checksum((await b.ffn(a, { w1, w2 })).y.data));
      const grads = await b.ffnBackward(ra, { w1: rw1, w2: rw2 }, rdy);
      const want = await b.ffnBackward(a, { w1, w2 }, dy);
      expect(sums([grads.dx, grads.dw1, grads.dw2])).toEqual(sums([want.dx, want.dw1, want.dw2]));
      for (const t of [ra, rw1, rw2, rdy]) t.dispose();
    });

    it('a disposed resident tensor gives DISPOSED; disposing twice frees nothing a second time', async () => {
      if (!declared()) return;
      const b = backend();
      const t = b.allocate([8]);
      t.dispose();
      expect(t.isDisposed).toBe(true);
      await expectCode(() => t.data, ErrorCode.Disposed);
      await expectCode(b.forward('relu', t), ErrorCode.Disposed);
      await expectCode(b.forward('relu', tensor(new Float32Array(8)), undefined, { out: t }), ErrorCode.Disposed);
      await expectCode(b.matmul(t, tensor([1], [1, 1])), ErrorCode.Disposed);
      // The block goes back once: a tensor allocated after the first dispose keeps its values
      // through the second, and through the allocations that follow it.
      const kept = b.allocate([8]);
      kept.data.set([1, 2, 3, 4, 5, 6, 7, 8]);
      t.dispose();
      const next = [b.allocate([8]), b.allocate([8])];
      for (const n of next) n.data.fill(-1);
      expect(Array.from(kept.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(Array.from((await b.forward('relu', kept)).data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const n of [kept, ...next]) n.dispose();
    });

    it("the backend's dispose disposes every resident tensor it handed out", async () => {
      if (!declared()) return;
      const other = await create();
      await other.ready();
      const t = other.allocate([4]);
      t.data.set([1, -1, 2, -2]);
      await other.dispose();
      expect(t.isDisposed).toBe(true);
      await expectCode(backend().forward('relu', t), ErrorCode.Disposed);
      await expectCode(() => other.allocate([4]), ErrorCode.Disposed);
    });

    it('partially overlapping views of resident memory are refused as out, by byte range, also across the memory growing', async () => {
      if (!declared()) return;
      const b = backend();
      const r = b.allocate([16]);
      const data = r.data as Float32Array;
      r.data.set(normals(16, 720));
      const view = (t: Float32Array, from: number, length: number): Tensor => new Tensor(new Float32Array(t.buffer, t.byteOffset + 4 * from, length), [length]);
      await expectCode(b.forward('relu', view(data, 0, 8), undefined, { out: view(data, 4, 8) }), ErrorCode.BadArgument);
      // A big allocation may grow the memory: its data is then on a newer handle of the same bytes.
      const big = b.allocate([1 << 22]);
      const later = big.data as Float32Array;
      const onLater = (from: number, length: number): Tensor => new Tensor(new Float32Array(later.buffer, data.byteOffset + 4 * from, length), [length]);
      await expectCode(b.forward('relu', view(data, 0, 8), undefined, { out: onLater(2, 8) }), ErrorCode.BadArgument);
      // Exactly the input, through the other handle: an in-place update, which is allowed.
      const want = await b.forward('relu', r);
      const same = onLater(0, 16);
      expect(await b.forward('relu', r, undefined, { out: same })).toBe(same);
      expect(checksum(r.data)).toBe(checksum(want.data));
      big.dispose();
      r.dispose();
    });

    it('memory stays bounded over many allocate/dispose cycles', async () => {
      if (!declared()) return;
      const b = backend();
      const sizes = [1 << 16, 1000, 1 << 18, 77];
      /** The highest byte any block reached (offsets are into the backend's memory). */
      let extent = 0;
      let firstExtent = 0;
      for (let cycle = 0; cycle < 300; cycle++) {
        const ts = sizes.map((n, i) => b.allocate([n * (1 + ((cycle + i) % 2))]));
        for (const t of ts) extent = Math.max(extent, t.data.byteOffset + t.data.byteLength);
        await b.forward('relu', ts[0], undefined, { out: ts[0] });
        for (let i = 0; i < ts.length; i++) ts[(i + cycle) % ts.length].dispose();
        if (cycle === 1) firstExtent = extent;
      }
      const peakBytes = sizes.reduce((a, n) => a + 2 * n * 4, 0);
      expect(extent, 'no block past twice the first cycles\' extent').toBeLessThanOrEqual(Math.max(2 * firstExtent, firstExtent + peakBytes));
    });
  });
}
