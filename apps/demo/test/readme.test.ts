/**
 * The demo README's figures are the tour's: its table of results is exactly renderReadmeTable() of
 * the experiments run as `npm run demo` runs them (seed 0, CPU backend, default options). When an
 * experiment changes, paste the expected table this test prints between the README's markers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../src/lib/experiments/index.js';
import { README_EXPERIMENTS, README_TABLE_END, README_TABLE_START, renderReadmeTable } from '../src/readme-table.js';

describe('apps/demo/README.md', () => {
  it("has the tour's own results (seed 0, CPU backend) between its markers", async () => {
    const backend = createCpuBackend();
    const results = [];
    for (const e of EXPERIMENTS.filter((x) => (README_EXPERIMENTS as readonly string[]).includes(x.id))) {
      results.push(await e.run({ backend, seed: 0 }));
    }
    await backend.dispose();
    const text = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
    const from = text.indexOf(README_TABLE_START);
    const to = text.indexOf(README_TABLE_END);
    expect(from, `README has ${README_TABLE_START}`).toBeGreaterThanOrEqual(0);
    expect(to, `README has ${README_TABLE_END} after ${README_TABLE_START}`).toBeGreaterThan(from);
    expect(text.indexOf(README_TABLE_START, from + 1), `one ${README_TABLE_START} only`).toBe(-1);
    expect(text.slice(from + README_TABLE_START.length, to)).toBe(`\n${renderReadmeTable(results)}\n`);
  });
});
