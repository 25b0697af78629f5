/**
 * Spot values from the definitions (DESIGN.md §3: relu(−0) = +0, mish′(0) = 0.6, elu(−∞) = −α, …),
 * independent of the reference code.
 */
import { OPS, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches } from '../assertions.js';
import { compareUlp } from '../compare.js';
import { SPEC_VALUES } from '../inputs.js';
import { expectUnsupportedOp, offers } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the spot-value section. */
export function definitionValuesSection(ctx: SuiteContext): void {
  const { backend, dtypes, withDtype, forwardTolerance, forward, gradient, ulpCheck } = ctx;
  describe('values from the definitions (DESIGN.md §3)', () => {
    for (const dtype of dtypes) {
      it(`spot values, ${dtype}`, async () => {
        await withDtype(dtype, async () => {
          for (const s of SPEC_VALUES) {
            if (!offers(backend(), s.op)) {
              await expectUnsupportedOp(backend(), s.op);
              continue;
            }
            const def = OPS[s.op];
            const maxUlp = Math.max(forwardTolerance(def, dtype), def.accuracy === 'exact' ? 0 : 2);
            const x = tensor([s.x], [1], dtype);
            const label = `${s.op}${s.params ? JSON.stringify(s.params) : ''}(${Object.is(s.x, -0) ? '-0' : s.x})`;
            if (s.y !== undefined) {
              const y = await forward(s.op, [x], s.params);
              const bad = ulpCheck(y.data, [s.y], dtype, maxUlp);
              expect(bad, describeMismatches(label, bad)).toEqual([]);
            }
            if (s.dy !== undefined) {
              const [dx] = await gradient(s.op, [x], tensor([1], [1], dtype), s.params);
              const bad = compareUlp(dx.data, [s.dy], dtype, maxUlp + 1, false, () => undefined, undefined, backend().capabilities.subnormals);
              expect(bad, describeMismatches(`${label}′`, bad)).toEqual([]);
            }
          }
        });
      });
    }
  });
}
