/**
 * The figures in the READMEs come from the reports, and the committed reports from a run:
 * - every README accuracy table (between `<!-- accuracy:NAME:start/end -->`) is exactly what
 *   `renderAccuracyTable` makes of the committed summaries, reports/accuracy/<backend>.json;
 * - where this test run wrote a backend's report (reports/run/accuracy/, the root tests run after
 *   every package's), its figures and capabilities are the committed ones: a change that moves a
 *   figure fails here until `npm run reports:update` is run and its output committed;
 * - the root README's capability table says what each backend declares.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { accuracySection, renderAccuracyTable, summarizeAccuracyReport, type AccuracyReport } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
// A plain .mjs module, shared with scripts/update-reports.mjs.
import { ACCURACY_SECTIONS, BACKENDS, committedDir, readReports, root, runDir, summarizeReliability } from '../scripts/reports.mjs';

type ReportMap = Map<string, AccuracyReport>;
const committed: ReportMap = readReports(committedDir, 'accuracy');
const fresh: ReportMap = readReports(runDir, 'accuracy');
const FIX = 'run the full `npm test`, then `npm run reports:update`, and commit what it changes';

describe('README accuracy tables are rendered from the committed reports', () => {
  for (const { file, section, backends } of ACCURACY_SECTIONS as { file: string; section: string; backends: string[] }[]) {
    it(`${file}: accuracy:${section} (${backends.join(', ')})`, () => {
      for (const b of backends) expect(committed.has(b), `reports/accuracy/${b}.json is committed`).toBe(true);
      const text = readFileSync(join(root, file), 'utf8');
      const shown = accuracySection(text, section);
      expect(shown, `${file} has the accuracy:${section} markers`).toBeDefined();
      expect(shown, `${file} accuracy:${section}: ${FIX}`).toBe(`\n${renderAccuracyTable(backends.map((b) => committed.get(b)!))}\n`);
    });
  }
});

describe("this run's reports agree with the committed summaries", () => {
  // npm test empties reports/run/ before it runs, so what is there was written by this run.
  for (const backend of BACKENDS as string[]) {
    const current = fresh.get(backend);
    it.skipIf(current === undefined)(`${backend}: accuracy figures${current === undefined ? ' (no report from this run: its conformance file did not run)' : ''}`, () => {
      const summary = summarizeAccuracyReport(current!);
      const before = committed.get(backend);
      expect(before, `reports/accuracy/${backend}.json: ${FIX}`).toBeDefined();
      expect(renderAccuracyTable([summary]), `${backend}: ${FIX}`).toBe(renderAccuracyTable([before!]));
      expect(summary.capabilities, `${backend} capabilities: ${FIX}`).toEqual(before!.capabilities);
      const ulps = (r: AccuracyReport) => Object.fromEntries(Object.entries(r.worst).map(([k, w]) => [k, w.ulp]));
      expect(ulps(summary), `${backend}: worst ulp per report key: ${FIX}`).toEqual(ulps(before!));
    });
    const rel = join(runDir, 'reliability', `${backend}.json`);
    const relCommitted = join(committedDir, 'reliability', `${backend}.json`);
    it.skipIf(!existsSync(rel))(`${backend}: reliability summary${existsSync(rel) ? '' : ' (no report from this run)'}`, () => {
      expect(existsSync(relCommitted), `reports/reliability/${backend}.json: ${FIX}`).toBe(true);
      expect(summarizeReliability(JSON.parse(readFileSync(rel, 'utf8')))).toEqual(JSON.parse(readFileSync(relCommitted, 'utf8')));
    });
  }
});

describe("the root README's capability table says what each backend declares", () => {
  const rows: [string, string][] = [
    ['| cpu |', 'cpu'], ['| cpu, JS kernels', 'cpu-js'], ['| workers', 'workers'], ['| gpujs, mode `gpu`', 'gpujs-gl'], ['| gpujs, mode `webasm`', 'gpujs-webasm'],
  ];
  const text = readFileSync(join(root, 'README.md'), 'utf8').split('\n');
  const sup = (n: number) => String(n).replace(/\d/g, (d) => '⁰¹²³⁴⁵⁶⁷⁸⁹'[Number(d)]);
  for (const [prefix, backend] of rows) {
    it(backend, () => {
      const caps = committed.get(backend)?.capabilities as Record<string, unknown> & { dtypes: string[]; ulp: Record<string, number> };
      expect(caps, `reports/accuracy/${backend}.json has capabilities`).toBeDefined();
      const row = text.find((l) => l.startsWith(prefix));
      expect(row, `README row ${prefix}`).toBeDefined();
      const cells = row!.split(' | ').map((c) => c.replace(/^\| /, '').replace(/ \|$/, ''));
      expect(cells[1]).toBe(caps.dtypes.join(', '));
      expect(cells[2]).toBe(caps.sync ? 'yes' : 'no');
      expect(cells[3]).toBe(`${caps.ulp.float32} / ${caps.ulp.float64 ?? '—'}`);
      expect(cells[5]).toBe(caps.signedZeros ? 'yes' : 'no');
      expect(cells[6]).toBe(caps.nonFinite ? 'yes' : 'no');
      expect(cells[7]).toBe(caps.subnormals ? 'kept' : 'flushed');
      const max = caps.maxElements as number;
      expect(cells[8]).toBe(max === 2 ** 32 - 1 ? '2³² − 1' : `2${sup(Math.log2(max))}`);
    });
  }
});
