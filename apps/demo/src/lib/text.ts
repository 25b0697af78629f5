/** Plain-text tables for the terminal: a header, a rule, columns padded to width. */
import type { Cell } from './types.js';

/** Terminal width of a string: combining marks take no column. */
function width(s: string): number {
  return [...s.normalize('NFC')].filter((c) => !/\p{M}/u.test(c)).length;
}

export function renderGrid(columns: string[], rows: Cell[][]): string {
  const text = rows.map((r) => r.map(String));
  const widths = columns.map((c, i) => Math.max(width(c), ...text.map((r) => width(r[i] ?? ''))));
  const pad = (s: string, i: number) => (i === 0 ? s + ' '.repeat(widths[i] - width(s)) : ' '.repeat(widths[i] - width(s)) + s);
  const line = (cells: string[]) => cells.map(pad).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '─'.repeat(w))), ...text.map(line)].join('\n');
}
