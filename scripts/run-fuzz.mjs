#!/usr/bin/env node
/**
 * `pnpm fuzz`: the conformance suite's differential fuzzer on every backend — random shapes,
 * parameters and special values, forward and gradient against the float64 reference.
 * RECTIFIER_FUZZ_RUNS cases per op per backend (default 10,000 here; the default test run does 1,000);
 * RECTIFIER_FUZZ_SEED=random for new cases; RECTIFIER_FUZZ_SHRINK=0 reports a failure unshrunk (quick triage).
 * Extra arguments go to Vitest (e.g. `pnpm fuzz --project @rectifier/backend-cpu`).
 */
import { installAndBuild, pnpm } from './pnpm.mjs';

installAndBuild();
const runs = process.env.RECTIFIER_FUZZ_RUNS ?? '10000';
process.exit(pnpm(['exec', 'vitest', 'run', '-t', 'differential fuzzing', ...process.argv.slice(2)], { RECTIFIER_FUZZ_RUNS: runs }));
