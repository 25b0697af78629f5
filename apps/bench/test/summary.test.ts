/**
 * The bench's summary over several Nodes: the headline table's cells are the reports' own ratios
 * and GFLOP/s, one column per Node, and each Node's tables follow with its plot. (Timings are
 * never measured here: the reports are made up.)
 */
import { describe, expect, it } from 'vitest';
import { reportStem, summaryMarkdown, type BenchReport } from '../src/report.js';

const timing = (name: string, medianMs: number) => ({ name, medianMs, minMs: medianMs, samples: 5, maxError: 0 });
const ffnTiming = (name: string, medianMs: number, gflops: number) => ({ ...timing(name, medianMs), gflops });

function report(node: string, variant: string, reluMs: number, denseGflops: number): BenchReport {
  return {
    machine: { cpu: 'AMD EPYC', cores: 2, memoryGiB: 24, node, platform: 'linux-x64', date: '2026-12-01', wasmSimd: true, wasmVariant: variant, isa: 'family 25 model 1; AVX2, FMA; no AVX-512' },
    elementwise: [{ op: 'relu', n: 2 ** 20, results: [timing('copy limit (Float32Array.set)', 0.1), timing('rectifier cpu (into output)', reluMs)] }],
    ffn: [{ tokens: 512, sparsity: '50 %', results: [ffnTiming('rectifier cpu dense', 10, denseGflops), ffnTiming('rectifier workers (2 threads) dense', 6, 1.5 * denseGflops)] }],
  };
}

describe('bench summary', () => {
  it('names each report by its Node major', () => {
    expect(reportStem('v20.20.2')).toBe('node20');
    expect(reportStem('24.21.0')).toBe('node24');
  });

  it('puts each Node in a column of the headline table, then its own tables and plot', () => {
    const md = summaryMarkdown([report('v20.20.2', 'simd', 0.21, 24.4), report('v24.21.0', 'relaxed-simd', 0.18, 41.06)], (stem) => `plots/${stem}.svg`);
    expect(md).toContain('| figure | Node v20.20.2 (simd) | Node v24.21.0 (relaxed-simd) |');
    expect(md).toContain('| relu 2^20, cpu into output (× copy) | 2.1× | 1.8× |');
    expect(md).toContain('| FFN 512 tokens, 50 % zeros, cpu dense (GFLOP/s) | 24.4 | 41.1 |');
    expect(md).toContain('| FFN 512 tokens, workers dense (GFLOP/s) | 36.6 | 61.6 |');
    expect(md).toContain('| silu 2^20, cpu into output (× copy) | — | — |'); // not in these reports
    expect(md.indexOf('### Node v20.20.2')).toBeLessThan(md.indexOf('### Node v24.21.0'));
    expect(md).toContain('![Benchmark plot, Node v24.21.0](plots/node24.svg)');
    expect(md).toContain('CPU kernels: WebAssembly SIMD (relaxed-simd build)');
  });

  it('reports the sparse backward as a multiple of the dense one, and the trained model\'s blocks against ONNX Runtime', () => {
    const r = report('v24.21.0', 'relaxed-simd', 0.18, 41.06);
    r.ffn.push({ tokens: 512, sparsity: '90 %', results: [ffnTiming('rectifier cpu dense backward', 300, 7), ffnTiming('rectifier cpu sparse backward', 150, 14)] });
    r.trained = [{
      model: 'char-LM', block: 0, tokens: 1024, d: 30, f: 96, zeroFraction: 0.844, certifiedFraction: 0.99,
      results: [ffnTiming('rectifier cpu sparse', 0.8, 7), ffnTiming('onnxruntime-node (1 thread)', 0.4, 15)],
    }];
    const md = summaryMarkdown([r], (stem) => `${stem}.svg`);
    expect(md).toContain('| FFN 512 tokens, 90 % zeros, cpu sparse backward (× dense backward) | 2.0× |');
    expect(md).toContain('| FFN 512 tokens, 99 % zeros, cpu sparse backward (× dense backward) | — |');
    expect(md).toContain('| trained char-LM block 0, cpu sparse (× ONNX Runtime 1 thread) | 0.5× |');
    expect(md).toContain('| 0 | 1024 × 30 × 96 | 84.4 % | 99.0 % | 0.800 (0.50×) | 0.400 (1.00×) |');
  });

  it('reads each of issues 14 and 15 targets off the report and says whether this run meets it, per kernel build', () => {
    const plain = report('v20.20.2', 'simd', 0.21, 34);
    plain.elementwise.push({ op: 'sigmoid', n: 2 ** 20, results: [timing('copy limit (Float32Array.set)', 0.1), timing('rectifier cpu (into output)', 4), timing('onnxruntime-node (1 thread)', 2), timing('rectifier cpu (fast, into output)', 0.9)] });
    plain.elementwise[0]!.results.push(timing('staging floor (copy in and out of module memory)', 0.26));
    const relaxed = report('v24.21.0', 'relaxed-simd', 0.3, 39);
    const md = summaryMarkdown([plain, relaxed], (stem) => `${stem}.svg`);
    expect(md).toContain('| issue.target | figure (unit) | goal | Node v20.20.2 (simd) | Node v24.21.0 (relaxed-simd) |');
    expect(md).toContain('| 14.1 | relu 2^20, cpu into output (× copy) | ≤ 2.5× copy | 2.10× **met** | 3.00× not met |');
    expect(md).toContain('| 14.1 | staging floor 2^20 (no kernel) (× copy) | what 14.1 cannot go below | 2.60× | — |');
    expect(md).toContain('| 14.3 | sigmoid 2^20, cpu into output (× ONNX Runtime time) | ≤ ONNX Runtime 1 thread | 2.00× not met | — |');
    expect(md).toContain("| 14.4 | sigmoid 2^20, cpu precision 'fast' (× ONNX Runtime time) | ≤ 0.5× ONNX Runtime 1 thread | 0.45× **met** | — |");
    expect(md).toContain('| 14.5 | FFN 512 tokens, cpu dense, median of its sparsity rows (GFLOP/s) | ≥ 40 GFLOP/s | not stated for this build | 39.0 not met |');
    expect(md).toContain('| 14.5 | FFN 512 tokens, cpu dense, median of its sparsity rows (GFLOP/s) | ≥ 33 GFLOP/s | 34.0 **met** | not stated for this build |');
  });

  it('reads 14.5\'s absolute GFLOP/s as the median over the rows that time the same computation, and keeps ratios within a row', () => {
    const r = report('v24.21.0', 'relaxed-simd', 0.3, 36.7);
    r.ffn.push(
      { tokens: 512, sparsity: '90 %', results: [ffnTiming('rectifier cpu dense', 10, 46.9), ffnTiming('rectifier cpu certified', 5, 93.8), ffnTiming('rectifier cpu first matmul only', 5, 44)] },
      { tokens: 512, sparsity: '99 %', results: [ffnTiming('rectifier cpu dense', 10, 43.5), ffnTiming('rectifier cpu first matmul only', 5, 46)] },
      { tokens: 64, sparsity: '90 %', results: [ffnTiming('rectifier cpu dense', 10, 80)] }, // another shape: not one of the rows
    );
    const md = summaryMarkdown([r], (stem) => `${stem}.svg`);
    expect(md).toContain('| 14.5 | FFN 512 tokens, cpu dense, median of its sparsity rows (GFLOP/s) | ≥ 40 GFLOP/s | 43.5 **met** |');
    // two rows time x·W1 alone: the median of an even count is the mean of the middle two
    expect(md).toContain('| 14.5 | GEMM 512×512×2048 (x·W1), cpu, median of its sparsity rows (GFLOP/s) | ≥ 45 GFLOP/s | 45.0 **met** |');
    expect(md).toContain('| 15 | FFN 512 tokens, 90 % zeros, cpu certified ÷ dense (×) | ≥ 2.5× | 2.00× not met |');
    // the headline table still shows the 50 % row as measured
    expect(md).toContain('| FFN 512 tokens, 50 % zeros, cpu dense (GFLOP/s) | 36.7 |');
  });
});
