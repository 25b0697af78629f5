/** Op and parameter choices the ONNX tests export: every catalogue op, some with non-default parameters. */
import { OP_NAMES, OPS, Tensor, type OpName } from '@rectifier/core';

/** One op call to export: op, parameters, and (prelu) the slope. */
export interface OpCase {
  readonly op: OpName;
  readonly params: Record<string, number | string>;
  readonly weight?: Tensor;
  readonly label: string;
}

const VARIANTS: Partial<Record<OpName, Record<string, number | string>[]>> = {
  leaky_relu: [{ alpha: 0.2 }],
  elu: [{ alpha: 0.5 }],
  celu: [{ alpha: 2 }],
  selu: [{ alpha: 2, scale: 3 }],
  gelu: [{ approximate: 'tanh' }],
  silu: [{ beta: 1.5 }],
  softplus: [{ beta: 2, threshold: 10 }, { threshold: Infinity }],
  hardsigmoid: [{ alpha: 0.3, beta: 0.4 }],
  squareplus: [{ b: 1 }],
  thresholded_relu: [{ alpha: 0.5 }],
  hardtanh: [{ min: -2, max: 3 }],
  hardshrink: [{ lambda: 1 }],
  softshrink: [{ lambda: 1 }],
  geglu: [{ approximate: 'tanh' }],
  swiglu: [{ beta: 2 }],
};

/** Every op but noisy_relu (which export refuses), with its defaults and the variants above, for inputs of `shape`. */
export function opCases(shape: readonly number[], dtype: 'float32' | 'float64' = 'float32'): OpCase[] {
  const make = (v: number[], s: number[]): Tensor => new Tensor(dtype === 'float32' ? Float32Array.from(v) : Float64Array.from(v), s);
  const out: OpCase[] = [];
  for (const op of OP_NAMES) {
    if (OPS[op].kind === 'noisy') continue;
    if (op === 'prelu') {
      out.push({ op, params: {}, weight: make([0.25], []), label: 'prelu (scalar slope)' });
      const last = shape[shape.length - 1];
      out.push({ op, params: { axis: -1 }, weight: make(Array.from({ length: last }, (_, i) => 0.1 * (i + 1)), [last]), label: 'prelu (slope per channel, axis −1)' });
      if (shape.length > 1) out.push({ op, params: { axis: 0 }, weight: make(Array.from({ length: shape[0] }, (_, i) => -0.5 + i), [shape[0]]), label: 'prelu (slope per channel, axis 0)' });
      continue;
    }
    out.push({ op, params: {}, label: op });
    for (const p of VARIANTS[op] ?? []) out.push({ op, params: p, label: `${op} ${JSON.stringify(p)}` });
  }
  return out;
}
