/**
 * Lifecycle: many concurrent calls agree; the soak keeps heap, RSS and the backend's resources flat;
 * two fresh instances give the same bits; every call after dispose gives DISPOSED. The memory
 * readings are the platform's (src/platform/): a figure the platform cannot read (a browser page
 * has no RSS) is named in the soak's title and report as not measured there, never passed silently.
 */
import { ErrorCode, OPS, RectifierError, tensor, type Backend, type FfnWeights, type OpName, type Tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode } from '../assertions.js';
import { checksum } from '../compare.js';
import { normals, PARAM_VARIANTS } from '../inputs.js';
import { declaredOps, offers, requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';
import { memoryReadings, PLATFORM, readMemory } from '#platform';
import type { MemoryReading } from '../platform/types.js';

/** The soak test's calls per backend, and the growth it allows after its warm-up (MiB). */
export const SOAK_CALLS = 10_000;
export const SOAK_HEAP_BOUND_MIB = 16;
export const SOAK_RSS_BOUND_MIB = 64;

/** The soak's memory figures as its title and assertions name them. */
const MEMORY_FIGURES: Record<keyof MemoryReading, string> = { heapUsed: 'heap', arrayBuffers: 'ArrayBuffers', rss: 'RSS' };

/** How much one memory figure grew (MiB), where both readings have it. */
function growthMiB(before: MemoryReading, after: MemoryReading, figure: keyof MemoryReading): number | undefined {
  const a = before[figure];
  const b = after[figure];
  return a === undefined || b === undefined ? undefined : (b - a) / 2 ** 20;
}

/** Defines the lifecycle section (the soak's figures go to the reliability report). */
export function lifecycleSection(ctx: SuiteContext): void {
  const { backend, create, dtypes, forward, opTensors, options, reliability } = ctx;
  describe('lifecycle', () => {
    const measured = memoryReadings();
    const unmeasured = (Object.keys(MEMORY_FIGURES) as (keyof MemoryReading)[]).filter((k) => !measured[k]);
    const notMeasured = unmeasured.length === 0 ? '' : ` (${unmeasured.map((k) => MEMORY_FIGURES[k]).join(', ')}: not measured in ${PLATFORM})`;
    // Node: "heap, RSS and the backend's resources"; the ArrayBuffers count as heap.
    const bounded = [...(measured.heapUsed ? ['heap'] : []), ...(measured.rss ? ['RSS'] : []), 'the backend\'s resources'];
    const boundedTitle = bounded.length === 1 ? bounded[0] : `${bounded.slice(0, -1).join(', ')} and ${bounded[bounded.length - 1]}`;
    it('stays correct over many calls', requiring(backend, ['gelu'], async () => {
      const x = tensor(normals(1024, 70));
      const expected = checksum((await forward('gelu', [x])).data);
      const tasks: Promise<Tensor>[] = [];
      for (let i = 0; i < 1000; i++) tasks.push(backend().forward('gelu', x));
      const results = await Promise.all(tasks);
      expect(new Set(results.map((r) => checksum(r.data)))).toEqual(new Set([expected]));
    }));

    it(`soak: ${SOAK_CALLS.toLocaleString('en-US')} mixed calls keep ${boundedTitle} flat${notMeasured}`, requiring(backend, ['relu', 'gelu', 'silu', 'leaky_relu', 'softplus', 'mish', 'hardswish', 'tanh', 'prelu'], async () => {
      if (unmeasured.length > 0) console.warn(`[conformance:${ctx.name}] soak${notMeasured}: only the rest is bounded`);
      const x = tensor(normals(257, 71));
      const dyx = tensor(normals(257, 73));
      const m = tensor(normals(16 * 16, 72), [16, 16]);
      const fx = tensor(normals(4 * 8, 74), [4, 8]);
      const w: FfnWeights = { w1: tensor(normals(8 * 12, 75), [8, 12]), b1: tensor(normals(12, 76)), w2: tensor(normals(12 * 5, 77), [12, 5]) };
      const fdy = tensor(normals(4 * 5, 78), [4, 5]);
      const slopes = tensor([0.25]);
      const ops: OpName[] = ['relu', 'gelu', 'silu', 'leaky_relu', 'softplus', 'mish', 'hardswish', 'tanh'];
      const call = async (i: number): Promise<void> => {
        const op = ops[i % ops.length];
        switch (i % 10) {
          case 0: case 1: case 2: { const y = await backend().forward(op, x); if (y.size !== x.size) throw new Error('size'); break; }
          case 3: case 4: { const [dx] = await backend().gradient(op, x, dyx); if (dx.size !== x.size) throw new Error('size'); break; }
          case 5: { const [dx, dw] = await backend().gradient('prelu', [x, slopes], dyx); if (dx.size + dw.size !== 258) throw new Error('size'); break; }
          case 6: { const c = await backend().matmul(m, m, { transposeB: i % 20 === 6 }); if (c.size !== 256) throw new Error('size'); break; }
          case 7: { const r = await backend().ffn(fx, w, { activation: op === 'gelu' ? 'gelu' : 'relu', stats: i % 20 === 7 }); if (r.y.size !== 20) throw new Error('size'); break; }
          case 8: { const g = await backend().ffnBackward(fx, w, fdy); if (g.dx.size !== 32) throw new Error('size'); break; }
          default: {
            if (i % 50 === 9) {
              // a bad input now and then: typed, and nothing kept
              const e = await backend().forward('nope' as OpName, x).then(() => undefined, (err: unknown) => err);
              if (!(e instanceof RectifierError) || e.code !== ErrorCode.UnknownOp) throw new Error(`expected UNKNOWN_OP, got ${String(e)}`);
            } else {
              const s = await backend().activationStats(m);
              if (s.rows !== 16) throw new Error('stats');
            }
          }
        }
      };
      const warmUp = Math.round(SOAK_CALLS / 20);
      const started = Date.now();
      for (let i = 0; i < warmUp; i++) await call(i); // caches, compiled kernels, pools
      const before = await readMemory();
      const resourcesBefore = options.resources?.(backend());
      for (let i = warmUp; i < SOAK_CALLS; i++) await call(i);
      const after = await readMemory();
      const resourcesAfter = options.resources?.(backend());
      const soak = {
        calls: SOAK_CALLS, warmUp, seconds: (Date.now() - started) / 1000,
        heapGrowthMiB: growthMiB(before, after, 'heapUsed'),
        arrayBufferGrowthMiB: growthMiB(before, after, 'arrayBuffers'),
        rssGrowthMiB: growthMiB(before, after, 'rss'),
        ...(unmeasured.length === 0 ? {} : { notMeasured: unmeasured }),
        ...(resourcesBefore === undefined ? {} : { resources: { before: resourcesBefore, after: resourcesAfter } }),
      };
      reliability.soak = soak;
      // Each call allocates ≥ 1 KB of outputs: 9,500 calls that were kept would be ≥ 10 MB.
      // Each bound where the platform reads the figure (Node: all three); a reading it declares but
      // did not give is undefined and fails the comparison.
      if (measured.heapUsed) expect(soak.heapGrowthMiB, 'heap growth after GC (MiB)').toBeLessThan(SOAK_HEAP_BOUND_MIB);
      if (measured.arrayBuffers) expect(soak.arrayBufferGrowthMiB, 'ArrayBuffer growth after GC (MiB)').toBeLessThan(SOAK_HEAP_BOUND_MIB);
      if (measured.rss) expect(soak.rssGrowthMiB, 'RSS growth (MiB)').toBeLessThan(SOAK_RSS_BOUND_MIB);
      if (resourcesBefore !== undefined) expect(resourcesAfter, 'GPU textures, compiled kernels, worker threads').toEqual(resourcesBefore);
    }), 600_000);

    it('is deterministic: two fresh instances give the same bits for every op (forward and gradient), seeded noisy_relu, matmul and FFN', async () => {
      const one = await create();
      const two = await create();
      try {
        await one.ready();
        await two.ready();
        // NaN payloads are not values: checksum hashes every NaN alike.
        const bits = (t: Tensor): string => checksum(t.data);
        const run = async (be: Backend): Promise<string[]> => {
          const out: string[] = [];
          for (const dtype of be.capabilities.dtypes.filter((d) => dtypes.includes(d))) {
            for (const op of declaredOps(be)) {
              const def = OPS[op];
              const params = def.kind === 'noisy' ? { seed: 12345 } : PARAM_VARIANTS[op][PARAM_VARIANTS[op].length - 1];
              const inputs = opTensors(def, dtype, 500);
              const y = await be.forward(op, inputs, params as never);
              const dy = tensor(normals(y.size, 501), y.shape, dtype);
              out.push(`${op}/${dtype}: ${bits(y)} ${(await be.gradient(op, inputs, dy, params as never)).map(bits).join(' ')}`);
            }
            const a = tensor(normals(33 * 17, 502), [33, 17], dtype);
            const c = tensor(normals(17 * 9, 503), [17, 9], dtype);
            out.push(`matmul/${dtype}: ${bits(await be.matmul(a, c))}`);
            const w: FfnWeights = { w1: tensor(normals(17 * 24, 504), [17, 24], dtype), b1: tensor(normals(24, 505), [24], dtype), w2: tensor(normals(24 * 9, 506), [24, 9], dtype) };
            const activation = offers(be, 'gelu') ? 'gelu' : 'relu';
            const r = await be.ffn(a, w, { activation, returnHidden: true });
            const g = await be.ffnBackward(a, w, tensor(normals(33 * 9, 507), [33, 9], dtype), { activation });
            out.push(`ffn/${dtype}: ${bits(r.y)} ${bits(r.hidden!)} ${[g.dx, g.dw1, g.dw2, g.db1!].map(bits).join(' ')}`);
          }
          return out;
        };
        const first = await run(one);
        expect(await run(two)).toEqual(first);
      } finally {
        await one.dispose();
        await two.dispose();
      }
    });

    it('rejects every call after dispose with DISPOSED, and dispose is idempotent', async () => {
      const own = await create();
      await own.ready();
      const x = tensor([1, -1]);
      const m = tensor([1], [1, 1]);
      await own.dispose();
      await own.dispose();
      expect(own.isDisposed).toBe(true);
      await expectCode(own.forward('relu', x), ErrorCode.Disposed);
      await expectCode(own.gradient('relu', x, x), ErrorCode.Disposed);
      await expectCode(own.matmul(m, m), ErrorCode.Disposed);
      await expectCode(own.ffn(m, { w1: m, w2: m }), ErrorCode.Disposed);
      await expectCode(own.ffnBackward(m, { w1: m, w2: m }, m), ErrorCode.Disposed);
      await expectCode(own.activationStats(m), ErrorCode.Disposed);
      await expectCode(own.ready(), ErrorCode.Disposed);
      if (own.capabilities.sync) await expectCode(() => own.sync!.forward('relu', x), ErrorCode.Disposed);
    });
  });
}
