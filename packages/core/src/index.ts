/**
 * @rectifier/core — the contract every Rectifier backend implements: tensors, dtypes, typed errors,
 * the ReLU-family op catalogue with float64 references for values and gradients, matmul and the
 * transformer FFN block, activation statistics, and backend selection.
 */
export { ErrorCode, RectifierError, describeValue, errorMessage, type ErrorDetails } from './errors.js';
export { DTYPES, allocate, dtypeOf, epsilon, isDType, roundTo, ulpDistance, type DType, type TypedArray } from './dtype.js';
export {
  CORE_VERSION, MAX_RANK, MAX_TENSOR_ELEMENTS, Tensor, declareMemoryHandle, isTensor, residentTensor, sameShape, shapeSize, tensor, zeros,
  type NestedNumbers,
} from './tensor.js';
export * as scalar from './math/scalar.js';
export {
  OPS, OP_ALIASES, OP_NAMES, findOp, type OpAlias, type OpNameOrAlias, type OpParams,
  type AccuracyClass, type OpDefinition, type OpKind, type OpName, type OpParamMap, type ScalarFn,
} from './ops/catalogue.js';
export { OP_TESTING, type OpSpotValue, type OpTesting } from './ops/testing.js';
export { resolveParams, type NumberRule, type ParamSpec, type ParamValue, type ResolvedParams } from './ops/params.js';
export {
  UNLIMITED, checkSameDtype, checkTensor, prepareFfn, prepareFfnBackward, prepareGradientCall, prepareMatmul,
  prepareOpCall, prepareStats,
  type CallLimits, type CallTensors, type CheckTensorOptions, type FfnBackwardCall, type FfnCall, type FfnOptions, type FfnWeights, type ForwardOptions, type GradientCall,
  type MatmulCall, type MatmulOptions, type OpCall, type Precision, type PreluLayout, PRECISIONS,
} from './validate.js';
export {
  activationStatsOf, ffnStatsOf, gradientProduct, noisyReluInput, noisyReluStd, referenceActivationStats, referenceFfn,
  referenceFfnBackward, referenceForward, referenceGradient, referenceMatmul,
  type ActivationStats, type FfnGradients, type FfnResult, type FfnStats,
} from './reference.js';
export {
  certificateBound, certificateColumnFacts, certifiedUnitCount, certifyRows, certifyZeroUnits, quantiseW1,
  type CertificateBound, type CertificatePass, type QuantisedW1, type RowCertificate, type W1Quantiser,
} from './ffn-certify.js';
export {
  columnSums, ffnBiasGradients, ffnGradients, ffnResult, type FfnBiasGradients, type FfnGradientArrays,
} from './ffn-assembly.js';
export {
  BackendBase, runsFast, type Backend, type Capabilities, type FastBound, type Kernels, type MaybePromise, type OpInputs, type Operations, type Result, type SyncBackend,
} from './backend.js';
export {
  BackendRegistry, defaultRegistry, getBackend, registerBackend,
  type BackendFactory, type BackendFallback, type BestOptions, type RegisterOptions, type RegistryDescription,
} from './registry.js';
