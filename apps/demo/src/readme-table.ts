/**
 * The demo README's table of what the tour measures, made from the tour's own results (seed 0,
 * CPU backend), so its figures cannot go stale: apps/demo/test/readme.test.ts runs the experiments
 * as the tour does and checks that the README holds exactly this table between its markers.
 * Only figures that every machine reproduces go in: timings, and the race (which backends start
 * depends on the machine), stay in the tour's output and its HTML report.
 */
import { EXPERIMENTS } from './lib/experiments/index.js';
import { fmt, pct, type ExperimentResult } from './lib/types.js';

export const README_TABLE_START = '<!-- tour-results:start -->';
export const README_TABLE_END = '<!-- tour-results:end -->';

/** The experiments in the table: all but the race. */
export const README_EXPERIMENTS = ['sparsity', 'gradient-flow', 'equivariance', 'dying-relu', 'nair-hinton', 'ffn', 'char-lm'] as const;

/** Each experiment's claim and sources, short (the tour prints them in full). */
const CLAIMS: Record<(typeof README_EXPERIMENTS)[number], string> = {
  sparsity: 'about half of ReLU units are non-zero at a zero-bias symmetric init (Glorot, Bordes & Bengio 2011)',
  'gradient-flow': 'gradients vanish through deep sigmoid nets; ReLU + He init keeps them (Glorot & Bengio 2010; He et al. 2015)',
  equivariance: 'relu(a·x) = a·relu(x); f(kx) = k·f(x); (k·W1, k·b1, W2/k) is the same FFN (Dinh et al. 2017)',
  'dying-relu': 'too high a learning rate kills ReLU units; Leaky ReLU / ELU do not die (CS231n; Maas et al. 2013; Clevert et al. 2016)',
  'nair-hinton': 'Σᵢ σ(x − i + ½) ≈ log(1 + eˣ), the noisy ReLU as its stand-in (Nair & Hinton 2010)',
  ffn: 'a ReLU FFN (Vaswani et al. 2017) is sparse; GELU (GPT-3, Falcon) and SwiGLU (Llama 2/3) are not',
  'char-lm': 'trained on real text, a ReLU FFN grows sparser than its ≈ 50 % zeros at init, down to a few per cent of units active (Li et al. 2023, "lazy neurons"); ReLU, GELU and SwiGLU reach similar losses (Bengio et al. 2003; makemore)',
};

/** What the row says was measured: the tour's verdict, less the FFN's timings. */
function measured(r: ExperimentResult): string {
  if (r.id !== 'ffn') return r.verdict;
  const m = r.metrics;
  return `Hidden zeros at init: ReLU ${pct(m.reluZeroFraction)}, GELU ${pct(m.geluZeroFraction)}, SwiGLU ${pct(m.swigluZeroFraction)}. The sparse path's output differs from the dense one by at most ${fmt(m.sparseVsDenseRelDiff, 2)} (normwise relative); its speed-up depends on the machine (the tour prints this machine's).`;
}

/** The Markdown table, one row per experiment of README_EXPERIMENTS, in tour order, numbered as the tour numbers them. */
export function renderReadmeTable(results: readonly ExperimentResult[]): string {
  const rows = README_EXPERIMENTS.map((id) => {
    const i = results.findIndex((r) => r.id === id);
    if (i < 0) throw new Error(`renderReadmeTable: no result for experiment ${id}`);
    return `| ${EXPERIMENTS.findIndex((e) => e.id === id) + 1} | ${CLAIMS[id]} | ${measured(results[i]).replaceAll('|', '\\|')} |`;
  });
  return ['| # | claim (source) | measured (seed 0, CPU backend, float32) |', '|---|---|---|', ...rows].join('\n');
}
