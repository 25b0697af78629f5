/**
 * Parameters at the extremes of their valid range (1e±300, float32-overflowing values, tiny ones)
 * over inputs that include ±0, ±∞ and NaN: every op with numeric parameters, forward and gradient,
 * against the float64 reference within the backend's declared bound — or, where the backend
 * declares a range for the parameter (`capabilities.paramLimits`), the typed refusal outside it and
 * correct values at its ends.
 */
import {
  ErrorCode, OP_NAMES, OPS, RectifierError, resolveParams, tensor, type Backend, type DType, type OpName, type Tensor,
} from '@rectifier/core';
import { expect, it } from 'vitest';
import { requiring } from './declared-ops.js';
import { normals } from './inputs.js';

/** Extreme parameter magnitudes: beyond float64's float32 range both ways, just past FLT_MAX, and 1e39. */
export const EXTREME_MAGNITUDES: readonly number[] = [1e300, 1e39, 3.5e38, 1e-39, 1e-300];

/** Inputs every extreme parameter is tried on: ±0, ±∞, NaN, tiny, small, large and near-overflow values. */
export const EXTREME_INPUTS: readonly number[] = [
  0, -0, Infinity, -Infinity, NaN, 1e-40, -1e-40, 1e-38, -1e-38, 1e-30, -1e-30, 1e-7, -1e-7, 0.5, -0.5, 1, -1, 2, -2,
  30, -30, 100, -100, 700, -750, 1e10, -1e10, 1e30, -1e30, 3.4e38, -3.4e38,
];

/** The parameters the section varies: numbers with a magnitude (not seeds or axes). */
const MAGNITUDE_RULES = new Set(['finite', 'notNaN', 'positive', 'nonNegative']);

export interface ParamExtremesContext {
  b: () => Backend;
  checkForward: (op: OpName, inputs: Tensor[], params: object, dtype: DType) => Promise<void>;
  checkGradient: (op: OpName, inputs: Tensor[], dy: Tensor, params: object, dtype: DType) => Promise<void>;
  inputData: (dtype: DType, values: readonly number[], shape?: readonly number[]) => Tensor;
  expectCode: (p: Promise<unknown>, code: string) => Promise<RectifierError>;
}

/** Whether the parameters are valid for the op (its own rules decide). */
function valid(op: OpName, params: object): boolean {
  try {
    resolveParams(op, OPS[op].params, params);
    return true;
  } catch (e) {
    if (e instanceof RectifierError && e.code === ErrorCode.BadParameter) return false;
    throw e;
  }
}

/** The declared range of an op's parameter, if any. */
export function paramLimit(b: Backend, op: OpName, param: string): { min: number; max: number } | undefined {
  return b.capabilities.paramLimits?.[op]?.[param];
}

/** Whether a backend with this range refuses the value: finite, non-zero and of a magnitude outside it. */
export function outsideLimit(value: number, limit: { min: number; max: number } | undefined): boolean {
  if (limit === undefined || value === 0 || !Number.isFinite(value)) return false;
  const m = Math.abs(value);
  return m < limit.min || m > limit.max;
}

/** The first parameter the backend's declared limits refuse (UNSUPPORTED_VALUE expected), if any. */
export function refusedParam(b: Backend, op: OpName, params: object): string | undefined {
  return Object.entries(params).find(([name, v]) => typeof v === 'number' && outsideLimit(v, paramLimit(b, op, name)))?.[0];
}

/** Defines the section's tests (inside the backend's conformance describe). */
export function paramExtremesSuite(ctx: ParamExtremesContext): void {
  it('declares consistent parameter limits (ops and numeric parameters that exist, 0 < min ≤ max)', () => {
    for (const [op, params] of Object.entries(ctx.b().capabilities.paramLimits ?? {})) {
      expect(OP_NAMES, `paramLimits names an op '${op}'`).toContain(op);
      for (const [name, limit] of Object.entries(params ?? {})) {
        const spec = OPS[op as OpName].params.find((s) => s.name === name);
        expect(spec?.type, `paramLimits.${op}.${name} is a numeric parameter`).toBe('number');
        expect(limit.min > 0 && limit.min <= limit.max && Number.isFinite(limit.max), `paramLimits.${op}.${name}: 0 < min ≤ max < ∞`).toBe(true);
      }
    }
  });

  for (const op of OP_NAMES) {
    const def = OPS[op];
    const numeric = def.params.filter((s) => s.type === 'number' && MAGNITUDE_RULES.has(s.rule));
    for (const spec of numeric) {
      it(`${op} with ${spec.name} at extreme values: forward and gradient against the reference, or the declared refusal`, requiring(ctx.b, [op], async () => {
        const b = ctx.b();
        const dtype: DType = 'float32';
        const limit = paramLimit(b, op, spec.name);
        const magnitudes = [...EXTREME_MAGNITUDES, ...(limit === undefined ? [] : [limit.min, limit.max])];
        const values = magnitudes.flatMap((m) => [m, -m]).filter((v) => valid(op, { [spec.name]: v }));
        for (const value of values) {
          const params = { [spec.name]: value };
          const x = ctx.inputData(dtype, EXTREME_INPUTS);
          const inputs: Tensor[] = def.kind === 'glu'
            ? [x, ctx.inputData(dtype, [...EXTREME_INPUTS].reverse())]
            : [x];
          const dyValues = normals(EXTREME_INPUTS.length, 900);
          dyValues[1] = 0; // x = −0: an upstream 0 against a huge f′
          dyValues[7] = 1e-30; // x = 1e-38
          const dy = ctx.inputData(dtype, dyValues);
          const label = `${op} ${spec.name}=${value}`;
          if (outsideLimit(value, limit)) {
            const e = await ctx.expectCode(b.forward(op, inputs, params as never), ErrorCode.UnsupportedValue);
            expect(e.argument, `${label}: the refusal names the parameter`).toBe(spec.name);
            await ctx.expectCode(b.gradient(op, inputs, dy, params as never), ErrorCode.UnsupportedValue);
            // … and as an FFN activation (x [1, 1], w1 [1, 1], w2 [1, 1]; GLU: v [1, 1]).
            const one = (): Tensor => tensor([0.5], [1, 1]);
            const w = { w1: one(), w2: one(), ...(def.kind === 'glu' ? { v: one() } : {}) };
            await ctx.expectCode(b.ffn(one(), w, { activation: op, activationParams: params }), ErrorCode.UnsupportedValue);
            await ctx.expectCode(b.ffnBackward(one(), w, one(), { activation: op, activationParams: params }), ErrorCode.UnsupportedValue);
            continue;
          }
          try {
            await ctx.checkForward(op, inputs, params, dtype);
            await ctx.checkGradient(op, inputs, dy, params, dtype);
          } catch (e) {
            throw new Error(`${label}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
          }
        }
      }));
    }
  }
}
