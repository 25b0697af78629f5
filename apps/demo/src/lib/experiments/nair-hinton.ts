/**
 * Experiment 5 — Nair & Hinton's argument for ReLU. N copies of a binary unit sharing weights, with
 * biases offset by −0.5, −1.5, −2.5, …, have a total expected output Σᵢ σ(x − i + 0.5), which is
 * close to log(1 + eˣ) (softplus; the sum is a midpoint rule for ∫₀^∞ σ(x − t) dt = softplus(x)).
 * Softplus in turn is approximated by max(0, x + N(0, σ(x))), the noisy ReLU used in their RBMs.
 */
import { scalar, tensor } from '@rectifier/core';
import { streamSeed } from '../random.js';
import { fmt, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CLAIM =
  'Σᵢ σ(x − i + 0.5), i = 1…N (N copies of a binary unit with offset biases) ≈ log(1 + eˣ); the largest gap is ≈ 0.0106, at x = 0. The noisy ReLU max(0, x + N(0, σ(x))) is a cheap stand-in for these units.';
const SOURCE =
  'Nair & Hinton, "Rectified Linear Units Improve Restricted Boltzmann Machines", ICML 2010, §2.';

export interface NairHintonOptions {
  /** Number of binary copies N in the sum. */
  copies: number;
  from: number;
  to: number;
  step: number;
  /** Samples of the noisy ReLU per x. */
  samples: number;
}
export const NAIR_HINTON_DEFAULTS: NairHintonOptions = { copies: 100, from: -6, to: 10, step: 0.05, samples: 4000 };

/** E[max(0, x + ε)], ε ~ N(0, v): the exact mean of the noisy ReLU, for comparing the samples with. */
export function noisyReluMean(x: number, variance: number): number {
  const s = Math.sqrt(variance);
  return x * scalar.normalCdf(x / s) + s * scalar.normalPdf(x / s);
}

export async function runNairHinton(ctx: ExperimentContext, options: Partial<NairHintonOptions> = {}): Promise<ExperimentResult> {
  const o = { ...NAIR_HINTON_DEFAULTS, ...options };
  const t0 = performance.now();
  const { backend } = ctx;
  const xs = Array.from({ length: Math.round((o.to - o.from) / o.step) + 1 }, (_, g) => o.from + g * o.step);
  const G = xs.length;
  // Row i − 1 holds x − i + 0.5 for every grid point; one sigmoid call covers all N copies, and a
  // matmul with a row of ones sums the copies (float64 inputs: the 0.0106 gap needs no float32 noise).
  const shifted = new Float64Array(o.copies * G);
  for (let i = 1; i <= o.copies; i++) for (let g = 0; g < G; g++) shifted[(i - 1) * G + g] = xs[g] - i + 0.5;
  const f64 = backend.capabilities.dtypes.includes('float64') ? 'float64' : 'float32';
  const sig = await backend.forward('sigmoid', tensor(shifted, [o.copies, G], f64));
  const sums = await backend.matmul(tensor(new Array(o.copies).fill(1), [1, o.copies], f64), sig);
  const softplus = await backend.forward('softplus', tensor(xs, [G], f64));
  ctx.onProgress?.(1, 2);
  await tick();
  let gap = 0;
  let gapAt = 0;
  for (let g = 0; g < G; g++) {
    const d = Math.abs(sums.data[g] - softplus.data[g]);
    if (d > gap) [gap, gapAt] = [d, xs[g]];
  }
  // Noisy ReLU: `samples` draws per x on a coarser grid, in one call (each element has its own noise).
  const nx = xs.filter((_, g) => g % 10 === 0);
  const repeated = new Float32Array(o.samples * nx.length);
  for (let s = 0; s < o.samples; s++) repeated.set(nx, s * nx.length);
  const noisySeed = streamSeed(ctx.seed, 500);
  const noisy = await backend.forward('noisy_relu', tensor(repeated, [o.samples, nx.length]), { seed: noisySeed });
  const meanRow = await backend.matmul(tensor(new Array(o.samples).fill(1 / o.samples), [1, o.samples]), noisy);
  ctx.onProgress?.(2, 2);
  const noisyRows = nx.map((x, j) => {
    const v = scalar.sigmoid(x); // Nair & Hinton: the noise variance is σ(x)
    const exact = noisyReluMean(x, v);
    let m2 = 0;
    for (let s = 0; s < o.samples; s++) m2 += (noisy.data[s * nx.length + j] - meanRow.data[j]) ** 2;
    const se = Math.sqrt(m2 / (o.samples - 1) / o.samples);
    return { x, sampleMean: meanRow.data[j], exactMean: exact, standardError: se, z: se === 0 ? 0 : (meanRow.data[j] - exact) / se, softplus: scalar.softplus(x) };
  });
  const worstZ = Math.max(...noisyRows.map((r) => Math.abs(r.z)));
  const worstVsSoftplus = noisyRows.reduce((w, r) => (Math.abs(r.sampleMean - r.softplus) > Math.abs(w.sampleMean - w.softplus) ? r : w));
  const show = [-4, -2, 0, 2, 4, 8];
  const curve = xs.map((x, g) => ({ x, sum: sums.data[g], softplus: softplus.data[g], relu: Math.max(0, x) }));
  const scatter = [];
  for (let s = 0; s < Math.min(40, o.samples); s++) for (let j = 0; j < nx.length; j++) scatter.push({ x: nx[j], y: noisy.data[s * nx.length + j] });
  return {
    id: 'nair-hinton',
    title: "5. Nair & Hinton's stepped sigmoid units",
    claim: CLAIM,
    source: SOURCE,
    verdict: `Largest |Σσ − softplus| = ${fmt(gap, 4)} at x = ${fmt(Math.abs(gapAt) < 1e-9 ? 0 : gapAt)} (N = ${o.copies}). Noisy ReLU (${o.samples} samples per x): sample means match E[max(0, x + N(0, σ(x)))] within ${fmt(worstZ, 2)} standard errors; that mean sits ${fmt(worstVsSoftplus.softplus - worstVsSoftplus.sampleMean, 3)} below softplus at x = ${fmt(worstVsSoftplus.x)}, where it differs most.`,
    metrics: { maxGap: gap, maxGapAt: gapAt, noisyWorstZ: worstZ, noisyMeanVsSoftplusWorst: Math.abs(worstVsSoftplus.softplus - worstVsSoftplus.sampleMean) },
    table: {
      columns: ['x', 'Σ σ(x − i + 0.5)', 'log(1 + eˣ)', 'gap', 'noisy ReLU mean (sampled)', 'exact mean'],
      rows: show.map((x) => {
        const g = Math.round((x - o.from) / o.step);
        const n = noisyRows.find((r) => Math.abs(r.x - x) < 1e-9);
        return [fmt(x), fmt(sums.data[g], 5), fmt(softplus.data[g], 5), fmt(sums.data[g] - softplus.data[g], 3), n ? fmt(n.sampleMean, 4) : '', n ? fmt(n.exactMean, 4) : ''];
      }),
    },
    charts: [
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: `Sum of ${o.copies} shifted sigmoids vs softplus; noisy ReLU samples`,
        width: 360, height: 240,
        layer: [
          { data: { values: scatter }, mark: { type: 'point', size: 6, opacity: 0.25, color: '#999' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', title: 'output' } } },
          {
            data: { values: curve },
            transform: [{ fold: ['sum', 'softplus', 'relu'], as: ['curve', 'value'] }],
            mark: 'line',
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'value', type: 'quantitative' }, color: { field: 'curve', type: 'nominal' } },
          },
        ],
      },
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Σ σ(x − i + 0.5) − log(1 + eˣ)',
        width: 360, height: 160,
        data: { values: curve.map((c) => ({ x: c.x, gap: c.sum - c.softplus })) },
        mark: 'line',
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'gap', type: 'quantitative' } },
      },
    ],
    data: { options: o, maxGap: gap, maxGapAt: gapAt, noisy: noisyRows },
    backend: backend.name,
    seconds: (performance.now() - t0) / 1000,
  };
}

export const nairHinton: Experiment = { id: 'nair-hinton', title: "Nair & Hinton's argument", claim: CLAIM, source: SOURCE, run: (ctx) => runNairHinton(ctx) };
