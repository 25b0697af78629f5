/** Moving tensors between TensorFlow.js and Rectifier, and the one kind of backend that can sit under tfjs. */
import { ErrorCode, RectifierError, Tensor, describeValue, type Backend, type SyncBackend } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs-core';

/**
 * A tf.Tensor's values as a Rectifier tensor of the same shape. tfjs computes in float32, so only
 * float32 tensors are taken (int32, bool, complex64 and string give `UNSUPPORTED_DTYPE`). Reads
 * with `dataSync()`: on a GPU tfjs backend that waits for the GPU.
 */
export function fromTf(t: tf.Tensor, op = 'fromTf', argument = 'x'): Tensor {
  if (!(t instanceof tf.Tensor)) {
    throw new RectifierError(ErrorCode.BadArgument, { op, argument, expected: 'a tf.Tensor', received: describeValue(t) });
  }
  if (t.dtype !== 'float32') {
    throw new RectifierError(ErrorCode.UnsupportedDtype, { op, argument, expected: 'a float32 tf.Tensor', received: `a ${t.dtype} tf.Tensor` });
  }
  // Rectifier never writes its inputs, so tfjs's own buffer is read in place, not copied.
  return new Tensor(t.dataSync() as Float32Array, t.shape);
}

/** A Rectifier tensor as a float32 tf.Tensor of the same shape (float64 values are rounded to float32). */
export function toTf(t: Tensor): tf.Tensor {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
  return tf.tensor(data, [...t.shape], 'float32');
}

/**
 * The backend's synchronous API, which `tf.customGrad` needs (its forward and gradient functions
 * must return tensors, not Promises). A backend without `capabilities.sync` (workers, gpu.js) is
 * refused with `SYNC_UNSUPPORTED`: use the CPU backend (`@rectifier/backend-cpu`) under tfjs, or
 * call the asynchronous backend yourself on `await t.data()` outside tfjs's gradient tape.
 */
export function syncOf(backend: Backend, op: string): SyncBackend {
  if (backend === null || typeof backend !== 'object' || typeof backend.capabilities !== 'object') {
    throw new RectifierError(ErrorCode.BadArgument, { op, argument: 'backend', expected: 'a Rectifier backend', received: describeValue(backend) });
  }
  if (!backend.capabilities.sync) {
    throw new RectifierError(ErrorCode.SyncUnsupported, {
      op, argument: 'backend', expected: 'a backend with capabilities.sync (the CPU backend, @rectifier/backend-cpu)',
      received: `the '${backend.name}' backend, which only answers asynchronously`,
    }, "tf.customGrad needs synchronous forward and gradient functions: use createCpuBackend() under tfjs, or run this backend on `await t.data()` outside tfjs's gradient tape");
  }
  return backend.sync;
}
