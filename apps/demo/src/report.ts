/** The tour's HTML report: one self-contained file (inline CSS and SVG plots, no scripts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toSvg } from './lib/charts.js';
import type { ExperimentResult } from './lib/types.js';

export interface ReportMeta {
  backend: string;
  seed: number;
  machine: string;
  date: string;
  totalSeconds: number;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1000px; margin: 2em auto; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ddd; }
.claim { margin: .3em 0; } .source { color: #666; font-size: .9em; }
.verdict { background: #f3f7ff; border-left: 4px solid #3b6fd8; padding: .5em .8em; margin: .8em 0; }
table { border-collapse: collapse; font-size: .88em; margin: .5em 0; }
th, td { border: 1px solid #ddd; padding: 2px 8px; text-align: right; } th:first-child, td:first-child { text-align: left; }
.plots { display: flex; flex-wrap: wrap; gap: 1em; } .meta { color: #666; }`;

export async function renderReport(results: readonly ExperimentResult[], meta: ReportMeta): Promise<string> {
  const sections: string[] = [];
  for (const r of results) {
    const svgs = await Promise.all(r.charts.map(toSvg));
    sections.push(`<section id="${escapeHtml(r.id)}">
<h2>${escapeHtml(r.title)}</h2>
<p class="claim"><b>Claim.</b> ${escapeHtml(r.claim)}</p>
<p class="source">Source: ${escapeHtml(r.source)}</p>
<p class="verdict"><b>Measured</b> (${escapeHtml(r.backend)}, ${r.seconds.toFixed(1)} s): ${escapeHtml(r.verdict)}</p>
<table><thead><tr>${r.table.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('')}</tr></thead>
<tbody>${r.table.rows.map((row) => `<tr>${row.map((c) => `<td>${escapeHtml(String(c))}</td>`).join('')}</tr>`).join('\n')}</tbody></table>
<div class="plots">${svgs.join('\n')}</div>
</section>`);
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rectifier tour</title><style>${STYLE}</style></head>
<body>
<h1>Rectifier — the ReLU family, measured</h1>
<p class="meta">Backend ${escapeHtml(meta.backend)} · seed ${meta.seed} · ${escapeHtml(meta.machine)} · ${escapeHtml(meta.date)} · ${meta.totalSeconds.toFixed(1)} s in all</p>
${sections.join('\n')}
</body></html>
`;
}

export async function writeReport(path: string, results: readonly ExperimentResult[], meta: ReportMeta): Promise<void> {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, await renderReport(results, meta));
}
