import {
  activationStatsOf, allocate, BackendBase, MAX_TENSOR_ELEMENTS, Tensor,
  type Capabilities, type DType, type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type GradientCall, type Kernels, type MatmulCall, type OpCall, type SyncBackend, type TypedArray,
} from '@rectifier/core';
import { activate, activateBackward, forwardKernel, gradientKernel } from './kernels/elementwise.js';
import {
  accumulator, biasedAccumulator, ffnForwardFused, FLOAT32_ACCUMULATION, gemmAccumulate, inDtype, transpose, type Accumulator,
} from './kernels/matmul.js';

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
});

/** An accumulator as a tensor of the call's dtype. */
function fromAccumulator(acc: Accumulator, shape: readonly number[], dtype: DType): Tensor {
  return new Tensor(inDtype(acc, dtype), shape);
}

function columnSums(m: TypedArray, rows: number, cols: number): Float64Array {
  const s = new Float64Array(cols);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) s[j] += m[r * cols + j];
  return s;
}

export interface CpuFfnForward {
  z: TypedArray;
  zv: TypedArray | undefined;
  h: TypedArray;
  y: Tensor;
}

/** The CPU kernels on validated calls (exported for backends that reuse them on part of the work). */
export class CpuKernels implements Kernels {
  forward(call: OpCall): Tensor {
    if (call.out !== undefined) {
      forwardKernel(call, call.out.data);
      return call.out;
    }
    const y = allocate(call.dtype, call.outShape.reduce((a, b) => a * b, 1));
    forwardKernel(call, y);
    return new Tensor(y, call.outShape);
  }

  gradient(call: GradientCall): Tensor[] {
    const out = call.inputs.map((t) => allocate(call.dtype, t.size));
    gradientKernel(call, out);
    return out.map((d, i) => new Tensor(d, call.inputs[i].shape));
  }

  matmul(c: MatmulCall): Tensor {
    const acc = accumulator(c.dtype, c.m * c.n);
    const [sA0, sA1] = c.transposeA ? [1, c.m] : [c.k, 1];
    const b = c.transposeB ? transpose(c.b.data, c.n, c.k) : c.b.data;
    gemmAccumulate(acc, c.a.data, sA0, sA1, b, c.m, c.k, c.n, false);
    return fromAccumulator(acc, [c.m, c.n], c.dtype);
  }

  /** The forward pass keeping what the backward pass needs. Intermediates are stored in the call's dtype. */
  ffnForward(c: FfnCall): CpuFfnForward {
    const { T, d, f, dOut, dtype } = c;
    const zAcc = biasedAccumulator(T, f, c.b1?.data, dtype);
    gemmAccumulate(zAcc, c.x.data, d, 1, c.w1.data, T, d, f, false);
    const z = inDtype(zAcc, dtype);
    let zv: TypedArray | undefined;
    if (c.v !== undefined) {
      const vAcc = biasedAccumulator(T, f, c.bv?.data, dtype);
      gemmAccumulate(vAcc, c.x.data, d, 1, c.v.data, T, d, f, false);
      zv = inDtype(vAcc, dtype);
    }
    const h = allocate(dtype, T * f);
    activate(c.activation.name, z, zv, h, c.activationParams);
    const yAcc = biasedAccumulator(T, dOut, c.b2?.data, dtype);
    gemmAccumulate(yAcc, h, f, 1, c.w2.data, T, f, dOut, c.sparse);
    return { z, zv, h, y: fromAccumulator(yAcc, [T, dOut], dtype) };
  }

  ffn(c: FfnCall): FfnResult {
    const { h, y } = this.#ffnForwardOnly(c);
    return {
      y,
      ...(c.returnHidden ? { hidden: new Tensor(h, [c.T, c.f]) } : {}),
      ...(c.stats ? { stats: activationStatsOf(h, c.T, c.f) } : {}),
    };
  }

  /** h and y without a backward pass: z is not kept, so the bias and activation fuse into the GEMMs where they can (same bits). */
  #ffnForwardOnly(c: FfnCall): { h: TypedArray; y: Tensor } {
    const activation = { name: c.activation.name, params: c.activationParams };
    const fused = c.v === undefined
      ? ffnForwardFused(c.x.data, c.w1.data, c.b1?.data, c.w2.data, c.b2?.data, c.T, c.d, c.f, c.dOut, activation, c.sparse)
      : undefined;
    if (fused !== undefined) return { h: fused.h, y: new Tensor(fused.y, [c.T, c.dOut]) };
    const { h, y } = this.ffnForward(c);
    return { h, y };
  }

  ffnBackward(c: FfnBackwardCall): FfnGradients {
    const { T, d, f, dOut, dtype } = c;
    const fw = this.ffnForward(c);
    const g = c.dy.data;
    const round = (acc: Accumulator, shape: number[]): Tensor => fromAccumulator(acc, shape, dtype);

    const dhAcc = accumulator(dtype, T * f); // dy·W2ᵀ
    gemmAccumulate(dhAcc, g, dOut, 1, transpose(c.w2.data, f, dOut), T, dOut, f, false);
    const dh = inDtype(dhAcc, dtype);
    const dw2 = accumulator(dtype, f * dOut); // hᵀ·dy
    gemmAccumulate(dw2, fw.h, 1, f, g, f, T, dOut, false);

    const dz = allocate(dtype, T * f);
    const dzv = fw.zv === undefined ? undefined : allocate(dtype, T * f);
    activateBackward(c.activation.name, fw.z, fw.zv, dh, dz, dzv, c.activationParams);

    const dw1 = accumulator(dtype, d * f); // xᵀ·dz
    gemmAccumulate(dw1, c.x.data, 1, d, dz, d, T, f, false);
    const dx = accumulator(dtype, T * d); // dz·W1ᵀ (+ dzv·Vᵀ)
    gemmAccumulate(dx, dz, f, 1, transpose(c.w1.data, d, f), T, f, d, false);
    let dv: Accumulator | undefined;
    if (dzv !== undefined) {
      dv = accumulator(dtype, d * f);
      gemmAccumulate(dv, c.x.data, 1, d, dzv, d, T, f, false);
      gemmAccumulate(dx, dzv, f, 1, transpose(c.v!.data, d, f), T, f, d, false);
    }
    return {
      dx: round(dx, [T, d]),
      dw1: round(dw1, [d, f]),
      dw2: round(dw2, [f, dOut]),
      ...(c.b1 ? { db1: round(columnSums(dz, T, f), [f]) } : {}),
      ...(c.b2 ? { db2: round(columnSums(g, T, dOut), [dOut]) } : {}),
      ...(dv ? { dv: round(dv, [d, f]) } : {}),
      ...(dzv && c.bv ? { dbv: round(columnSums(dzv, T, f), [f]) } : {}),
    };
  }
}

/** The CPU backend: typed-array kernels on the calling thread, float32 and float64, sync and async. */
export class CpuBackend extends BackendBase {
  readonly name = 'cpu';
  readonly capabilities = CPU_CAPABILITIES;
  protected readonly kernels: Kernels = new CpuKernels();

  /** The CPU backend always answers synchronously. */
  override get sync(): SyncBackend {
    return super.sync!;
  }
}
