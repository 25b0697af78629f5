/**
 * The conformance suite: one describe per backend, its sections in order. The harness (harness.ts:
 * the context every section gets, with the comparison policy; hooks.ts: backend setup and the report
 * sink) is shared; each section is one file under sections/ (or, for the older ones, beside this
 * file), given the context and defining its own describe blocks.
 */
import { describe } from 'vitest';
import { describeMismatches, expectCode } from './assertions.js';
import { badInputSuite } from './bad-input.js';
import { batchShapeSuite } from './batch-shapes.js';
import { exactValuesSection } from './exact.js';
import { ffnZeroDimsSuite } from './ffn-zero-dims.js';
import { createSuiteContext, type ConformanceFactory, type ConformanceOptions } from './harness.js';
import { registerSuiteHooks } from './hooks.js';
import { hostileInputSuite } from './hostile.js';
import { inputSnapshotSuite } from './input-snapshot.js';
import { paramExtremesSuite } from './param-extremes.js';
import { activationStatsSection } from './sections/activation-stats.js';
import { capabilitiesSection } from './sections/capabilities.js';
import { definitionValuesSection } from './sections/definition-values.js';
import { fastPrecisionSection } from './sections/fast-precision.js';
import { ffnSection } from './sections/ffn.js';
import { forwardOutSection } from './sections/forward-out.js';
import { fuzzingSection } from './sections/fuzzing.js';
import { lifecycleSection } from './sections/lifecycle.js';
import { matmulSection } from './sections/matmul.js';
import { noisyReluSection } from './sections/noisy-relu.js';
import { onnxDataSection } from './sections/onnx-data.js';
import { opValuesSection } from './sections/op-values.js';
import { preluLayoutsSection } from './sections/prelu-layouts.js';
import { propertiesSection } from './sections/properties.js';
import { residentSection } from './sections/resident.js';
import { shapesSection } from './sections/shapes.js';
import { undeclaredOpsSection } from './sections/undeclared-ops.js';

export { CONFORMANCE_TIMEOUT_MS, type ConformanceFactory, type ConformanceOptions } from './harness.js';
export { FUZZ_RUNS_DEFAULT } from './sections/fuzzing.js';
export { SOAK_CALLS, SOAK_HEAP_BOUND_MIB, SOAK_RSS_BOUND_MIB } from './sections/lifecycle.js';

/** Defines the conformance suite for one backend (call at the top level of a Vitest test file). */
export function runConformance(name: string, create: ConformanceFactory, options: ConformanceOptions = {}): void {
  const ctx = createSuiteContext(name, create, options);
  describe(`conformance: ${name}`, { timeout: ctx.timeout }, () => {
    registerSuiteHooks(ctx);
    const { backend, dtypes, recorder, forwardTolerance, gradientTolerance, withDtype, inputData, ulpCheck, subnormalContext } = ctx;

    capabilitiesSection(ctx);
    undeclaredOpsSection(ctx);
    exactValuesSection({ backend, dtypes, recorder, forwardTolerance, gradientTolerance, withDtype, inputData, ulpCheck, subnormalContext, describeMismatches });
    fastPrecisionSection(ctx);
    opValuesSection(ctx);
    definitionValuesSection(ctx);
    propertiesSection(ctx);
    shapesSection(ctx);
    preluLayoutsSection(ctx);
    noisyReluSection(ctx);
    matmulSection(ctx);
    ffnSection(ctx);

    // param-extremes.ts: every numeric parameter at 1e±300, past FLT_MAX and tiny, or the declared refusal.
    describe('parameters at extreme valid values', () => {
      paramExtremesSuite({ b: backend, checkForward: ctx.checkForward, checkGradient: ctx.checkGradient, inputData, expectCode });
    });
    describe('FFN with a zero dimension (T, d, f or dOut = 0)', () => {
      ffnZeroDimsSuite(backend);
    });
    describe('results depend only on the inputs at the time of the call', () => {
      inputSnapshotSuite(backend);
    });

    activationStatsSection(ctx);

    // One test per row of BAD_INPUT_CASES (bad-input.ts), the README's "Bad input" table.
    describe('bad input gives the typed error', () => {
      badInputSuite(backend, create);
    });
    describe('batch shapes', () => {
      batchShapeSuite(backend);
    });
    describe('what plain JavaScript can do to a call (hostile-input classes of issue 11)', () => {
      hostileInputSuite(backend);
    });

    lifecycleSection(ctx);
    forwardOutSection(ctx);
    residentSection(ctx);
    fuzzingSection(ctx);
    onnxDataSection(ctx);
  });
}
