/**
 * @rectifier/backend-cpu/kernels — the CPU backend's kernels, for other backends that run the
 * same code elsewhere (the worker backend runs them per chunk in each thread). Element-wise
 * kernels take a [start, end) range of global indices; matmul and the FFN a block of rows.
 */
export { activate, activateBackward, forwardKernel, gradientKernel, WASM_ELEMENTWISE } from './kernels/elementwise.js';
export {
  accumulator, biasedAccumulator, denseLayerF32, FLOAT32_ACCUMULATION, gemmAccumulate, inDtype, matmulRows, transpose,
  type Accumulator, type MatmulOperands,
} from './kernels/matmul.js';
export {
  ffnBackwardRows, ffnBiasSums, ffnForwardRows, ffnOperands, ffnWeightGradientRows, storeWeightGradientBlocks,
  type FfnBackwardRowOutputs, type FfnOperands, type FfnWeightGradientBlocks,
} from './kernels/ffn.js';
export { CpuKernels } from './backend.js';
