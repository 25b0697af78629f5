import { browserProject } from '../conformance/browser-project.js';

/**
 * The conformance suite in headless Chromium on the workers backend: its pool on module Web Workers
 * over SharedArrayBuffer (the page is cross-origin isolated), bundled by Vite — the same suite as
 * test/conformance.test.ts in Node, with the shared browser setup (packages/conformance/browser-project.ts).
 *
 * Differential fuzz cases per op: 250 unless RECTIFIER_FUZZ_RUNS says otherwise (`pnpm fuzz` does),
 * a quarter of the suite's default, which keeps the run within about 5 minutes on two cores (at
 * 1,000 the fuzz blocks alone took 4 of its 4.6). The Node run ('workers') fuzzes the same kernels at
 * the full count; this one adds the Web Worker path. The count shows in the fuzz tests' titles
 * ("250 random calls") and in the reliability report's fuzzCases.
 *
 * workerpool is CommonJS (its browser build UMD): converted once before the page loads, so that the
 * page and its workers import the same prepared module and no late discovery reloads the page.
 */
export default browserProject({ name: 'backend-workers-browser', env: { RECTIFIER_FUZZ_RUNS: '250' }, optimizeDeps: { include: ['workerpool'] } });
