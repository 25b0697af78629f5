/**
 * PReLU's weight layouts: one scalar slope, per channel on axis 1 (PyTorch), on another axis, one
 * per element (ONNX), and the refusal of a weight that fits none.
 */
import { ErrorCode, referenceForward, referenceGradient, tensor, type Tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { expectCode, expectTensor } from '../assertions.js';
import { compareWithin } from '../compare.js';
import { normals } from '../inputs.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the PReLU layout section. */
export function preluLayoutsSection(ctx: SuiteContext): void {
  const { backend, forward, gradient, ulpCheck } = ctx;
  describe('prelu weight layouts', () => {
    const x = tensor(normals(2 * 3 * 4, 21), [2, 3, 4]);
    const layouts: [string, Tensor, object][] = [
      ['one scalar slope', tensor([0.25]), {}],
      ['per channel on axis 1 (PyTorch)', tensor([0.1, -0.5, 2]), {}],
      ['per channel on the last axis (axis -1)', tensor([0.1, 0.2, 0.3, 0.4]), { axis: -1 }],
      ['per channel on axis 0', tensor([3, -3]), { axis: 0 }],
      ['one slope per element (ONNX full shape)', tensor(normals(24, 22), [2, 3, 4]), {}],
    ];
    for (const [label, w, params] of layouts) {
      it(label, requiring(backend, ['prelu'], async () => {
        const y = await forward('prelu', [x, w], params);
        const ref = referenceForward('prelu', [x, w], params);
        expect(ulpCheck(y.data, ref.data, 'float32', 1)).toEqual([]);
        const dy = tensor(normals(24, 23), [2, 3, 4]);
        const [dx, dw] = await gradient('prelu', [x, w], dy, params);
        const [rdx, rdw] = referenceGradient('prelu', [x, w], dy, params);
        expect(ulpCheck(dx.data, rdx.data, 'float32', 2)).toEqual([]);
        expectTensor(dw, w.shape, 'float32');
        expect(compareWithin(dw.data, rdw.data, () => 1e-5)).toEqual([]);
      }));
    }
    it('rejects a weight that fits no layout', requiring(backend, ['prelu'], async () => {
      await expectCode(backend().forward('prelu', [x, tensor([1, 2])]), ErrorCode.DimMismatch);
      await expectCode(backend().forward('prelu', [x, tensor([1, 2, 3])], { axis: 2 }), ErrorCode.DimMismatch);
      await expectCode(backend().forward('prelu', [x, tensor([1, 2, 3])], { axis: 5 }), ErrorCode.DimMismatch);
    }));
  });
}
