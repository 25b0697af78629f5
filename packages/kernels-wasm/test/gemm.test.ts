import { describe, expect, it } from 'vitest';
import { WASM_BASE64, WASM_RELAXED_BASE64 } from '../src/generated/module.js';
import { wasmKernelsOf, type WasmVariant } from '../src/index.js';

// Node's WebAssembly global (this package's TypeScript lib declares none).
declare const WebAssembly: any;

/**
 * Every test below runs on each build: plain SIMD, and relaxed SIMD (fused multiply-add in the
 * tiles) where this runtime offers it — Node 22+; `npm test` reruns this package under Node 24.
 */
const RELAXED_UNAVAILABLE = wasmKernelsOf('relaxed-simd') === undefined
  ? `UNAVAILABLE on Node ${process.versions.node}: WebAssembly.validate rejects relaxed SIMD (Node 20 has it only behind --experimental-wasm-relaxed-simd) or its madd is not fused here, so the relaxed-simd GEMM tests are SKIPPED in this run`
  : undefined;
if (RELAXED_UNAVAILABLE !== undefined) console.warn(`kernels-wasm relaxed-simd build ${RELAXED_UNAVAILABLE}`);

/** Our own instance of one build with a memory we lay out, to run the dense kernel with and without B-panel scratch. */
function instance(bytes: number, variant: WasmVariant): { exports: Record<string, any>; memory: { buffer: ArrayBuffer } } {
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const module = new WebAssembly.Module(Buffer.from(variant === 'simd' ? WASM_BASE64 : WASM_RELAXED_BASE64, 'base64'));
  const inst = new WebAssembly.Instance(module, { env: { memory, abort: () => { throw new Error('abort'); } } });
  return { exports: inst.exports as Record<string, any>, memory };
}

/**
 * An instance holding A [m×k], B [k×n] and C [m×n] (the values given), laid out with the GEMMs'
 * scratch room after C (operands from byte 0, as the wrapper's layout) or without it (C ending at
 * the very end of the memory, so the kernels read A and B in place); the byte offsets returned.
 */
function laidOut(m: number, k: number, n: number, a: Float32Array, b: Float32Array, c0: Float32Array, withScratch: boolean, scratchBytes: number, variant: WasmVariant) {
  const bytes = 4 * (m * k + k * n + m * n) + 64;
  const { exports, memory } = instance(bytes + scratchBytes + 65536, variant);
  const size = memory.buffer.byteLength;
  const A = withScratch ? 0 : (size - bytes) & ~15;
  const B = (A + 4 * m * k + 15) & ~15;
  const C = withScratch ? (B + 4 * k * n + 15) & ~15 : size - 4 * m * n;
  const f = new Float32Array(memory.buffer);
  f.set(a, A / 4); f.set(b, B / 4); f.set(c0, C / 4);
  return { exports, f, A, B, C };
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    return s / 4294967296;
  };
}

function randomMatrix(len: number, seed: number, zeroFraction = 0): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = r() < zeroFraction ? (r() < 0.5 ? 0 : -0) : (r() - 0.5) * 4;
  return out;
}

/** Checks c against the float64 product (+ c0): |c − ref| ≤ (k + 2)·2⁻²⁴·(Σ|a·b| + |c0|) + tiny. */
function expectClose(c: Float32Array, a: Float32Array, b: Float32Array, m: number, k: number, n: number, c0?: Float32Array): void {
  let bad = 0;
  let first = '';
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let ref = c0 ? c0[i * n + j]! : 0;
      let mag = Math.abs(ref);
      for (let p = 0; p < k; p++) {
        const t = a[i * k + p]! * b[p * n + j]!;
        ref += t;
        mag += Math.abs(t);
      }
      const got = c[i * n + j]!;
      const tol = (k + 2) * 2 ** -24 * mag + 1e-30;
      if (!(Math.abs(got - ref) <= tol)) {
        if (bad++ === 0) first = `C[${i},${j}] = ${got}, float64 reference ${ref} (tolerance ${tol})`;
      }
    }
  }
  expect(first).toBe('');
  expect(bad).toBe(0);
}

const SHAPES: Array<[number, number, number]> = [
  [0, 0, 0], [0, 5, 3], [3, 0, 4], [4, 3, 0], [1, 1, 1], [1, 7, 1], [7, 13, 5], [33, 65, 17], [2, 3, 4],
  [5, 8, 8], [4, 8, 7], [6, 9, 9], [9, 16, 15], [10, 31, 16], [11, 33, 17], [16, 1, 24], [64, 64, 64],
  [37, 511, 3], [3, 513, 41], [13, 512, 257], [17, 1025, 255], [1, 300, 1000], [100, 2, 100], [23, 100, 259],
];

for (const variant of ['simd', 'relaxed-simd'] as const) {
  const unavailable = variant === 'relaxed-simd' ? RELAXED_UNAVAILABLE : undefined;
  // Collected (as skipped) even where the build is unavailable; only the test bodies use it.
  const kernels = wasmKernelsOf(variant)!;

  describe.skipIf(unavailable !== undefined)(`${variant} build${unavailable ? ` (${unavailable})` : ''}`, () => {
    describe('gemm_f32 through the wrapper', () => {
      it('matches the float64 product on many shapes (0s, 1s, primes, tile boundaries ±1)', () => {
        let seed = 1;
        for (const [m, k, n] of SHAPES) {
          const a = randomMatrix(m * k, seed++);
          const b = randomMatrix(k * n, seed++);
          const c = new Float32Array(m * n).fill(NaN);
          expect(kernels.gemm(a, b, c, m, k, n, false)).toBe(m * k);
          if (k === 0) expect(Array.from(c).every((v) => Object.is(v, 0))).toBe(true);
          expectClose(c, a, b, m, k, n);
        }
      });

      it('every m in 1..11 × n in 1..20 (all row and column edge tiles), k in {1, 6, 19}', () => {
        let seed = 7000;
        for (let m = 1; m <= 11; m++) {
          for (let n = 1; n <= 20; n++) {
            for (const k of [1, 6, 19]) {
              const a = randomMatrix(m * k, seed++);
              const b = randomMatrix(k * n, seed++);
              const c = new Float32Array(m * n).fill(NaN);
              kernels.gemm(a, b, c, m, k, n, false);
              expectClose(c, a, b, m, k, n);
              const c0 = randomMatrix(m * n, seed++);
              const c2 = Float32Array.from(c0);
              kernels.gemm(a, b, c2, m, k, n, true);
              expectClose(c2, a, b, m, k, n, c0);
              const c3 = new Float32Array(m * n).fill(NaN);
              kernels.gemm(a, b, c3, m, k, n, false, true);
              expectClose(c3, a, b, m, k, n);
            }
          }
        }
      });

      it('accumulate adds to the existing C', () => {
        let seed = 100;
        for (const [m, k, n] of SHAPES) {
          const a = randomMatrix(m * k, seed++);
          const b = randomMatrix(k * n, seed++);
          const c0 = randomMatrix(m * n, seed++);
          const c = Float32Array.from(c0);
          kernels.gemm(a, b, c, m, k, n, true);
          if (k === 0) expect(Array.from(c)).toEqual(Array.from(c0));
          expectClose(c, a, b, m, k, n, c0);
        }
      });

      it('epilogue: bias rows and an activation give the bits of the separate steps', () => {
        let seed = 500;
        for (const [m, k, n] of SHAPES) {
          const a = randomMatrix(m * k, seed++);
          const b = randomMatrix(k * n, seed++);
          const bias = randomMatrix(n, seed++);
          for (const sparse of [false, true]) {
            for (const activation of [undefined, { kernel: 'relu_f32' as const }, { kernel: 'leaky_relu_f32' as const, p0: 0.01 }, { kernel: 'gelu_erf_f32' as const }]) {
              for (const withBias of [false, true]) {
                const want = new Float32Array(m * n);
                if (withBias) for (let i = 0; i < m; i++) want.set(bias, i * n);
                kernels.gemm(a, b, want, m, k, n, true, sparse);
                if (activation !== undefined) kernels.unary(activation.kernel, want, want, 0, m * n, activation.p0 ?? 0);
                const got = new Float32Array(m * n).fill(NaN);
                kernels.gemm(a, b, got, m, k, n, false, sparse, { bias: withBias ? bias : undefined, activation });
                expect(Array.from(got), `${m}×${k}×${n} ${activation?.kernel} bias ${withBias} sparse ${sparse}`).toEqual(Array.from(want));
              }
            }
          }
        }
      });

      it('ffnForward: the bits of two gemm calls (h copied out or not, biases or none, dense or sparse second layer)', () => {
        let seed = 600;
        for (const [m, k, f, n] of [[1, 1, 1, 1], [7, 5, 9, 3], [33, 30, 96, 30], [64, 70, 130, 17], [5, 0, 4, 6], [6, 4, 0, 5], [0, 3, 4, 5]] as Array<[number, number, number, number]>) {
          const x = randomMatrix(m * k, seed++);
          const w1 = randomMatrix(k * f, seed++);
          const w2 = randomMatrix(f * n, seed++);
          const b1 = randomMatrix(f, seed++);
          const b2 = randomMatrix(n, seed++);
          for (const activation of [{ kernel: 'relu_f32' as const }, { kernel: 'gelu_erf_f32' as const }]) {
            for (const [withB1, withB2, sparse] of [[true, true, true], [true, true, false], [false, false, true], [false, true, false]]) {
              const first = { bias: withB1 ? b1 : undefined, activation };
              const hWant = new Float32Array(m * f);
              expect(kernels.gemm(x, w1, hWant, m, k, f, false, false, first)).toBe(m * k);
              const yWant = new Float32Array(m * n);
              const steps = kernels.gemm(hWant, w2, yWant, m, f, n, false, sparse, { bias: withB2 ? b2 : undefined });
              const label = `${m}×${k}×${f}×${n} ${activation.kernel} b1 ${withB1} b2 ${withB2} sparse ${sparse}`;
              for (const keepHidden of [true, false]) {
                const h = keepHidden ? new Float32Array(m * f).fill(NaN) : undefined;
                const y = new Float32Array(m * n).fill(NaN);
                expect(kernels.ffnForward(x, w1, first, w2, withB2 ? b2 : undefined, m, k, f, n, sparse, h, y), label).toBe(steps);
                expect(Array.from(y), label).toEqual(Array.from(yWant));
                if (h !== undefined) expect(Array.from(h), label).toEqual(Array.from(hWant));
              }
            }
          }
        }
      });

      it('64×512×2048', () => {
        const [m, k, n] = [64, 512, 2048];
        const a = randomMatrix(m * k, 77);
        const b = randomMatrix(k * n, 78);
        const c = new Float32Array(m * n);
        kernels.gemm(a, b, c, m, k, n, false);
        expectClose(c, a, b, m, k, n);
      });

      it('IEEE specials propagate in the dense kernel: 0·∞ = NaN, ∞ rows', () => {
        const [m, k, n] = [12, 9, 11];
        const a = randomMatrix(m * k, 5);
        const b = randomMatrix(k * n, 6);
        a[3 * k + 4] = 0; // row 3 has a zero at p = 4 ...
        b[4 * n + 2] = Infinity; // ... against ∞ in B: NaN in C[3, 2]
        a[7 * k + 4] = 1; // row 7: 1·∞ = ∞
        const c = new Float32Array(m * n);
        kernels.gemm(a, b, c, m, k, n, false);
        expect(c[3 * n + 2]).toBeNaN();
        expect(c[7 * n + 2]).toBe(Infinity);
        expect(c[3 * n + 3]).not.toBeNaN();
      });
    });


    describe('gemm_f32 and gemm_sparse_a_f32 with and without scratch after C', () => {
      // Room for the packed path's blocks past C (read in the tests: the relaxed build may not compile here).
      const scratchBytes = (): number => instance(65536, variant).exports.GEMM_SCRATCH_BYTES.value;
      it('exports GEMM_SCRATCH_BYTES', () => {
        const { exports } = instance(65536, variant);
        expect(exports.GEMM_SCRATCH_BYTES.value).toBeGreaterThan(0);
      });

      it('the packed path gives the bits of the in-place one (B and A packed, B only, MC-block and tile edges)', () => {
        let seed = 900;
        const SCRATCH_BYTES = scratchBytes();
        const shapes: Array<[number, number, number]> = [
          [10, 5, 8], [12, 33, 64], [121, 70, 72], [130, 513, 63], [245, 40, 130], [17, 1025, 255], [64, 600, 300], [31, 9, 520],
        ];
        for (const [m, k, n] of shapes) {
          const a = randomMatrix(m * k, seed++, 0.2);
          const b = randomMatrix(k * n, seed++);
          const c0 = randomMatrix(m * n, seed++);
          for (const accumulate of [0, 1]) {
            const results = [true, false].map((withScratch) => {
              const { exports, f, A, B, C } = laidOut(m, k, n, a, b, c0, withScratch, SCRATCH_BYTES, variant);
              exports.gemm_f32(A, B, C, m, k, n, accumulate);
              return Array.from(f.subarray(C / 4, C / 4 + m * n));
            });
            expect(results[0], `${m}×${k}×${n} accumulate ${accumulate}`).toEqual(results[1]);
          }
        }
      });

      for (const withScratch of [true, false]) {
        it(withScratch ? 'scratch after C (packed B and A blocks)' : 'no room after C (A and B read in place)', () => {
          let seed = 500;
          const SCRATCH_BYTES = scratchBytes();
          for (const [m, k, n] of [...SHAPES, [64, 600, 130], [30, 1100, 40], [7, 50, 1030]] as Array<[number, number, number]>) {
            const a = randomMatrix(m * k, seed++);
            const b = randomMatrix(k * n, seed++);
            const c0 = randomMatrix(m * n, seed++);
            const { exports, f, A, B, C } = laidOut(m, k, n, a, b, c0, withScratch, SCRATCH_BYTES, variant);
            exports.gemm_f32(A, B, C, m, k, n, 1);
            expectClose(f.slice(C / 4, C / 4 + m * n), a, b, m, k, n, c0);
            f.fill(NaN, C / 4, C / 4 + m * n);
            exports.gemm_f32(A, B, C, m, k, n, 0);
            expectClose(f.slice(C / 4, C / 4 + m * n), a, b, m, k, n);
            // the sparse kernel's nonzero list lives in the same scratch
            for (const zeros of [0.3, 0.9]) {
              const as = randomMatrix(m * k, seed++, zeros);
              f.set(as, A / 4);
              f.set(c0, C / 4);
              expect(exports.gemm_sparse_a_f32(A, B, C, m, k, n, 1)).toBe(as.reduce((t, v) => t + (v !== 0 ? 1 : 0), 0));
              expectClose(f.slice(C / 4, C / 4 + m * n), as, b, m, k, n, c0);
              f.fill(NaN, C / 4, C / 4 + m * n);
              exports.gemm_sparse_a_f32(A, B, C, m, k, n, 0);
              expectClose(f.slice(C / 4, C / 4 + m * n), as, b, m, k, n);
            }
          }
        });
      }
    });

    describe('gemm_sparse_a_f32', () => {
      const nonzeros = (a: Float32Array): number => a.reduce((s, v) => s + (v !== 0 ? 1 : 0), 0);

      for (const zeros of [0, 0.5, 0.9, 1]) {
        it(`${zeros * 100} % zeros in A: same values, returns the nonzero count`, () => {
          let seed = 1000 + zeros * 100;
          for (const [m, k, n] of [...SHAPES, [20, 700, 600], [8, 513, 1030]] as Array<[number, number, number]>) {
            const a = randomMatrix(m * k, seed++, zeros);
            const b = randomMatrix(k * n, seed++);
            const c = new Float32Array(m * n).fill(NaN);
            expect(kernels.gemm(a, b, c, m, k, n, false, true)).toBe(nonzeros(a));
            expectClose(c, a, b, m, k, n);
            const c0 = randomMatrix(m * n, seed++);
            const c2 = Float32Array.from(c0);
            expect(kernels.gemm(a, b, c2, m, k, n, true, true)).toBe(nonzeros(a));
            expectClose(c2, a, b, m, k, n, c0);
          }
        });
      }

      it('zeros change no bit: inserting ±0 columns into A (runs of 1 to 40, ∞ and NaN in their rows of B) gives the same C with and without scratch', () => {
        // The nonzero scan works 16 entries at a time, then 4, then 1: the inserted runs put the
        // nonzeros at every position of those blocks, blocks of zeros between them, and rows
        // whose tail is all zeros. Skipped steps must leave the sums and their order alone (within
        // one block of 256 k-steps: the kernel groups nonzeros by block, so k stays under it).
        let seed = 7000;
        const SCRATCH_BYTES = instance(65536, variant).exports.GEMM_SCRATCH_BYTES.value;
        for (const [m, k, n] of [[9, 5, 7], [16, 12, 30], [33, 9, 96], [5, 15, 13]] as Array<[number, number, number]>) {
          const a = randomMatrix(m * k, seed++, 0.3);
          const b = randomMatrix(k * n, seed++);
          const r = rng(seed++);
          // Where each original column lands in the widened A, with zero columns before it.
          const at: number[] = [];
          let kw = 0;
          for (let p = 0; p < k; p++) { kw += Math.floor(r() * r() * 41); at.push(kw++); }
          kw += Math.floor(r() * 20);
          expect(kw).toBeLessThanOrEqual(256);
          const aw = new Float32Array(m * kw).map((_, i) => (i % 3 === 0 ? -0 : 0));
          const bw = new Float32Array(kw * n).map((_, i) => [Infinity, NaN, -Infinity][i % 3]);
          for (let p = 0; p < k; p++) {
            for (let i = 0; i < m; i++) aw[i * kw + at[p]] = a[i * k + p];
            bw.set(b.subarray(p * n, (p + 1) * n), at[p] * n);
          }
          for (const withScratch of [true, false]) {
            const results = ([[a, b, k], [aw, bw, kw]] as Array<[Float32Array, Float32Array, number]>).map(([as, bs, ks]) => {
              const { exports, f, A, B, C } = laidOut(m, ks, n, as, bs, new Float32Array(m * n), withScratch, SCRATCH_BYTES, variant);
              expect(exports.gemm_sparse_a_f32(A, B, C, m, ks, n, 0)).toBe(as.reduce((t, v) => t + (v !== 0 ? 1 : 0), 0));
              return Array.from(f.subarray(C / 4, C / 4 + m * n));
            });
            expect(results[1], `${m}×${k}×${n} widened to k ${kw}, scratch ${withScratch}`).toEqual(results[0]);
          }
        }
      });

      it('the column tail\'s bits: in both builds the last n mod 4 columns take each row\'s nonzeros four at a time as C + ((a₀b₀ + a₁b₁) + (a₂b₂ + a₃b₃)), the rest one at a time, per block of 256 k-steps (so do all of the plain build\'s columns); with and without scratch, from zero and accumulating', () => {
        let seed = 9100;
        const fr = Math.fround;
        const SCRATCH_BYTES = instance(65536, variant).exports.GEMM_SCRATCH_BYTES.value;
        for (const [m, k, n] of [[5, 300, 30], [3, 40, 5], [4, 600, 7], [2, 17, 1], [6, 260, 3], [3, 9, 2]] as Array<[number, number, number]>) {
          const a = randomMatrix(m * k, seed++, 0.5);
          const b = randomMatrix(k * n, seed++);
          const c0 = randomMatrix(m * n, seed++);
          const from = variant === 'simd' ? 0 : n - (n % 4); // the relaxed build's vector columns fuse their madds: not modelled here
          for (const accumulate of [false, true]) {
            const want = accumulate ? Float32Array.from(c0) : new Float32Array(m * n);
            for (let i = 0; i < m; i++) {
              for (let p0 = 0; p0 < k; p0 += 256) {
                const steps: number[] = [];
                for (let p = p0; p < Math.min(k, p0 + 256); p++) if (a[i * k + p] !== 0) steps.push(p);
                for (let j = from; j < n; j++) {
                  const term = (p: number): number => fr(a[i * k + p] * b[p * n + j]);
                  let c = want[i * n + j];
                  let g = 0;
                  for (; g + 4 <= steps.length; g += 4) c = fr(c + fr(fr(term(steps[g]) + term(steps[g + 1])) + fr(term(steps[g + 2]) + term(steps[g + 3]))));
                  for (; g < steps.length; g++) c = fr(c + term(steps[g]));
                  want[i * n + j] = c;
                }
              }
            }
            for (const withScratch of [true, false]) {
              const { exports, f, A, B, C } = laidOut(m, k, n, a, b, accumulate ? c0 : new Float32Array(m * n).fill(NaN), withScratch, SCRATCH_BYTES, variant);
              exports.gemm_sparse_a_f32(A, B, C, m, k, n, accumulate ? 1 : 0);
              const got = f.subarray(C / 4, C / 4 + m * n);
              for (let i = 0; i < m; i++) {
                for (let j = from; j < n; j++) {
                  expect(got[i * n + j], `${m}×${k}×${n} C[${i},${j}] scratch ${withScratch} accumulate ${accumulate}`).toBe(want[i * n + j]);
                }
              }
            }
          }
        }
      });

      it('sparseGemmTransposedA: A given transposed (a row stride past m too), the product back as is or transposed — the bits of gemm on the transposed copy', () => {
        let seed = 5000;
        for (const [m, k, n, lda] of [[7, 13, 9, 7], [33, 70, 37, 41], [64, 300, 130, 64], [5, 1, 6, 8]] as Array<[number, number, number, number]>) {
          const aT = randomMatrix(k * lda, seed++, 0.9);
          const b = randomMatrix(k * n, seed++);
          const a = new Float32Array(m * k); // op(A)[i, p] = aT[p·lda + i]
          for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) a[i * k + p] = aT[p * lda + i];
          const want = new Float32Array(m * n);
          expect(kernels.gemm(a, b, want, m, k, n, false, true)).toBe(nonzeros(a));
          const wantT = new Float32Array(n * m);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) wantT[j * m + i] = want[i * n + j];
          for (const transposeOut of [false, true]) {
            const got = new Float32Array(m * n).fill(NaN);
            expect(kernels.sparseGemmTransposedA(aT, lda, m, k, b, n, got, transposeOut)).toBe(nonzeros(a));
            expect(Array.from(got), `${m}×${k}×${n} lda ${lda} transposeOut ${transposeOut}`).toEqual(Array.from(transposeOut ? wantT : want));
          }
        }
      });

      it('transpose: an exact copy, edges past the 4 × 4 blocks included', () => {
        for (const [rows, cols] of [[1, 1], [3, 5], [33, 35], [64, 37], [129, 4]] as Array<[number, number]>) {
          const src = randomMatrix(rows * cols, rows * 1000 + cols, 0.3);
          const out = new Float32Array(rows * cols);
          expect(kernels.transpose(src, rows, cols, out)).toBe(true);
          for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) expect(Object.is(out[c * rows + r], src[r * cols + c])).toBe(true);
        }
      });

      it('agrees with the dense kernel on 64×512×2048 at 90 % zeros', () => {
        const [m, k, n] = [64, 512, 2048];
        const a = randomMatrix(m * k, 4242, 0.9);
        const b = randomMatrix(k * n, 4243);
        const cs = new Float32Array(m * n);
        expect(kernels.gemm(a, b, cs, m, k, n, false, true)).toBe(nonzeros(a));
        expectClose(cs, a, b, m, k, n);
      });

      it('skips zero A entries: ∞ in B under a zero gives no NaN (dense gives NaN); NaN in A is not zero', () => {
        const [m, k, n] = [6, 10, 9];
        const a = randomMatrix(m * k, 9, 0.5);
        const b = randomMatrix(k * n, 10);
        for (let i = 0; i < m; i++) a[i * k + 3] = i === 4 ? NaN : i % 2 ? -0 : 0;
        b[3 * n + 5] = Infinity;
        const dense = new Float32Array(m * n);
        kernels.gemm(a, b, dense, m, k, n, false);
        const sparse = new Float32Array(m * n);
        const steps = kernels.gemm(a, b, sparse, m, k, n, false, true);
        expect(steps).toBe(nonzeros(a)); // NaN !== 0 counts
        for (let i = 0; i < m; i++) {
          expect(dense[i * n + 5]).toBeNaN();
          if (i === 4) expect(sparse[i * n + 5]).toBeNaN();
          else expect(sparse[i * n + 5]).not.toBeNaN();
        }
        const a2 = a.map((v) => (Number.isNaN(v) ? 0 : v));
        const s2 = new Float32Array(m * n);
        kernels.gemm(a2, b, s2, m, k, n, false, true);
        const b2 = Float32Array.from(b); b2[3 * n + 5] = 12345;
        expectClose(s2, a2, b2, m, k, n);
      });
    });
  });
}
