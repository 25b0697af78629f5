/** Rectifier's element-wise ops and FFN block as tfjs operations, with gradients through `tf.customGrad`. */
import type { Backend, FfnOptions, OpNameOrAlias, OpParams } from '@rectifier/core';
import { ErrorCode, RectifierError, describeValue } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs-core';
import { fromTf, syncOf, toTf } from './convert.js';

/**
 * `op` applied by Rectifier to tf.Tensors, as a tfjs operation: the value is `backend.sync.forward`,
 * its gradient (registered with `tf.customGrad`, so `tf.grad`, `tf.variableGrads`, optimizers and
 * `model.fit` see it) is `backend.sync.gradient`. `inputs` is x, or the op's inputs in order
 * (prelu: `[x, weight]`, gradients for both; GLU ops: `[gate, value]`). float32 only; the backend
 * must answer synchronously (the CPU backend), else `SYNC_UNSUPPORTED`. Rectifier's typed errors
 * (unknown op, bad parameter, shapes) come through unchanged.
 */
export function rectifierOp<O extends OpNameOrAlias>(
  backend: Backend, op: O, inputs: tf.Tensor | readonly tf.Tensor[], params?: OpParams<O>,
): tf.Tensor {
  const name = String(op);
  const sync = syncOf(backend, name);
  const single = inputs instanceof tf.Tensor;
  const xs = single ? [inputs] : [...inputs];
  const toRectifier = (ts: readonly tf.Tensor[]) => {
    const r = ts.map((t, i) => fromTf(t, name, single ? 'x' : `inputs[${i}]`));
    return single ? r[0] : r;
  };
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const given = args.slice(0, xs.length) as tf.Tensor[];
    (args[xs.length] as tf.GradSaveFunc)(given);
    return {
      value: toTf(sync.forward(op, toRectifier(given), params)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => sync.gradient(op, toRectifier(saved), fromTf(dy, name, 'dy'), params).map(toTf),
    };
  });
  return f(...xs);
}

/** FFN weights as tf.Tensors: the same names and shapes as Rectifier's `FfnWeights`. */
export interface TfFfnWeights {
  /** `[d, f]` */
  w1: tf.Tensor;
  /** `[f]` */
  b1?: tf.Tensor;
  /** `[f, dOut]` */
  w2: tf.Tensor;
  /** `[dOut]` */
  b2?: tf.Tensor;
  /** `[d, f]`, GLU activations only */
  v?: tf.Tensor;
  /** `[f]`, GLU activations only */
  bv?: tf.Tensor;
}

/** The weights in the order they are handed to `tf.customGrad`, with the name of each one's gradient. */
const FFN_WEIGHTS = [['w1', 'dw1'], ['b1', 'db1'], ['w2', 'dw2'], ['b2', 'db2'], ['v', 'dv'], ['bv', 'dbv']] as const;

/** The FFN options that make sense under tfjs: the result is y alone, so no hidden layer or statistics. */
export type TfFfnOptions = Pick<FfnOptions, 'activation' | 'activationParams' | 'sparse'>;

/**
 * Rectifier's FFN block `act(x·W1 + b1)·W2 + b2` (GLU activations: `act(x·W1 + b1) ⊙ (x·V + bv)`)
 * on tf.Tensors, as one tfjs operation: the value is `backend.sync.ffn`'s y, its gradients with
 * respect to x and every weight given are `backend.sync.ffnBackward`'s (through `tf.customGrad`).
 * x is `[..., d]` (rank ≥ 2). Same backend and dtype rules as {@link rectifierOp}.
 */
export function rectifierFfn(backend: Backend, x: tf.Tensor, weights: TfFfnWeights, options: TfFfnOptions = {}): tf.Tensor {
  const sync = syncOf(backend, 'ffn');
  if (weights === null || typeof weights !== 'object') {
    throw new RectifierError(ErrorCode.BadArgument, { op: 'ffn', argument: 'weights', expected: 'an object { w1, b1?, w2, b2?, v?, bv? } of tf.Tensors', received: describeValue(weights) });
  }
  const present = FFN_WEIGHTS.filter(([k]) => weights[k] !== undefined);
  const toRectifier = (ts: readonly tf.Tensor[]) => ({
    x: fromTf(ts[0], 'ffn', 'x'),
    weights: Object.fromEntries(present.map(([k], i) => [k, fromTf(ts[i + 1], 'ffn', k)])) as never,
  });
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const given = args.slice(0, present.length + 1) as tf.Tensor[];
    (args[present.length + 1] as tf.GradSaveFunc)(given);
    const call = toRectifier(given);
    return {
      value: toTf(sync.ffn(call.x, call.weights, options).y),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const again = toRectifier(saved);
        const g = sync.ffnBackward(again.x, again.weights, fromTf(dy, 'ffn', 'dy'), options);
        return [toTf(g.dx), ...present.map(([, d]) => toTf(g[d]!))];
      },
    };
  });
  return f(x, ...present.map(([k]) => weights[k]!));
}
