/**
 * Matrix products on the device: op(A)·op(B) (+ an accumulator) and the FFN's linear layers
 * (a·w + bias), one thread per output element, inputs as arrays or earlier kernels' results.
 */
import { KERNEL_SOURCES } from './kernels/sources.js';
import type { KernelValue, Runtime } from './runtime.js';
import type { Steps } from './steps.js';

/** Zero-length arrays cannot be textures: an unused operand is a one-element placeholder. */
const nonEmpty = (v: Float32Array | KernelValue): Float32Array | KernelValue => (v instanceof Float32Array && v.length === 0 ? new Float32Array(1) : v);

/** op(A)[m,k]·op(B)[k,n] (+ acc [m,n]) on the device; zero-size products give zeros. */
export function* matmulOnDevice(
  rt: Runtime, a: Float32Array | KernelValue, b: Float32Array | KernelValue, m: number, k: number, n: number,
  transposeA: boolean, transposeB: boolean, acc?: KernelValue, sparse = false,
): Steps<KernelValue> {
  if (m * n === 0) return new Float32Array(0);
  if (k === 0 && acc === undefined) return new Float32Array(m * n);
  const [sA0, sA1] = transposeA ? [1, m] : [k, 1];
  const [sB0, sB1] = transposeB ? [1, k] : [n, 1];
  return yield* rt.run('matmul', KERNEL_SOURCES.matmul, m * n, [nonEmpty(a), nonEmpty(b), acc ?? new Float32Array(1), n, k, sA0, sA1, sB0, sB1, acc === undefined ? 0 : 2, sparse ? 1 : 0]);
}

/** a[rows,k]·w[k,cols] + bias, on the device. */
export function* linear(rt: Runtime, a: Float32Array | KernelValue, w: Float32Array, bias: Float32Array | undefined, rows: number, k: number, cols: number, sparse = false): Steps<KernelValue> {
  return yield* rt.run('matmul', KERNEL_SOURCES.matmul, rows * cols, [nonEmpty(a), nonEmpty(w), bias ?? new Float32Array(1), cols, k, k, 1, cols, 1, bias === undefined ? 0 : 1, sparse ? 1 : 0]);
}
