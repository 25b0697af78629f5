/**
 * @rectifier/backend-cpu/kernels — the CPU backend's kernels, for other backends that run the
 * same code elsewhere (the worker backend runs them per chunk in each thread). Element-wise
 * kernels take a [start, end) range of global indices; gemmAccumulate works on any row block.
 */
export { activate, activateBackward, forwardKernel, gradientKernel, WASM_ELEMENTWISE } from './kernels/elementwise.js';
export {
  accumulator, biasedAccumulator, FLOAT32_ACCUMULATION, ffnForwardFused, gemmAccumulate, inDtype, transpose, type Accumulator,
} from './kernels/matmul.js';
export { CpuKernels, type CpuFfnForward } from './backend.js';
