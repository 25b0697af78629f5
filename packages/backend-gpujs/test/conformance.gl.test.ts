import { runConformance } from '@rectifier/conformance';
import { describe, it } from 'vitest';
import type { GpujsBackend } from '../src/index.js';
import { describeMode, modeFactory } from './modes.js';

// The GL run needs an X server for headless-gl (the package's globalSetup starts Xvfb).
const unavailable = process.env.RECTIFIER_GL_UNAVAILABLE;

if (unavailable !== undefined) {
  console.warn(`\n!!! [backend-gpujs] the GL ('gpu' mode) conformance run is SKIPPED: ${unavailable} !!!\n`);
  describe.skip(`conformance: gpujs-gl (SKIPPED: ${unavailable})`, () => {
    it('needs Xvfb and the optional gl package', () => undefined);
  });
} else {
  describeMode('gpujs-gl', 'gpu', 'HeadlessGLKernel', "runs on headless-gl ('gpu' mode), not a fallback");
  // Live GL textures per backend (counted from the first gl.createTexture of its context) and its
  // compiled kernels: the soak test requires both back at their value after its warm-up.
  const liveTextures = new WeakMap<object, Set<object>>();
  const countTextures = (b: GpujsBackend): void => {
    const gl = b.context as { createTexture: () => object; deleteTexture: (t: object) => void };
    const live = new Set<object>();
    liveTextures.set(b, live);
    const create = gl.createTexture.bind(gl);
    const del = gl.deleteTexture.bind(gl);
    gl.createTexture = () => { const t = create(); live.add(t); return t; };
    gl.deleteTexture = (t) => { live.delete(t); del(t); };
  };
  runConformance('gpujs-gl', modeFactory('gpujs-gl', 'gpu', countTextures), {
    resources: (b) => {
      const g = b as GpujsBackend;
      return { textures: liveTextures.get(g)?.size ?? -1, kernels: g.compiledKernels, contextsRecreated: g.contextsRecreated };
    },
  });
}
