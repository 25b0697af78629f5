/**
 * Where the reports live and which README sections are rendered from them; shared by
 * `npm run reports:update` (scripts/update-reports.mjs) and the root test that checks the READMEs
 * (test/reports.test.ts).
 *
 * A test run writes its reports to reports/run/ (ignored by git: counts and timings change every
 * run). The committed reports/accuracy/<backend>.json are summaries of one full run — the worst
 * error per key and where it was seen — made by `npm run reports:update`, and every accuracy
 * figure in a README is rendered from them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('..', import.meta.url));
/** The run's own reports (the suite's default `reportDir` is its accuracy/ folder). */
export const runDir = join(root, 'reports', 'run');
/** The committed summaries. */
export const committedDir = join(root, 'reports');

/** The backends, in the order the tables list them. */
export const BACKENDS = ['cpu', 'cpu-js', 'cpu-chromium', 'workers', 'workers-chromium', 'gpujs-gl', 'gpujs-webasm', 'gpujs-webgl2-chromium', 'gpujs-webgpu-chromium'];

/** README file → accuracy section name → the backends its table shows. */
export const ACCURACY_SECTIONS = [
  { file: 'README.md', section: 'backends', backends: BACKENDS },
  { file: 'packages/conformance/README.md', section: 'backends', backends: BACKENDS },
  { file: 'packages/backend-cpu/README.md', section: 'cpu', backends: ['cpu', 'cpu-js', 'cpu-chromium'] },
  { file: 'packages/backend-gpujs/README.md', section: 'gpujs', backends: ['gpujs-gl', 'gpujs-webasm', 'gpujs-webgl2-chromium', 'gpujs-webgpu-chromium'] },
];

/** Reads `<dir>/<kind>/<backend>.json` for each backend that has one. */
export function readReports(dir, kind) {
  const folder = join(dir, kind);
  if (!existsSync(folder)) return new Map();
  return new Map(readdirSync(folder).filter((f) => f.endsWith('.json'))
    .map((f) => [f.slice(0, -'.json'.length), JSON.parse(readFileSync(join(folder, f), 'utf8'))]));
}

/** A reliability report without what changes from run to run (seconds, heap, array-buffer and RSS figures). */
export function summarizeReliability(report) {
  if (Array.isArray(report)) return report.map(summarizeReliability);
  if (report === null || typeof report !== 'object') return report;
  return Object.fromEntries(Object.entries(report)
    .filter(([key]) => !/seconds|MiB$/i.test(key))
    .map(([key, value]) => [key, summarizeReliability(value)]));
}
