#!/usr/bin/env node
/**
 * The summary of one `pnpm bench` over several Nodes: reads the reports bench.ts wrote
 * (results/node<major>.json, named on the command line in run order), writes results/latest.md,
 * and — for a full run (no `--quick`, `--only` or `--no-readme`) — replaces the block between
 * `<!-- bench:start -->` and `<!-- bench:end -->` in docs/benchmarks.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { summaryMarkdown, type BenchReport } from './report.js';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'no-readme': { type: 'boolean', default: false }, partial: { type: 'boolean', default: false } },
});

const root = join(import.meta.dirname, '..', '..', '..');
const dir = join(root, 'apps', 'bench', 'results');
const reports = positionals.map((stem) => JSON.parse(readFileSync(join(dir, `${stem}.json`), 'utf8')) as BenchReport);
if (reports.length === 0) throw new Error('summary: name at least one report (e.g. node20 node24)');

writeFileSync(join(dir, 'latest.md'), summaryMarkdown(reports, (stem) => `${stem}.svg`));
if (!args['no-readme'] && !args.partial) {
  // The benchmark page, docs/benchmarks.md (its plots' paths from there).
  const page = join(root, 'docs', 'benchmarks.md');
  const text = readFileSync(page, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  if (!text.includes(start) || !text.includes(end)) throw new Error(`summary: ${page} lacks the ${start} … ${end} block`);
  const block = summaryMarkdown(reports, (stem) => `../apps/bench/results/${stem}.svg`);
  writeFileSync(page, `${text.slice(0, text.indexOf(start) + start.length)}\n${block}${text.slice(text.indexOf(end))}`);
}
console.log(`summary of ${positionals.join(', ')}: wrote ${join(dir, 'latest.md')}${args['no-readme'] || args.partial ? '' : ' and docs/benchmarks.md'}`);
