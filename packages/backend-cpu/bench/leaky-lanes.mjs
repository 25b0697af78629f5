// leaky_relu's two kinds of lanes through the CPU backend (packages/kernels-wasm/assembly/select.ts):
// float32 lanes at alpha = 0.01 (fround(alpha)·x, selected by pmax) beside float64 lanes at
// alpha = 1 + 2^-30 (|alpha| > 1 and not a float32, which still takes them), into a caller's output
// and on resident tensors, with relu and the copy (y.set(x)) in the same process, interleaved
// rounds (rounds.mjs), medians. Run after a build, from the repository root:
//   node packages/backend-cpu/bench/leaky-lanes.mjs
import { tensor } from '@rectifier/core';
import { createCpuBackend } from '../dist/index.js';
import { interleaved } from './rounds.mjs';

const backend = createCpuBackend();
const cpu = backend.sync;
for (const n of [1 << 20, 1 << 24]) {
  const xs = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 4);
  const x = tensor(xs, [n]);
  const out = tensor(new Float32Array(n), [n]);
  const copy = new Float32Array(n);
  const [xr, yr] = [backend.allocate([n]), backend.allocate([n])];
  xr.data.set(xs);
  const contenders = {
    copy: () => copy.set(xs),
    'relu into output': () => cpu.forward('relu', x, {}, { out }),
    'leaky 0.01 into output (float32 lanes)': () => cpu.forward('leaky_relu', x, { alpha: 0.01 }, { out }),
    'leaky 1+2^-30 into output (float64 lanes)': () => cpu.forward('leaky_relu', x, { alpha: 1 + 2 ** -30 }, { out }),
    'leaky 0.01 resident (float32 lanes)': () => cpu.forward('leaky_relu', xr, { alpha: 0.01 }, { out: yr }),
    'leaky 1+2^-30 resident (float64 lanes)': () => cpu.forward('leaky_relu', xr, { alpha: 1 + 2 ** -30 }, { out: yr }),
  };
  const ms = interleaved(contenders, 21, n > 1 << 20 ? 2 : 20);
  console.log(`n = 2^${Math.log2(n)}, Node ${process.versions.node}`);
  for (const [k, t] of Object.entries(ms)) console.log(`  ${k.padEnd(42)} ${t.toFixed(4)} ms  ${(t / ms.copy).toFixed(2)}× copy`);
  xr.dispose();
  yr.dispose();
}
