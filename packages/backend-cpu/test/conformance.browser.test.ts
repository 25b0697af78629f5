/**
 * The conformance suite in Chromium (vitest.browser.config.ts): the CPU backend with its WebAssembly
 * kernels, in a page. The suite is the same as in Node; what a page cannot do is declared by the
 * suite's browser I/O (@rectifier/conformance, src/platform/browser.ts) and shows in the results: no
 * report files (reportDir: false, so fuzzing stays with the Node run, as for every configuration
 * that writes no report), and the soak bounds the JS heap only (no ArrayBuffer or RSS figures).
 */
import { runConformance } from '@rectifier/conformance';
import { describe, it } from 'vitest';
import { createCpuBackend } from '../src/index.js';

// Set by the config where Chromium is missing: the file then runs in Node, only to be reported skipped.
const chromiumMissing = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFIER_CHROMIUM_MISSING;

if (chromiumMissing !== undefined) {
  describe.skip(`conformance in Chromium: ${chromiumMissing} is missing, SKIPPED`, () => {
    it('runs the conformance suite on the CPU backend in Chromium', () => undefined);
  });
} else {
  runConformance('cpu-chromium', () => createCpuBackend());
}
