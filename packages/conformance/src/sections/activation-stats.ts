/** Activation statistics: exact zeros (±0) per row and per unit, and dead units. */
import { tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import type { SuiteContext } from '../harness.js';

/** Defines the activation statistics section. */
export function activationStatsSection(ctx: SuiteContext): void {
  const { backend } = ctx;
  describe('activation statistics', () => {
    it('counts exact zeros (±0) per row and per unit, and finds dead units', async () => {
      const h = tensor([0, 1, 0, -0, 0, 2, 0, 3, 0, -0, 4, 1e-45], [3, 4]);
      const s = await backend().activationStats(h);
      expect(s.rows).toBe(3);
      expect(s.units).toBe(4);
      expect(s.deadUnits).toEqual([0]);
      expect(s.zeroFraction).toBe(7 / 12);
      expect(Array.from(s.zeroFractionPerRow)).toEqual([3 / 4, 2 / 4, 2 / 4]);
      expect(Array.from(s.zeroFractionPerUnit)).toEqual([1, 1 / 3, 2 / 3, 1 / 3]);
      expect(s.deadFraction).toBe(1 / 4);
      const empty = await backend().activationStats(tensor([], [0, 3]));
      expect(empty.deadUnits).toEqual([]);
      expect(empty.zeroFraction).toBe(0);
    });
  });
}
