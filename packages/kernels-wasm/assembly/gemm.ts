// GEMM (float32, SIMD128): C[m×n] = A[m×k]·B[k×n] (+ C), row-major, float32 accumulation.
//
// Dense (gemm_f32): register-blocked micro-kernels, loop over k innermost, each k-step one madd
// per accumulator (gemm-madd.ts); each A entry is broadcast (v128.load32_splat → vbroadcastss),
// each k-step loads 8 B floats. k in blocks of KC, n in blocks of NC. The tile kernels are in
// gemm.generated.ts, written by scripts/gen-gemm-tiles.mjs (the tests check that file is current).
//
// Packed path, when the memory has gemmScratchBytes free past C (at C's end rounded up to 64
// bytes; used only when A and B both end at or below C, the wrapper's layout; never more than
// GEMM_SCRATCH_BYTES): per (NC, KC) block, B's kc×nc block is packed once into kc×8 panels; per
// block of MC rows, A's mc×kc block is packed into MRP-row micro-panels ([kc][MRP] floats), which
// stay in L2 (240 KiB at MC 120) while every B panel (16 KiB, L1) sweeps them; the mkp{r} tiles
// then read two sequential streams. Reading A in place instead (its m×kc block, 1 MiB at m = 512,
// does not fit Zen 3's 512 KiB L2) measured 10-17 % slower under load (bench/select-gemm.mjs).
// MRP is 6 in the relaxed build (12 accumulators + 2 B + 1 broadcast: a fused madd needs no
// product temporary) and 5 in the plain one (10 + 2 + 1 + the product: 6 rows spilled, -30 %).
// A jc block of fewer than PACK_A_PANELS full panels (128 columns) reads A in place (the 5-row
// mk{r}x2 tiles on the packed B panels): the scalar A pack costs about as much as 2·8 columns of
// madds per A entry, ~8 % of the product at 12 panels (1024×30×96, measured slower packed).
// Without scratch the mk{r}x2 tiles read A and B in place (rows n floats apart; ~10-15 % slower).
// Edge tiles: columns n mod 8 a 4-wide kernel (A and B in place) and then scalar dot products
// (tail{r}: one column of r rows, r independent add chains; unfused in both builds).
// Every C element gets the same operations in every path (same k order, KC blocks restarted and
// added to C, the same column partition: wide tiles, 4-wide tiles, colTail), so the bits do not
// depend on the path, MR, MC or NC. k = 0 gives C = 0 (C unchanged when accumulating).
//
// Sparse (gemm_sparse_a_f32): axpy form per row of C: for each nonzero A[i,p] (±0 skipped, NaN is
// not zero), C[i,:] += A[i,p]·B[p,:]; four nonzeros are fused into one pass over the C row segment
// (in the relaxed build as four madds, gemm-madd.ts; in the plain one as mul then a sum tree; the
// last n mod 4 columns as the tree in both, in one vector of partial loads and stores).
// With scratch past C (KCS·4 bytes, inside GEMM_SCRATCH_BYTES, same conditions as gemm_f32) each
// row's nonzero k-steps are first compacted into a list (sixteen entries per test, no branch per
// entry: nonzeroSteps); otherwise the row is scanned four entries at a time with branches (~10-40 %
// slower, mispredictions).
// Blocked by NCS columns and KCS k-steps so the B block (≤ 1 MiB) stays in L2 and the C row segment
// (≤ 4 KiB) in L1.

import {
  mk1x1, mk1x2, mk2x1, mk2x2, mk3x1, mk3x2, mk4x1, mk4x2, mk5x1, mk5x2, mkp1, mkp2, mkp3, mkp4, mkp5, mkp6,
  tail1, tail2, tail3, tail4, tail5,
} from './gemm.generated';
import { madd } from './gemm-madd';

/** Rows of the in-place tiles. */
const MR: i32 = 5;
/** Rows of the packed A micro-panels (see above). */
const MRP: i32 = ASC_FEATURE_RELAXED_SIMD ? 6 : 5;
const NR: i32 = 8;
const KC: i32 = 512;
const NC: i32 = 256;
/** Rows of A packed at a time (a multiple of both MRPs). */
const MC: i32 = 120;
/** Fewest full 8-column panels in a jc block for which A is packed. */
const PACK_A_PANELS: i32 = 16;
/** Bytes of scratch past C (64-aligned) the GEMMs use at most when the memory has them: B and A blocks, nonzero lists. */
export const GEMM_SCRATCH_BYTES: i32 = (KC * NC + MC * KC) * 4 + 64;

/** Scratch gemm_f32's packed path needs for these sizes: the packed B block, then the packed A block. */
function gemmScratchBytes(m: i32, k: i32, n: i32): usize {
  const kc = <usize>min(KC, k);
  return kc * <usize>(min(NC, n) & ~(NR - 1)) * 4 + kc * <usize>min(MC, m) * 4;
}

function packedTile(r: i32, pa: usize, pb: usize, pc: usize, ldc: usize, kc: i32, addC: bool): void {
  switch (r) {
    case 1: mkp1(pa, pb, pc, ldc, kc, addC); break;
    case 2: mkp2(pa, pb, pc, ldc, kc, addC); break;
    case 3: mkp3(pa, pb, pc, ldc, kc, addC); break;
    case 4: mkp4(pa, pb, pc, ldc, kc, addC); break;
    case 5: mkp5(pa, pb, pc, ldc, kc, addC); break;
    case 6: mkp6(pa, pb, pc, ldc, kc, addC); break;
  }
}

function tile(r: i32, wide: bool, pa: usize, lda: usize, pb: usize, ldb: usize, pc: usize, ldc: usize, kc: i32, addC: bool): void {
  if (wide) {
    switch (r) {
      case 1: mk1x2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 2: mk2x2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 3: mk3x2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 4: mk4x2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 5: mk5x2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    }
  } else {
    switch (r) {
      case 1: mk1x1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 2: mk2x1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 3: mk3x1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 4: mk4x1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
      case 5: mk5x1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    }
  }
}

// Column tail (fewer than 4 columns): scalar dot products, one column of the r rows at a time.
function colTail(r: i32, pa: usize, lda: usize, pb: usize, ldb: usize, pc: usize, ldc: usize, kc: i32, addC: bool): void {
  switch (r) {
    case 1: tail1(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    case 2: tail2(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    case 3: tail3(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    case 4: tail4(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
    case 5: tail5(pa, lda, pb, ldb, pc, ldc, kc, addC); break;
  }
}

/** C[m×n] = A[m×k]·B[k×n] (+ C when accumulate ≠ 0), float32 row-major at byte offsets a, b, c. */
export function gemm_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): void {
  if (m <= 0 || n <= 0) return;
  const ldc = <usize>n << 2;
  if (k <= 0) {
    if (accumulate == 0) memory.fill(c, 0, <usize>m * ldc);
    return;
  }
  const lda = <usize>k << 2;
  const ldb = <usize>n << 2;
  // The packed path when there is room after C and enough row tiles to reuse the panels. The
  // scratch is only used in the wrapper's layout (A and B below C), where nothing lives past C's end.
  let scratch: usize = 0;
  if (m >= 2 * MR && n >= NR && a + <usize>m * lda <= c && b + <usize>k * ldb <= c) {
    const s = (c + <usize>m * ldc + 63) & ~<usize>63;
    if (<u64>s + <u64>gemmScratchBytes(m, k, n) <= (<u64>memory.size() << 16)) scratch = s;
  }
  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    const jend = jc + nc;
    const nfull = jc + (nc / NR) * NR;
    for (let pcol = 0; pcol < k; pcol += KC) {
      const kc = min(KC, k - pcol);
      const addC = accumulate != 0 || pcol > 0;
      const bblk = b + <usize>pcol * ldb;
      const ablk = a + (<usize>pcol << 2);
      if (scratch != 0) {
        // B's kc×nc block as kc×8 panels, one after another.
        const panel = <usize>kc << 5;
        let dst = scratch;
        for (let j = jc; j < nfull; j += NR) {
          let src = bblk + (<usize>j << 2);
          const dend = dst + panel;
          while (dst < dend) {
            v128.store(dst, v128.load(src));
            v128.store(dst, v128.load(src, 16), 16);
            dst += 32; src += ldb;
          }
        }
        const apack = dst; // the packed A block follows the B block
        const packA = (nfull - jc) / NR >= PACK_A_PANELS;
        // Without the A pack, all rows against each panel (A's in-place block is reread per panel anyway).
        const mc = packA ? MC : m;
        for (let ic = 0; ic < m; ic += mc) {
          const iend = min(m, ic + mc);
          if (packA) {
            // A's rows ic..iend, kc columns, as micro-panels of MRP rows: [kc][r] floats each.
            let q = apack;
            for (let i = ic; i < iend; i += MRP) {
              const r = min(MRP, iend - i);
              const src = ablk + <usize>i * lda;
              const send = src + (<usize>kc << 2);
              for (let p = src; p < send; p += 4) {
                for (let t = 0; t < r; t++) store<f32>(q + (<usize>t << 2), load<f32>(p + <usize>t * lda));
                q += <usize>r << 2;
              }
            }
          }
          let pb = scratch;
          for (let j = jc; j < nfull; j += NR) {
            const pc = c + (<usize>j << 2);
            if (packA) {
              let pa = apack;
              for (let i = ic; i < iend; i += MRP) {
                const r = min(MRP, iend - i);
                packedTile(r, pa, pb, pc + <usize>i * ldc, ldc, kc, addC);
                pa += (<usize>r * <usize>kc) << 2;
              }
            } else {
              for (let i = ic; i < iend; i += MR) {
                const r = min(MR, iend - i);
                tile(r, true, ablk + <usize>i * lda, lda, pb, 32, pc + <usize>i * ldc, ldc, kc, addC);
              }
            }
            pb += panel;
          }
        }
      } else {
        for (let i = 0; i < m; i += MR) {
          const r = min(MR, m - i);
          const pa = ablk + <usize>i * lda;
          const prow = c + <usize>i * ldc;
          for (let j = jc; j < nfull; j += NR) tile(r, true, pa, lda, bblk + (<usize>j << 2), ldb, prow + (<usize>j << 2), ldc, kc, addC);
        }
      }
      if (nfull < jend) {
        for (let i = 0; i < m; i += MR) {
          const r = min(MR, m - i);
          const pa = ablk + <usize>i * lda;
          const prow = c + <usize>i * ldc;
          let j = nfull;
          for (; j + 4 <= jend; j += 4) tile(r, false, pa, lda, bblk + (<usize>j << 2), ldb, prow + (<usize>j << 2), ldc, kc, addC);
          for (; j < jend; j++) colTail(r, pa, lda, bblk + (<usize>j << 2), ldb, prow + (<usize>j << 2), ldc, kc, addC);
        }
      }
    }
  }
}

/* ---------- sparse-A GEMM ---------- */

const NCS: i32 = 1024;
const KCS: i32 = 256;

// c[0:w] += s0·b0[0:w] + s1·b1[0:w] + s2·b2[0:w] + s3·b3[0:w]. The plain build sums the four
// products as a tree, then adds it to c; the relaxed build's vectors run four madds in k order
// instead (one rounding each, as its dense tiles': half the vector operations, 5-10 % faster).
// The last w mod 4 columns take the tree in both builds.
// @ts-ignore: decorator
@inline function axpy4(c: usize, w: i32, b0: usize, s0: f32, b1: usize, s1: f32, b2: usize, s2: f32, b3: usize, s3: f32): void {
  const v0 = f32x4.splat(s0), v1 = f32x4.splat(s1), v2 = f32x4.splat(s2), v3 = f32x4.splat(s3);
  const w4 = <usize>(w & ~3) << 2;
  let j: usize = 0;
  for (; j < w4; j += 16) {
    if (ASC_FEATURE_RELAXED_SIMD) {
      const c0 = madd(v0, v128.load(b0 + j), v128.load(c + j));
      v128.store(c + j, madd(v3, v128.load(b3 + j), madd(v2, v128.load(b2 + j), madd(v1, v128.load(b1 + j), c0))));
    } else {
      const t01 = f32x4.add(f32x4.mul(v0, v128.load(b0 + j)), f32x4.mul(v1, v128.load(b1 + j)));
      const t23 = f32x4.add(f32x4.mul(v2, v128.load(b2 + j)), f32x4.mul(v3, v128.load(b3 + j)));
      v128.store(c + j, f32x4.add(v128.load(c + j), f32x4.add(t01, t23)));
    }
  }
  const tw = w & 3;
  if (tw != 0) {
    // The last w mod 4 columns in one vector, as the plain build's tree (mul, then add, in both
    // builds): lane for lane the float32 operations the scalar loop before it did for each
    // column, so the same bits. Nothing past the row is read or written.
    const t01 = f32x4.add(f32x4.mul(v0, tailLoad(b0 + j, tw)), f32x4.mul(v1, tailLoad(b1 + j, tw)));
    const t23 = f32x4.add(f32x4.mul(v2, tailLoad(b2 + j, tw)), f32x4.mul(v3, tailLoad(b3 + j, tw)));
    tailStore(c + j, f32x4.add(tailLoad(c + j, tw), f32x4.add(t01, t23)), tw);
  }
}

// c[0:w] += s·b[0:w]
function axpy1(c: usize, w: i32, b: usize, s: f32): void {
  const v = f32x4.splat(s);
  const w4 = <usize>(w & ~3) << 2;
  let j: usize = 0;
  for (; j < w4; j += 16) v128.store(c + j, madd(v, v128.load(b + j), v128.load(c + j)));
  const tw = w & 3;
  if (tw != 0) tailStore(c + j, f32x4.add(tailLoad(c + j, tw), f32x4.mul(v, tailLoad(b + j, tw))), tw); // unfused, as axpy4's tail
}

/** The tw floats at p (1 to 3) in a vector's first lanes, the others 0; nothing past them is read. */
// @ts-ignore: decorator
@inline function tailLoad(p: usize, tw: i32): v128 {
  if (tw == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return tw == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/** Stores the first tw lanes (1 to 3) of v at p; nothing past them is written. */
// @ts-ignore: decorator
@inline function tailStore(p: usize, v: v128, tw: i32): void {
  if (tw == 1) { v128.store32_lane(p, v, 0); return; }
  v128.store64_lane(p, v, 0);
  if (tw == 3) v128.store32_lane(p, v, 2, 8);
}

/**
 * Writes the byte offsets (from `row`) of the nonzero entries (not ±0; NaN counts) among row's
 * first kc float32s to `list`, in order; returns the list's end. Sixteen entries at a time: a
 * block of sixteen zeros costs one test (at 90-99 % zeros most blocks are), the others are
 * compacted four at a time without a branch per entry (one would mispredict at every sparsity
 * between the extremes); the tail one entry at a time.
 */
// @ts-ignore: decorator
@inline function nonzeroSteps(row: usize, kc: i32, list: usize): usize {
  const zero = f32x4.splat(0);
  let end = list;
  const bytes = <usize>kc << 2;
  const bytes16 = <usize>(kc & ~15) << 2;
  let o: usize = 0;
  for (; o < bytes16; o += 64) {
    const q = row + o;
    const n0 = f32x4.ne(v128.load(q), zero), n1 = f32x4.ne(v128.load(q, 16), zero);
    const n2 = f32x4.ne(v128.load(q, 32), zero), n3 = f32x4.ne(v128.load(q, 48), zero);
    if (!v128.any_true(v128.or(v128.or(n0, n1), v128.or(n2, n3)))) continue;
    end = compactFour(end, o, i32x4.bitmask(n0));
    end = compactFour(end, o + 16, i32x4.bitmask(n1));
    end = compactFour(end, o + 32, i32x4.bitmask(n2));
    end = compactFour(end, o + 48, i32x4.bitmask(n3));
  }
  for (; o < bytes; o += 4) {
    store<u32>(end, <u32>o);
    end += <usize>(load<f32>(row + o) != 0) << 2;
  }
  return end;
}

/** Appends the offsets o, o+4, o+8, o+12 whose bit is set in `bits` (bit i: entry i) at `end`; returns the new end. */
// @ts-ignore: decorator
@inline function compactFour(end: usize, o: usize, bits: i32): usize {
  const b = <usize>bits;
  store<u32>(end, <u32>o);
  end += (b & 1) << 2;
  store<u32>(end, <u32>(o + 4));
  end += (b & 2) << 1;
  store<u32>(end, <u32>(o + 8));
  end += b & 4;
  store<u32>(end, <u32>(o + 12));
  return end + ((b & 8) >> 1);
}

/**
 * C = A·B (+ C) skipping every k-step whose A entry is ±0: for each other A[i,p],
 * C[i,:] += A[i,p]·B[p,:]. Returns the number of (row, k) steps multiplied (the nonzero count of A).
 */
export function gemm_sparse_a_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, accumulate: i32): i32 {
  if (m <= 0 || k < 0 || n < 0) return 0;
  const lda = <usize>k << 2;
  const ldb = <usize>n << 2;
  if (accumulate == 0 && n > 0) memory.fill(c, 0, <usize>m * ldb);
  if (n == 0) {
    // Nothing to multiply, but report the steps all the same.
    let count = 0;
    for (let i = 0; i < m; i++) for (let p = 0; p < k; p++) if (load<f32>(a + <usize>i * lda + (<usize>p << 2)) != 0) count++;
    return count;
  }
  const zero = f32x4.splat(0);
  // A list of the row's nonzero k-steps, in scratch past C when the memory has room (as gemm_f32's).
  let list: usize = 0;
  {
    const sc = (c + <usize>m * ldb + 63) & ~<usize>63;
    if (a + <usize>m * lda <= c && b + <usize>k * ldb <= c && <u64>sc + <u64>(KCS * 4) <= (<u64>memory.size() << 16)) list = sc;
  }
  let count = 0;
  for (let jc = 0; jc < n; jc += NCS) {
    const w = min(NCS, n - jc);
    for (let pcol = 0; pcol < k; pcol += KCS) {
      const kc = min(KCS, k - pcol);
      const kc4 = kc & ~3;
      const bblk = b + <usize>pcol * ldb + (<usize>jc << 2);
      if (list != 0) {
        for (let i = 0; i < m; i++) {
          const arow = a + <usize>i * lda + (<usize>pcol << 2);
          const crow = c + <usize>i * ldb + (<usize>jc << 2);
          // Branch-free compaction of the nonzero k-steps' byte offsets (a data-dependent branch
          // per entry mispredicts at every sparsity between the extremes).
          const end = nonzeroSteps(arow, kc, list);
          if (jc == 0) count += <i32>((end - list) >> 2);
          let t = list;
          for (; t + 16 <= end; t += 16) {
            const o0 = <usize>load<u32>(t), o1 = <usize>load<u32>(t, 4), o2 = <usize>load<u32>(t, 8), o3 = <usize>load<u32>(t, 12);
            axpy4(crow, w,
              bblk + (o0 >> 2) * ldb, load<f32>(arow + o0), bblk + (o1 >> 2) * ldb, load<f32>(arow + o1),
              bblk + (o2 >> 2) * ldb, load<f32>(arow + o2), bblk + (o3 >> 2) * ldb, load<f32>(arow + o3));
          }
          for (; t < end; t += 4) {
            const o = <usize>load<u32>(t);
            axpy1(crow, w, bblk + (o >> 2) * ldb, load<f32>(arow + o));
          }
        }
        continue;
      }
      for (let i = 0; i < m; i++) {
        const arow = a + <usize>i * lda + (<usize>pcol << 2);
        const crow = c + <usize>i * ldb + (<usize>jc << 2);
        let pending = 0;
        let q0: usize = 0, q1: usize = 0, q2: usize = 0;
        let s0: f32 = 0, s1: f32 = 0, s2: f32 = 0;
        let p = 0;
        while (p < kc) {
          let bits: i32;
          if (p < kc4) {
            // four A entries at once: skip the group when all four are ±0
            bits = i32x4.bitmask(f32x4.ne(v128.load(arow + (<usize>p << 2)), zero));
            if (bits == 0) { p += 4; continue; }
          } else {
            bits = load<f32>(arow + (<usize>p << 2)) != 0 ? 1 : 0;
            if (bits == 0) { p++; continue; }
          }
          const base = p;
          p += p < kc4 ? 4 : 1;
          while (bits != 0) {
            const t = base + ctz(bits);
            bits &= bits - 1;
            const s = load<f32>(arow + (<usize>t << 2));
            const q = bblk + <usize>t * ldb;
            if (pending == 0) { q0 = q; s0 = s; pending = 1; }
            else if (pending == 1) { q1 = q; s1 = s; pending = 2; }
            else if (pending == 2) { q2 = q; s2 = s; pending = 3; }
            else { axpy4(crow, w, q0, s0, q1, s1, q2, s2, q, s); pending = 0; }
            if (jc == 0) count++;
          }
        }
        if (pending > 0) axpy1(crow, w, q0, s0);
        if (pending > 1) axpy1(crow, w, q1, s1);
        if (pending > 2) axpy1(crow, w, q2, s2);
      }
    }
  }
  return count;
}
