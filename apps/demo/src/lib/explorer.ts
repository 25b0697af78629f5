/** The activation explorer's computation: f and f′ of one op on a grid, by a backend. */
import { OPS, OP_NAMES, tensor, type Backend, type OpName, type ParamSpec } from '@rectifier/core';
import type { TopLevelSpec } from 'vega-lite';

/** Ops the explorer offers: those with one input x (the GLU ops and prelu need a second tensor). */
export const EXPLORER_OPS: readonly OpName[] = OP_NAMES.filter((op) => OPS[op].kind === 'unary' || OPS[op].kind === 'noisy');

/** Points shown as numbers under the plots (and checked by the browser test against core's reference). */
export const PROBE_POINTS = [-2, -0.5, 0, 0.5, 2] as const;

export function grid(from = -5, to = 5, n = 201): number[] {
  return Array.from({ length: n }, (_, i) => from + ((to - from) * i) / (n - 1));
}

export function paramSpecs(op: OpName): readonly ParamSpec[] {
  return OPS[op].params;
}

/**
 * Parameters from the form's text fields: numbers parsed, blanks left unset (the op's default
 * applies). Validation is the backend's: a bad value comes back as a RectifierError to show.
 */
export function parseParams(op: OpName, raw: Record<string, string>): Record<string, number | string> {
  const out: Record<string, number | string> = {};
  for (const spec of paramSpecs(op)) {
    const v = raw[spec.name]?.trim();
    if (v === undefined || v === '') continue;
    out[spec.name] = spec.type === 'number' ? Number(v) : v;
  }
  return out;
}

export interface Curves {
  x: number[];
  f: number[];
  df: number[];
}

/** f(x) and f′(x) (gradient with dy = 1) for every x, computed by `backend` in float32. */
export async function explore(backend: Backend, op: OpName, params: object, xs: readonly number[]): Promise<Curves> {
  const x = tensor([...xs]);
  const y = await backend.forward(op, x, params as never);
  const [dx] = await backend.gradient(op, x, tensor(xs.map(() => 1)), params as never);
  return { x: [...xs], f: Array.from(y.data), df: Array.from(dx.data) };
}

export function curvesSpec(op: string, c: Curves): TopLevelSpec {
  const values = c.x.flatMap((x, i) => [{ x, y: c.f[i], curve: `${op}(x)` }, { x, y: c.df[i], curve: `${op}′(x)` }]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: 460, height: 280,
    data: { values },
    mark: { type: 'line', strokeWidth: 2 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: 'x' },
      y: { field: 'y', type: 'quantitative', title: `${op}(x) and ${op}′(x)` },
      color: { field: 'curve', type: 'nominal', title: null, scale: { range: ['#1f77b4', '#ff7f0e'] } },
      strokeDash: { field: 'curve', type: 'nominal', title: null, scale: { range: [[1, 0], [5, 3]] } },
    },
  };
}
