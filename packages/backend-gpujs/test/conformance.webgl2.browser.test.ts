/**
 * The conformance suite in Chromium on gpu.js's WebGL2 kernels (vitest.browser.config.ts, instance
 * gpujs-webgl2-chromium): mode 'gpu' in a page, where gpu.js takes a WebGL2Kernel (SwiftShader's
 * GL here). The same tests as test/conformance.gl.test.ts on headless-gl in Node, and the same GL
 * declaration (its maximum texture size read from the page's context). Reports:
 * reports/run/{accuracy,reliability}/gpujs-webgl2-chromium.json.
 */
import { runConformance } from '@rectifier/conformance';
import { compiledKernels, describeMode, modeFactory } from './modes.js';
import { skippedWithoutChromium } from './without-chromium.js';

if (!skippedWithoutChromium('gpu.js WebGL2')) {
  describeMode('gpujs-webgl2-chromium', 'gpu', 'WebGL2Kernel', "runs on gpu.js's WebGL2 kernels ('gpu' mode), not a fallback");
  runConformance('gpujs-webgl2-chromium', modeFactory('gpujs-webgl2-chromium', 'gpu'), { resources: compiledKernels });
}
