import { describe, it } from 'vitest';

/**
 * Where the browser config found no Chromium, it runs the browser test files in Node, only to be
 * reported skipped: this says so loudly, defines the skipped test and returns true.
 */
export function skippedWithoutChromium(what: string): boolean {
  // Set by the config where Chromium is missing (a page has no process).
  const missing = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFIER_CHROMIUM_MISSING;
  if (missing === undefined) return false;
  console.error(`\n${'!'.repeat(100)}\n!! backend-gpujs-browser: ${missing} is missing — the conformance suite on ${what} in Chromium is SKIPPED. ` +
    `Install it with scripts/install-system-deps.sh (as root) or apt-get install chromium.\n${'!'.repeat(100)}\n`);
  describe.skip(`conformance on ${what} in Chromium: ${missing} is missing, SKIPPED`, () => {
    it(`runs the conformance suite on ${what} in Chromium`, () => undefined);
  });
  return true;
}
