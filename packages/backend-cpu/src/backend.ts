import {
  allocate, BackendBase, ffnGradients, ffnResult, MAX_TENSOR_ELEMENTS, Tensor,
  type Capabilities, type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type DType, type GradientCall, type Kernels, type MatmulCall, type OpCall, type SyncBackend, type TypedArray,
} from '@rectifier/core';
import { FAST_BOUNDS, forwardKernel, gradientKernel, WASM_ELEMENTWISE } from './kernels/elementwise.js';
import { ffnBackwardRows, ffnBiasSums, ffnForwardRows, ffnOperands, ffnWeightGradientRows } from './kernels/ffn.js';
import { FLOAT32_ACCUMULATION, inDtype, matmulRows, type Accumulator } from './kernels/matmul.js';
import { residentTensorsAvailable, ResidentTensors } from './resident.js';

/** What the CPU backend declares (the worker backend runs the same kernels and declares the same, but async). */
export const CPU_CAPABILITIES: Capabilities = Object.freeze({
  dtypes: Object.freeze(['float32', 'float64'] as const),
  sync: true,
  // float32 element-wise ops: the WebAssembly kernels (≤ 1 ulp), or float64 arithmetic rounded
  // once on store (0 ulp) where WebAssembly SIMD is missing.
  ulp: Object.freeze({ float32: 1, float64: 2 }),
  // float64 calls always sum in float64; float32 calls in float32 in the WebAssembly GEMM.
  accumulation: FLOAT32_ACCUMULATION,
  signedZeros: true,
  nonFinite: true,
  subnormals: true,
  maxElements: MAX_TENSOR_ELEMENTS,
  // ffnBackward's sparse path skips the zero units (kernels/ffn.ts).
  sparseBackward: true,
  // precision: 'fast' on float32 forward calls: the float32-lane kernels where WebAssembly SIMD runs
  // (kernels/elementwise.ts FAST_BOUNDS); none declared where it does not (every call exact).
  ...(WASM_ELEMENTWISE ? { fastPrecision: FAST_BOUNDS } : {}),
});

let backendCapabilities: Capabilities | undefined;

/**
 * What the CPU backend itself declares: CPU_CAPABILITIES and `residentTensors` where this thread
 * can make a shared WebAssembly memory (not in CPU_CAPABILITIES, which the worker backend shares:
 * its tensors are not kept in a memory of its own).
 */
function cpuBackendCapabilities(): Capabilities {
  backendCapabilities ??= Object.freeze({ ...CPU_CAPABILITIES, residentTensors: residentTensorsAvailable() });
  return backendCapabilities;
}

/** The CPU kernels on validated calls (exported for backends that reuse them on part of the work). */
export class CpuKernels implements Kernels {
  /** @param resident - the backend's resident tensors, whose element-wise calls run unstaged (none for reuse elsewhere). */
  constructor(private readonly resident?: ResidentTensors) {}

  forward(call: OpCall): Tensor {
    if (call.out !== undefined) {
      if (this.resident?.forward(call) !== true) forwardKernel(call, call.out.data);
      return call.out;
    }
    const y = allocate(call.dtype, call.outShape.reduce((size, dim) => size * dim, 1));
    forwardKernel(call, y);
    return new Tensor(y, call.outShape);
  }

  gradient(call: GradientCall): Tensor[] {
    const out = call.inputs.map((t) => allocate(call.dtype, t.size));
    gradientKernel(call, out);
    return out.map((data, i) => new Tensor(data, call.inputs[i].shape));
  }

  matmul(c: MatmulCall): Tensor {
    const product = matmulRows({ ...c, a: c.a.data, b: c.b.data }, 0, c.m);
    return new Tensor(inDtype(product, c.dtype), [c.m, c.n]);
  }

  ffn(c: FfnCall): FfnResult {
    // The hidden layer only where the caller gets it (returnHidden, stats): otherwise the fused
    // path keeps it inside the WebAssembly module and never copies it out.
    const h = c.returnHidden || c.stats ? allocate(c.dtype, c.T * c.f) : undefined;
    const counts = { certified: 0 };
    const y = ffnForwardRows(ffnOperands(c), 0, c.T, h, counts);
    return ffnResult(c, inDtype(y, c.dtype), h, c.certified ? counts.certified : undefined);
  }

  /** Every token at once: the per-token part, then every row of the weight gradients, then the bias sums. */
  ffnBackward(c: FfnBackwardCall): FfnGradients {
    const { T, d, f, dtype } = c;
    const operands = ffnOperands(c);
    const dy = c.dy.data;
    const perToken = { h: allocate(dtype, T * f), dz: allocate(dtype, T * f), dzv: c.v === undefined ? undefined : allocate(dtype, T * f), dy };
    const dx = ffnBackwardRows(operands, 0, T, dy, perToken);
    const { dw1, dv, dw2 } = ffnWeightGradientRows(operands, perToken, [0, d], [0, f]);
    const inCallDtype = (acc: Accumulator): TypedArray => inDtype(acc, dtype);
    return ffnGradients(c, {
      dx: inCallDtype(dx), dw1: inCallDtype(dw1), dw2: inCallDtype(dw2), ...(dv === undefined ? {} : { dv: inCallDtype(dv) }),
    }, ffnBiasSums(c, perToken));
  }
}

/** The CPU backend: typed-array kernels on the calling thread, float32 and float64, sync and async. */
export class CpuBackend extends BackendBase {
  readonly name = 'cpu';
  readonly capabilities = cpuBackendCapabilities();
  readonly #resident = new ResidentTensors();
  protected readonly kernels: Kernels = new CpuKernels(this.#resident);

  /** A resident tensor: a block of this backend's shared WebAssembly memory (see resident.ts). */
  protected override allocateResident(shape: readonly number[], size: number, dtype: DType): Tensor {
    return this.#resident.allocate(shape, size, dtype);
  }

  /** Bytes of this backend's resident memory (0 before the first allocate); it grows to the peak of live resident tensors. */
  get residentMemoryBytes(): number {
    return this.#resident.memoryBytes;
  }

  /** Disposes every resident tensor still live (their memory goes with them). */
  protected override async release(): Promise<void> {
    this.#resident.dispose();
  }

  /** The CPU backend always answers synchronously. */
  override get sync(): SyncBackend {
    return super.sync!;
  }
}
