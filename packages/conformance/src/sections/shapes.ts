/**
 * Shapes from empty and rank 0 to sizes that fit no chunk or tile, for a representative op of each
 * kind; crelu refuses rank 0.
 */
import { ErrorCode, OPS, referenceForward, tensor, type OpName } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches, expectCode, expectTensor } from '../assertions.js';
import { normals } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the shapes section. */
export function shapesSection(ctx: SuiteContext): void {
  const { backend, forward, gradient, ulpCheck, forwardTolerance } = ctx;
  describe('shapes', () => {
    const shapes: number[][] = [[], [0], [1], [7], [2, 3], [3, 0, 2], [1, 1, 1, 1], [1023], [4099], [3, 5, 67]];
    for (const op of ['relu', 'gelu', 'leaky_relu', 'crelu', 'prelu', 'swiglu'] as OpName[]) {
      it(`${op} on every shape from empty to sizes that fit no chunk or tile`, requiring(backend, [op], async () => {
        const def = OPS[op];
        for (const shape of shapes) {
          if (def.kind === 'crelu' && shape.length === 0) {
            await expectCode(backend().forward(op, tensor([1], [])), ErrorCode.BadShape);
            continue;
          }
          const size = shape.reduce((a, c) => a * c, 1);
          const x = tensor(normals(size, size), shape);
          const inputs = def.kind === 'glu' ? [x, tensor(normals(size, 7), shape)] : def.kind === 'prelu' ? [x, tensor([0.2])] : [x];
          const y = await forward(op, inputs);
          const ref = referenceForward(op, inputs);
          expectTensor(y, ref.shape, 'float32');
          const bad = ulpCheck(y.data, ref.data, 'float32', forwardTolerance(def, 'float32'));
          expect(bad, describeMismatches(`${op} [${shape.join(', ')}]`, bad)).toEqual([]);
          const dy = tensor(normals(y.size, 3), y.shape);
          const grads = await gradient(op, inputs, dy);
          grads.forEach((g, i) => expectTensor(g, inputs[i].shape, 'float32'));
        }
      }));
    }
  });
}
