/**
 * Experiment 3 — positive homogeneity. relu(a·x) = a·relu(x) for a ≥ 0, so a bias-free ReLU network
 * satisfies f(k·x) = k·f(x), and scaling W1, b1 by k and W2 by 1/k leaves an FFN's output unchanged:
 * different weights, same function. In floating point, multiplying by a power of two only changes
 * the exponent, so these hold bit for bit; other factors hold within rounding.
 */
import type { Backend, Tensor } from '@rectifier/core';
import { randn, streamSeed } from '../random.js';
import { bitMismatches, relDiff, scale } from '../tensors.js';
import { fmt, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CLAIM =
  'ReLU is positively homogeneous: relu(a·x) = a·relu(x) for a ≥ 0. Hence a bias-free ReLU network has f(k·x) = k·f(x), and (W1, b1, W2) → (k·W1, k·b1, W2/k) gives the same FFN: many weight settings compute one function.';
const SOURCE =
  'Dinh, Pascanu, Bengio & Bengio, "Sharp Minima Can Generalize For Deep Nets", ICML 2017, §4 (non-negative homogeneity); Neyshabur, Salakhutdinov & Srebro, "Path-SGD", NeurIPS 2015.';

export const SCALE_FACTORS = [0.25, 0.5, 2, 8, 1024, 0.1, 3, 10];
/** Legend labels for the plot. */
const SHORT: Record<string, string> = {
  'relu(k·x) = k·relu(x)': 'relu(k·x)',
  'f(k·x) = k·f(x), bias-free MLP': 'MLP f(k·x)',
  'FFN(k·W1, k·b1, W2/k) = FFN(W1, b1, W2)': 'FFN, W1·k and W2/k',
};
const isPowerOfTwo = (k: number): boolean => Number.isInteger(Math.log2(k));

export interface EquivarianceRow {
  test: string;
  k: number;
  powerOfTwo: boolean;
  mismatches: number;
  size: number;
  relDiff: number;
}

/** A bias-free ReLU MLP, every product through the backend. */
async function mlp(backend: Backend, x: Tensor, weights: Tensor[]): Promise<Tensor> {
  let h = x;
  for (const [l, w] of weights.entries()) {
    const z = await backend.matmul(h, w);
    h = l === weights.length - 1 ? z : await backend.forward('relu', z);
  }
  return h;
}

export async function runEquivariance(ctx: ExperimentContext): Promise<ExperimentResult> {
  const t0 = performance.now();
  const { backend } = ctx;
  const s = (k: number) => streamSeed(ctx.seed, 300 + k);
  const x = randn([64, 64], s(0));
  const mlpWeights = [randn([64, 128], s(1), 0.18), randn([128, 128], s(2), 0.125), randn([128, 10], s(3), 0.125)];
  const ffnWeights = { w1: randn([64, 256], s(4), 0.125), b1: randn([256], s(5), 0.1), w2: randn([256, 64], s(6), 0.0625), b2: randn([64], s(7), 0.1) };
  const reluX = await backend.forward('relu', x);
  const fx = await mlp(backend, x, mlpWeights);
  const ffnY = (await backend.ffn(x, ffnWeights)).y;
  const rows: EquivarianceRow[] = [];
  for (const [i, k] of SCALE_FACTORS.entries()) {
    const row = (test: string, a: Tensor, b: Tensor) => rows.push({ test, k, powerOfTwo: isPowerOfTwo(k), mismatches: bitMismatches(a, b), size: a.size, relDiff: relDiff(a, b) });
    // relu(k·x) against k·relu(x)
    row('relu(k·x) = k·relu(x)', await backend.forward('relu', scale(x, k)), scale(reluX, k));
    // f(k·x) against k·f(x) for the bias-free 3-layer network
    row('f(k·x) = k·f(x), bias-free MLP', await mlp(backend, scale(x, k), mlpWeights), scale(fx, k));
    // FFN with (k·W1, k·b1, W2/k, b2) against the original weights
    const rescaled = { w1: scale(ffnWeights.w1, k), b1: scale(ffnWeights.b1, k), w2: scale(ffnWeights.w2, 1 / k), b2: ffnWeights.b2 };
    row('FFN(k·W1, k·b1, W2/k) = FFN(W1, b1, W2)', (await backend.ffn(x, rescaled)).y, ffnY);
    ctx.onProgress?.(i + 1, SCALE_FACTORS.length);
    await tick();
  }
  const pow2 = rows.filter((r) => r.powerOfTwo);
  const other = rows.filter((r) => !r.powerOfTwo && r.test.startsWith('f'));
  const pow2Mismatches = pow2.reduce((a, r) => a + r.mismatches, 0);
  const worstOther = Math.max(...other.map((r) => r.relDiff));
  const reluAll = rows.filter((r) => r.test.startsWith('relu')).reduce((a, r) => a + r.mismatches, 0);
  return {
    id: 'equivariance',
    title: '3. Scale equivariance and redundant parametrisation',
    claim: CLAIM,
    source: SOURCE,
    verdict: `Powers of two: ${pow2Mismatches} of ${pow2.reduce((a, r) => a + r.size, 0)} values differ (bit-exact). Other factors (0.1, 3, 10): network and FFN agree within ${fmt(worstOther, 2)} (normwise relative, float32 rounding); relu alone is bit-exact for every a (${reluAll} mismatches), since it only selects.`,
    metrics: { powerOfTwoMismatches: pow2Mismatches, worstRelDiffOtherFactors: worstOther, reluMismatchesAllFactors: reluAll },
    // One row per identity, one column per k: 'exact' where every value is bit-identical, else max |Δ| / max |y|.
    table: {
      columns: ['identity, k =', ...SCALE_FACTORS.map((k) => fmt(k))],
      rows: [...new Set(rows.map((r) => r.test))].map((test) => [
        test,
        ...SCALE_FACTORS.map((k) => {
          const r = rows.find((q) => q.test === test && q.k === k)!;
          return r.mismatches === 0 ? 'exact' : fmt(r.relDiff, 2);
        }),
      ]),
    },
    charts: [{
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Deviation from exact equivariance (0 = bit-identical)',
      width: 360, height: 220,
      data: { values: rows.map((r) => ({ test: SHORT[r.test] ?? r.test, k: fmt(r.k), rel: r.relDiff })) },
      mark: 'bar',
      encoding: {
        x: { field: 'k', type: 'nominal', sort: SCALE_FACTORS.map((k) => fmt(k)), title: 'scale factor k' },
        xOffset: { field: 'test' },
        y: { field: 'rel', type: 'quantitative', title: 'max |Δ| / max |y|', axis: { format: '.0e' } },
        color: { field: 'test', type: 'nominal', title: 'identity' },
      },
    }],
    data: { rows },
    backend: backend.name,
    seconds: (performance.now() - t0) / 1000,
  };
}

export const equivariance: Experiment = { id: 'equivariance', title: 'Scale equivariance', claim: CLAIM, source: SOURCE, run: (ctx) => runEquivariance(ctx) };
