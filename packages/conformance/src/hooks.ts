/**
 * The suite's setup and teardown: beforeAll creates the backend under test; afterAll disposes it and
 * is the report sink, writing what the sections recorded to reports/run/accuracy/<backend>.json and
 * reports/run/reliability/<backend>.json (ignored by git; `pnpm reports:update` summarises them),
 * through the platform's I/O (src/platform/: files in Node; none in a browser page).
 */
import type { Backend } from '@rectifier/core';
import { afterAll, beforeAll } from 'vitest';
import { defaultReportDir, writeReport } from '#platform';
import type { SuiteContext } from './harness.js';

/** Registers the hooks (inside the suite's describe, before its sections). */
export function registerSuiteHooks(ctx: SuiteContext): void {
  const { name, options, recorder, reliability } = ctx;
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await ctx.create();
    ctx.setBackend(backend);
    await backend.ready();
  }, ctx.timeout);

  afterAll(async () => {
    const caps = backend?.capabilities;
    await backend?.dispose();
    const dir = options.reportDir === false ? undefined : options.reportDir ?? await defaultReportDir();
    if (dir !== undefined && recorder.entries.size > 0) {
      const file = await writeReport(dir, 'accuracy', name, { backend: name, capabilities: caps, worst: recorder.toJSON() });
      const worst = [...recorder.entries.entries()].filter(([k]) => !k.startsWith('onnx')).sort(([, a], [, c]) => (c.ulp ?? -1) - (a.ulp ?? -1)).slice(0, 5);
      console.log(`[conformance:${name}] accuracy report: ${file}; worst: ${worst.map(([k, v]) => `${k} ${v.ulp} ulp`).join(', ')}`);
    }
    const { fuzzCases, fuzzSeconds, soak } = reliability;
    if (dir !== undefined && (fuzzCases.size > 0 || soak !== undefined)) {
      const cases = [...fuzzCases.values()];
      await writeReport(dir, 'reliability', name, {
        backend: name,
        fuzz: { ops: fuzzCases.size, minCasesPerOp: cases.length ? Math.min(...cases) : 0, seconds: fuzzSeconds },
        soak,
      });
    }
  }, ctx.timeout);
}
