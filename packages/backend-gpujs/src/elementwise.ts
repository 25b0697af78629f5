/**
 * The element-wise ops on the device: forward and gradient of every unary and GLU op (the op
 * functions of kernels/ops.ts inside the kernels of kernels/sources.ts), and prelu, crelu and
 * noisy_relu, whose inputs are prepared on the host first.
 */
import { noisyReluInput, Tensor, type GradientCall, type OpCall, type OpName, type ResolvedParams } from '@rectifier/core';
import { elementwiseOp, functionName, gradientFunctionName } from './kernels/ops.js';
import { KERNEL_SOURCES } from './kernels/sources.js';
import type { KernelValue, Runtime } from './runtime.js';
import type { Steps } from './steps.js';

const sizeOf = (shape: readonly number[]): number => shape.reduce((size, extent) => size * extent, 1);

/** A float32 tensor over `data` (no copy). */
export const float32Tensor = (data: Float32Array, shape: readonly number[]): Tensor => new Tensor(data, shape);

/** f(x) of a unary op, or its gradient f′(x)·dy (derivative = true), on an array or a device result. */
export function* unaryOnDevice(rt: Runtime, op: OpName, derivative: boolean, x: Float32Array | KernelValue, params: ResolvedParams, dy?: Float32Array | KernelValue, n?: number): Steps<KernelValue> {
  const e = elementwiseOp(op)!;
  const size = n ?? (x as Float32Array).length;
  if (!derivative) {
    const fn = functionName(op, false);
    return yield* rt.run(`unary:${fn}`, KERNEL_SOURCES.unary(fn), size, [x, ...e.args(params)]);
  }
  const dargs = (e.dargs ?? e.args)(params);
  if (e.grad !== undefined) {
    const gfn = gradientFunctionName(op);
    return yield* rt.run(`grad:${gfn}`, KERNEL_SOURCES.unaryGradElement(gfn), size, [x, dy, ...dargs]);
  }
  const dfn = functionName(op, true);
  return yield* rt.run(`grad:${dfn}`, KERNEL_SOURCES.unaryGrad(dfn, e.gradScaledByP0 === true), size, [x, dy, ...dargs]);
}

/** A GLU op's gradient with respect to the gate, f′(gate)·(dy·value), on the device. */
export function* gluGateGradientOnDevice(
  rt: Runtime, op: OpName, gate: Float32Array | KernelValue, value: Float32Array | KernelValue, dy: Float32Array | KernelValue, params: ResolvedParams, n: number,
): Steps<KernelValue> {
  const e = elementwiseOp(op)!;
  const dfn = functionName(op, true);
  return yield* rt.run(`glu:gate:${dfn}`, KERNEL_SOURCES.gluGate(dfn), n, [gate, value, dy, ...(e.dargs ?? e.args)(params)]);
}

/** A GLU op's gradient with respect to the value, f(gate)·dy, on the device. */
export function* gluValueGradientOnDevice(rt: Runtime, op: OpName, gate: Float32Array | KernelValue, dy: Float32Array | KernelValue, params: ResolvedParams, n: number): Steps<KernelValue> {
  const fn = functionName(op, false);
  return yield* rt.run(`glu:value:${fn}`, KERNEL_SOURCES.gluValue(fn), n, [gate, dy, ...elementwiseOp(op)!.args(params)]);
}

/** A GLU op's forward f(gate)·value on the device. */
export function* gluOnDevice(rt: Runtime, op: OpName, gate: Float32Array | KernelValue, value: Float32Array | KernelValue, params: ResolvedParams, n: number): Steps<KernelValue> {
  const fn = functionName(op, false);
  return yield* rt.run(`glu:${fn}`, KERNEL_SOURCES.glu(fn), n, [gate, value, ...elementwiseOp(op)!.args(params)]);
}

/** An element-wise op's forward pass. */
export function* forwardOnDevice(rt: Runtime, call: OpCall): Steps<Tensor> {
  const n = sizeOf(call.outShape);
  const x = call.inputs[0].data as Float32Array;
  const def = call.op;
  if (n === 0) return float32Tensor(new Float32Array(0), call.outShape);
  switch (def.kind) {
    case 'prelu': {
      const w = expandSlopes(call);
      return float32Tensor(yield* rt.read(yield* rt.run('prelu', KERNEL_SOURCES.prelu, n, [x, w]), n), call.outShape);
    }
    case 'crelu': {
      const lastAxis = call.inputs[0].shape[call.inputs[0].rank - 1];
      return float32Tensor(yield* rt.read(yield* rt.run('crelu', KERNEL_SOURCES.crelu, n, [x, lastAxis]), n), call.outShape);
    }
    case 'noisy': {
      // The noise is core's counter-based generator (32-bit integer hashing, which WebGL1 floats
      // cannot express), so the noisy pre-activation x + std·z is formed on the host in float64
      // and uploaded; the device applies relu. Every backend thus draws the same noise.
      const z = noisyInputs(call);
      return float32Tensor(yield* rt.read(yield* unaryOnDevice(rt, 'relu', false, z, call.params), n), call.outShape);
    }
    case 'glu': {
      const v = call.inputs[1].data as Float32Array;
      return float32Tensor(yield* rt.read(yield* gluOnDevice(rt, def.name, x, v, call.params, n), n), call.outShape);
    }
    default: {
      return float32Tensor(yield* rt.read(yield* unaryOnDevice(rt, def.name, false, x, call.params), n), call.outShape);
    }
  }
}

/** An element-wise op's gradients, one per input. */
export function* gradientOnDevice(rt: Runtime, call: GradientCall): Steps<Tensor[]> {
  const def = call.op;
  const x = call.inputs[0].data as Float32Array;
  const g = call.dy.data as Float32Array;
  const n = x.length;
  const xShape = call.inputs[0].shape;
  if (n === 0) return call.inputs.map((t) => float32Tensor(new Float32Array(t.size), t.shape));
  switch (def.kind) {
    case 'prelu': {
      const w = expandSlopes(call);
      const dx = yield* rt.read(yield* rt.run('prelu:dx', KERNEL_SOURCES.preluDx, n, [x, w, g]), n);
      // ∂/∂w = Σ_{x≤0} x·dy per channel, summed on the host in float64 (float32 terms on the device
      // overflow to ±∞ where the float64 sum is finite, and ∞ − ∞ would give NaN).
      const { channels, inner } = call.prelu!;
      const dw = new Float64Array(channels);
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const term = v !== v ? v : v > 0 || v === 0 ? 0 : v * g[i];
        dw[Math.floor(i / inner) % channels] += term;
      }
      return [float32Tensor(dx, xShape), float32Tensor(Float32Array.from(dw), call.inputs[1].shape)];
    }
    case 'crelu': {
      const lastAxis = xShape[xShape.length - 1];
      return [float32Tensor(yield* rt.read(yield* rt.run('crelu:grad', KERNEL_SOURCES.creluGrad, n, [x, g, lastAxis]), n), xShape)];
    }
    case 'noisy': {
      // relu′ of the noisy input depends only on its sign: the float64 sign is uploaded (1, 0 or NaN), so
      // a noisy input that rounds (or flushes) to 0 in float32 keeps the reference's decision.
      const z = noisyInputs(call, true);
      return [float32Tensor(yield* rt.read(yield* unaryOnDevice(rt, 'relu', true, z, call.params, g), n), xShape)];
    }
    case 'glu': {
      const v = call.inputs[1].data as Float32Array;
      const dgate = yield* rt.read(yield* gluGateGradientOnDevice(rt, def.name, x, v, g, call.params, n), n);
      const dvalue = yield* rt.read(yield* gluValueGradientOnDevice(rt, def.name, x, g, call.params, n), n);
      return [float32Tensor(dgate, xShape), float32Tensor(dvalue, call.inputs[1].shape)];
    }
    default: {
      return [float32Tensor(yield* rt.read(yield* unaryOnDevice(rt, def.name, true, x, call.params, g), n), xShape)];
    }
  }
}

/** One PReLU slope per element of x. */
function expandSlopes(call: OpCall): Float32Array {
  const w = call.inputs[1].data;
  const n = call.inputs[0].size;
  const { channels, inner } = call.prelu!;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = w[Math.floor(i / inner) % channels];
  return out;
}

/** noisy_relu's pre-activation x + std·z per element, in float64 on the host, rounded once. */
function noisyInputs(call: OpCall, signOnly = false): Float32Array {
  const x = call.inputs[0].data;
  const z = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const v = noisyReluInput(x[i], i, call.params);
    z[i] = signOnly ? (v > 0 ? 1 : v !== v ? v : 0) : v;
  }
  return z;
}
