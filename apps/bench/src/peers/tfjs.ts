/** TensorFlow.js as a peer, on its cpu and wasm (SIMD; threads do not work in Node) backends. */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const tf = require('@tensorflow/tfjs-core') as typeof import('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');

/**
 * Runs f in a tidy scope and reads its result out. The read-back happens outside tf.tidy: a typed
 * array returned from tidy is walked element by element as a container of tensors (≈ 40× slower).
 */
function readOut(f: () => import('@tensorflow/tfjs-core').Tensor): Float32Array {
  const t = tf.tidy(f);
  const data = t.dataSync() as Float32Array;
  t.dispose();
  return data;
}

export type TfBackendName = 'cpu' | 'wasm';

export async function useTf(name: TfBackendName): Promise<void> {
  if (tf.getBackend() !== name) {
    await tf.setBackend(name);
    await tf.ready();
  }
  if (tf.getBackend() !== name) throw new Error(`tfjs backend ${name} did not initialise`);
}

type Tf = typeof tf;
type T = import('@tensorflow/tfjs-core').Tensor;

/** The element-wise ops TensorFlow.js has (native kernels, or the composition a user would write). */
export const TF_OPS: Record<string, { fn: (t: Tf, x: T) => T; composite?: boolean }> = {
  relu: { fn: (t, x) => t.relu(x) },
  leaky_relu: { fn: (t, x) => t.leakyRelu(x, 0.01) },
  relu6: { fn: (t, x) => t.relu6(x) },
  sigmoid: { fn: (t, x) => t.sigmoid(x) },
  softplus: { fn: (t, x) => t.softplus(x) },
  silu: { fn: (t, x) => t.mul(x, t.sigmoid(x)), composite: true },
  mish: { fn: (t, x) => t.mul(x, t.tanh(t.softplus(x))), composite: true },
  gelu_tanh: {
    fn: (t, x) => t.mul(t.mul(x, 0.5), t.add(1, t.tanh(t.mul(0.7978845608028654, t.add(x, t.mul(0.044715, t.pow(x, 3))))))),
    composite: true,
  },
  gelu: { fn: (t, x) => t.mul(t.mul(x, 0.5), t.add(1, t.erf(t.mul(x, Math.SQRT1_2)))), composite: true },
};

/** Runs op on x and reads the result back into JS (what a caller needs). */
export function tfUnary(op: string, x: Float32Array): Float32Array {
  const impl = TF_OPS[op];
  return readOut(() => impl.fn(tf, tf.tensor1d(x)));
}

export function tfFfn(x: Float32Array, T: number, d: number, f: number, w: { w1: Float32Array; b1: Float32Array; w2: Float32Array; b2: Float32Array }) {
  const W1 = tf.tensor2d(w.w1, [d, f]);
  const B1 = tf.tensor1d(w.b1);
  const W2 = tf.tensor2d(w.w2, [f, d]);
  const B2 = tf.tensor1d(w.b2);
  return {
    run: () => readOut(() => tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(tf.tensor2d(x, [T, d]), W1), B1)), W2), B2)),
    dispose: () => [W1, B1, W2, B2].forEach((t) => t.dispose()),
  };
}
