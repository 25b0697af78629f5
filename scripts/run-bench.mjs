#!/usr/bin/env node
/**
 * `pnpm bench` / `npm run bench`: installs what the benchmark needs when it is missing (ONNX Runtime
 * and TensorFlow.js, which `npm run demo`'s install leaves out), builds, then runs the benchmark
 * (arguments pass through: `--quick`, `--only <op>`, `--no-readme`, `--no-gpujs`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pnpm, root, run } from './pnpm.mjs';

const needs = ['onnxruntime-node', '@tensorflow/tfjs-backend-cpu', 'turbo'];
if (needs.some((dep) => !existsSync(join(root, 'apps', 'bench', 'node_modules', dep)) && !existsSync(join(root, 'node_modules', dep)))) {
  console.error('run-bench: installing the benchmark\'s dependencies (ONNX Runtime, TensorFlow.js)');
  if (pnpm(['install', ...(process.env.CI ? ['--frozen-lockfile'] : [])]) !== 0) process.exit(1);
}
if (pnpm(['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']) !== 0) process.exit(1);
process.exit(run('node', ['apps/bench/dist/bench.js', ...process.argv.slice(2)]));
