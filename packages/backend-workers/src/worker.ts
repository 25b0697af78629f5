/**
 * What a worker runs: the default export, once per task (one chunk of a call); every result is
 * written in place into shared memory, so it returns nothing. `serveTasks` registers it with
 * workerpool (worker-entry.ts does, and the fault tests' fixture with a wrapper around it).
 *
 * In Node a worker thread is plain Node, which cannot load TypeScript, so the threads always run the
 * built dist/worker-entry.js (platform/node.ts resolves it), also while the tests run the rest of the
 * backend from its .ts sources. Its imports go through the packages' normal `import` condition, i.e.
 * their built dist/ — so the workspace must be built before the tests run (`npm test` does). In a
 * page the bundler bundles worker-entry and its imports (platform/browser.ts).
 *
 * The kernels are the CPU backend's, imported, not copied: element-wise kernels take global
 * [start, end) ranges, matmul and the FFN a block of rows, so a chunk computes exactly what the
 * CPU backend computes for those elements or rows, in the same order (results are bit-identical).
 */
import { OPS, Tensor, type OpCall } from '@rectifier/core';
import {
  ffnBackwardRows, ffnForwardRows, ffnWeightGradientRows, forwardKernel, gradientKernel, matmulRows, storeWeightGradientBlocks,
} from '@rectifier/backend-cpu/kernels';
import workerpool from 'workerpool';
import { TASK_METHOD } from './pool.js';
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
    precision: c.precision,
  };
}

/** This worker's rows of the weight gradients, stored at their rows of the shared results. */
function ffnWeights(t: FfnWeightsTask): void {
  const dRange = [t.dStart, t.dEnd] as const;
  const fRange = [t.fStart, t.fEnd] as const;
  storeWeightGradientBlocks(t.ffn, ffnWeightGradientRows(t.ffn, t, dRange, fRange), dRange, fRange, t);
}

/** Runs one task (what the workers serve). */
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

/** Makes this worker serve `run` as the pool's task method (and tells the pool it is ready). */
export function serveTasks(run: (task: Task) => void): void {
  workerpool.worker({ [TASK_METHOD]: run });
}
