/**
 * The FFN on the device: the forward pass z = x·W1 + b1, h = act(z) (⊙ (x·V + bv)), y = h·W2 + b2,
 * and its backward pass, each product and activation a kernel whose results stay on the device
 * (textures on GL) until the next kernel reads them; only the outputs are read back.
 */
import { ffnBiasGradients, ffnGradients, ffnResult, type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult } from '@rectifier/core';
import { gluGateGradientOnDevice, gluOnDevice, gluValueGradientOnDevice, unaryOnDevice } from './elementwise.js';
import { linear, matmulOnDevice } from './matmul.js';
import type { KernelValue, Runtime } from './runtime.js';
import type { Steps } from './steps.js';

interface ForwardValues {
  readonly z: KernelValue;
  readonly zv: KernelValue | undefined;
  readonly h: KernelValue;
  readonly y: KernelValue;
}

/** The forward pass's intermediate and final values, chained as device results. */
function* ffnForwardValues(rt: Runtime, c: FfnCall, sparse: boolean): Steps<ForwardValues> {
  const { T, d, f, dOut } = c;
  const x = c.x.data as Float32Array;
  const z = yield* linear(rt, x, c.w1.data as Float32Array, c.b1?.data as Float32Array | undefined, T, d, f);
  const zv = c.v === undefined ? undefined : yield* linear(rt, x, c.v.data as Float32Array, c.bv?.data as Float32Array | undefined, T, d, f);
  const act = c.activation.name;
  const h = zv === undefined
    ? yield* unaryOnDevice(rt, act, false, z, c.activationParams, undefined, T * f)
    : yield* gluOnDevice(rt, act, z, zv, c.activationParams, T * f);
  const y = yield* linear(rt, h, c.w2.data as Float32Array, c.b2?.data as Float32Array | undefined, T, f, dOut, sparse);
  return { z, zv, h, y };
}

/** The FFN's forward pass: y, and the hidden layer and its stats where asked for. */
export function* ffnOnDevice(rt: Runtime, c: FfnCall): Steps<FfnResult> {
  if (c.T * c.f === 0) {
    // No hidden layer: nothing to run; y is b2 broadcast (a sum over f = 0 terms is 0). With
    // dOut = 0 alone the hidden layer is still computed (it is returned, and counted by stats).
    const y = new Float32Array(c.T * c.dOut);
    if (c.b2) for (let i = 0; i < y.length; i++) y[i] = c.b2.data[i % c.dOut];
    return ffnResult(c, y, new Float32Array(c.T * c.f));
  }
  const fw = yield* ffnForwardValues(rt, c, c.sparse);
  rt.release(fw.z);
  rt.release(fw.zv);
  const y = yield* rt.read(fw.y, c.T * c.dOut);
  let h: Float32Array | undefined;
  if (c.returnHidden || c.stats) h = yield* rt.read(fw.h, c.T * c.f);
  else rt.release(fw.h);
  return ffnResult(c, y, h);
}

/** The FFN's gradients: the forward pass again, then the products of the chain rule. */
export function* ffnBackwardOnDevice(rt: Runtime, c: FfnBackwardCall): Steps<FfnGradients> {
  const { T, d, f, dOut } = c;
  const x = c.x.data as Float32Array;
  const dy = c.dy.data as Float32Array;
  const live: KernelValue[] = [];
  const keep = (v: KernelValue): KernelValue => (live.push(v), v);
  try {
    const fw = yield* ffnForwardValues(rt, c, false);
    keep(fw.z);
    if (fw.zv) keep(fw.zv);
    keep(fw.h);
    rt.release(fw.y);
    const act = c.activation.name;
    // dh = dy·W2ᵀ [T, f]; dW2 = hᵀ·dy [f, dOut]
    const dh = keep(yield* matmulOnDevice(rt, dy, c.w2.data as Float32Array, T, dOut, f, false, true));
    const dw2 = yield* rt.read(yield* matmulOnDevice(rt, fw.h, dy, f, T, dOut, true, false), f * dOut);
    let dz: KernelValue;
    let dzv: KernelValue | undefined;
    if (fw.zv !== undefined) {
      dz = keep(yield* gluGateGradientOnDevice(rt, act, fw.z, fw.zv, dh, c.activationParams, T * f));
      dzv = keep(yield* gluValueGradientOnDevice(rt, act, fw.z, dh, c.activationParams, T * f));
    } else {
      dz = keep(yield* unaryOnDevice(rt, act, true, fw.z, c.activationParams, dh, T * f));
    }
    // dW1 = xᵀ·dz [d, f]; dx = dz·W1ᵀ (+ dzv·Vᵀ) [T, d]
    const dw1 = yield* rt.read(yield* matmulOnDevice(rt, x, dz, d, T, f, true, false), d * f);
    let dxv = yield* matmulOnDevice(rt, dz, c.w1.data as Float32Array, T, f, d, false, true);
    let dv: Float32Array | undefined;
    if (dzv !== undefined) {
      dv = yield* rt.read(yield* matmulOnDevice(rt, x, dzv, d, T, f, true, false), d * f);
      const sum = yield* matmulOnDevice(rt, dzv, c.v!.data as Float32Array, T, f, d, false, true, dxv);
      rt.release(dxv);
      dxv = sum;
    }
    const dx = yield* rt.read(dxv, T * d);
    const ones = new Float32Array(T).fill(1);
    // Bias gradients: column sums on the device (ones·m), read back; core assembles the result. Core
    // asks for each sum synchronously: it gets an array that is filled here, one step per sum.
    const sums: [KernelValue | Float32Array, number, Float32Array][] = [];
    const colSums = (m: KernelValue | Float32Array, cols: number): Float32Array => {
      const out = new Float32Array(cols);
      sums.push([m, cols, out]);
      return out;
    };
    const biases = ffnBiasGradients<KernelValue | Float32Array>(c, { dz, dy, dzv }, colSums);
    for (const [m, cols, out] of sums) out.set(yield* rt.read(yield* matmulOnDevice(rt, ones, m, 1, T, cols, false, false), cols));
    return ffnGradients(c, { dx, dw1, dw2, ...(dv === undefined ? {} : { dv }) }, biases);
  } finally {
    for (const v of live) rt.release(v);
  }
}
