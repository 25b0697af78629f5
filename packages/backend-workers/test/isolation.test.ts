/**
 * The page check behind BACKEND_UNAVAILABLE in a browser (src/platform/isolation.ts), on stand-in
 * global scopes: only a cross-origin isolated scope with SharedArrayBuffer passes, and the reason
 * given otherwise names the two headers. test/isolation.browser.test.ts checks the same in Chromium.
 */
import { describe, expect, it } from 'vitest';
import { ISOLATION_HEADERS, isolationProblem } from '../src/platform/isolation.js';

describe('cross-origin isolation check', () => {
  it('passes an isolated scope with SharedArrayBuffer; refuses the others, naming COOP and COEP', () => {
    expect(isolationProblem({ crossOriginIsolated: true, SharedArrayBuffer })).toBeUndefined();
    const refused = [{}, { SharedArrayBuffer }, { crossOriginIsolated: false, SharedArrayBuffer }, { crossOriginIsolated: true }];
    for (const scope of refused) {
      const reason = isolationProblem(scope);
      expect(reason, JSON.stringify(Object.keys(scope))).toMatch(/^the page is not cross-origin isolated/);
      expect(reason).toContain('Cross-Origin-Opener-Policy: same-origin');
      expect(reason).toContain('Cross-Origin-Embedder-Policy: require-corp');
    }
    expect(ISOLATION_HEADERS).toBe('Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp');
  });
});
