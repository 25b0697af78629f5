#!/usr/bin/env node
/**
 * `npm test`: installs, builds and type-checks every package, runs every test (one Vitest run
 * over all projects), then runs the Node-sensitive part of the suite again under a second Node
 * line, and ends with one line `N passed, N failed, N skipped` totalling both runs (counted from
 * Vitest's JSON reports). Extra arguments go to Vitest (e.g. `npm test -- packages/core`) and
 * skip the second run.
 *
 * The second Node comes from the npm registry's `node` package (its binaries are registry
 * packages, so it installs where only the registry is reachable), into .node-versions/ (ignored).
 * RECTIFIER_SECOND_NODE picks the major version (default 24, an LTS line with relaxed SIMD on by
 * default; 'off' skips the run).
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { installAndBuild, installNode, pnpm, root, run } from './pnpm.mjs';

/** What the second Node runs: the CPU and worker backends' conformance, the WebAssembly kernels, the packed packages. */
const SECOND_NODE_TESTS = [
  'packages/backend-cpu/test/conformance.test.ts',
  'packages/backend-workers/test/conformance.test.ts',
  'packages/kernels-wasm',
  'test/packaging.test.ts',
];

installAndBuild();

// The run's own reports (the suite's accuracy and reliability JSON): test/reports.test.ts compares
// what this run writes there with the committed summaries, so an older run's files must not linger.
if (process.argv.length === 2) rmSync(join(root, 'reports', 'run'), { recursive: true, force: true });

const resultsDir = join(root, '.vitest-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
const extra = process.argv.slice(2);

const reports = [];
const statuses = [];
const mainReport = join(resultsDir, 'results.json');
statuses.push(pnpm(['exec', 'vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${mainReport}`, ...extra]));
reports.push(['Node ' + process.versions.node, mainReport]);

const second = process.env.RECTIFIER_SECOND_NODE ?? '24';
if (extra.length === 0 && second !== 'off') {
  const node = installNode(second);
  if (node === undefined) {
    statuses.push(1);
    reports.push([`Node ${second}`, undefined]);
  } else {
    const report = join(resultsDir, `results-node${second}.json`);
    console.log(`\n=== the Node-sensitive tests again under Node ${second} (${node}) ===\n`);
    statuses.push(run(node, [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...SECOND_NODE_TESTS], {
      // The packaging test's npm and npx run under this Node too; its reports stay out of reports/.
      PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`,
      RECTIFIER_REPORT_DIR: join(root, 'reports', 'run', `node${second}`, 'accuracy'),
    }));
    reports.push([`Node ${second}`, report]);
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const [label, file] of reports) {
  if (file === undefined || !existsSync(file)) {
    failed += 1;
    console.error(`${label}: Vitest wrote no JSON report: it did not run.`);
    continue;
  }
  const report = JSON.parse(readFileSync(file, 'utf8'));
  // A test file that fails to load counts as a failure even though it defines no test.
  const brokenFiles = (report.testResults ?? []).filter((f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0).length;
  const f = report.numFailedTests + brokenFiles;
  const s = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  console.log(`${label}: ${report.numPassedTests} passed, ${f} failed, ${s} skipped`);
  passed += report.numPassedTests;
  failed += f;
  skipped += s;
}
console.log(`\n${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(statuses.some((s) => s !== 0) || failed > 0 ? 1 : 0);
