/**
 * Differential fuzzing (fast-check): random calls of every op against the float64 reference with
 * the suite's tolerances, each failure shrunk and, for element-wise ops, reduced to one element.
 */
import { ErrorCode, OP_NAMES, OPS, type DType, type OpName } from '@rectifier/core';
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { envVar } from '#platform';
import { expectCode } from '../assertions.js';
import { opCase, type FuzzCase } from '../fuzz.js';
import { refusedParam } from '../param-extremes.js';
import { requiring } from '../declared-ops.js';
import type { SuiteContext } from '../harness.js';

/** Differential fuzz cases per op per backend in the default run (RECTIFIER_FUZZ_RUNS overrides). */
export const FUZZ_RUNS_DEFAULT = 1000;

/** Defines the fuzzing section (its case counts and time go to the reliability report). */
export function fuzzingSection(ctx: SuiteContext): void {
  const { backend, name, options, dtypes, inputData, checkForward, checkGradient, reliability } = ctx;
  describe('differential fuzzing against the float64 reference (fast-check)', () => {
    // On in every run: FUZZ_RUNS_DEFAULT (1,000) cases per op per backend, each a forward and a
    // gradient call against the reference with the suite's tolerances and subnormal rule.
    // RECTIFIER_FUZZ_RUNS sets the count (`pnpm fuzz`: 10,000; 0 turns the block off). The seed is
    // fixed per op so runs are reproducible; RECTIFIER_FUZZ_SEED=random draws new cases. A failure
    // is shrunk by fast-check (seed, path and counterexample printed) and, for element-wise ops,
    // reduced further to the one failing element, printed as a 1-element case.
    const runs = Number(envVar('RECTIFIER_FUZZ_RUNS') ?? FUZZ_RUNS_DEFAULT);
    if (options.reportDir === false && envVar('RECTIFIER_FUZZ_RUNS') === undefined) {
      // A second configuration of a backend already fuzzed (it writes no report): kept out of the
      // default run for time; `pnpm fuzz` (RECTIFIER_FUZZ_RUNS set) fuzzes it too.
      it.skip('differential fuzzing runs in this backend\'s reporting configuration (and in `pnpm fuzz`)', () => undefined);
      return;
    }
    if (!(runs > 0)) {
      it.skip('differential fuzzing is off (RECTIFIER_FUZZ_RUNS=0)', () => undefined);
      return;
    }
    const seedOf = (op: string): number | undefined =>
      envVar('RECTIFIER_FUZZ_SEED') === 'random' ? undefined : [...op].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) | 0;
    const runCase = async (op: OpName, dtype: DType, c: FuzzCase): Promise<void> => {
      const ins = c.inputs.map((t) => inputData(dtype, t.values, t.shape));
      ctx.lastMismatch = undefined;
      if (refusedParam(backend(), op, c.params) !== undefined) {
        // A parameter beyond the backend's declared paramLimits: the declared refusal.
        await expectCode(backend().forward(op, ins, c.params as never), ErrorCode.UnsupportedValue);
        return;
      }
      await checkForward(op, ins, c.params, dtype);
      const s0 = ins[0].shape;
      const outShape = OPS[op].kind === 'crelu' ? [...s0.slice(0, -1), 2 * s0[s0.length - 1]] : s0;
      await checkGradient(op, ins, inputData(dtype, c.dy, outShape), c.params, dtype);
    };
    /** The failing element alone, as a 1-element case, where the op is element-wise and it still fails. */
    const oneElement = (op: OpName, c: FuzzCase, index: number): FuzzCase | undefined => {
      const kind = OPS[op].kind;
      if (kind !== 'unary' && kind !== 'glu') return undefined;
      return { inputs: c.inputs.map((t) => ({ values: [t.values[index]], shape: [1] })), params: c.params, dy: [c.dy[index]] };
    };
    for (const op of OP_NAMES) {
      it(`${op}: ${runs} random calls, forward and gradient, every declared dtype`, requiring(backend, [op], async () => {
        const t0 = performance.now();
        const declared = backend().capabilities.dtypes.filter((d) => dtypes.includes(d));
        const arbitrary = fc.constantFrom(...declared).chain((dtype) => opCase(op, dtype).map((c) => ({ dtype, ...c })));
        let firstFailure = true;
        await fc.assert(fc.asyncProperty(arbitrary, async ({ dtype, ...c }) => {
          try {
            await runCase(op, dtype, c);
          } catch (e) {
            if (firstFailure) {
              // Printed whole, at once: if shrinking then outlasts the hang guard, the reason is already out.
              firstFailure = false;
              console.error(`[conformance:${name}] fuzz ${op}: first failing case, before shrinking: ${fc.stringify({ dtype, ...c })}\n${e instanceof Error ? e.stack ?? e.message : String(e)}`);
            }
            const index = ctx.lastMismatch;
            const small = index === undefined ? undefined : oneElement(op, c, index);
            if (small !== undefined && c.inputs[0].values.length > 1) {
              const again = await runCase(op, dtype, small).then(() => undefined, (err: unknown) => err);
              if (again !== undefined) {
                throw new Error(`${op}: minimal failing case (1 element, from element ${index}): ${fc.stringify({ dtype, ...small })}\n${String(again)}`);
              }
            }
            throw e;
          }
        }), {
          numRuns: runs, ...(seedOf(op) === undefined ? {} : { seed: seedOf(op) }),
          // RECTIFIER_FUZZ_SHRINK=0: report the first failure as drawn (quick triage). No time
          // limit inside the property: a slow machine runs every case (the test's own limit, 600 s
          // against a few seconds measured per op, is only a hang guard).
          ...(envVar('RECTIFIER_FUZZ_SHRINK') === '0' ? { endOnFailure: true } : {}),
        });
        reliability.fuzzCases.set(op, (reliability.fuzzCases.get(op) ?? 0) + runs);
        reliability.fuzzSeconds = Math.round((reliability.fuzzSeconds + (performance.now() - t0) / 1000) * 10) / 10;
      }), 600_000);
    }
  });
}
