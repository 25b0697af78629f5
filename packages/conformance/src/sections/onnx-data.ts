/** ONNX's own operator tests (onnx/backend/test/data/node), mapped to Rectifier's ops. */
import { tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { describeMismatches, expectTensor } from '../assertions.js';
import { compareWithin } from '../compare.js';
import { findOnnxDir, loadOnnxCases, mapOnnxCase } from '../onnx.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Defines the ONNX section. */
export function onnxDataSection(ctx: SuiteContext): void {
  const { backend, options, forward, recorder } = ctx;
  describe('ONNX operator test data (onnx/backend/test/data/node)', () => {
    const dir = options.onnxDir ?? findOnnxDir();
    if (dir === undefined) {
      console.warn('\n!!! [conformance] ONNX peer data not found (RECTIFIER_ONNX_DIR points nowhere, or the package lost fixtures/onnx-node): the ONNX cases are SKIPPED !!!\n');
      it.skip('ONNX peer data not found: SKIPPED', () => undefined);
      return;
    }
    const cases = loadOnnxCases(dir);
    it('has all 48 cases', () => expect(cases.length).toBe(48));
    for (const c of cases) {
      it(c.name, requiring(backend, [mapOnnxCase(c).op], async () => {
        const pc = mapOnnxCase(c);
        const inputs = pc.inputs.map((t) => tensor(t.data, t.shape, 'float32'));
        const y = await forward(pc.op, inputs, pc.params);
        expectTensor(y, pc.expected.shape, 'float32');
        const bad = compareWithin(y.data, pc.expected.data, (i) => pc.atol + pc.rtol * Math.abs(pc.expected.data[i]),
          (abs, ulp) => recorder.record(`onnx/${pc.sourceDtype}/${pc.onnxOp}`, ulp, abs), 'float32');
        expect(bad, describeMismatches(`${c.name} (${pc.op} ${JSON.stringify(pc.params)})`, bad)).toEqual([]);
      }));
    }
  });
}
