import { runConformance } from '@rectifier/conformance';
import { compiledKernels, describeMode, modeFactory } from './modes.js';

// gl disabled for this file: no display, so headless-gl could not create a context even if asked.
delete process.env.DISPLAY;

describeMode('gpujs-webasm', 'webasm', 'WebAssemblyKernel', "runs on gpu.js's WebAssembly kernels");
runConformance('gpujs-webasm', modeFactory('gpujs-webasm', 'webasm'), { resources: compiledKernels });
