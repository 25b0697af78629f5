#!/usr/bin/env node
/**
 * `npm test`: installs, builds and type-checks every package, runs every test (one Vitest run
 * over all projects), and ends with one line `N passed, N failed, N skipped` counted from
 * Vitest's JSON report. Extra arguments go to Vitest (e.g. `npm test -- packages/core`).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { installAndBuild, pnpm, root } from './pnpm.mjs';

installAndBuild();

const resultsDir = join(root, '.vitest-results');
const resultsFile = join(resultsDir, 'results.json');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const status = pnpm(['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${resultsFile}`, ...process.argv.slice(2)]);

if (!existsSync(resultsFile)) {
  console.log('0 passed, 1 failed');
  console.error('Vitest wrote no JSON report: it did not run.');
  process.exit(status === 0 ? 1 : status);
}
const report = JSON.parse(readFileSync(resultsFile, 'utf8'));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
// A test file that fails to load counts as a failure even though it defines no test.
const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
const failed = report.numFailedTests + brokenFiles;
console.log(`\n${report.numPassedTests} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status !== 0 || failed > 0 ? 1 : 0);
