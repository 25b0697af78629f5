/**
 * Experiment 1 — sparse activation at random initialisation. With zero biases and weights drawn
 * symmetrically around 0, each pre-activation is as likely to be negative as positive, so about
 * half of the ReLU units output exactly 0. A bias b moves the fraction that fires to Φ(b/σ), σ the
 * pre-activation's standard deviation.
 */
import { scalar, tensor, type Backend, type Tensor } from '@rectifier/core';
import { randn, streamSeed } from '../random.js';
import { addBias, mean, std } from '../tensors.js';
import { fmt, pct, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CLAIM =
  'With zero bias and a symmetric random init, about 50 % of ReLU units output a non-zero value (the representation is sparse from the start); a bias b shifts the fraction to Φ(b/σ).';
const SOURCE =
  'Glorot, Bordes & Bengio, "Deep Sparse Rectifier Neural Networks", AISTATS 2011, §3.1.';

export interface SparsityOptions {
  seeds: number;
  rows: number;
  inputs: number;
  width: number;
  layers: number;
  biases: number[];
}

export const SPARSITY_DEFAULTS: SparsityOptions = { seeds: 10, rows: 128, inputs: 64, width: 256, layers: 3, biases: [-1, -0.5, 0, 0.5, 1] };

/** Fraction of non-zero ReLU outputs in each hidden layer of one random MLP with bias `bias`. */
async function activeFractions(backend: Backend, seed: number, o: SparsityOptions, bias: number): Promise<number[]> {
  let h: Tensor = randn([o.rows, o.inputs], streamSeed(seed, 0));
  const fractions: number[] = [];
  for (let l = 0; l < o.layers; l++) {
    const fanIn = h.shape[1];
    // He init: N(0, 2/fan_in) keeps the pre-activation scale steady through ReLU layers; its sign is symmetric.
    const w = randn([fanIn, o.width], streamSeed(seed, l + 1), Math.sqrt(2 / fanIn));
    let z = await backend.matmul(h, w);
    if (bias !== 0) z = addBias(z, tensor(new Array(o.width).fill(bias)));
    h = await backend.forward('relu', z);
    const stats = await backend.activationStats(h);
    fractions.push(1 - stats.zeroFraction);
  }
  return fractions;
}

export async function runSparsity(ctx: ExperimentContext, options: Partial<SparsityOptions> = {}): Promise<ExperimentResult> {
  const o = { ...SPARSITY_DEFAULTS, ...options };
  const t0 = performance.now();
  const total = o.biases.length * o.seeds;
  let done = 0;
  // First layer: x ~ N(0, 1) and W ~ N(0, 2/d) give a pre-activation of variance 2, so P(z + b > 0) = Φ(b/√2).
  const sigma = Math.SQRT2;
  const sweep: { bias: number; mean: number; sd: number; predicted: number; perSeed: number[]; perLayerMean: number[] }[] = [];
  for (const bias of o.biases) {
    const perSeedLayers: number[][] = [];
    for (let s = 0; s < o.seeds; s++) {
      perSeedLayers.push(await activeFractions(ctx.backend, streamSeed(ctx.seed, 100 + s), o, bias));
      ctx.onProgress?.(++done, total);
      await tick();
    }
    const firstLayer = perSeedLayers.map((f) => f[0]);
    const perLayerMean = Array.from({ length: o.layers }, (_, l) => mean(perSeedLayers.map((f) => f[l])));
    sweep.push({ bias, mean: mean(firstLayer), sd: std(firstLayer), predicted: scalar.normalCdf(bias / sigma), perSeed: firstLayer, perLayerMean });
  }
  const zero = sweep.find((r) => r.bias === 0) ?? sweep[0];
  // At zero bias, every layer (not only the first) should be ≈ 50 % active: the deciding number.
  const allLayersAtZero = mean(zero.perLayerMean);
  const table = {
    columns: ['bias b', 'active (layer 1)', '± sd over seeds', 'predicted Φ(b/√2)', 'active, layers 1…' + o.layers],
    rows: sweep.map((r) => [fmt(r.bias), pct(r.mean), pct(r.sd, 2), pct(r.predicted), r.perLayerMean.map((v) => pct(v)).join(' / ')]),
  };
  const points = sweep.map((r) => ({ bias: r.bias, active: r.mean, lo: r.mean - r.sd, hi: r.mean + r.sd, predicted: r.predicted }));
  return {
    id: 'sparsity',
    title: '1. Sparse activation at random initialisation',
    claim: CLAIM,
    source: SOURCE,
    verdict: `Zero bias: ${pct(allLayersAtZero)} of hidden units are non-zero (mean over ${o.layers} layers × ${o.seeds} seeds; first layer ${pct(zero.mean)} ± ${pct(zero.sd, 2)}); b = ${fmt(o.biases[o.biases.length - 1])} raises it to ${pct(sweep[sweep.length - 1].mean)} (Φ predicts ${pct(sweep[sweep.length - 1].predicted)}).`,
    metrics: { activeFractionZeroBias: allLayersAtZero, activeFractionZeroBiasSd: zero.sd, maxDeviationFromPhi: Math.max(...sweep.map((r) => Math.abs(r.mean - r.predicted))) },
    table,
    charts: [{
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: 'Active ReLU units vs bias (first layer, mean ± sd over seeds)',
      width: 360, height: 220,
      data: { values: points },
      layer: [
        { mark: { type: 'line', strokeDash: [4, 3], color: '#888' }, encoding: { x: { field: 'bias', type: 'quantitative', title: 'bias b' }, y: { field: 'predicted', type: 'quantitative', title: 'fraction of units non-zero', scale: { domain: [0, 1] } } } },
        { mark: { type: 'rule', color: '#1f77b4' }, encoding: { x: { field: 'bias', type: 'quantitative' }, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
        { mark: { type: 'point', filled: true, size: 60, color: '#1f77b4' }, encoding: { x: { field: 'bias', type: 'quantitative' }, y: { field: 'active', type: 'quantitative' }, tooltip: [{ field: 'bias' }, { field: 'active', format: '.3f' }] } },
      ],
    }],
    data: { options: o, sweep },
    backend: ctx.backend.name,
    seconds: (performance.now() - t0) / 1000,
  };
}

export const sparsity: Experiment = { id: 'sparsity', title: 'Sparse activation at random initialisation', claim: CLAIM, source: SOURCE, run: (ctx) => runSparsity(ctx) };
