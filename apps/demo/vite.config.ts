import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * Cross-origin isolation (COOP + COEP): without it a page has no SharedArrayBuffer, so the worker
 * backend (Web Workers over shared memory) declares itself unavailable. Both servers send them; a
 * host serving the production build (dist/web) must send the same two headers.
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

/**
 * The demo page. Workspace packages resolve to their TypeScript sources (the `@rectifier/source`
 * export condition), so the page needs no prior build of the packages.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  resolve: { conditions: ['@rectifier/source', ...defaultClientConditions] },
  build: { outDir: fileURLToPath(new URL('./dist/web', import.meta.url)), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
  preview: { host: '127.0.0.1', headers: ISOLATION_HEADERS },
});
