/** The tour's first table: every unary op's value and derivative on a few inputs, from a backend. */
import { OP_NAMES, OPS, tensor, type Backend, type OpName } from '@rectifier/core';

export const TOUR_INPUTS = [-3, -1, -0, 0.5, 2] as const;

export interface OpRow {
  op: OpName;
  summary: string;
  f: number[];
  df: number[];
}

/** f(x) and f′(x) for each element-wise op with one input, computed by `backend` in float32. */
export async function opTable(backend: Backend, xs: readonly number[] = TOUR_INPUTS): Promise<OpRow[]> {
  const x = tensor([...xs]);
  const ones = tensor(xs.map(() => 1));
  const rows: OpRow[] = [];
  for (const op of OP_NAMES) {
    const def = OPS[op];
    if (def.kind !== 'unary' && def.kind !== 'noisy') continue;
    const y = await backend.forward(op, x);
    const [dx] = await backend.gradient(op, x, ones);
    rows.push({ op, summary: def.summary, f: Array.from(y.data), df: Array.from(dx.data) });
  }
  return rows;
}

function fmt(v: number): string {
  if (Object.is(v, -0)) return '-0';
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(5)));
}

export function renderTable(rows: OpRow[], xs: readonly number[]): string {
  const head = ['op', ...xs.map((x) => `f(${fmt(x)})`), ...xs.map((x) => `f′(${fmt(x)})`)];
  const body = rows.map((r) => [r.op, ...r.f.map(fmt), ...r.df.map(fmt)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padStart(i === 0 ? 0 : widths[i]).padEnd(i === 0 ? widths[0] : 0)).join('  ');
  return [line(head), line(widths.map((w) => '─'.repeat(w))), ...body.map(line)].join('\n');
}
