import { createCpuBackend } from '@rectifier/backend-cpu';
import { describe, expect, it } from 'vitest';
import { opTable, renderTable } from '../src/table.js';

describe('demo op table', () => {
  it('lists every element-wise op with values and derivatives from the backend', async () => {
    const backend = createCpuBackend();
    const rows = await opTable(backend, [-1, 0, 2]);
    const relu = rows.find((r) => r.op === 'relu')!;
    expect(relu.f).toEqual([0, 0, 2]);
    expect(relu.df).toEqual([0, 0, 1]);
    const relu6 = rows.find((r) => r.op === 'relu6')!;
    expect(relu6.f).toEqual([0, 0, 2]);
    expect(rows.map((r) => r.op)).toContain('mish');
    expect(rows.map((r) => r.op)).not.toContain('reglu');
    const text = renderTable(rows, [-1, 0, 2]);
    expect(text.split('\n')[0]).toMatch(/^op\s+f\(-1\)\s+f\(0\)\s+f\(2\)\s+f′\(-1\)/);
    expect(text).toContain('leaky_relu');
    await backend.dispose();
  });
});
