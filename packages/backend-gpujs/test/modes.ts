/**
 * What the four conformance files (gl, webasm, and the WebGL2 and WebGPU ones in Chromium) share:
 * the test that the backend really runs on the kernels of the mode asked for (gpu.js has fallbacks),
 * and the suite's factory, which refuses any other mode.
 */
import { describe, expect, it } from 'vitest';
import { createGpujsBackend, type GpujsBackend, type GpujsMode } from '../src/index.js';

/** Tests that mode `mode` runs on gpu.js's `kernelClass`, not a fallback. */
export function describeMode(report: string, mode: GpujsMode, kernelClass: string, title: string): void {
  describe(`${report}: the mode`, () => {
    it(title, async () => {
      const b = createGpujsBackend({ mode });
      await b.ready();
      expect(b.mode).toBe(mode);
      expect(b.kernelClass).toBe(kernelClass);
      await b.dispose();
    });
  });
}

/** The suite's factory: a ready backend named `report` in mode `mode` (any other mode throws), then `prepare`. */
export function modeFactory(report: string, mode: GpujsMode, prepare: (b: GpujsBackend) => void = () => undefined): () => Promise<GpujsBackend> {
  return async () => {
    const b = createGpujsBackend({ mode, name: report });
    await b.ready();
    if (b.mode !== mode) throw new Error(`expected the ${mode} mode, got ${b.mode}`);
    prepare(b);
    return b;
  };
}

/** The resources the soak holds flat where no GL context is counted: the compiled kernels. */
export const compiledKernels = (b: unknown) => ({ kernels: (b as GpujsBackend).compiledKernels });
