// The CPU backend's FFN forward (dense, `sparse: true`, `sparse: 'certified'`) of this checkout
// against another checkout's build, in one process, interleaved (each round times both, every other
// round in the other order; medians of 15 rounds after 24 warm-up calls), and whether y has the same
// bits in both, on ffn-shapes.mjs's shapes (512 tokens at 90 % and 99 % zeros, the trained char-LM's blocks).
// Build both first (`pnpm run build` here; in the other one, e.g. a `git worktree add /tmp/old <commit>`:
// `pnpm install --frozen-lockfile --offline && pnpm --filter @rectifier/backend-cpu... build`), then,
// from this repository's root, under each Node whose build you want:
//   node packages/backend-cpu/bench/against-checkout.mjs /tmp/old
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ffnShapes } from './ffn-shapes.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const otherRoot = process.argv[2];
if (otherRoot === undefined) {
  console.error('usage: node packages/backend-cpu/bench/against-checkout.mjs <another checkout, built>');
  process.exit(2);
}
const load = async (root) => ({
  core: await import(pathToFileURL(join(root, 'packages/core/dist/index.js')).href),
  cpu: (await import(pathToFileURL(join(root, 'packages/backend-cpu/dist/index.js')).href)).createCpuBackend().sync,
});
const other = await load(resolve(otherRoot));
const ours = await load(join(here, '..', '..', '..'));


const median = (xs) => [...xs].sort((p, q) => p - q)[xs.length >> 1];
console.log(`FFN forward, this checkout against ${otherRoot}, Node ${process.versions.node}, medians of 15 interleaved rounds`);
for (const s of ffnShapes(ours.core, ours.cpu)) {
  const { T } = s;
  const calls = s.trained ? 40 : 2; // per timing: 15 ms or more
  const operands = (lib) => ({
    x: lib.core.tensor(s.x, [T, s.d]),
    w: { w1: lib.core.tensor(s.w1, [s.d, s.f]), b1: lib.core.tensor(s.b1, [s.f]), w2: lib.core.tensor(s.w2, [s.f, s.d]), b2: lib.core.tensor(s.b2, [s.d]) },
  });
  const sides = [['other', other, operands(other)], ['ours', ours, operands(ours)]];
  for (const sparse of [undefined, true, 'certified']) {
    const options = sparse === undefined ? {} : { sparse };
    const [yOther, yOurs] = sides.map(([, lib, o]) => lib.cpu.ffn(o.x, o.w, options).y.data);
    const sameBits = yOther.length === yOurs.length && yOther.every((v, i) => Object.is(v, yOurs[i]));
    for (let i = 0; i < 24; i++) for (const [, lib, o] of sides) lib.cpu.ffn(o.x, o.w, options);
    const times = { other: [], ours: [] };
    for (let round = 0; round < 15; round++) {
      for (const [name, lib, o] of round % 2 === 0 ? sides : [...sides].reverse()) {
        const t0 = performance.now();
        for (let i = 0; i < calls; i++) lib.cpu.ffn(o.x, o.w, options);
        times[name].push((performance.now() - t0) / calls);
      }
    }
    const [a, b] = [median(times.other), median(times.ours)];
    console.log(`${s.name.padEnd(16)} ${String(sparse ?? 'dense').padEnd(9)} same bits: ${sameBits}  other ${a.toFixed(3)} ms  ours ${b.toFixed(3)} ms  ${(a / b).toFixed(2)}× faster`);
  }
}
