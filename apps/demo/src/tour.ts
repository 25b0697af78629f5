#!/usr/bin/env node
/**
 * The newcomer's first command (`npm run demo`): every op and its gradient on a few values, then
 * eight experiments about ReLU, each stating its claim and source next to the measured result.
 * Prints a compact table per experiment and writes an HTML report with the plots.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tensor, type Backend } from '@rectifier/core';
import { SingleBar, Presets } from 'cli-progress';
import { Command, InvalidArgumentError, Option } from 'commander';
import { describeBackend, tryCreate } from './lib/backends.js';
import { EXPERIMENTS } from './lib/experiments/index.js';
import { renderGrid } from './lib/text.js';
import type { ExperimentResult } from './lib/types.js';
import { NODE_BACKENDS } from './node-backends.js';
import { writeReport } from './report.js';
import { opTable, renderTable, TOUR_INPUTS } from './table.js';

const DEFAULT_REPORT = fileURLToPath(new URL('../report/tour.html', import.meta.url));

const parseSeed = (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** 32) throw new InvalidArgumentError('expected an integer in [0, 2^32).');
  return n;
};

const program = new Command()
  .name('rectifier-demo')
  .description('A tour of the ReLU family on Rectifier: the op table, then eight experiments with plots.')
  .addOption(new Option('-b, --backend <name>', 'backend for the op table and experiments 1–6 and 8').choices(NODE_BACKENDS.map((b) => b.id)).default('cpu'))
  .option('-s, --seed <n>', 'seed of every random draw', parseSeed, 0)
  .option('--json', 'print the results as JSON on stdout (no tables, no progress bars)', false)
  .option('-o, --out <file>', 'where to write the HTML report', DEFAULT_REPORT)
  .option('--only <list>', 'run only these experiments: numbers or ids, comma-separated (e.g. 1,5 or ffn)')
  .option('--full', 'the longer runs of the experiments that have one (8: a larger language model, seven times the steps)', false)
  .showHelpAfterError();
program.parse();
const opts = program.opts<{ backend: string; seed: number; json: boolean; out: string; only?: string; full: boolean }>();

/** Progress and tables go to stderr/stdout as text, unless --json asked for one JSON document. */
const say = (s = ''): void => {
  if (!opts.json) console.log(s);
};

const selected = EXPERIMENTS.filter((e, i) => {
  if (!opts.only) return true;
  return opts.only.split(',').map((s) => s.trim()).some((k) => k === String(i + 1) || k === e.id);
});
if (selected.length === 0) program.error(`--only ${opts.only}: no such experiment (1–${EXPERIMENTS.length} or ${EXPERIMENTS.map((e) => e.id).join(', ')})`);

const started = performance.now();
const entry = NODE_BACKENDS.find((b) => b.id === opts.backend)!;
const main = await tryCreate(entry);
if (typeof main === 'string') program.error(`backend ${opts.backend} is unavailable here: ${main}`);
const backend = main as Backend;

// The race compares every backend that starts on this machine; the others are listed as skipped.
const raceBackends: Backend[] = [backend];
const unavailable: string[] = [];
if (selected.some((e) => e.id === 'race')) {
  for (const other of NODE_BACKENDS.filter((b) => b.id !== entry.id)) {
    const b = await tryCreate(other);
    if (typeof b === 'string') unavailable.push(`${other.id}: ${b}`);
    else raceBackends.push(b);
  }
}

say(`Rectifier — the ReLU family on the ${describeBackend(backend)} backend (float32), seed ${opts.seed}\n`);
if (!opts.only) {
  say(renderTable(await opTable(backend, TOUR_INPUTS), TOUR_INPUTS));
  const z = await backend.forward('relu', tensor([-0]));
  say(`\nrelu(−0) = ${Object.is(z.data[0], 0) ? '+0' : '−0'} (as TensorFlow.js, ONNX and PyTorch on CUDA; PyTorch's CPU kernel gives −0)`);
}

const results: ExperimentResult[] = [];
for (const experiment of selected) {
  // A bar on stderr for each experiment (they take a second or more); silent with --json or without a terminal.
  const bar = new SingleBar({ format: `  {bar} {percentage}% | ${experiment.title}`, hideCursor: true, clearOnComplete: true, stream: process.stderr }, Presets.shades_classic);
  const showBar = !opts.json && process.stderr.isTTY;
  // The claim first, so the reader knows what is being checked while it runs.
  const numbered = `${EXPERIMENTS.indexOf(experiment) + 1}. ${experiment.title}`;
  say(`\n${numbered}`);
  say(`Claim: ${experiment.claim}`);
  say(`Source: ${experiment.source}`);
  if (showBar) bar.start(1, 0);
  const result = await experiment.run({
    backend, seed: opts.seed, raceBackends, full: opts.full,
    onProgress: (done, total) => {
      if (!showBar) return;
      bar.setTotal(total);
      bar.update(done);
    },
  });
  if (showBar) bar.stop();
  results.push(result);
  say(`Measured in ${result.seconds.toFixed(1)} s${result.title === numbered ? '' : `: ${result.title}`}`);
  // A result's claim may add the run's specifics (the data, the model) to the claim shown above.
  const specifics = result.claim.startsWith(experiment.claim) ? result.claim.slice(experiment.claim.length).trim() : result.claim;
  if (specifics) say(specifics);
  say(renderGrid(result.table.columns, result.table.rows));
  say(`→ ${result.verdict}`);
  if (experiment.id === 'race' && unavailable.length) say(`  not raced (unavailable here): ${unavailable.join('; ')}`);
}

const totalSeconds = (performance.now() - started) / 1000;
const out = resolve(opts.out);
const cpu = cpus()[0]?.model ?? 'unknown CPU';
await writeReport(out, results, {
  backend: describeBackend(backend), seed: opts.seed, totalSeconds,
  machine: `${cpu}, ${cpus().length} cores, Node ${process.version}`, date: new Date().toISOString(),
});
for (const b of raceBackends) await b.dispose();

if (opts.json) {
  const plain = results.map(({ charts: _charts, ...rest }) => rest); // the plots are in the report
  console.log(JSON.stringify({ backend: describeBackend(backend), seed: opts.seed, seconds: totalSeconds, report: out, unavailable, results: plain }, (_k, v) => (v instanceof Float64Array ? Array.from(v) : v), 2));
} else {
  say(`\nDone in ${totalSeconds.toFixed(1)} s. Report with the plots: ${out}`);
}
