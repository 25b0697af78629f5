/**
 * The README's plot of a benchmark report: element-wise time at 2^20 as a multiple of the copy
 * limit (log scale), and FFN GFLOP/s — two Vega-Lite charts rendered to one SVG file by Vega's
 * headless renderer.
 */
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

interface Row { name: string; medianMs: number; gflops?: number }
interface Report {
  elementwise: { op: string; n: number; results: Row[] }[];
  ffn: { tokens: number; sparsity: string; results: Row[] }[];
}

/** Contender names shortened for a legend. */
function short(name: string): string {
  return name.replace('onnxruntime-node', 'ORT').replace(' (into output)', ' →out').replace(' (new output)', '');
}

export async function plotSvg(report: Report): Promise<string> {
  const n = 2 ** 20;
  const elementwise = report.elementwise.filter((e) => e.n === n).flatMap((e) => {
    const copy = e.results.find((r) => r.name.startsWith('copy'))!.medianMs;
    return e.results.filter((r) => !r.name.startsWith('copy')).map((r) => ({ op: e.op, contender: short(r.name), ratio: r.medianMs / copy }));
  });
  // One sparsity (90 % zeros, the target case) keeps the chart readable; the table has all.
  const ffn = report.ffn.filter((e) => e.sparsity.startsWith('90')).flatMap((e) => e.results.map((r) => ({ shape: `${e.tokens} tokens, 90 % zeros`, contender: short(r.name), gflops: r.gflops ?? 0 })));
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    vconcat: [
      {
        title: 'Element-wise float32, n = 2^20: time ÷ memory-copy time (log scale, lower is better)',
        data: { values: elementwise },
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y: { field: 'op', type: 'nominal', title: null },
          x: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: '× copy' },
          color: { field: 'contender', type: 'nominal', title: 'contender', scale: { scheme: 'category20' } },
          shape: { field: 'contender', type: 'nominal' },
        },
        width: 640,
      },
      {
        title: 'FFN 512×2048 float32, 90 % zeros in the hidden layer: GFLOP/s (higher is better)',
        data: { values: ffn },
        mark: 'bar',
        encoding: {
          y: { field: 'contender', type: 'nominal', title: null },
          x: { field: 'gflops', type: 'quantitative', title: 'GFLOP/s' },
          row: { field: 'shape', type: 'nominal', title: null },
          color: { field: 'contender', type: 'nominal', legend: null, scale: { scheme: 'category20' } },
        },
        width: 560,
      },
    ],
    resolve: { scale: { color: 'independent', shape: 'independent' } },
    config: { legend: { orient: 'bottom', columns: 3, labelLimit: 280 } },
  };
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
