/**
 * The conformance suite in Chromium (vitest.browser.config.ts): the CPU backend with its WebAssembly
 * kernels, in a page, the same tests as test/conformance.test.ts in Node. Its reports go to
 * reports/run/{accuracy,reliability}/cpu-chromium.json through the Vitest server. The one thing a
 * page cannot do, read its process's RSS, is declared by the suite's browser I/O
 * (@rectifier/conformance, src/platform/browser.ts) and named in the soak test's title.
 */
import { runConformance } from '@rectifier/conformance';
import { describe, it } from 'vitest';
import { createCpuBackend } from '../src/index.js';

// Set by the config where Chromium is missing: the file then runs in Node, only to be reported skipped.
const chromiumMissing = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFIER_CHROMIUM_MISSING;

if (chromiumMissing !== undefined) {
  console.error(`\n${'!'.repeat(100)}\n!! backend-cpu-browser: ${chromiumMissing} is missing — the conformance suite in Chromium is SKIPPED. ` +
    `Install it with scripts/install-system-deps.sh (as root) or apt-get install chromium.\n${'!'.repeat(100)}\n`);
  describe.skip(`conformance in Chromium: ${chromiumMissing} is missing, SKIPPED`, () => {
    it('runs the conformance suite on the CPU backend in Chromium', () => undefined);
  });
} else {
  runConformance('cpu-chromium', () => createCpuBackend());
}
