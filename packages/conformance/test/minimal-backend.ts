/**
 * The smallest backend Rectifier takes: relu (forward and gradient) and a 2-D matmul, in plain
 * JavaScript. Everything else comes from core: BackendBase validates every call, answers empty
 * dims and batch dims, refuses every op it does not declare (`capabilities.ops`) with
 * `UNSUPPORTED_OP`, and composes the FFN block, its gradients and the activation statistics from
 * these three kernels. `minimal-backend.test.ts` runs the whole conformance suite on it.
 *
 * A template for a new backend: copy it, replace the loops with your device's kernels, add ops to
 * `ops` as you write them, and run the suite after each.
 */
import {
  allocate, BackendBase, MAX_TENSOR_ELEMENTS, Tensor,
  type Capabilities, type GradientCall, type Kernels, type MatmulCall, type OpCall,
} from '@rectifier/core';

/** What the minimal backend declares: relu only; both dtypes, sums in float64, IEEE values kept. */
export const MINIMAL_CAPABILITIES: Capabilities = Object.freeze({
  ops: Object.freeze(['relu'] as const),
  dtypes: Object.freeze(['float32', 'float64'] as const),
  sync: true, // the kernels below answer at once, so `backend.sync` is offered
  ulp: Object.freeze({ float32: 0, float64: 0 }), // relu only selects: exact
  accumulation: 'float64', // a JavaScript number sums each dot product
  signedZeros: true,
  nonFinite: true,
  subnormals: true,
  maxElements: MAX_TENSOR_ELEMENTS,
});

/** relu and matmul on validated calls (BackendBase sends only ops in `ops`, and only 2-D, non-empty products). */
class MinimalKernels implements Kernels {
  /** relu(x) = max(x, 0), with relu(−0) = +0 and NaN kept. */
  forward(call: OpCall): Tensor {
    const x = call.inputs[0].data;
    const y = allocate(call.dtype, x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : x[i] <= 0 ? 0 : x[i];
    return new Tensor(y, call.outShape);
  }

  /** relu′(x)·dy, where relu′ is 1 for x > 0, 0 for x ≤ 0 (whatever dy is: 0·∞ is 0 here) and NaN for NaN. */
  gradient(call: GradientCall): Tensor[] {
    const x = call.inputs[0].data;
    const dy = call.dy.data;
    const dx = allocate(call.dtype, x.length);
    for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : x[i] <= 0 ? 0 : NaN;
    return [new Tensor(dx, call.inputs[0].shape)];
  }

  /** C[m, n] = op(A)·op(B), each sum in float64 and rounded once to the call's dtype. */
  matmul(c: MatmulCall): Tensor {
    const { m, k, n } = c;
    const a = c.a.data;
    const b = c.b.data;
    // op(A)[i, p] = a[i·sA0 + p·sA1]: A is [m, k], or [k, m] read transposed.
    const [sA0, sA1] = c.transposeA ? [1, m] : [k, 1];
    const [sB0, sB1] = c.transposeB ? [1, k] : [n, 1];
    const out = allocate(c.dtype, m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a[i * sA0 + p * sA1] * b[p * sB0 + j * sB1];
        out[i * n + j] = s;
      }
    }
    return new Tensor(out, [m, n]);
  }
}

/** The minimal backend: relu and matmul; FFN, its gradients and statistics by BackendBase's defaults. */
export class MinimalBackend extends BackendBase {
  readonly name = 'minimal';
  readonly capabilities = MINIMAL_CAPABILITIES;
  protected readonly kernels = new MinimalKernels();
}
