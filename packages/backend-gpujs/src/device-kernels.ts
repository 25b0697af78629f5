/**
 * The gpu.js backend's Kernels (what BackendBase calls after validation): each call runs on the
 * runtime once it is ready, on the call's inputs as they were when the call was made.
 */
import {
  Tensor,
  type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type GradientCall, type Kernels, type MatmulCall, type OpCall,
} from '@rectifier/core';
import { checkParamLimits } from './capabilities.js';
import { float32Tensor, forwardOnDevice, gradientOnDevice } from './elementwise.js';
import { ffnBackwardOnDevice, ffnOnDevice } from './ffn.js';
import { matmulOnDevice } from './matmul.js';
import type { Runtime } from './runtime.js';
import { drive, type Steps } from './steps.js';

export class GpujsKernels implements Kernels {
  readonly #runtime: () => Promise<Runtime>;
  readonly #readyRuntime: () => Runtime | undefined;

  /** `runtime` creates (or awaits) the runtime; `readyRuntime` gives it where it is ready now, else undefined. */
  constructor(runtime: () => Promise<Runtime>, readyRuntime: () => Runtime | undefined) {
    this.#runtime = runtime;
    this.#readyRuntime = readyRuntime;
  }

  /**
   * Runs `compute` on the call's inputs as they are when the call is made. With the runtime ready it
   * runs at once: gpu.js uploads (GL) or reads (webasm, cpu) every input synchronously, so nothing the
   * caller writes after the call reaches the result. Before that (the first call, or the first after
   * a lost context) the call's tensors are copied, then the runtime is awaited. WebGPU kernels answer
   * asynchronously (each step awaits the one before), so there the call's tensors are always copied.
   */
  async #compute<C extends object, T>(call: C, compute: (rt: Runtime, call: C) => Steps<T>): Promise<T> {
    const ready = this.#readyRuntime();
    if (ready !== undefined) return drive(compute(ready, ready.mode === 'webgpu' ? snapshotOf(call) : call));
    const own = snapshotOf(call);
    return drive(compute(await this.#runtime(), own));
  }

  forward(call: OpCall): Promise<Tensor> {
    checkParamLimits(call.op, call.params);
    return this.#compute(call, forwardOnDevice);
  }

  gradient(call: GradientCall): Promise<Tensor[]> {
    checkParamLimits(call.op, call.params);
    return this.#compute(call, gradientOnDevice);
  }

  matmul(call: MatmulCall): Promise<Tensor> {
    return this.#compute(call, function* (rt, c) {
      const out = yield* matmulOnDevice(rt, c.a.data as Float32Array, c.b.data as Float32Array, c.m, c.k, c.n, c.transposeA, c.transposeB);
      return float32Tensor(yield* rt.read(out, c.m * c.n), [c.m, c.n]);
    });
  }

  ffn(call: FfnCall): Promise<FfnResult> {
    checkParamLimits(call.activation, call.activationParams);
    return this.#compute(call, ffnOnDevice);
  }

  ffnBackward(call: FfnBackwardCall): Promise<FfnGradients> {
    checkParamLimits(call.activation, call.activationParams);
    return this.#compute(call, ffnBackwardOnDevice);
  }
}

/** The call with copies of its input tensors (its caller-provided output, `out`, stays the caller's). */
function snapshotOf<C extends object>(call: C): C {
  const copy = (v: unknown): unknown => (v instanceof Tensor ? new Tensor(v.data.slice(), v.shape) : Array.isArray(v) ? v.map(copy) : v);
  return Object.fromEntries(Object.entries(call).map(([k, v]) => [k, k === 'out' ? v : copy(v)])) as C;
}
