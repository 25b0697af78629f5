import { browserProject } from '../conformance/browser-project.js';

/**
 * The conformance suite in headless Chromium (Vitest's browser mode, Playwright provider): the same
 * suite as test/conformance.test.ts, on the CPU backend with its WebAssembly kernels, bundled by Vite.
 * What every browser environment shares (Debian's Chromium and its flags, cross-origin isolation,
 * the suite's variables, the loud skip without Chromium) is @rectifier/conformance's browser-project.ts.
 */
export default browserProject({ name: 'backend-cpu-browser' }); // its instance's project: "backend-cpu-browser (chromium)"
