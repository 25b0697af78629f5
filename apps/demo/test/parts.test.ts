/** The demo's plumbing: explorer values, tables, the HTML report, and that the shared code is browser-safe. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { referenceForward, referenceGradient, tensor } from '@rectifier/core';
import { describe, expect, it } from 'vitest';
import { toSvg } from '../src/lib/charts.js';
import { runEquivariance } from '../src/lib/experiments/equivariance.js';
import { curvesSpec, explore, EXPLORER_OPS, parseParams, PROBE_POINTS } from '../src/lib/explorer.js';
import { renderGrid } from '../src/lib/text.js';
import { renderReport } from '../src/report.js';

const backend = createCpuBackend();

describe('activation explorer', () => {
  it('offers the one-input ops only', () => {
    expect(EXPLORER_OPS).toContain('relu');
    expect(EXPLORER_OPS).toContain('noisy_relu');
    expect(EXPLORER_OPS).not.toContain('swiglu');
    expect(EXPLORER_OPS).not.toContain('prelu');
  });

  it('computes f and f′ through the backend, equal to the reference rounded to float32', async () => {
    const c = await explore(backend, 'elu', { alpha: 0.5 }, PROBE_POINTS);
    const x = tensor([...PROBE_POINTS], undefined, 'float64');
    expect(c.f).toEqual(Array.from(referenceForward('elu', x, { alpha: 0.5 }).data, Math.fround));
    expect(c.df).toEqual(Array.from(referenceGradient('elu', x, tensor([1, 1, 1, 1, 1], undefined, 'float64'), { alpha: 0.5 })[0].data, Math.fround));
  });

  it('parses the form: numbers parsed, blanks left to the default', () => {
    expect(parseParams('noisy_relu', { seed: '7', sigma: ' ' })).toEqual({ seed: 7 });
    expect(parseParams('gelu', { approximate: 'tanh' })).toEqual({ approximate: 'tanh' });
  });

  it('draws its plot as SVG headlessly', async () => {
    const svg = await toSvg(curvesSpec('relu', await explore(backend, 'relu', {}, [-1, 0, 1])));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('relu′(x)');
  });
});

describe('terminal tables and the HTML report', () => {
  it('pads columns to one width', () => {
    const lines = renderGrid(['name', 'value'], [['a', 1], ['longer', 22.5]]).split('\n');
    expect(lines).toEqual(['name    value', '──────  ─────', 'a           1', 'longer   22.5']);
  });

  it('writes a self-contained report: claim, source, measured verdict, table and inline SVG, no scripts', async () => {
    const r = await runEquivariance({ backend, seed: 0 });
    const html = await renderReport([r], { backend: 'cpu', seed: 0, machine: 'test', date: '2026-01-01', totalSeconds: 1 });
    expect(html).toContain('<svg');
    expect(html).toContain('Dinh, Pascanu');
    expect(html).toContain('Powers of two: 0 of');
    expect(html).not.toMatch(/<script|src="http/);
  });
});

describe('browser safety', () => {
  it('the code shared with the page imports no Node module', () => {
    const dir = fileURLToPath(new URL('../src/lib', import.meta.url));
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) expect(readFileSync(join(dir, f), 'utf8'), f).not.toMatch(/from ['"]node:|import\(['"]node:/);
  });
});
