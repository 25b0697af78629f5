import { runConformance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend } from '../src/index.js';

// The GL run needs an X server for headless-gl (the package's globalSetup starts Xvfb).
const unavailable = process.env.RECTIFIER_GL_UNAVAILABLE;

if (unavailable !== undefined) {
  console.warn(`\n!!! [backend-gpujs] the GL ('gpu' mode) conformance run is SKIPPED: ${unavailable} !!!\n`);
  describe.skip(`conformance: gpujs-gl (SKIPPED: ${unavailable})`, () => {
    it('needs Xvfb and the optional gl package', () => undefined);
  });
} else {
  describe('gpujs-gl: the mode', () => {
    it("runs on headless-gl ('gpu' mode), not a fallback", async () => {
      const b = createGpujsBackend({ mode: 'gpu' });
      await b.ready();
      expect(b.mode).toBe('gpu');
      expect(b.kernelClass).toBe('HeadlessGLKernel');
      await b.dispose();
    });
  });
  runConformance('gpujs-gl', async () => {
    const b = createGpujsBackend({ mode: 'gpu', name: 'gpujs-gl' });
    await b.ready();
    if (b.mode !== 'gpu') throw new Error(`expected the GL mode, got ${b.mode}`);
    return b;
  });
}
