import { runConformance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend, type GpujsBackend } from '../src/index.js';

// gl disabled for this file: no display, so headless-gl could not create a context even if asked.
delete process.env.DISPLAY;

describe('gpujs-webasm: the mode', () => {
  it("runs on gpu.js's WebAssembly kernels", async () => {
    const b = createGpujsBackend({ mode: 'webasm' });
    await b.ready();
    expect(b.mode).toBe('webasm');
    expect(b.kernelClass).toBe('WebAssemblyKernel');
    await b.dispose();
  });
});

runConformance('gpujs-webasm', async () => {
  const b = createGpujsBackend({ mode: 'webasm', name: 'gpujs-webasm' });
  await b.ready();
  if (b.mode !== 'webasm') throw new Error(`expected the webasm mode, got ${b.mode}`);
  return b;
}, { resources: (b) => ({ kernels: (b as GpujsBackend).compiledKernels }) });
