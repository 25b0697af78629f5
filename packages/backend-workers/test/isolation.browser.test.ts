/**
 * The workers backend in a page (vitest.browser.config.ts): a page that is not cross-origin
 * isolated has no SharedArrayBuffer, and the backend says so with BACKEND_UNAVAILABLE naming the
 * headers; in the isolated test page the workers are Web Workers, as many as the browser's cores
 * by default. The test page itself is isolated (the config sets the headers), so a non-isolated
 * page is stood in for by stubbing `crossOriginIsolated`, which is what the backend reads.
 */
import { ErrorCode, RectifierError, tensor } from '@rectifier/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWorkersBackend } from '../src/index.js';
import { chromiumMissing, skipWithoutChromium } from './chromium.js';

/** The page's globals the backend reads (this package's types have no DOM). */
const page = globalThis as unknown as { crossOriginIsolated?: boolean; navigator: { hardwareConcurrency: number } };

if (chromiumMissing !== undefined) skipWithoutChromium('refuses a page that is not cross-origin isolated; runs on Web Workers in one that is');
else {
  describe('workers backend in a page', () => {
    afterEach(() => {
      vi.unstubAllGlobals();
    });

    it('the test page is cross-origin isolated: the pool runs on module Web Workers, navigator.hardwareConcurrency of them by default', async () => {
      expect(page.crossOriginIsolated).toBe(true);
      const b = createWorkersBackend({ minSavingNs: 0 });
      try {
        expect(b.threads).toBe(Math.max(1, page.navigator.hardwareConcurrency));
        await b.ready();
        const y = await b.forward('relu', tensor([-2, -0.5, 0, 3]));
        expect(y.data.buffer).toBeInstanceOf(SharedArrayBuffer); // it went through the pool
        expect(Array.from(y.data)).toEqual([0, 0, 0, 3]);
      } finally {
        await b.dispose();
      }
    });

    it('a page that is not cross-origin isolated: createWorkersBackend() throws BACKEND_UNAVAILABLE naming COOP and COEP', () => {
      vi.stubGlobal('crossOriginIsolated', false);
      let error: unknown;
      try {
        createWorkersBackend();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(RectifierError);
      expect((error as RectifierError).code).toBe(ErrorCode.BackendUnavailable);
      expect((error as RectifierError).message).toMatch(/not cross-origin isolated/);
      expect((error as RectifierError).message).toContain('Cross-Origin-Opener-Policy: same-origin');
      expect((error as RectifierError).message).toContain('Cross-Origin-Embedder-Policy: require-corp');
    });
  });
}
