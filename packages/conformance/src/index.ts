/**
 * @rectifier/conformance — the one suite every Rectifier backend runs, unchanged.
 *
 *   // packages/backend-x/test/conformance.test.ts
 *   import { runConformance } from '@rectifier/conformance';
 *   runConformance('x', () => createXBackend());
 *
 * What a backend cannot do it declares in `capabilities`; the suite checks the declaration
 * (an undeclared dtype must give UNSUPPORTED_DTYPE, and so on) and never skips a case.
 */
export { runConformance, FUZZ_RUNS_DEFAULT, CONFORMANCE_TIMEOUT_MS, SOAK_CALLS, SOAK_HEAP_BOUND_MIB, SOAK_RSS_BOUND_MIB, type ConformanceFactory, type ConformanceOptions } from './suite.js';
export { BAD_INPUT_CASES, badInputSuite, expectedCodeText, renderBadInputTable, type BadInputCase, type ExpectedCode } from './bad-input.js';
export {
  AccuracyRecorder, compareUlp, compareWithin, checksum, ulpDistance, sameValue, flushParams, flushSubnormal, isSubnormal, minNormal,
  minSubnormal, subnormalSlack, type Mismatch, type SubnormalContext, type WorstError,
} from './compare.js';
export { EDGE_VALUES, PARAM_VARIANTS, MONOTONIC, SPEC_VALUES, kinks, normals, opInputs } from './inputs.js';
export { FUZZ_SIZES, FUZZ_LARGE_SIZES, sizeArbitrary, valuesArbitrary, opCase, paramsArbitrary, valueArbitrary, type FuzzCase } from './fuzz.js';
export { findOnnxDir, loadOnnxCases, mapOnnxCase, ONNX_ATOL, ONNX_RTOL, type OnnxCaseJson, type OnnxTensorJson, type PeerCase } from './onnx.js';
export {
  accuracyMarkers, accuracySection, renderAccuracyTable, replaceAccuracySection, summarizeAccuracyReport, type AccuracyReport,
} from './accuracy-table.js';
