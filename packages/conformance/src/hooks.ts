/**
 * The suite's setup and teardown: beforeAll creates the backend under test; afterAll disposes it and
 * is the report sink, writing what the sections recorded to reports/run/accuracy/<backend>.json and
 * reports/run/reliability/<backend>.json (ignored by git; `pnpm reports:update` summarises them).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Backend } from '@rectifier/core';
import { afterAll, beforeAll } from 'vitest';
import type { SuiteContext } from './harness.js';

function repoRoot(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

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
    const dir = options.reportDir === false ? undefined : options.reportDir ?? process.env.RECTIFIER_REPORT_DIR ?? (repoRoot() ? join(repoRoot()!, 'reports', 'run', 'accuracy') : undefined);
    if (dir !== undefined && recorder.entries.size > 0) {
      mkdirSync(dir, { recursive: true });
      const file = resolve(dir, `${name}.json`);
      writeFileSync(file, `${JSON.stringify({ backend: name, capabilities: caps, worst: recorder.toJSON() }, null, 1)}\n`);
      const worst = [...recorder.entries.entries()].filter(([k]) => !k.startsWith('onnx')).sort(([, a], [, c]) => (c.ulp ?? -1) - (a.ulp ?? -1)).slice(0, 5);
      console.log(`[conformance:${name}] accuracy report: ${file}; worst: ${worst.map(([k, v]) => `${k} ${v.ulp} ulp`).join(', ')}`);
    }
    const { fuzzCases, fuzzSeconds, soak } = reliability;
    if (dir !== undefined && (fuzzCases.size > 0 || soak !== undefined)) {
      const rdir = join(dir, '..', 'reliability');
      mkdirSync(rdir, { recursive: true });
      const cases = [...fuzzCases.values()];
      writeFileSync(resolve(rdir, `${name}.json`), `${JSON.stringify({
        backend: name,
        fuzz: { ops: fuzzCases.size, minCasesPerOp: cases.length ? Math.min(...cases) : 0, seconds: fuzzSeconds },
        soak,
      }, null, 1)}\n`);
    }
  }, ctx.timeout);
}
