/**
 * The messages the calling thread posts to a worker (one per chunk of a call). Every array in a
 * task is a typed array over a SharedArrayBuffer, which structured clone shares rather than copies:
 * a task is a few hundred bytes whatever the tensor size, and the worker writes its results in
 * place. Workers return nothing; every result is already in shared memory when the task resolves.
 *
 * Types only: the calling thread builds these (kernels.ts), the worker (worker.ts) runs them.
 */
import type { OpCall, OpName, TypedArray } from '@rectifier/core';
import type { FfnOperands, MatmulOperands } from '@rectifier/backend-cpu/kernels';

/** A tensor as it travels: shared data plus its shape. */
export interface SharedTensor {
  readonly data: TypedArray;
  readonly shape: readonly number[];
}

/**
 * An element-wise call, as core's OpCall minus the op definition (functions do not clone; the op
 * goes by name) and the caller's `out` (the pool writes a shared output), inputs in shared memory.
 */
export type ElementwiseCall = Pick<OpCall, 'params' | 'dtype' | 'outShape' | 'prelu' | 'precision'> & {
  readonly op: OpName;
  readonly inputs: readonly SharedTensor[];
};

/** forwardKernel over the input elements [start, end) into `out` (the whole output). */
export interface ForwardTask {
  readonly kind: 'forward';
  readonly call: ElementwiseCall;
  readonly out: TypedArray;
  readonly start: number;
  readonly end: number;
}

/** gradientKernel over [start, end); PReLU's slope partial sums of this chunk go to `slopeSums`. */
export interface GradientTask {
  readonly kind: 'gradient';
  readonly call: ElementwiseCall;
  readonly dy: SharedTensor;
  readonly out: readonly TypedArray[];
  readonly start: number;
  readonly end: number;
  readonly slopeSums?: Float64Array;
}

/** Rows [rowStart, rowEnd) of op(A)·op(B) into `out` ([m, n], the call's dtype). */
export interface MatmulTask extends MatmulOperands {
  readonly kind: 'matmul';
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly out: TypedArray;
}

/** Tokens [rowStart, rowEnd) of the forward pass: their hidden rows into `h` ([T, f]; undefined: not wanted), their output rows into `y` ([T, dOut]). */
export interface FfnForwardTask {
  readonly kind: 'ffnForward';
  readonly ffn: FfnOperands;
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly h: TypedArray | undefined;
  readonly y: TypedArray;
}

/**
 * Tokens [rowStart, rowEnd) of the backward pass's per-token part, given dy ([T, dOut]): their rows
 * of h, dz (and dzv) into those shared [T, f] arrays, and of dx into `dx` ([T, d]).
 */
export interface FfnBackwardRowsTask {
  readonly kind: 'ffnBackwardRows';
  readonly ffn: FfnOperands;
  readonly rowStart: number;
  readonly rowEnd: number;
  readonly dy: TypedArray;
  readonly h: TypedArray;
  readonly dz: TypedArray;
  readonly dzv: TypedArray | undefined;
  readonly dx: TypedArray;
}

/**
 * The weight gradients, which sum over every token, split by their own rows instead: rows
 * [dStart, dEnd) of dW1 = xᵀ·dz (and dV = xᵀ·dzv), rows [fStart, fEnd) of dW2 = hᵀ·dy.
 */
export interface FfnWeightsTask {
  readonly kind: 'ffnWeights';
  readonly ffn: FfnOperands;
  readonly h: TypedArray;
  readonly dy: TypedArray;
  readonly dz: TypedArray;
  readonly dzv: TypedArray | undefined;
  readonly dStart: number;
  readonly dEnd: number;
  readonly fStart: number;
  readonly fEnd: number;
  readonly dw1: TypedArray;
  readonly dv: TypedArray | undefined;
  readonly dw2: TypedArray;
}

/** Loads the worker's modules and answers (used by `ready()`). */
export interface PingTask {
  readonly kind: 'ping';
}

export type Task = ForwardTask | GradientTask | MatmulTask | FfnForwardTask | FfnBackwardRowsTask | FfnWeightsTask | PingTask;
