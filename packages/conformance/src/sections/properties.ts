/**
 * Properties (fast-check): relu's scale equivariance, relu(x) − relu(−x) = x, idempotence, and
 * monotonicity of the monotonic ops.
 */
import { flushSubnormal, checksum } from '../compare.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MONOTONIC } from '../inputs.js';
import { offers, requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the property section. */
export function propertiesSection(ctx: SuiteContext): void {
  const { backend, forward, inputData } = ctx;
  describe('properties (fast-check)', () => {
    const finite = fc.float({ noNaN: true, noDefaultInfinity: true });
    const vec = fc.array(finite, { minLength: 0, maxLength: 40 });

    it('relu(a·x) = a·relu(x) for a ≥ 0 (scale equivariance, exact)', requiring(backend, ['relu'], async () => {
      await fc.assert(fc.asyncProperty(vec, fc.float({ min: 0, max: 1e3, noNaN: true }), async (xs, a) => {
        // A backend that flushes subnormals gets normal inputs and is compared on flushed products.
        const flush = (v: number): number => (backend().capabilities.subnormals ? v : flushSubnormal(v, 'float32'));
        const x = xs.map((v) => flush(Math.fround(v)));
        const left = await forward('relu', [inputData('float32', x.map((v) => a * v))]);
        const right = (await forward('relu', [inputData('float32', x)])).data.map((v) => flush(Math.fround(a * v)));
        expect(Array.from(left.data)).toEqual(Array.from(right));
      }), { numRuns: 100 });
    }));

    it('relu(x) − relu(−x) = x and relu(relu(x)) = relu(x) (exact)', requiring(backend, ['relu'], async () => {
      await fc.assert(fc.asyncProperty(vec, async (xs) => {
        const x = inputData('float32', xs);
        const pos = await forward('relu', [x]);
        const neg = await forward('relu', [inputData('float32', Array.from(x.data, (v) => -v))]);
        // ±0 compare equal here: relu(−0) − relu(+0) = +0 is the identity's value at x = −0.
        const diff = Array.from(pos.data, (p, i) => p - neg.data[i]);
        expect(diff.every((v, i) => v === x.data[i]), `${diff} vs ${Array.from(x.data)}`).toBe(true);
        const twice = await forward('relu', [pos]);
        expect(checksum(twice.data)).toBe(checksum(pos.data));
      }), { numRuns: 100 });
    }));

    it('monotonic ops are non-decreasing', async () => {
      const ops = [...MONOTONIC].filter((op) => offers(backend(), op)); // the declared ones
      if (ops.length === 0) return;
      await fc.assert(fc.asyncProperty(vec, fc.constantFrom(...ops), async (xs, op) => {
        const sorted = inputData('float32', Array.from(Float32Array.from(xs).sort()));
        const y = await forward(op, [sorted]);
        for (let i = 1; i < y.size; i++) expect(y.data[i], `${op} at ${sorted.data[i - 1]} → ${sorted.data[i]}`).toBeGreaterThanOrEqual(y.data[i - 1]);
      }), { numRuns: 100 });
    });
  });
}
