/**
 * What the gpu.js backend declares (README.md explains every line): the tensor size and parameter
 * limits its float32 kernels take, and the capabilities of each mode.
 */
import { describeValue, ErrorCode, RectifierError, type Capabilities, type OpDefinition, type ResolvedParams } from '@rectifier/core';
import { MAX_INNER, type GpujsMode, type Runtime } from './runtime.js';

/** The declared maximum tensor size: 2^24 elements (a 4096² texture; float32 indices stay exact below 2^24). */
export const GPUJS_MAX_ELEMENTS = 2 ** 24;

/**
 * The parameters that scale a value (multiply, divide, or enter an exponent) travel to the kernels
 * as float32 numbers, where α·e^x, x/α, 1/β, βx and scale·α are formed: their magnitudes must be 0 or
 * within [1e-12, 1e12] (two of them multiplied stay far inside float32's range). A value beyond
 * (alpha = 1e300, beta = 1e-300, b = 1e39) gives UNSUPPORTED_VALUE. Thresholds and clamp bounds
 * (thresholded_relu, hardshrink, softshrink, hardtanh, softplus's threshold) take every valid value.
 */
const SCALE_RANGE = Object.freeze({ min: 1e-12, max: 1e12 });
export const GPUJS_PARAM_LIMITS: NonNullable<Capabilities['paramLimits']> = Object.freeze({
  elu: { alpha: SCALE_RANGE },
  celu: { alpha: SCALE_RANGE },
  selu: { alpha: SCALE_RANGE, scale: SCALE_RANGE },
  silu: { beta: SCALE_RANGE },
  swiglu: { beta: SCALE_RANGE },
  softplus: { beta: SCALE_RANGE },
  squareplus: { b: SCALE_RANGE },
  hardsigmoid: { alpha: SCALE_RANGE, beta: SCALE_RANGE },
});

/** Refuses a parameter outside GPUJS_PARAM_LIMITS with UNSUPPORTED_VALUE naming it and the range. */
export function checkParamLimits(op: OpDefinition, params: ResolvedParams): void {
  for (const [name, { min, max }] of Object.entries(GPUJS_PARAM_LIMITS[op.name] ?? {})) {
    const v = params[name];
    if (typeof v !== 'number' || v === 0 || !Number.isFinite(v) || (Math.abs(v) >= min && Math.abs(v) <= max)) continue;
    throw new RectifierError(ErrorCode.UnsupportedValue, {
      op: op.name, argument: name, received: describeValue(v),
      expected: `0 or a magnitude within [${min}, ${max}] (capabilities.paramLimits: the gpu.js kernels take this parameter as a float32 number)`,
    });
  }
}

/** What every mode declares alike: float32 only, computed in float32 on the device, NaN/±∞/±0 kept. */
const COMMON_CAPABILITIES = {
  dtypes: Object.freeze(['float32'] as const),
  sync: false,
  ulp: Object.freeze({ float32: 8 }),
  accumulation: 'float32',
  signedZeros: true,
  nonFinite: true,
  maxElements: GPUJS_MAX_ELEMENTS,
  maxInner: MAX_INNER,
  paramLimits: GPUJS_PARAM_LIMITS,
} as const;

/** What each mode declares (README.md explains every line). */
export const GPUJS_CAPABILITIES: Readonly<Record<GpujsMode, Capabilities>> = Object.freeze({
  // The GL device runs with flush-to-zero (llvmpipe; most GPUs): subnormal inputs read as ±0 and
  // subnormal results come back as ±0 (the suite accepts a flushed result where this is false).
  gpu: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: false }),
  // WebGPU before its probe: what WGSL promises (§15.7: subnormals may be flushed, the sign of a
  // zero may be ignored, NaN and ∞ need not be kept); once ready, what the probe measured.
  webgpu: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: false, signedZeros: false, nonFinite: false }),
  webasm: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: true }),
  cpu: Object.freeze({ ...COMMON_CAPABILITIES, subnormals: true }),
});

/**
 * What a ready runtime declares: its mode's fixed set, and for WebGPU the probe's findings
 * (subnormals, signed zeros, NaN and ∞ as the device kept them) and the device's buffer size
 * limit (a tensor is one float32 storage buffer, no texture packing).
 */
export function declaredCapabilities(rt: Runtime): Capabilities {
  const fixed = GPUJS_CAPABILITIES[rt.mode];
  if (rt.probed === undefined) return fixed;
  return Object.freeze({ ...fixed, ...rt.probed, maxElements: Math.min(GPUJS_MAX_ELEMENTS, rt.maxBufferElements) });
}
