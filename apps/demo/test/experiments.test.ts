/**
 * The experiments' measured values, for a fixed seed on the CPU backend. Tolerances are stated
 * per claim; timings are never asserted.
 */
import { createCpuBackend } from '@rectifier/backend-cpu';
import { describe, expect, it } from 'vitest';
import { ALPHABET, CHAR_LM_DEFAULTS, forwardCharLm, loadNames, runCharLm, splitNames, trainCharLm } from '../src/lib/experiments/char-lm.js';
import { runDyingRelu } from '../src/lib/experiments/dying-relu.js';
import { runEquivariance } from '../src/lib/experiments/equivariance.js';
import { normalQuantile, runFfnBlock } from '../src/lib/experiments/ffn-block.js';
import { runGradientFlow } from '../src/lib/experiments/gradient-flow.js';
import { EXPERIMENTS } from '../src/lib/experiments/index.js';
import { runNairHinton } from '../src/lib/experiments/nair-hinton.js';
import { runRace } from '../src/lib/experiments/race.js';
import { runSparsity } from '../src/lib/experiments/sparsity.js';

const backend = createCpuBackend();
const ctx = { backend, seed: 0 };

describe('demo experiments (CPU backend, seed 0)', () => {
  it('lists the eight experiments in tour order', () => {
    expect(EXPERIMENTS.map((e) => e.id)).toEqual(['sparsity', 'gradient-flow', 'equivariance', 'dying-relu', 'nair-hinton', 'ffn', 'race', 'char-lm']);
  });

  it('1: about half the ReLU units are active at a zero-bias symmetric init; a bias follows Φ(b/√2)', async () => {
    const r = await runSparsity(ctx, { seeds: 4 });
    expect(r.metrics.activeFractionZeroBias).toBeCloseTo(0.5, 1); // 0.5 ± 0.05
    expect(Math.abs(r.metrics.activeFractionZeroBias - 0.5)).toBeLessThan(0.02); // 128×256 units per layer: sd ≈ 0.3 %
    expect(r.metrics.maxDeviationFromPhi).toBeLessThan(0.02);
    expect(r.charts).toHaveLength(1);
  });

  it('2: sigmoid gradients vanish over 20 layers, ReLU with He init keeps them', async () => {
    const r = await runGradientFlow(ctx);
    expect(r.metrics.ratio_sigmoid).toBeLessThan(1e-6);
    expect(r.metrics.ratio_relu).toBeGreaterThan(0.2);
    expect(r.metrics.ratio_relu).toBeLessThan(5);
    expect(r.metrics.ratio_tanh).toBeGreaterThan(0.1);
  });

  it('3: scale equivariance is bit-exact for powers of two and within float32 rounding otherwise', async () => {
    const r = await runEquivariance(ctx);
    expect(r.metrics.powerOfTwoMismatches).toBe(0);
    expect(r.metrics.reluMismatchesAllFactors).toBe(0);
    expect(r.metrics.worstRelDiffOtherFactors).toBeGreaterThan(0); // 3 and 0.1 really round differently…
    expect(r.metrics.worstRelDiffOtherFactors).toBeLessThan(1e-6); // …but only by float32 rounding
  });

  it('4: a too-high learning rate kills ReLU units on Iris, not Leaky ReLU or ELU units', async () => {
    const r = await runDyingRelu(ctx, { seeds: 3 });
    expect(r.metrics.deadReluHighLr).toBeGreaterThan(0.1);
    expect(r.metrics.deadLeakyHighLr).toBe(0);
    expect(r.metrics.deadEluHighLr).toBe(0);
    expect(r.metrics.deadReluLowLr).toBe(0);
    expect(r.metrics.accuracyReluLowLr).toBeGreaterThan(0.85);
    expect(r.metrics.accuracyLeakyHighLr).toBeGreaterThan(r.metrics.accuracyReluHighLr);
  });

  it("5: Nair & Hinton's sum of shifted sigmoids is within 0.0106 of softplus, worst at x = 0; noisy ReLU samples have the right mean", async () => {
    const r = await runNairHinton(ctx);
    expect(Math.abs(r.metrics.maxGap - 0.0106)).toBeLessThan(0.0005);
    expect(Math.abs(r.metrics.maxGapAt)).toBeLessThan(1e-9);
    expect(r.metrics.noisyWorstZ).toBeLessThan(4); // 33 means, each within 4 standard errors
    expect(r.metrics.noisyMeanVsSoftplusWorst).toBeGreaterThan(0.3); // the NReLU mean is not softplus near 0
  });

  it('6: a ReLU FFN hidden layer is half zeros, GELU/SwiGLU none; the sparse path gives the dense result', async () => {
    const r = await runFfnBlock(ctx, { repeats: 1, sparsities: [0.5, 0.9] });
    expect(r.metrics.reluZeroFraction).toBeCloseTo(0.5, 1);
    expect(r.metrics.geluZeroFraction).toBe(0);
    expect(r.metrics.swigluZeroFraction).toBe(0);
    // float32 sums in a different grouping (the sparse kernel adds four rows of W2 at a time):
    // equal within float32 rounding, as DESIGN.md §5 asks.
    expect(r.metrics.sparseVsDenseRelDiff).toBeLessThan(1e-5);
    const speed = (r.data as { speed: { zeroFraction: number }[] }).speed;
    expect(speed[1].zeroFraction).toBeCloseTo(0.9, 1.5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });

  it('7: the race checks each backend against the float64 reference', async () => {
    const other = createCpuBackend();
    const r = await runRace({ ...ctx, raceBackends: [backend, other] }, { elements: 4096, matmulSize: 32, repeats: 1 });
    expect(r.metrics.backends).toBe(2);
    expect(r.metrics.worstUlp).toBeLessThanOrEqual(1); // the CPU's declared float32 bound (WebAssembly kernels)
    expect(r.metrics.worstRel).toBeLessThan(1e-6);
    expect(r.table.rows).toHaveLength(6 * 2);
    expect(r.table.columns).toContain('declared ulp (transcendental)');
    await other.dispose();
  });

  it('8: the language model learns the names: validation loss below the uniform and bigram baselines for every variant', async () => {
    const r = await runCharLm(ctx);
    const m = r.metrics;
    expect(m.uniformBits).toBeCloseTo(Math.log2(ALPHABET.length), 12);
    for (const v of ['relu', 'gelu', 'swiglu']) {
      expect(m[`${v}ValidationBits`], v).toBeLessThan(m.uniformBits - 1); // 4.81 bits/char untrained
      expect(m[`${v}ValidationBits`], v).toBeLessThan(m.bigramBits); // and better than counting pairs
    }
    expect(m.bigramBits).toBeLessThan(m.uniformBits);
    expect(Math.abs(m.reluZeroFractionInit - 0.5)).toBeLessThan(0.05); // zero-bias He init: half the units are 0
    expect(m.reluZeroFractionTrained).toBeGreaterThan(m.reluZeroFractionInit + 0.2); // measured for seed 0: training sparsifies (≈ 90 %)
    // GELU and SwiGLU are exactly 0 only where x·Φ(x) or silu underflows, far out on the negative side: a few in a million.
    expect(m.geluZeroFractionTrained).toBeLessThan(1e-4);
    expect(m.swigluZeroFractionTrained).toBeLessThan(1e-4);
    expect(r.charts).toHaveLength(3);
    const samples = (r.data as { runs: { samples: string[] }[] }).runs.flatMap((run) => run.samples);
    expect(samples).toHaveLength(3 * CHAR_LM_DEFAULTS.samples);
    for (const name of samples) expect(name).toMatch(/^[a-z-]*$/);
  });

  it('8: the data are the two stdlib lists, split by name; the reported zeros are exact counts of the hidden layer', async () => {
    const names = loadNames();
    expect(names.length).toBeGreaterThan(8000); // 4951 + 3898 names, 8422 distinct once lower-cased
    expect(new Set(names).size).toBe(names.length);
    const o = { ...CHAR_LM_DEFAULTS, steps: 40, evals: 1 };
    const data = splitNames(names, 1, o);
    expect(data.trainNames + data.validationNames).toBe(names.length);
    const run = await trainCharLm(backend, data, 'relu', 2, o);
    const reported = run.checkpoints[run.checkpoints.length - 1];
    expect(reported.step).toBe(o.steps);
    // Recount: the hidden layer of each block on the whole validation set, zeros counted here.
    const rows = Int32Array.from({ length: data.validation.count }, (_, i) => i);
    const { stream } = await forwardCharLm(backend, run.model, data.validation.contexts, rows);
    for (const [l, w] of run.model.blocks.entries()) {
      const hidden = (await backend.ffn(stream[l], w, { activation: 'relu', returnHidden: true })).hidden!;
      const [tokens, units] = hidden.shape;
      const zerosPerUnit = new Array<number>(units).fill(0);
      let zeros = 0;
      for (let i = 0; i < hidden.size; i++) {
        if (hidden.data[i] === 0) {
          zeros++;
          zerosPerUnit[i % units]++;
        }
      }
      expect(zeros, `block ${l + 1}`).toBeGreaterThan(0);
      expect(reported.zeroFraction[l], `block ${l + 1}`).toBe(zeros / (tokens * units));
      expect(reported.deadUnits[l], `block ${l + 1}`).toBe(zerosPerUnit.filter((z) => z === tokens).length);
      expect(reported.rarelyActiveUnits[l], `block ${l + 1}`).toBe(zerosPerUnit.filter((z) => 1 - z / tokens < 0.01).length);
    }
  });
});
