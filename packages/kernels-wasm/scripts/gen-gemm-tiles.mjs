/**
 * Writes the GEMM's register-tile micro-kernels (mk{r}x{w}: r = 1..5 rows of C, w = 1 or 2
 * four-float vectors of columns) into assembly/gemm.ts, between the BEGIN/END markers. They are
 * unrolled by hand on purpose — AssemblyScript has no way to keep an array of v128 in registers —
 * so one generator writes all ten instead of ten copies being edited apart:
 *
 *   node packages/kernels-wasm/scripts/gen-gemm-tiles.mjs          # rewrite the block
 *   node packages/kernels-wasm/scripts/gen-gemm-tiles.mjs --check  # exit 1 if the block differs
 *
 * The package's tests run --check, so the block cannot drift from this file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FILE = fileURLToPath(new URL('../assembly/gemm.ts', import.meta.url));
const BEGIN = '// BEGIN generated tiles (scripts/gen-gemm-tiles.mjs)\n';
const END = '// END generated tiles\n';
export const MAX_ROWS = 5;

/** The r×(4·w) micro-kernel: C[r rows, 0:4w] (+)= A[r rows, 0:kc]·B[0:kc, 0:4w]. */
function tile(r, w) {
  const rows = `${r} row${r === 1 ? '' : 's'}`;
  const rowAt = (i) => (i === 0 ? 'pc' : `pc + ldc * ${i}`);
  const aAt = (i) => (i === 0 ? 'pa' : i === 1 ? 'pa + lda' : `pa + lda * ${i}`);
  const each = (f) => Array.from({ length: r }, (_, i) => Array.from({ length: w }, (_, j) => f(i, j))).flat();
  return [
    `// ${r}×${4 * w} tile over kc k-steps: C[${rows}, 0:${4 * w}] (+)= A[${rows}, 0:kc]·B[0:kc, 0:${4 * w}]`,
    `function mk${r}x${w}(pa: usize, lda: usize, pb: usize, ldb: usize, pc: usize, ldc: usize, kc: i32, addC: bool): void {`,
    ...each((i, j) => `  let c${i}_${j} = f32x4.splat(0);`),
    '  const aend = pa + (<usize>kc << 2);',
    '  while (pa < aend) {',
    ...Array.from({ length: w }, (_, j) => `    const b${j} = v128.load(pb, ${16 * j});`),
    ...Array.from({ length: r }, (_, i) => [
      `    const a${i} = v128.load32_splat(${aAt(i)});`,
      ...Array.from({ length: w }, (_, j) => `    c${i}_${j} = f32x4.add(c${i}_${j}, f32x4.mul(a${i}, b${j}));`),
    ]).flat(),
    '    pa += 4; pb += ldb;',
    '  }',
    '  if (addC) {',
    ...each((i, j) => `    v128.store(${rowAt(i)}, f32x4.add(v128.load(${rowAt(i)}, ${16 * j}), c${i}_${j}), ${16 * j});`),
    '  } else {',
    ...each((i, j) => `    v128.store(${rowAt(i)}, c${i}_${j}, ${16 * j});`),
    '  }',
    '}',
  ].join('\n');
}

export function generatedBlock() {
  const tiles = [];
  for (let r = 1; r <= MAX_ROWS; r++) for (const w of [2, 1]) tiles.push(tile(r, w));
  return `${BEGIN}${tiles.join('\n')}\n${END}`;
}

const source = readFileSync(FILE, 'utf8');
const start = source.indexOf(BEGIN);
const end = source.indexOf(END);
if (start < 0 || end < start) throw new Error(`${FILE}: the BEGIN/END markers of the generated tiles are missing`);
const current = source.slice(start, end + END.length);
const wanted = generatedBlock();
if (process.argv.includes('--check')) {
  if (current !== wanted) {
    console.error(`${FILE}: the generated tiles differ from scripts/gen-gemm-tiles.mjs; run it without --check`);
    process.exit(1);
  }
} else if (current !== wanted) {
  writeFileSync(FILE, source.slice(0, start) + wanted + source.slice(end + END.length));
  console.log(`${FILE}: tiles rewritten`);
}
