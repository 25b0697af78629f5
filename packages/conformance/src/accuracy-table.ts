/**
 * The accuracy tables the READMEs show, rendered from accuracy reports (the JSON the suite writes
 * after a run, `reports/run/accuracy/<backend>.json`, and the committed summaries made from them
 * by `npm run reports:update`, `reports/accuracy/<backend>.json`). The READMEs hold the rendered
 * text between `<!-- accuracy:… -->` markers and a root test checks it, so no figure there is
 * typed by hand.
 */
import type { DType } from '@rectifier/core';
import type { WorstError } from './compare.js';

/** One backend's accuracy report, as the suite writes it (and as the committed summary keeps it). */
export interface AccuracyReport {
  /** The name the suite ran under (`cpu`, `workers`, `gpujs-gl`, …). */
  backend: string;
  /** The backend's declared capabilities at the end of the run (the declared ulp bounds among them). */
  capabilities?: {
    /** The dtypes the backend computes in. */
    dtypes?: readonly DType[];
    /** The declared ulp bound for transcendental ops, per dtype. */
    ulp?: Partial<Record<DType, number>>;
  };
  /** Worst error per report key `<op>/<dtype>/<what>` (keys ending in `-vs-exact`: against the exact value). */
  worst: Record<string, Partial<WorstError>>;
}

/** What a committed summary keeps of a run's report: the figures, not how many values were checked (that moves whenever the suite's inputs grow). */
export function summarizeAccuracyReport(report: AccuracyReport): AccuracyReport {
  const worst: Record<string, Partial<WorstError>> = {};
  for (const key of Object.keys(report.worst).sort()) {
    const { ulp, abs, at } = report.worst[key];
    worst[key] = { ...(ulp === undefined ? {} : { ulp }), ...(abs === undefined ? {} : { abs }), ...(at === undefined ? {} : { at }) };
  }
  return { backend: report.backend, ...(report.capabilities === undefined ? {} : { capabilities: report.capabilities }), worst };
}

/** How many ops a cell names before it says "+ k more". */
const NAMED_OPS = 5;

/** `gelu′`, `swiglu′ (gate)`: the report key's op and direction as a reader says it. */
function label(op: string, what: string): string {
  if (what === 'forward') return op;
  const input = what.slice('gradient-'.length);
  return input === 'x' ? `${op}′` : `${op}′ (${input})`;
}

/** "4: gelu, geglu" — the worst ulp among `entries` and the ops that reach it; "0" where every one is exact. */
function cell(entries: [string, string, number][]): string {
  if (entries.length === 0) return '—';
  const worst = Math.max(...entries.map(([, , u]) => u));
  if (worst === 0) return '0';
  const names = [...new Set(entries.filter(([, , u]) => u === worst).map(([op, what]) => label(op, what)))].sort();
  const shown = names.slice(0, NAMED_OPS).join(', ');
  return `${worst} (${shown}${names.length > NAMED_OPS ? `, + ${names.length - NAMED_OPS} more` : ''})`;
}

/**
 * The worst element-wise error (ulp) per backend and dtype: forward and gradients, against the
 * exact value (the suite's exact section) and against core's float64 reference (the rest of the
 * suite), with the ops where it was seen. Matmul/FFN sums and the ONNX cases (held to error
 * bounds, not ulps) are not in it.
 */
export function renderAccuracyTable(reports: readonly AccuracyReport[]): string {
  const rows = [
    '| backend | dtype | declared bound (transcendental ops) | forward, vs exact | gradients, vs exact | forward, vs core\'s reference | gradients, vs core\'s reference |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const report of reports) {
    const byDtype = new Map<string, { exact: { f: [string, string, number][]; g: [string, string, number][] }; ref: { f: [string, string, number][]; g: [string, string, number][] } }>();
    for (const [key, w] of Object.entries(report.worst)) {
      const [op, dtype, rawWhat] = key.split('/');
      if (op === 'onnx' || w.ulp === undefined || rawWhat === undefined) continue;
      const vsExact = rawWhat.endsWith('-vs-exact');
      const what = vsExact ? rawWhat.slice(0, -'-vs-exact'.length) : rawWhat;
      if (what !== 'forward' && !what.startsWith('gradient-')) continue;
      const slot = byDtype.get(dtype) ?? { exact: { f: [], g: [] }, ref: { f: [], g: [] } };
      byDtype.set(dtype, slot);
      (vsExact ? slot.exact : slot.ref)[what === 'forward' ? 'f' : 'g'].push([op, what, w.ulp]);
    }
    const dtypes = [...byDtype.keys()].sort((a, b) => (a === 'float32' ? -1 : b === 'float32' ? 1 : a.localeCompare(b)));
    for (const dtype of dtypes) {
      const s = byDtype.get(dtype)!;
      const bound = report.capabilities?.ulp?.[dtype as DType];
      rows.push(`| \`${report.backend}\` | ${dtype} | ${bound ?? '—'} | ${cell(s.exact.f)} | ${cell(s.exact.g)} | ${cell(s.ref.f)} | ${cell(s.ref.g)} |`);
    }
  }
  return rows.join('\n');
}

/** The text between `<!-- accuracy:NAME:start -->` and `<!-- accuracy:NAME:end -->` in `markdown`, or undefined where the markers are missing. */
export function accuracySection(markdown: string, name: string): string | undefined {
  const [start, end] = accuracyMarkers(name);
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) return undefined;
  return markdown.slice(from + start.length, to);
}

/** `markdown` with the text between the markers of `name` replaced by `\n${table}\n`. */
export function replaceAccuracySection(markdown: string, name: string, table: string): string {
  const [start, end] = accuracyMarkers(name);
  const from = markdown.indexOf(start);
  const to = markdown.indexOf(end);
  if (from < 0 || to < from) throw new Error(`no ${start} … ${end} markers`);
  return `${markdown.slice(0, from + start.length)}\n${table}\n${markdown.slice(to)}`;
}

/** The start and end markers of the accuracy section `name`. */
export function accuracyMarkers(name: string): [string, string] {
  return [`<!-- accuracy:${name}:start -->`, `<!-- accuracy:${name}:end -->`];
}
