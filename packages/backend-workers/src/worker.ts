/**
 * The worker thread's entry: piscina calls the default export once per task (one chunk of a call)
 * and every result is written in place into shared memory, so it returns nothing.
 *
 * A worker thread is plain Node, which cannot load TypeScript, so the threads always run the
 * built dist/worker.js (through dist/worker-entry.cjs, which pool.ts resolves), also while the tests run the rest of the backend
 * from its .ts sources. Its imports go through the packages' normal `import` condition, i.e.
 * their built dist/ — so the workspace must be built before the tests run (`npm test` does).
 *
 * The kernels are the CPU backend's, imported, not copied: element-wise kernels take global
 * [start, end) ranges, matmul and the FFN a block of rows, so a chunk computes exactly what the
 * CPU backend computes for those elements or rows, in the same order (results are bit-identical).
 */
import { OPS, Tensor, type OpCall } from '@rectifier/core';
import {
  ffnBackwardRows, ffnForwardRows, ffnWeightGradientRows, forwardKernel, gradientKernel, matmulRows,
} from '@rectifier/backend-cpu/kernels';
import type { ElementwiseCall, FfnWeightsTask, Task } from './protocol.js';

/**
 * Rebuilds core's validated call from its cloned description (validated already on the calling
 * thread; the op definition holds functions, so it travels by name).
 */
function opCall(c: ElementwiseCall): OpCall {
  return {
    op: OPS[c.op],
    inputs: c.inputs.map((t) => new Tensor(t.data, t.shape)),
    params: c.params,
    dtype: c.dtype,
    outShape: c.outShape,
    ...(c.prelu === undefined ? {} : { prelu: c.prelu }),
  };
}

/** This worker's rows of the weight gradients, stored at their rows of the shared results. */
function ffnWeights(t: FfnWeightsTask): void {
  const { dw1, dv, dw2 } = ffnWeightGradientRows(t.ffn, t, [t.dStart, t.dEnd], [t.fStart, t.fEnd]);
  t.dw1.set(dw1, t.dStart * t.ffn.f);
  if (dv !== undefined) t.dv?.set(dv, t.dStart * t.ffn.f);
  t.dw2.set(dw2, t.fStart * t.ffn.dOut);
}

/** Runs one task (piscina's entry point). */
export default function runTask(task: Task): void {
  switch (task.kind) {
    case 'forward':
      forwardKernel(opCall(task.call), task.out, task.start, task.end);
      return;
    case 'gradient': {
      const call = { ...opCall(task.call), dy: new Tensor(task.dy.data, task.dy.shape) };
      gradientKernel(call, [...task.out], task.start, task.end, task.slopeSums);
      return;
    }
    case 'matmul':
      task.out.set(matmulRows(task, task.rowStart, task.rowEnd), task.rowStart * task.n);
      return;
    case 'ffnForward':
      task.y.set(ffnForwardRows(task.ffn, task.rowStart, task.rowEnd, task.h), task.rowStart * task.ffn.dOut);
      return;
    case 'ffnBackwardRows':
      task.dx.set(ffnBackwardRows(task.ffn, task.rowStart, task.rowEnd, task.dy, task), task.rowStart * task.ffn.d);
      return;
    case 'ffnWeights':
      ffnWeights(task);
      return;
    case 'ping':
      return;
    default:
      throw new Error(`unknown task kind ${JSON.stringify((task satisfies never as { kind: unknown }).kind)}`);
  }
}
