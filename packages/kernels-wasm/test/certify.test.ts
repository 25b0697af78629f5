/**
 * The certified sparse FFN's kernels (assembly/certify.ts) against plain JS: the exact integer
 * pass, W1's per-column facts and int8 levels, and single units against the GEMM's own bits for
 * those elements; the sparse backward's unit groups and the bias gradients' column sums — in both
 * builds where the relaxed one loads (its fused madd).
 */
import { describe, expect, it } from 'vitest';
import { certificateBound, certificateColumnFacts, certifyZeroUnits, columnSums, quantiseW1 } from '@rectifier/core';
import { wasmKernelsOf } from '../src/index.js';

const builds = [['simd', wasmKernelsOf('simd')], ['relaxed-simd', wasmKernelsOf('relaxed-simd')]] as const;

let seed = 7;
const rand = (): number => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const gauss = (): number => Math.sqrt(-2 * Math.log(rand() + 1e-300)) * Math.cos(2 * Math.PI * rand());

describe('certified FFN kernels', () => {
  for (const [name, k] of builds) {
    if (k === undefined) {
      it.skip(`${name}: build not available on Node ${process.versions.node}`, () => {});
      continue;
    }
    // The relaxed build has both passes (integerPass picks one per machine): each is tested here.
    for (const pass of name === 'relaxed-simd' ? ['wide', 'split'] as const : ['wide'] as const) {
      it(`${name}, ${pass} pass: integerDots is the exact Σ x·w (odd rows, d not a multiple of 16, f not of 4, d past a 2048 block; extreme levels and the 7-bit parts' edges)`, () => {
        // Levels where the relaxed build's parts x = 128·h + l change: h = −64 and 63, l = 0 and 127.
        const edges = [-8191, 8191, -8192 + 128, -129, -128, -127, -1, 0, 1, 127, 128, 8064, 8063];
        for (const [rows, d, f] of [[3, 13, 7], [2, 2100, 5], [5, 64, 16], [4, 33, 8]] as const) {
          const x = Int16Array.from({ length: rows * d }, (_, i) => (i % 3 === 0 ? edges[(i / 3) % edges.length] : Math.round((rand() - 0.5) * 16382)));
          const w = Int8Array.from({ length: f * d }, (_, i) => (i % 7 === 0 ? -127 : i % 5 === 0 ? 127 : Math.round((rand() - 0.5) * 254)));
          const out = new Float64Array(rows * f);
          expect(k.integerDots(x, rows, d, w, f, out, pass)).toBe(true);
          for (let t = 0; t < rows; t++) {
            for (let j = 0; j < f; j++) {
              let s = 0;
              for (let p = 0; p < d; p++) s += x[t * d + p] * w[j * d + p];
              expect(out[t * f + j], `${rows}×${d}×${f} [${t}, ${j}]`).toBe(s);
            }
          }
        }
        // every lane at its most, both signs: 2100 products of ±8191·±127 (past one i32 lane's range without the blocks)
        const d = 2100;
        for (const [xl, wl] of [[8191, 127], [-8191, 127], [8191, -127], [-8191, -127]]) {
          const out = new Float64Array(2);
          k.integerDots(new Int16Array(2 * d).fill(xl), 2, d, new Int8Array(d).fill(wl), 1, out, pass);
          expect(Array.from(out)).toEqual([d * xl * wl, d * xl * wl]);
        }
      });
    }

    it(`${name}: integerDots refuses levels past ±8191 (14 bits) with a RangeError, before any work`, () => {
      const out = new Float64Array(1).fill(7);
      for (const bad of [8192, -8192, 32767]) {
        const x = new Int16Array(20).fill(1);
        x[17] = bad;
        expect(() => k.integerDots(x, 1, 20, new Int8Array(20).fill(1), 1, out)).toThrow(RangeError);
        expect(out[0]).toBe(7);
      }
    });

    it(`${name}: certify gives core's JS certificate bit for bit (masks and counts; non-finite tokens and units, both dtypes)`, () => {
      for (const dtype of ['float32', 'float64'] as const) {
        for (const [rows, d, f] of [[5, 40, 30], [4, 700, 9]] as const) {
          const x = Float32Array.from({ length: rows * d }, (_, i) => (i === 3 ? NaN : gauss()));
          const w = Float32Array.from({ length: d * f }, (_, i) => (i === 7 ? Infinity : gauss() / Math.sqrt(d)));
          const b = Float32Array.from({ length: f }, (_, j) => (j === 4 ? NaN : -0.1 * j));
          const q = quantiseW1(w, d, f);
          const js = new Uint8Array(rows * f);
          const wasm = new Uint8Array(rows * f);
          const nJs = certifyZeroUnits(x, q, b, 0, dtype, 0, rows, js);
          const nWasm = certifyZeroUnits(x, q, b, 0, dtype, 0, rows, wasm, (...args) => k.certify(...args));
          expect(nWasm).toBe(nJs);
          expect(nJs).toBeGreaterThan(0);
          expect(Array.from(wasm)).toEqual(Array.from(js));
        }
      }
    });

    it(`${name}: columnFacts and quantiseColumns give W1's per-column Σ|w|, max|w|, finiteness and int8 levels`, () => {
      const [d, f] = [37, 41];
      const w = Float32Array.from({ length: d * f }, (_, i) => (i === 5 ? NaN : i === 90 ? -Infinity : gauss()));
      const l1 = new Float64Array(f);
      const maxAbs = new Float64Array(f);
      const finite = new Uint8Array(f);
      expect(k.columnFacts(w, d, f, l1, maxAbs, finite)).toBe(true);
      const inverse = new Float64Array(f);
      for (let j = 0; j < f; j++) {
        let s = 0;
        let m = 0;
        let fin = 1;
        for (let i = 0; i < d; i++) {
          const a = Math.abs(w[i * f + j]);
          if (!Number.isFinite(a)) { fin = 0; continue; }
          s += a;
          m = Math.max(m, a);
        }
        expect([l1[j], maxAbs[j], finite[j]], `column ${j}`).toEqual([s, m, fin]);
        inverse[j] = fin === 1 ? 127 / m : 0;
      }
      const levels = new Int8Array(f * d);
      expect(k.quantiseColumns(w, d, f, inverse, levels)).toBe(true);
      for (let j = 0; j < f; j++) {
        for (let i = 0; i < d; i++) {
          const v = w[i * f + j] * inverse[j];
          const want = Number.isNaN(v) ? 0 : Math.max(-127, Math.min(127, v));
          expect(Math.abs(levels[j * d + i] - want), `level [${j}, ${i}]`).toBeLessThanOrEqual(0.5);
        }
      }
    });

    it(`${name}: quantiseTokens gives core's token levels and facts bit for bit (ties of the rounding both ways, −0, the clamp, NaN, a tiny token, d odd)`, () => {
      const d = 37;
      const rows = 5;
      const x = Float32Array.from({ length: rows * d }, gauss);
      x.set(Float32Array.from({ length: d }, (_, i) => (i === 0 ? 8191 : i === 1 ? -0 : (i % 2 === 0 ? 1 : -1) * ((i * 37) % 8000 + 0.5))), 0);
      x[d + 5] = NaN;
      x.set(Float32Array.from({ length: d }, (_, i) => (i + 1) * 2 ** -140), 2 * d); // subnormal values (their scale is still used)
      x.set(new Float32Array(d), 3 * d); // all zeros: r = 0
      let core: { levels: Int16Array; rowFacts: Float64Array } | undefined;
      certifyZeroUnits(x, quantiseW1(Float32Array.from({ length: d * 4 }, gauss), d, 4), undefined, 0, 'float32', 0, rows, new Uint8Array(rows * 4),
        (xl, _rows, _d, _wl, _f, rowFacts) => { core = { levels: xl.slice(), rowFacts: rowFacts.slice() }; return -1; });
      const levels = new Int16Array(rows * d);
      const rowFacts = new Float64Array(rows * 6);
      expect(k.quantiseTokens(x, rows, d, levels, rowFacts)).toBe(true);
      expect(Array.from(levels)).toEqual(Array.from(core!.levels));
      expect(Array.from(rowFacts)).toEqual(Array.from(core!.rowFacts));
    });

    it(`${name}: certifiedUnits gives core's JS certificate (mask, count) and the GEMM's bits, relu'd, for every other unit (odd rows, d padded, NaN x, ±∞ w, NaN b)`, () => {
      for (const [rows, d, f] of [[5, 30, 96], [8, 37, 12], [3, 600, 8]] as const) {
        const x = Float32Array.from({ length: rows * d }, (_, i) => (i === d + 3 ? NaN : gauss()));
        // the last token's levels on ties of the rounding (r = 1: x/r = k + ½, both signs; −0; the clamp at max)
        x.set(Float32Array.from({ length: d }, (_, i) => (i === 0 ? 8191 : i === 1 ? -0 : ((i % 2 === 0 ? 1 : -1) * (i * 37 % 8000 + 0.5)))), (rows - 1) * d);
        const w = Float32Array.from({ length: d * f }, (_, i) => (i === 7 ? Infinity : gauss() / Math.sqrt(d)));
        for (const b of [Float32Array.from({ length: f }, (_, j) => (j === 4 ? NaN : -0.6 - 0.01 * j)), undefined]) {
          const q = quantiseW1(w, d, f);
          const js = new Uint8Array(rows * f);
          const count = certifyZeroUnits(x, q, b, 0, 'float32', 0, rows, js);
          const wt = new Float32Array(d * f);
          for (let p = 0; p < d; p++) for (let j = 0; j < f; j++) wt[j * d + p] = w[p * f + j];
          const h = new Float32Array(rows * f).fill(7);
          const mask = new Uint8Array(rows * f).fill(7);
          const bias64 = b === undefined ? undefined : Float64Array.from(b);
          const bound = certificateBound(d, 0, 'float32')!;
          expect(k.certifiedUnits(x, rows, d, q.levels, f, certificateColumnFacts(q), bias64, bound, wt, b, { kernel: 'relu_f32', p0: 0, p1: 0 }, h, mask)).toBe(count);
          expect(count).toBeGreaterThan(0);
          expect(Array.from(mask)).toEqual(Array.from(js));
          const dense = new Float32Array(rows * f);
          if (b !== undefined) for (let r = 0; r < rows; r++) dense.set(b, r * f);
          k.gemm(x, w, dense, rows, d, f, b !== undefined, false, { activation: { kernel: 'relu_f32' } });
          for (let i = 0; i < rows * f; i++) {
            const want = js[i] === 1 ? 0 : dense[i];
            expect(Object.is(h[i], want) || (Number.isNaN(h[i]) && Number.isNaN(want)), `${rows}×${d}×${f} element ${i}: ${h[i]} vs ${want}`).toBe(true);
          }
        }
      }
      // a column tail (f not a multiple of 4) is refused: gemm_f32 computes those columns otherwise
      const q = quantiseW1(new Float32Array(4 * 6), 4, 6);
      expect(k.certifiedUnits(new Float32Array(8), 2, 4, q.levels, 6, certificateColumnFacts(q), undefined, certificateBound(4, 0, 'float32')!,
        new Float32Array(24), undefined, undefined, new Float32Array(12))).toBe(-1);
    });

    it(`${name}: unitGroups is skip = (z ≤ θ compared in float64), the count above θ and their columns below the tail in groups of four (θ not a float32, ±0, tiny, NaN; z at θ's float32 neighbours, ±0, ±∞, NaN; rows not a multiple of 16 long, a tail)`, () => {
      const next = (v: number, up: boolean): number => { // the adjacent float32
        const b = new Float32Array([v]); const i = new Int32Array(b.buffer);
        if (v === 0) { i[0] = up ? 1 : 0x80000001 | 0; return b[0]; }
        i[0] += (v > 0) === up ? 1 : -1; return b[0];
      };
      for (const theta of [0, -0, 0.1, -0.1, 0.5, 1e-40, -1e-40, 3.4e38, -3.5e38, NaN, Infinity, -Infinity]) {
        const t32 = Math.fround(theta);
        const near = Number.isFinite(t32) ? [t32, next(t32, true), next(t32, false), -t32] : [3.4e38, -3.4e38];
        const specials = [0, -0, Infinity, -Infinity, NaN, ...near];
        for (const [rows, n, tail] of [[3, 37, 36], [2, 64, 64], [4, 19, 16], [1, 5, 4], [2, 3, 0], [2, 50, 20]] as const) {
          const z = Float32Array.from({ length: rows * n }, (_, i) => (i % 3 === 0 ? specials[(i / 3) % specials.length] : i % 3 === 1 ? gauss() : rand() < 0.7 ? -1 : 1));
          const skip = new Uint8Array(rows * n).fill(7);
          const got = k.unitGroups(z, rows, n, tail, theta, skip)!;
          const list: number[] = [];
          let active = 0;
          for (let r = 0; r < rows; r++) {
            let inGroup = 0;
            for (let j = 0; j < n; j++) {
              const off = z[r * n + j] <= theta;
              expect(skip[r * n + j], `θ ${theta}, z ${z[r * n + j]}`).toBe(off ? 1 : 0);
              if (off) continue;
              active++;
              if (j >= tail) continue;
              if (inGroup === 0) list.push(r);
              list.push(j);
              if (++inGroup === 4) inGroup = 0;
            }
            if (inGroup !== 0) for (const last = list[list.length - 1]; inGroup < 4; inGroup++) list.push(last);
          }
          expect(got.active, `θ ${theta}, ${rows}×${n}`).toBe(active);
          expect(got.groups).toBe(list.length / 5);
          expect(Array.from(got.list), `θ ${theta}, ${rows}×${n}, tail ${tail}`).toEqual(list);
        }
      }
    });

    it(`${name}: columnSums has core's columnSums' bits (odd and even column counts, ±0, ±∞, NaN, huge and subnormal values, one row, none)`, () => {
      const values = [0, -0, 1e38, -1e38, 3.4e38, 1e-45, -1e-45, 1, -1, Infinity, -Infinity, NaN];
      for (const [rows, cols] of [[5, 7], [3, 8], [1, 1], [4, 1], [0, 3], [6, 0]] as const) {
        const m = Float32Array.from({ length: rows * cols }, (_, i) => (i % 4 === 0 ? values[(i / 4) % values.length] : gauss() * 10 ** Math.round(gauss() * 3)));
        const out = new Float64Array(cols).fill(99);
        expect(k.columnSums(m, rows, cols, out)).toBe(true);
        const want = columnSums(m, rows, cols);
        for (let j = 0; j < cols; j++) expect(Object.is(out[j], want[j]) || (Number.isNaN(out[j]) && Number.isNaN(want[j])), `${rows}×${cols} column ${j}: ${out[j]} vs ${want[j]}`).toBe(true);
        // only signs of zero and NaN are at stake past the values themselves: no NaN in m, the same bits
        const finite = m.map((v) => (Number.isNaN(v) ? 1 : v));
        expect(k.columnSums(finite, rows, cols, out)).toBe(true);
        expect(Array.from(out).map((v) => Object.is(v, -0) ? '-0' : String(v))).toEqual(Array.from(columnSums(finite, rows, cols)).map((v) => Object.is(v, -0) ? '-0' : String(v)));
      }
    });

    it(`${name}: gemmUnits gives the GEMM's bits for the listed units (bias or none, d across k-blocks, W1 transposed or gathered in place, or given unit-major; 42, 12, 15 and 1 groups: every remainder of the groups run side by side; listed by rows and by columns)`, () => {
      for (const [rows, d, f, few, groupCount] of [[7, 33, 24, false, 42], [4, 1100, 12, false, 12], [5, 40, 12, false, 15], [3, 600, 48, true, 1]] as const) {
        const x = Float32Array.from({ length: rows * d }, gauss);
        const w = Float32Array.from({ length: d * f }, gauss);
        const bias = Float32Array.from({ length: f }, gauss);
        for (const b of [bias, undefined]) {
          const dense = new Float32Array(rows * f);
          if (b !== undefined) for (let r = 0; r < rows; r++) dense.set(b, r * f);
          expect(k.gemm(x, w, dense, rows, d, f, b !== undefined)).toBeGreaterThanOrEqual(0);
          // By rows (side-by-side groups mostly of one token, whose x the kernel loads once), and by
          // columns (consecutive groups of different tokens).
          for (const byRows of [true, false]) {
            const list: number[] = [];
            if (byRows) for (let r = 0; r < rows; r++) for (let j0 = 0; j0 < f; j0 += 4) list.push(r, j0, (j0 + 3) % f, j0 + 2, (j0 + 5) % f);
            else for (let j0 = 0; j0 < f; j0 += 4) for (let r = 0; r < rows; r++) list.push(r, j0, (j0 + 3) % f, j0 + 2, (j0 + 5) % f);
            // all groups (W1 transposed in the module), or one (gathered from W1 as it is, f ≥ 32)
            const groups = few ? 1 : list.length / 5;
            expect(groups).toBe(groupCount);
            const out = new Float32Array(groups * 4);
            // W1 as given [d, f], and W1ᵀ [f, d] given unit-major (what the sparse backward passes: W2 for dh = dy·W2ᵀ)
            const wt = new Float32Array(d * f);
            for (let p = 0; p < d; p++) for (let j = 0; j < f; j++) wt[j * d + p] = w[p * f + j];
            for (const unitMajor of [false, true]) {
              expect(k.gemmUnits(x, rows, d, unitMajor ? wt : w, f, b, Int32Array.from(list), groups, out, unitMajor)).toBe(true);
              for (let g = 0; g < groups; g++) {
                for (let i = 0; i < 4; i++) {
                  const r = list[5 * g];
                  const j = list[5 * g + 1 + i];
                  expect(out[4 * g + i], `${rows}×${d}×${f} row ${r} unit ${j} ${b ? 'bias' : 'no bias'}${unitMajor ? ' unit-major' : ''}${byRows ? '' : ' by columns'}`).toBe(dense[r * f + j]);
                }
              }
            }
          }
        }
      }
    });
  }
});
