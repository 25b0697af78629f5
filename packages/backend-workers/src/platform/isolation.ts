/**
 * Whether a page can run the worker backend: its workers share tensors through SharedArrayBuffer,
 * which a browser gives only to a cross-origin isolated page. Apart from platform/browser.ts so that
 * the Node tests can check it on stand-in globals.
 */

/** The two headers that make a page cross-origin isolated. */
export const ISOLATION_HEADERS = 'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp';

/** What of a page's global scope the check reads. */
export interface IsolationScope {
  readonly crossOriginIsolated?: boolean;
  readonly SharedArrayBuffer?: unknown;
}

/** Why a page with this global scope cannot run the pool, or undefined when it can. */
export function isolationProblem(scope: IsolationScope): string | undefined {
  if (scope.crossOriginIsolated === true && typeof scope.SharedArrayBuffer === 'function') return undefined;
  return 'the page is not cross-origin isolated (crossOriginIsolated is not true), so it has no SharedArrayBuffer, ' +
    `which the worker backend shares tensors through: serve the page with the headers ${ISOLATION_HEADERS}`;
}
