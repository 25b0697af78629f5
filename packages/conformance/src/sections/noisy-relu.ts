/** noisy_relu: deterministic per seed, different across seeds, relu at sigma = 0. */
import { tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { checksum } from '../compare.js';
import { normals } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the noisy_relu section. */
export function noisyReluSection(ctx: SuiteContext): void {
  const { backend, forward } = ctx;
  describe('noisy_relu', () => {
    it('is deterministic for a seed, varies with it, and equals relu when sigma = 0', requiring(backend, ['noisy_relu', 'relu'], async () => {
      const x = tensor(normals(1000, 31));
      const a = await forward('noisy_relu', [x], { seed: 5 });
      const again = await forward('noisy_relu', [x], { seed: 5 });
      const other = await forward('noisy_relu', [x], { seed: 6 });
      expect(checksum(again.data)).toBe(checksum(a.data));
      expect(checksum(other.data)).not.toBe(checksum(a.data));
      const quiet = await forward('noisy_relu', [x], { sigma: 0 });
      const relu = await forward('relu', [x]);
      expect(checksum(quiet.data)).toBe(checksum(relu.data));
    }));
  });
}
