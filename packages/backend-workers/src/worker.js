// @ts-check
/**
 * The worker thread's entry: piscina calls the default export once per task (one chunk of a call)
 * and every result is written in place into shared memory, so it returns nothing.
 *
 * Why plain JavaScript: a worker thread is plain Node, which cannot load TypeScript, while the
 * tests run the backend from its .ts sources. As a .js file beside the sources this module is the
 * same file in both worlds: the backend resolves it as `new URL('./worker.js', import.meta.url)`,
 * which is src/worker.js under Vitest and dist/worker.js in the built package (tsc emits it there
 * through `allowJs` in tsconfig.build.json; `checkJs` type-checks it against protocol.ts). Its
 * imports go through the packages' normal `import` condition, i.e. their built dist/ — so the
 * workspace must be built before the tests run (`npm test` does).
 *
 * The kernels are the CPU backend's, imported, not copied: element-wise kernels take global
 * [start, end) ranges, the GEMM any row block, so a chunk computes exactly what the CPU backend
 * computes for those elements or rows, in the same order (float64 results are bit-identical).
 */
import { OPS, Tensor } from '@rectifier/core';
import {
  accumulator, activate, activateBackward, biasedAccumulator, ffnForwardFused, forwardKernel, gemmAccumulate, gradientKernel, inDtype,
  transpose,
} from '@rectifier/backend-cpu/kernels';

/** @typedef {import('@rectifier/core').TypedArray} TypedArray */
/** @typedef {import('@rectifier/core').DType} DType */
/** @typedef {import('@rectifier/core').OpCall} OpCall */
/** @typedef {import('./protocol.js').Task} Task */

/**
 * Rebuilds core's validated call from its cloned description (validated already on the calling
 * thread; the op definition holds functions, so it travels by name).
 * @param {import('./protocol.js').ElementwiseCall} c
 * @returns {OpCall}
 */
function opCall(c) {
  return {
    op: OPS[c.op],
    inputs: c.inputs.map((t) => new Tensor(t.data, t.shape)),
    params: c.params,
    dtype: c.dtype,
    outShape: c.outShape,
    ...(c.prelu === undefined ? {} : { prelu: c.prelu }),
  };
}

/**
 * Tokens [rowStart, rowEnd): the FFN forward pass for those rows, and with `backward` the
 * per-token part of the backward pass (dh, dz, dzv, dx), in the CPU backend's order.
 * @param {import('./protocol.js').FfnRowsTask} t
 */
function ffnRows(t) {
  const c = t.ffn;
  const { d, f, dOut, dtype } = c;
  const r0 = t.rowStart;
  const r1 = t.rowEnd;
  const rows = r1 - r0;
  const x = c.x.subarray(r0 * d, r1 * d);
  if (t.backward === undefined && t.y !== undefined && c.v === undefined) {
    // The forward pass alone: bias and activation fused into the GEMMs, as the CPU backend's ffn does.
    const activation = { name: c.activation, params: c.activationParams };
    const fused = ffnForwardFused(x, c.w1, c.b1, c.w2, c.b2, rows, d, f, dOut, activation, c.sparse);
    if (fused !== undefined) {
      t.h.set(fused.h, r0 * f);
      t.y.set(fused.y, r0 * dOut);
      return;
    }
  }
  const zAcc = biasedAccumulator(rows, f, c.b1, dtype);
  gemmAccumulate(zAcc, x, d, 1, c.w1, rows, d, f, false);
  const z = inDtype(zAcc, dtype);
  /** @type {TypedArray | undefined} */
  let zv;
  if (c.v !== undefined) {
    const vAcc = biasedAccumulator(rows, f, c.bv, dtype);
    gemmAccumulate(vAcc, x, d, 1, c.v, rows, d, f, false);
    zv = inDtype(vAcc, dtype);
  }
  const h = t.h.subarray(r0 * f, r1 * f);
  activate(c.activation, z, zv, h, c.activationParams);
  if (t.y !== undefined) {
    const yAcc = biasedAccumulator(rows, dOut, c.b2, dtype);
    gemmAccumulate(yAcc, h, f, 1, c.w2, rows, f, dOut, c.sparse);
    t.y.set(yAcc, r0 * dOut);
  }
  const bw = t.backward;
  if (bw === undefined) return;
  const g = bw.dy.subarray(r0 * dOut, r1 * dOut);
  const dhAcc = accumulator(dtype, rows * f); // dy·W2ᵀ
  gemmAccumulate(dhAcc, g, dOut, 1, transpose(c.w2, f, dOut), rows, dOut, f, false);
  const dh = inDtype(dhAcc, dtype);
  const dz = bw.dz.subarray(r0 * f, r1 * f);
  const dzv = bw.dzv?.subarray(r0 * f, r1 * f);
  activateBackward(c.activation, z, zv, dh, dz, dzv, c.activationParams);
  const dx = accumulator(dtype, rows * d); // dz·W1ᵀ (+ dzv·Vᵀ)
  gemmAccumulate(dx, dz, f, 1, transpose(c.w1, d, f), rows, f, d, false);
  if (dzv !== undefined && c.v !== undefined) gemmAccumulate(dx, dzv, f, 1, transpose(c.v, d, f), rows, f, d, false);
  bw.dx.set(dx, r0 * d);
}

/**
 * Rows of the weight gradients, each a sum over every token (so each row is one worker's: no
 * cross-thread reduction, and the CPU backend's summation order).
 * @param {import('./protocol.js').FfnWeightsTask} t
 */
function ffnWeights(t) {
  const { x, T, d, f, dOut, dtype } = t.ffn;
  const dRows = t.dEnd - t.dStart;
  if (dRows > 0) {
    const dw1 = accumulator(dtype, dRows * f); // xᵀ·dz
    gemmAccumulate(dw1, x.subarray(t.dStart), 1, d, t.dz, dRows, T, f, false);
    t.dw1.set(dw1, t.dStart * f);
    if (t.dv !== undefined && t.dzv !== undefined) {
      const dv = accumulator(dtype, dRows * f); // xᵀ·dzv
      gemmAccumulate(dv, x.subarray(t.dStart), 1, d, t.dzv, dRows, T, f, false);
      t.dv.set(dv, t.dStart * f);
    }
  }
  const fRows = t.fEnd - t.fStart;
  if (fRows > 0) {
    const dw2 = accumulator(dtype, fRows * dOut); // hᵀ·dy
    gemmAccumulate(dw2, t.h.subarray(t.fStart), 1, f, t.dy, fRows, T, dOut, false);
    t.dw2.set(dw2, t.fStart * dOut);
  }
}

/**
 * @param {Task} task
 * @returns {void}
 */
export default function runTask(task) {
  switch (task.kind) {
    case 'forward':
      forwardKernel(opCall(task.call), task.out, task.start, task.end);
      return;
    case 'gradient': {
      const call = { ...opCall(task.call), dy: new Tensor(task.dy.data, task.dy.shape) };
      gradientKernel(call, [...task.out], task.start, task.end, task.slopeSums);
      return;
    }
    case 'matmul': {
      const { m, k, n, rowStart, rowEnd } = task;
      const [sA0, sA1] = task.transposeA ? [1, m] : [k, 1];
      const b = task.transposeB ? transpose(task.b, n, k) : task.b;
      const acc = accumulator(task.out instanceof Float32Array ? 'float32' : 'float64', (rowEnd - rowStart) * n);
      // Row i of op(A) starts at a[i·sA0]: the block's rows are the same strides from an offset.
      gemmAccumulate(acc, task.a.subarray(rowStart * sA0), sA0, sA1, b, rowEnd - rowStart, k, n, false);
      task.out.set(acc, rowStart * n);
      return;
    }
    case 'ffnRows':
      ffnRows(task);
      return;
    case 'ffnWeights':
      ffnWeights(task);
      return;
    case 'ping':
      return;
    default:
      throw new Error(`unknown task kind ${JSON.stringify(/** @type {{ kind: unknown }} */ (task).kind)}`);
  }
}
