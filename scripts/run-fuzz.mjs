#!/usr/bin/env node
/**
 * `pnpm fuzz`: the conformance suite's differential fuzzer on every backend — random shapes,
 * parameters and special values, forward and gradient against the float64 reference.
 * RECTIFIER_FUZZ_RUNS cases per op (default 1,000); RECTIFIER_FUZZ_SEED=random for new cases.
 * Extra arguments go to Vitest (e.g. `pnpm fuzz --project @rectifier/backend-cpu`).
 */
import { installAndBuild, pnpm } from './pnpm.mjs';

installAndBuild();
const runs = process.env.RECTIFIER_FUZZ_RUNS ?? '1000';
process.exit(pnpm(['exec', 'vitest', 'run', '-t', 'differential fuzzing', ...process.argv.slice(2)], { RECTIFIER_FUZZ_RUNS: runs }));
