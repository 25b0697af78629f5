#!/usr/bin/env node
/**
 * `pnpm bench` / `npm run bench`: installs what the benchmark needs when it is missing (ONNX Runtime
 * and TensorFlow.js, which `npm run demo`'s install leaves out), builds, then runs the benchmark
 * under this Node and again under a second Node line from the registry's `node` package (default
 * 24, where relaxed SIMD is on; RECTIFIER_SECOND_NODE picks the major, 'off' skips it), each
 * writing apps/bench/results/node<major>.*, and ends with their summary (results/latest.md and,
 * for a full run, the block in docs/benchmarks.md). Arguments pass through to each run: `--quick`,
 * `--only <op>`, `--no-readme`, `--no-gpujs`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { installNode, pnpm, root, run } from './pnpm.mjs';

const needs = ['onnxruntime-node', '@tensorflow/tfjs-backend-cpu', 'turbo'];
if (needs.some((dep) => !existsSync(join(root, 'apps', 'bench', 'node_modules', dep)) && !existsSync(join(root, 'node_modules', dep)))) {
  console.error('run-bench: installing the benchmark\'s dependencies (ONNX Runtime, TensorFlow.js)');
  if (pnpm(['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])]) !== 0) process.exit(1);
}
if (pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']) !== 0) process.exit(1);

const args = process.argv.slice(2);
const benchArgs = args.filter((a) => a !== '--no-readme');
const nodes = [process.execPath];
const second = process.env.RECTIFIER_SECOND_NODE ?? '24';
if (second !== 'off' && second !== process.versions.node.split('.')[0]) {
  const node = installNode(second);
  if (node === undefined) process.exit(1);
  nodes.push(node);
}
const stems = [];
for (const node of nodes) {
  const version = execFileSync(node, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
  console.log(`\n=== the benchmark under Node ${version} (${node}) ===\n`);
  if (run(node, ['apps/bench/dist/bench.js', ...benchArgs]) !== 0) process.exit(1);
  stems.push(`node${version.split('.')[0]}`);
}
const partial = args.includes('--quick') || args.some((a) => a === '--only' || a.startsWith('--only='));
process.exit(run(process.execPath, ['apps/bench/dist/summary.js', ...stems, ...(args.includes('--no-readme') ? ['--no-readme'] : []), ...(partial ? ['--partial'] : [])]));
