/**
 * The declared fast precision (`forward(…, { precision: 'fast' })`, `capabilities.fastPrecision`):
 * the declaration is well formed (ops the backend offers, each bound a finite number of ulps no
 * tighter than the exact path's, which 'fast' may always fall back to); for every declared op and
 * each of its parameter variants, float32 'fast' results are within the declared bound of the exact
 * value on the high-precision fixture (exact.ts's rows), and of core's float64 reference (for float32
 * results the exact value rounded, to ~2^-50) on the suite's inputs, random bit patterns and dense
 * tails down to underflow; special values (NaN, ±∞, ±0, saturation) are the exact path's bit for
 * bit; the sync API and `out` give the same bits. 'fast' on an op without a bound, and on float64,
 * is the exact result bit for bit (NaN payloads aside: `checksum`). Comparisons go through the suite's
 * ulp check and subnormal rule.
 */
import { OP_NAMES, OPS, referenceForward, Tensor, type DType, type OpName } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { checksum, sameValue } from '../compare.js';
import { declaredOps } from '../declared-ops.js';
import { exactValues } from '../exact.js';
import type { SuiteContext } from '../harness.js';
import { EDGE_VALUES, opInputs, PARAM_VARIANTS } from '../inputs.js';

const FAST = { precision: 'fast' } as const;

/** Inputs that reach every branch and tail: the suite's op inputs, every exponent of both signs, a dense grid to underflow. */
function fastInputs(seed: number): number[] {
  const xs = [...opInputs(seed)];
  const bits = new Uint32Array(4096);
  let s = seed >>> 0;
  for (let i = 0; i < bits.length; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; bits[i] = s; }
  xs.push(...new Float32Array(bits.buffer));
  for (let x = -130; x <= 130; x += 1 / 64) xs.push(x);
  return xs;
}

/** The parameter sets checked for an op: its variants (core's OP_TESTING; the defaults first). */
const variantsOf = (op: OpName): readonly object[] => PARAM_VARIANTS[op];

export function fastPrecisionSection(ctx: SuiteContext): void {
  const { backend, supports, inputData, ulpCheck, subnormalContext, recorder, reportKey } = ctx;
  const bounds = (): Readonly<Partial<Record<OpName, { ulp: number }>>> => backend().capabilities.fastPrecision ?? {};
  const declared = (): OpName[] => Object.keys(bounds()) as OpName[];

  /** Forward with 'fast' through the async API, the sync API where declared, and into `out`: one set of bits. */
  const fastForward = async (op: OpName, inputs: Tensor[], params: object): Promise<Tensor> => {
    const b = backend();
    const y = await b.forward(op, inputs, params as never, FAST);
    if (b.capabilities.sync) expect(checksum(b.sync.forward(op, inputs, params as never, FAST).data), 'sync gives the same bits').toBe(checksum(y.data));
    const out = new Tensor(new (y.data.constructor as Float32ArrayConstructor)(y.size).fill(NaN), y.shape);
    expect(await b.forward(op, inputs, params as never, { ...FAST, out })).toBe(out);
    expect(checksum(out.data), 'into out gives the same bits').toBe(checksum(y.data));
    return y;
  };

  describe("precision: 'fast' within the declared bound (capabilities.fastPrecision)", () => {
    it('declares fast bounds only for ops it offers, each a finite number of ulps ≥ its exact bound', () => {
      const c = backend().capabilities;
      if (c.fastPrecision === undefined) return; // no fast kernels: 'fast' computes exactly
      const offered = declaredOps(backend());
      expect(c.dtypes, 'fast bounds are float32 bounds').toContain('float32');
      for (const [op, bound] of Object.entries(c.fastPrecision)) {
        expect(OP_NAMES as readonly string[], `'${op}' is an op of the catalogue`).toContain(op);
        expect(offered, `'${op}' is offered`).toContain(op);
        expect(Number.isFinite(bound!.ulp) && bound!.ulp > 0, `${op}'s bound is a finite positive number`).toBe(true);
        // An op's 'fast' call may run the exact path (a parameter without a fast kernel), so the bound must cover it.
        expect(bound!.ulp, `${op}'s fast bound covers its exact path`).toBeGreaterThanOrEqual(c.ulp.float32 ?? 0);
      }
    });

    it("gives the exact result bit for bit with 'fast' on every op without a fast bound, and on float64", async () => {
      const b = backend();
      for (const op of declaredOps(b)) {
        const def = OPS[op];
        for (const dtype of ['float32', 'float64'] as DType[]) {
          if (!supports(dtype) || (dtype === 'float32' && bounds()[op] !== undefined)) continue;
          const inputs = ctx.opTensors(def, dtype, 91);
          for (const params of variantsOf(op)) {
            const exact = await b.forward(op, inputs, params as never);
            const fast = await b.forward(op, inputs, params as never, FAST);
            expect(checksum(fast.data), `${op} ${JSON.stringify(params)} ${dtype}`).toBe(checksum(exact.data));
          }
        }
      }
    });

    // One test per op of the catalogue; an op without a declared bound has nothing here (above: exact).
    for (const op of OP_NAMES) {
      it(`${op}: float32 'fast' within its declared ulps of the exact value (fixture, reference, tails), specials as the exact path`, async () => {
        const bound = bounds()[op];
        if (bound === undefined || !supports('float32')) return;
        const def = OPS[op];
        const b = backend();
        // The high-precision fixture: correctly rounded float32 values (column 3), as exact.ts reads them.
        for (const config of exactValues().filter((c) => c.op === op && def.kind === 'unary')) {
          const rows = config.rows.filter((r) => r.length === 5);
          const num = (v: number | string): number => (typeof v === 'number' ? v : Number(v));
          const x = inputData('float32', rows.map((r) => num(r[0])));
          const ref = referenceForward(op, [x], config.params).data;
          const want = rows.map((r, i) => { const v = num(r[3]); return v === 0 && ref[i] === 0 ? ref[i] : v; });
          const y = await fastForward(op, [x], config.params);
          const bad = ulpCheck(y.data, want, 'float32', bound.ulp, (u, a, at) => recorder.record(reportKey(op, 'float32', 'fast-vs-exact'), u, a, at), x.data,
            subnormalContext(op, [x], config.params, 'float32', 'forward'));
          expect(bad, `${op} ${JSON.stringify(config.params)} fast vs exact: ${JSON.stringify(bad)}`).toEqual([]);
        }
        for (const params of variantsOf(op)) {
          const inputs = def.kind === 'unary' ? [inputData('float32', fastInputs(17))] : ctx.opTensors(def, 'float32', 17);
          const x = inputs[0];
          const want = referenceForward(op, inputs, params).data;
          const y = await fastForward(op, inputs, params);
          const bad = ulpCheck(y.data, want, 'float32', bound.ulp, (u, a, at) => recorder.record(reportKey(op, 'float32', 'fast-forward'), u, a, at), x.data,
            subnormalContext(op, inputs, params, 'float32', 'forward'));
          expect(bad, `${op} ${JSON.stringify(params)} fast vs reference: ${JSON.stringify(bad)}`).toEqual([]);
          // Special values: where the exact path gives NaN, ±∞, ±0, ±1 or x itself (saturation) on the
          // suite's edge inputs, 'fast' gives the same bits (sign of zero included where declared).
          if (def.kind !== 'unary') continue;
          const edges = inputData('float32', EDGE_VALUES as number[]);
          const exact = (await b.forward(op, [edges], params as never)).data;
          const fast = (await b.forward(op, [edges], params as never, FAST)).data;
          for (let i = 0; i < edges.size; i++) {
            const e = exact[i];
            const special = e !== e || !Number.isFinite(e) || e === 0 || Math.abs(e) === 1 || e === edges.data[i];
            if (special) {
              expect(sameValue(fast[i], e, b.capabilities.signedZeros), `${op} ${JSON.stringify(params)} at x = ${edges.data[i]}: fast ${fast[i]}, exact ${e}`).toBe(true);
            }
          }
        }
      });
    }
  });
}
