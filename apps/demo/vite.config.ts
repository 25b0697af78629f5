import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * The demo page. Workspace packages resolve to their TypeScript sources (the `@rectifier/source`
 * export condition), so the page needs no prior build of the packages.
 */
export default defineConfig({
  root: fileURLToPath(new URL('./web', import.meta.url)),
  resolve: { conditions: ['@rectifier/source', ...defaultClientConditions] },
  build: { outDir: fileURLToPath(new URL('./dist/web', import.meta.url)), emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1' },
  preview: { host: '127.0.0.1' },
});
