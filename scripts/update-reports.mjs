#!/usr/bin/env node
/**
 * `npm run reports:update`: after a full `npm test`, turns the run's reports (reports/run/, ignored)
 * into the committed summaries (reports/accuracy/, reports/reliability/) and renders every README
 * accuracy table from them (the text between `<!-- accuracy:NAME:start/end -->`), and copies the
 * demo page's screenshot that the browser test took (apps/demo/test-results/) to the one the READMEs
 * show. Commit what it changes; test/reports.test.ts fails while a README or a summary disagrees with the last run.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAccuracyTable, replaceAccuracySection, summarizeAccuracyReport } from '@rectifier/conformance';
import { ACCURACY_SECTIONS, BACKENDS, committedDir, readReports, root, runDir, summarizeReliability } from './reports.mjs';

const json = (value) => `${JSON.stringify(value, null, 1)}\n`;
const written = [];

for (const [kind, summarize] of [['accuracy', summarizeAccuracyReport], ['reliability', summarizeReliability]]) {
  const dir = join(committedDir, kind);
  mkdirSync(dir, { recursive: true });
  for (const [backend, report] of readReports(runDir, kind)) {
    if (!BACKENDS.includes(backend)) continue; // e.g. the minimal test backend: its report is not a figure anywhere
    writeFileSync(join(dir, `${backend}.json`), json(summarize(report)));
    written.push(`reports/${kind}/${backend}.json`);
  }
}

const committed = readReports(committedDir, 'accuracy');
for (const { file, section, backends } of ACCURACY_SECTIONS) {
  const missing = backends.filter((b) => !committed.has(b));
  if (missing.length > 0) {
    console.error(`${file}: no report for ${missing.join(', ')} (run the full npm test first); left as it was`);
    process.exitCode = 1;
    continue;
  }
  const path = join(root, file);
  const text = readFileSync(path, 'utf8');
  const next = replaceAccuracySection(text, section, renderAccuracyTable(backends.map((b) => committed.get(b))));
  if (next !== text) {
    writeFileSync(path, next);
    written.push(file);
  }
}
const shot = join(root, 'apps', 'demo', 'test-results', 'demo-page.png');
if (existsSync(shot)) {
  copyFileSync(shot, join(root, 'apps', 'demo', 'screenshot.png'));
  written.push('apps/demo/screenshot.png (from the browser test)');
}
console.log(written.length > 0 ? `updated:\n  ${written.join('\n  ')}` : 'nothing to update');
