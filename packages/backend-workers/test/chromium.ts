/** What the browser test files do where the config found no Chromium (see vitest.browser.config.ts). */
import { describe, it } from 'vitest';

/** Set by the config where Chromium is missing: the files then run in Node, only to be reported skipped. */
export const chromiumMissing = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.RECTIFIER_CHROMIUM_MISSING;

/** Says loudly that Chromium is missing and reports the file's test (`title`) skipped. */
export function skipWithoutChromium(title: string): void {
  console.error(`\n${'!'.repeat(100)}\n!! backend-workers-browser: ${chromiumMissing} is missing — the workers backend in Chromium is SKIPPED. ` +
    `Install it with scripts/install-system-deps.sh (as root) or apt-get install chromium.\n${'!'.repeat(100)}\n`);
  describe.skip(`workers in Chromium: ${chromiumMissing} is missing, SKIPPED`, () => {
    it(title, () => undefined);
  });
}
