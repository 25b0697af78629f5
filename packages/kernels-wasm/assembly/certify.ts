// The certified sparse FFN's kernels (packages/backend-cpu/src/kernels/certified-ffn.ts uses them;
// WasmKernels.certifiedUnits chains quantise_x_rows_f32, dot_i14_i8, certify_bound_pairs_f64,
// unit_groups_mask, gemm_units_f32 and scatter_units_f32 on one staging).
//
// dot_i14_i8: the certificate's integer pass, out[t, j] = Σ_p x[t, p]·w[j, p] exactly, for tokens x
// [T, dp] of 14-bit levels (|x| ≤ 8191, in int16) and int8 units w [fp, dp] (W1 quantised per
// column and transposed), dp a multiple of 16, fp of 4, T even (the JS side pads with zeros).
// - The plain build: i32x4.dot_i16x8_s on x and w sign-extended to i16, 2 tokens × 4 units; each
//   i32 lane sums at most 2 × 256 products of |x·w| ≤ 8191·127 per 2048-element block (< 2³¹),
//   then the lanes go into i64 sums, stored as exact f64.
// - The relaxed build: each level split in place into two 7-bit parts, x = 128·h + l with h + 64
//   and l in [0, 127], and i32x4.relaxed_dot_i8x16_i7x16_add_s (w, part): 16 multiply-adds per
//   instruction (one vpdpbusd where the CPU has AVX-VNNI), exact on every implementation because
//   the part has no top bit set (the pairwise i16 sums, ≤ 2·127·127, do not saturate either).
//   Σ x·w = 128·(Σ (h + 64)·w − 64·Σ w) + Σ l·w; each i32 lane sums 4 products ≤ 127·127 per 16
//   elements, 512 per 2048-element block. Measured 1.19–1.21× the plain build's speed on the same
//   levels at 512 tokens × 512 × 2048 (Node 24, one process, an Intel Xeon VM with AVX-VNNI), but
//   0.57× on an AMD EPYC Zen 4 VM (AVX-512 VNNI, no AVX-VNNI: V8 then lowers the relaxed dot to
//   three instructions), so the relaxed build has both passes and the JS side picks one by
//   dot_split_probe (the wide pass: the plain build's, the same instructions).

// gemm_units_f32: pre-activations of listed units, each with exactly the arithmetic gemm_f32's
// wide tiles give that element: per k-block of KC = 512 a lane sum from 0 by `madd` over p in
// order, then C = C + block (C starting as the bias, or as the first block where there is none).
// Four units of one token per group run in the four lanes, their weights gathered from W1 at
// w + 4·(p·pStride + j·unitStride): W1 itself [d, f] (pStride f, unitStride 1) for a few units, or
// W1 transposed [f, d] by transpose_f32 (pStride 1, unitStride d) for many; the column tail of gemm_f32 (mul then add, even in the relaxed build) is not
// computed here.

import { madd } from './gemm-madd';

const KC: i32 = 512;
const DOT_BLOCK: i32 = 2048;
/** Tokens per block of the integer pass (even). */
const TOKEN_BLOCK: i32 = 16;

// @ts-ignore: decorator
@inline function lanes(v: v128): i64 {
  return <i64>i32x4.extract_lane(v, 0) + <i64>i32x4.extract_lane(v, 1) + <i64>i32x4.extract_lane(v, 2) + <i64>i32x4.extract_lane(v, 3);
}

/**
 * out[t·fp + j] (f64) = Σ_p x[t·dp + p]·w[j·dp + p]; x 14-bit levels in int16 [T, dp], w int8
 * [fp, dp]; T even, dp % 16 = 0, fp % 4 = 0. `split` ≠ 0 (read by the relaxed build only) takes
 * the split pass, which rewrites x in place (see above); 0 the wide one. The sums are the same
 * exact integers either way; the JS side takes the split only where dot_split_probe shows the
 * relaxed dot is one instruction.
 */
export function dot_i14_i8(x: usize, w: usize, out: usize, T: i32, dp: i32, fp: i32, split: i32): void {
  if (ASC_FEATURE_RELAXED_SIMD && split != 0) {
    splitLevels(x, T, dp);
    dotNest(x, w, out, T, dp, fp, true);
  } else dotNest(x, w, out, T, dp, fp, false);
}

/**
 * The pass's loop nest: blocks of TOKEN_BLOCK tokens (their x stays in L1/L2) against every group
 * of four units (whose four rows of w, 4·dp bytes, stay in L1 across the block's tokens); `split`
 * a constant at each call.
 */
// @ts-ignore: decorator
@inline function dotNest(x: usize, w: usize, out: usize, T: i32, dp: i32, fp: i32, split: bool): void {
  const wStride = <usize>dp;
  for (let t0 = 0; t0 < T; t0 += TOKEN_BLOCK) {
    const t1 = min(T, t0 + TOKEN_BLOCK);
    for (let j = 0; j < fp; j += 4) {
      const w0 = w + <usize>j * wStride;
      // (The plain build must not see splitDots' relaxed instructions: hence the build constant.)
      if (ASC_FEATURE_RELAXED_SIMD && split) splitDots(x, w0, out, t0, t1, dp, fp, j);
      else wideDots(x, w0, out, t0, t1, dp, fp, j);
    }
  }
}

/**
 * Lane 0 of i32x4.relaxed_dot_i8x16_i7x16_add_s(splat a, splat b, 0) (the plain build: 0), which
 * tells the JS side how this machine lowers it. With a = 127 and b = -1 (0xFF, an i7 operand's
 * top bit set, where implementations may differ): 4·127·255 = 129540 from x64's vpdpbusd (AVX-VNNI:
 * the i7 operand unsigned, no intermediate saturation) and 4·127·(−1) = −508 from arm64's sdot —
 * one instruction each; 2·32767 = 65534 from the SSSE3 sequence V8 emits on x64 without AVX-VNNI
 * (pmaddubsw saturates its pairwise i16 sums, then pmaddwd and an add: three instructions plus
 * the ones constant), on which the split pass measured 1.75× the wide pass's time (Zen 4, Node 24).
 */
export function dot_split_probe(a: i32, b: i32): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    return i32x4.extract_lane(i32x4.relaxed_dot_i8x16_i7x16_add_s(i8x16.splat(<i8>a), i8x16.splat(<i8>b), i32x4.splat(0)), 0);
  }
  return 0;
}

/** The wide pass (the plain build's, and the relaxed build's where the split does not pay): dots of tokens [t0, t1) (two at a time) with units j .. j + 3 (their levels from w0, dp apart). */
// @ts-ignore: decorator
@inline function wideDots(x: usize, w0: usize, out: usize, t0: i32, t1: i32, dp: i32, fp: i32, j: i32): void {
  const xStride = <usize>dp << 1;
  const w1 = w0 + <usize>dp, w2 = w1 + <usize>dp, w3 = w2 + <usize>dp;
  for (let t = t0; t < t1; t += 2) {
    const xa = x + <usize>t * xStride;
    const xb = xa + xStride;
    let sa0: i64 = 0, sa1: i64 = 0, sa2: i64 = 0, sa3: i64 = 0, sb0: i64 = 0, sb1: i64 = 0, sb2: i64 = 0, sb3: i64 = 0;
    for (let p0 = 0; p0 < dp; p0 += DOT_BLOCK) {
      const p1 = min(dp, p0 + DOT_BLOCK);
      let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
      let b0 = i32x4.splat(0), b1 = i32x4.splat(0), b2 = i32x4.splat(0), b3 = i32x4.splat(0);
      for (let p = p0; p < p1; p += 8) {
        const va = v128.load(xa + (<usize>p << 1));
        const vb = v128.load(xb + (<usize>p << 1));
        const u0 = v128.load8x8_s(w0 + <usize>p);
        const u1 = v128.load8x8_s(w1 + <usize>p);
        const u2 = v128.load8x8_s(w2 + <usize>p);
        const u3 = v128.load8x8_s(w3 + <usize>p);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(va, u0));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(va, u1));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(va, u2));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(va, u3));
        b0 = i32x4.add(b0, i32x4.dot_i16x8_s(vb, u0));
        b1 = i32x4.add(b1, i32x4.dot_i16x8_s(vb, u1));
        b2 = i32x4.add(b2, i32x4.dot_i16x8_s(vb, u2));
        b3 = i32x4.add(b3, i32x4.dot_i16x8_s(vb, u3));
      }
      sa0 += lanes(a0); sa1 += lanes(a1); sa2 += lanes(a2); sa3 += lanes(a3);
      sb0 += lanes(b0); sb1 += lanes(b1); sb2 += lanes(b2); sb3 += lanes(b3);
    }
    const oa = out + ((<usize>t * <usize>fp + <usize>j) << 3);
    const ob = oa + (<usize>fp << 3);
    store<f64>(oa, <f64>sa0); store<f64>(oa, <f64>sa1, 8); store<f64>(oa, <f64>sa2, 16); store<f64>(oa, <f64>sa3, 24);
    store<f64>(ob, <f64>sb0); store<f64>(ob, <f64>sb1, 8); store<f64>(ob, <f64>sb2, 16); store<f64>(ob, <f64>sb3, 24);
  }
}

/** The 7-bit parts' offset: h + 64 is in [0, 127] for h = x >> 7, |x| ≤ 8191. */
const PART_OFFSET: i32 = 64;

/**
 * The relaxed build's split, in place: each 16-level chunk of x [T, dp] (32 bytes) becomes its 16
 * high parts h + 64, then its 16 low parts l (x = 128·h + l, h = x >> 7 rounding down).
 */
function splitLevels(x: usize, T: i32, dp: i32): void {
  const offset = i16x8.splat(<i16>PART_OFFSET), low = i16x8.splat(127);
  const end = x + ((<usize>T * <usize>dp) << 1);
  for (let c = x; c < end; c += 32) {
    const a = v128.load(c), b = v128.load(c, 16);
    v128.store(c, i8x16.narrow_i16x8_u(i16x8.add(i16x8.shr_s(a, 7), offset), i16x8.add(i16x8.shr_s(b, 7), offset)));
    v128.store(c, i8x16.narrow_i16x8_u(v128.and(a, low), v128.and(b, low)), 16);
  }
}

/**
 * The relaxed build's dots of tokens [t0, t1) (split by splitLevels) with units j .. j + 3: per
 * token one pass over p with a high and a low accumulator per unit; Σ w per unit (the offset's
 * correction) from the same instruction against ones, once per call (1/TOKEN_BLOCK of the pass).
 */
// @ts-ignore: decorator
@inline function splitDots(x: usize, w0: usize, out: usize, t0: i32, t1: i32, dp: i32, fp: i32, j: i32): void {
  const xStride = <usize>dp << 1;
  const w1 = w0 + <usize>dp, w2 = w1 + <usize>dp, w3 = w2 + <usize>dp;
  const ones = i8x16.splat(1);
  let s0: i64 = 0, s1: i64 = 0, s2: i64 = 0, s3: i64 = 0;
  for (let p0 = 0; p0 < dp; p0 += DOT_BLOCK) {
    const p1 = min(dp, p0 + DOT_BLOCK);
    let a0 = i32x4.splat(0), a1 = i32x4.splat(0), a2 = i32x4.splat(0), a3 = i32x4.splat(0);
    for (let p = p0; p < p1; p += 16) {
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(w0 + <usize>p), ones, a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(w1 + <usize>p), ones, a1);
      a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(w2 + <usize>p), ones, a2);
      a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(w3 + <usize>p), ones, a3);
    }
    s0 += lanes(a0); s1 += lanes(a1); s2 += lanes(a2); s3 += lanes(a3);
  }
  s0 *= PART_OFFSET; s1 *= PART_OFFSET; s2 *= PART_OFFSET; s3 *= PART_OFFSET;
  for (let t = t0; t < t1; t++) {
    const xr = x + <usize>t * xStride;
    let h0: i64 = 0, h1: i64 = 0, h2: i64 = 0, h3: i64 = 0, l0: i64 = 0, l1: i64 = 0, l2: i64 = 0, l3: i64 = 0;
    for (let p0 = 0; p0 < dp; p0 += DOT_BLOCK) {
      const p1 = min(dp, p0 + DOT_BLOCK);
      let ah0 = i32x4.splat(0), ah1 = i32x4.splat(0), ah2 = i32x4.splat(0), ah3 = i32x4.splat(0);
      let al0 = i32x4.splat(0), al1 = i32x4.splat(0), al2 = i32x4.splat(0), al3 = i32x4.splat(0);
      for (let p = p0; p < p1; p += 16) {
        const xo = xr + (<usize>p << 1);
        const high = v128.load(xo), lowPart = v128.load(xo, 16);
        const u0 = v128.load(w0 + <usize>p), u1 = v128.load(w1 + <usize>p), u2 = v128.load(w2 + <usize>p), u3 = v128.load(w3 + <usize>p);
        ah0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u0, high, ah0);
        ah1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u1, high, ah1);
        ah2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u2, high, ah2);
        ah3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u3, high, ah3);
        al0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u0, lowPart, al0);
        al1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u1, lowPart, al1);
        al2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u2, lowPart, al2);
        al3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(u3, lowPart, al3);
      }
      h0 += lanes(ah0); h1 += lanes(ah1); h2 += lanes(ah2); h3 += lanes(ah3);
      l0 += lanes(al0); l1 += lanes(al1); l2 += lanes(al2); l3 += lanes(al3);
    }
    const o = out + ((<usize>t * <usize>fp + <usize>j) << 3);
    store<f64>(o, <f64>(((h0 - s0) << 7) + l0)); store<f64>(o, <f64>(((h1 - s1) << 7) + l1), 8);
    store<f64>(o, <f64>(((h2 - s2) << 7) + l2), 16); store<f64>(o, <f64>(((h3 - s3) << 7) + l3), 24);
  }
}

/**
 * For `groups` groups of 5 i32 at `list` (token row, then 4 units), writes the 4 units' z (f32) to
 * out[4·g .. 4·g + 4): x f32 [rows, d], W1 f32 at w (strides as above), bias f32 [f] (read where hasBias ≠ 0).
 */
export function gemm_units_f32(x: usize, w: usize, pStride: i32, unitStride: i32, bias: usize, hasBias: i32, list: usize, groups: i32, d: i32, out: usize): void {
  // Each element is one madd chain over k, so a group waits on the madd's latency at every k-step:
  // UNIT_CHAINS groups side by side keep the SIMD units busy instead.
  let g = 0;
  for (; g + UNIT_CHAINS <= groups; g += UNIT_CHAINS) unitGroupsAt(x, w, pStride, unitStride, bias, hasBias, list, g, d, out, UNIT_CHAINS);
  const rest = groups - g;
  if (rest == 3) unitGroupsAt(x, w, pStride, unitStride, bias, hasBias, list, g, d, out, 3);
  else if (rest == 2) unitGroupsAt(x, w, pStride, unitStride, bias, hasBias, list, g, d, out, 2);
  else if (rest == 1) unitGroupsAt(x, w, pStride, unitStride, bias, hasBias, list, g, d, out, 1);
}

/**
 * Groups of gemm_units_f32 computed side by side. The relaxed build's fused madd waits 4 cycles
 * on its accumulator (the plain build's add, 3): with two chains it measured 1.4× the plain
 * build's time on the sparse backward's dh (10 % of 512 × 2048 units, d 512, Node 24), with four
 * 1.15×. The plain build keeps two: four measured 1.5× slower under Node 20.
 */
const UNIT_CHAINS: i32 = ASC_FEATURE_RELAXED_SIMD ? 4 : 2;

/** The four units of a group at p: their weights in the four lanes. */
// @ts-ignore: decorator
@inline function gathered(w0: usize, w1: usize, w2: usize, w3: usize, o: usize): v128 {
  return f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(load<f32>(w0 + o)), 1, load<f32>(w1 + o)), 2, load<f32>(w2 + o)), 3, load<f32>(w3 + o));
}

/**
 * Four k-steps (byte offset o) of one group whose units' weights are contiguous: four loads,
 * turned into the four k-steps' lane vectors by a 4 × 4 transpose in registers (eight shuffles
 * instead of twelve lane inserts), then the four madds in k order, with x's four values splat
 * (x0 … x3, loaded by the caller: groups of one token share them).
 */
// @ts-ignore: decorator
@inline function fourStepsOf(x0: v128, x1: v128, x2: v128, x3: v128, w0: usize, w1: usize, w2: usize, w3: usize, o: usize, block: v128): v128 {
  const r0 = v128.load(w0 + o), r1 = v128.load(w1 + o), r2 = v128.load(w2 + o), r3 = v128.load(w3 + o);
  const l01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), h01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const l23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), h23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  block = madd(x0, i64x2.shuffle(l01, l23, 0, 2), block);
  block = madd(x1, i64x2.shuffle(l01, l23, 1, 3), block);
  block = madd(x2, i64x2.shuffle(h01, h23, 0, 2), block);
  return madd(x3, i64x2.shuffle(h01, h23, 1, 3), block);
}

/** fourStepsOf with the group's own x (token row xg). */
// @ts-ignore: decorator
@inline function fourSteps(xg: usize, w0: usize, w1: usize, w2: usize, w3: usize, o: usize, block: v128): v128 {
  const xo = xg + o;
  return fourStepsOf(v128.load32_splat(xo), v128.load32_splat(xo, 4), v128.load32_splat(xo, 8), v128.load32_splat(xo, 12), w0, w1, w2, w3, o, block);
}

/** Group g's token row of x (its first i32 at `list`). */
// @ts-ignore: decorator
@inline function groupRow(x: usize, list: usize, g: i32, stride: usize): usize {
  return x + <usize>load<i32>(list + <usize>g * 20) * stride;
}

/** Unit i (0..3) of group g: the address of its weights. */
// @ts-ignore: decorator
@inline function groupUnit(w: usize, list: usize, g: i32, i: i32, us: usize): usize {
  return w + <usize>load<i32>(list + <usize>g * 20 + 4 + (<usize>i << 2)) * us;
}

/** Group g's bias in the four lanes. */
// @ts-ignore: decorator
@inline function groupBias(bias: usize, list: usize, g: i32): v128 {
  return gathered(groupUnit(bias, list, g, 0, 4), groupUnit(bias, list, g, 1, 4), groupUnit(bias, list, g, 2, 4), groupUnit(bias, list, g, 3, 4), 0);
}

/**
 * Groups g .. g + count − 1 (count 1 to 4, a constant at each call) of gemm_units_f32, their
 * chains side by side: group A's, then B's, C's and D's. Each group's operations are the same
 * whatever count is, so its bits are too. Where the groups are of one token (units contiguous)
 * their x is loaded once per k-step for all of them: 1.12–1.17× faster at 10–17 % of 512 × 2048
 * units, d 512, relaxed build under Node 24, 1.04× plain under Node 20 (Zen 4 VM, one process,
 * interleaved against the previous kernel; the same bits).
 */
// @ts-ignore: decorator
@inline function unitGroupsAt(x: usize, w: usize, pStride: i32, unitStride: i32, bias: usize, hasBias: i32, list: usize, g: i32, d: i32, out: usize, count: i32): void {
  const stride = <usize>d << 2;
  const ps = <usize>pStride << 2;
  const us = <usize>unitStride << 2;
  // Groups past count repeat the last one (never stored): every address stays valid.
  const gb = count > 1 ? g + 1 : g, gc = count > 2 ? g + 2 : gb, gd = count > 3 ? g + 3 : gc;
  const xa = groupRow(x, list, g, stride), xb = groupRow(x, list, gb, stride), xc = groupRow(x, list, gc, stride), xd = groupRow(x, list, gd, stride);
  const wa0 = groupUnit(w, list, g, 0, us), wa1 = groupUnit(w, list, g, 1, us), wa2 = groupUnit(w, list, g, 2, us), wa3 = groupUnit(w, list, g, 3, us);
  const wb0 = groupUnit(w, list, gb, 0, us), wb1 = groupUnit(w, list, gb, 1, us), wb2 = groupUnit(w, list, gb, 2, us), wb3 = groupUnit(w, list, gb, 3, us);
  const wc0 = groupUnit(w, list, gc, 0, us), wc1 = groupUnit(w, list, gc, 1, us), wc2 = groupUnit(w, list, gc, 2, us), wc3 = groupUnit(w, list, gc, 3, us);
  const wd0 = groupUnit(w, list, gd, 0, us), wd1 = groupUnit(w, list, gd, 1, us), wd2 = groupUnit(w, list, gd, 2, us), wd3 = groupUnit(w, list, gd, 3, us);
  // (Groups past count repeat the last one, so the test below holds for them too.)
  const oneToken = count > 1 && xa == xb && xb == xc && xc == xd;
  let ca = f32x4.splat(0), cb = f32x4.splat(0), cc = f32x4.splat(0), cd = f32x4.splat(0);
  if (hasBias != 0) {
    ca = groupBias(bias, list, g);
    if (count > 1) cb = groupBias(bias, list, gb);
    if (count > 2) cc = groupBias(bias, list, gc);
    if (count > 3) cd = groupBias(bias, list, gd);
  }
  for (let k0 = 0; k0 < d; k0 += KC) {
    const k1 = min(d, k0 + KC);
    let blockA = f32x4.splat(0), blockB = f32x4.splat(0), blockC = f32x4.splat(0), blockD = f32x4.splat(0);
    let p = k0;
    if (pStride == 1 && oneToken) {
      // The groups of one token (the usual case: lists come by rows): x's splats loaded once.
      for (; p + 4 <= k1; p += 4) {
        const o = <usize>p << 2;
        const xo = xa + o;
        const x0 = v128.load32_splat(xo), x1 = v128.load32_splat(xo, 4), x2 = v128.load32_splat(xo, 8), x3 = v128.load32_splat(xo, 12);
        blockA = fourStepsOf(x0, x1, x2, x3, wa0, wa1, wa2, wa3, o, blockA);
        if (count > 1) blockB = fourStepsOf(x0, x1, x2, x3, wb0, wb1, wb2, wb3, o, blockB);
        if (count > 2) blockC = fourStepsOf(x0, x1, x2, x3, wc0, wc1, wc2, wc3, o, blockC);
        if (count > 3) blockD = fourStepsOf(x0, x1, x2, x3, wd0, wd1, wd2, wd3, o, blockD);
      }
    } else if (pStride == 1) {
      for (; p + 4 <= k1; p += 4) {
        const o = <usize>p << 2;
        blockA = fourSteps(xa, wa0, wa1, wa2, wa3, o, blockA);
        if (count > 1) blockB = fourSteps(xb, wb0, wb1, wb2, wb3, o, blockB);
        if (count > 2) blockC = fourSteps(xc, wc0, wc1, wc2, wc3, o, blockC);
        if (count > 3) blockD = fourSteps(xd, wd0, wd1, wd2, wd3, o, blockD);
      }
    }
    for (; p < k1; p++) {
      const o = <usize>p * ps;
      const xo = <usize>p << 2;
      blockA = madd(v128.load32_splat(xa + xo), gathered(wa0, wa1, wa2, wa3, o), blockA);
      if (count > 1) blockB = madd(v128.load32_splat(xb + xo), gathered(wb0, wb1, wb2, wb3, o), blockB);
      if (count > 2) blockC = madd(v128.load32_splat(xc + xo), gathered(wc0, wc1, wc2, wc3, o), blockC);
      if (count > 3) blockD = madd(v128.load32_splat(xd + xo), gathered(wd0, wd1, wd2, wd3, o), blockD);
    }
    const restart = hasBias == 0 && k0 == 0; // C starts as the first block where there is no bias
    ca = restart ? blockA : f32x4.add(ca, blockA);
    cb = restart ? blockB : f32x4.add(cb, blockB);
    cc = restart ? blockC : f32x4.add(cc, blockC);
    cd = restart ? blockD : f32x4.add(cd, blockD);
  }
  v128.store(out + (<usize>g << 4), ca);
  if (count > 1) v128.store(out + (<usize>gb << 4), cb);
  if (count > 2) v128.store(out + (<usize>gc << 4), cc);
  if (count > 3) v128.store(out + (<usize>gd << 4), cd);
}

/**
 * dst [cols, rows] = src [rows, cols] transposed (f32), in 32 × 32 tiles so both sides stay in
 * cache; inside a tile 4 × 4 blocks go through registers (four loads, eight shuffles, four
 * stores), the rows and columns past the last multiple of 4 one element at a time.
 */
export function transpose_f32(src: usize, dst: usize, rows: i32, cols: i32): void {
  const srcRow = <usize>cols << 2;
  const dstRow = <usize>rows << 2;
  const rows4 = rows & ~3;
  const cols4 = cols & ~3;
  for (let i0 = 0; i0 < rows4; i0 += 32) {
    const i1 = min(rows4, i0 + 32);
    for (let j0 = 0; j0 < cols4; j0 += 32) {
      const j1 = min(cols4, j0 + 32);
      for (let i = i0; i < i1; i += 4) {
        const s = src + <usize>i * srcRow;
        for (let j = j0; j < j1; j += 4) {
          const q = s + (<usize>j << 2);
          const r0 = v128.load(q), r1 = v128.load(q + srcRow), r2 = v128.load(q + 2 * srcRow), r3 = v128.load(q + 3 * srcRow);
          const l01 = i32x4.shuffle(r0, r1, 0, 4, 1, 5), h01 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
          const l23 = i32x4.shuffle(r2, r3, 0, 4, 1, 5), h23 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
          const o = dst + <usize>j * dstRow + (<usize>i << 2);
          v128.store(o, i64x2.shuffle(l01, l23, 0, 2));
          v128.store(o + dstRow, i64x2.shuffle(l01, l23, 1, 3));
          v128.store(o + 2 * dstRow, i64x2.shuffle(h01, h23, 0, 2));
          v128.store(o + 3 * dstRow, i64x2.shuffle(h01, h23, 1, 3));
        }
      }
    }
  }
  // The edges: rows past rows4 (every column), then columns past cols4 (the other rows).
  for (let i = rows4; i < rows; i++) {
    const s = src + <usize>i * srcRow;
    for (let j = 0; j < cols; j++) store<f32>(dst + <usize>j * dstRow + (<usize>i << 2), load<f32>(s + (<usize>j << 2)));
  }
  for (let i = 0; i < rows4; i++) {
    const s = src + <usize>i * srcRow;
    for (let j = cols4; j < cols; j++) store<f32>(dst + <usize>j * dstRow + (<usize>i << 2), load<f32>(s + (<usize>j << 2)));
  }
}

/**
 * The certificate's per-column facts of W1 f32 [d, f]: l1[j] += |w| (f64, in row order),
 * maxAbs[j] = max |w|, finite[j] = 0 where a weight is NaN or ±∞ (those are left out of l1 and max).
 * l1 and maxAbs start at 0, finite at 1 (the JS side clears them).
 */
export function column_facts_f32(w: usize, d: i32, f: i32, l1: usize, maxAbs: usize, finite: usize): void {
  for (let i = 0; i < d; i++) {
    const row = w + ((<usize>i * <usize>f) << 2);
    for (let j = 0; j < f; j++) {
      const a = <f64>abs<f32>(load<f32>(row + (<usize>j << 2)));
      if (!(a <= <f64>F32.MAX_VALUE)) { store<u8>(finite + <usize>j, 0); continue; }
      const pl = l1 + (<usize>j << 3);
      store<f64>(pl, load<f64>(pl) + a);
      const pm = maxAbs + (<usize>j << 3);
      if (a > load<f64>(pm)) store<f64>(pm, a);
    }
  }
}

/**
 * W1 quantised per column, from W1 transposed (wT f32 [f, d], by transpose_f32): levels[j·d + i] =
 * clamp(nearest(wT[j·d + i]·inverse[j]), ±127) as int8 (NaN → 0).
 */
export function quantise_rows_i8(wT: usize, f: i32, d: i32, inverse: usize, levels: usize): void {
  for (let j = 0; j < f; j++) {
    const inv = load<f64>(inverse + (<usize>j << 3));
    const row = <usize>j * <usize>d;
    for (let i = 0; i < d; i++) {
      let v = nearest<f64>(<f64>load<f32>(wT + ((row + <usize>i) << 2)) * inv);
      if (v != v) v = 0;
      v = min<f64>(127, max<f64>(-127, v));
      store<i8>(levels + row + <usize>i, <i8><i32>v);
    }
  }
}

/**
 * The certificate's bound for every (token, unit), after dot_i14_i8 (dot [T, fp] f64): sets
 * mask[t·f + j] = 1 (and counts it) where q + b + bound + margin < θ, the same float64 expression
 * in the same order as core's certifyZeroUnits (ffn-certify.ts), so the masks are the same bits.
 * rowFacts [rows, 6]: finite (0/1), max|x|, ‖x‖₁, r, eₓ, ‖x̂‖₁; colFacts [f, 5]: finite, max|w|,
 * ‖w‖₁, s, e_w; bias f64 [f] where hasBias ≠ 0. The mask starts cleared.
 */
export function certify_bound_f64(
  dot: usize, rows: i32, f: i32, fp: i32, rowFacts: usize, colFacts: usize, bias: usize, hasBias: i32,
  theta: f64, gamma: f64, underflow: f64, overflow: f64, margin: f64, mask: usize,
): i32 {
  let count = 0;
  for (let r0 = 0; r0 < rows; r0++) {
    const rf = rowFacts + <usize>r0 * 48;
    if (load<f64>(rf) == 0) continue;
    const maxX = load<f64>(rf, 8), l1x = load<f64>(rf, 16), r = load<f64>(rf, 24), eX = load<f64>(rf, 32), l1xHat = load<f64>(rf, 40);
    const drow = dot + ((<usize>r0 * <usize>fp) << 3);
    const mrow = mask + <usize>r0 * <usize>f;
    for (let j = 0; j < f; j++) {
      const cf = colFacts + <usize>j * 40;
      if (load<f64>(cf) == 0) continue;
      const b = hasBias != 0 ? load<f64>(bias + (<usize>j << 3)) : 0;
      const absB = abs<f64>(b);
      if (!(absB <= F64.MAX_VALUE)) continue;
      const maxW = load<f64>(cf, 8), l1w = load<f64>(cf, 16), s = load<f64>(cf, 24), eW = load<f64>(cf, 32);
      const absSum = min<f64>(l1x * maxW, l1w * maxX) + absB;
      if (!(absSum < overflow)) continue;
      const approx = r * s * load<f64>(drow + (<usize>j << 3));
      const bound = eX * l1w + eW * l1xHat + gamma * absSum + underflow;
      const m = (abs<f64>(approx) + absB + bound) * margin;
      if (approx + b + bound + m < theta) {
        store<u8>(mrow + <usize>j, 1);
        count++;
      }
    }
  }
  return count;
}

/**
 * The sparse backward's units of a zero-region activation, from z f32 [rows, n]: skip[r·n + j]
 * (u8) = 1 where z ≤ θ (θ compared in f64, as JS compares a float32 with a number), else 0; and
 * for each row, its columns j < tail with skip 0 in groups of gemm_units_f32 (5 i32: the row, then
 * four columns, a row's last group padded by repeating its last column) at `list`, their count
 * stored at `groups`. Returns how many elements have skip 0 (every column). Sixteen z per test,
 * the live ones taken from the bitmask (3 ms → 1 ms a call at 512 × 2048, 10 % live, against a
 * branch per element).
 */
export function unit_groups_f32(z: usize, rows: i32, n: i32, tail: i32, theta: f64, skip: usize, list: usize, groups: usize): i32 {
  // z ≤ θ (f64) for a float32 z is z ≤ t in float32, t the largest float32 at or below θ (NaN: never).
  let t = <f32>theta;
  if (<f64>t > theta) t = reinterpret<f32>(t > 0 ? reinterpret<i32>(t) - 1 : t == 0 ? <i32>0x80000001 : reinterpret<i32>(t) + 1);
  const vt = f32x4.splat(t), one = i8x16.splat(1);
  const n16 = min(n, tail) & ~15; // sixteen at a time below the tail; the scalar loop from there
  let active = 0;
  let at = list;
  for (let r = 0; r < rows; r++) {
    const zr = z + ((<usize>r * <usize>n) << 2);
    const sr = skip + <usize>r * <usize>n;
    let inGroup = 0;
    let last: i32 = 0;
    let j = 0;
    for (; j < n16; j += 16) {
      const q = zr + (<usize>j << 2);
      const off = i8x16.narrow_i16x8_s(
        i16x8.narrow_i32x4_s(f32x4.le(v128.load(q), vt), f32x4.le(v128.load(q, 16), vt)),
        i16x8.narrow_i32x4_s(f32x4.le(v128.load(q, 32), vt), f32x4.le(v128.load(q, 48), vt)));
      v128.store(sr + <usize>j, v128.and(off, one));
      let on = ~i8x16.bitmask(off) & 0xffff;
      active += <i32>popcnt<i32>(on);
      // the block's columns above θ, in order, into the row's groups
      while (on != 0) {
        const c = j + ctz<i32>(on);
        on &= on - 1;
        if (inGroup == 0) { store<i32>(at, r); at += 4; }
        store<i32>(at, c); at += 4;
        last = c;
        if (++inGroup == 4) inGroup = 0;
      }
    }
    for (; j < n; j++) {
      const off = load<f32>(zr + (<usize>j << 2)) <= t;
      store<u8>(sr + <usize>j, <u8>off);
      if (off) continue;
      active++;
      if (j >= tail) continue;
      if (inGroup == 0) { store<i32>(at, r); at += 4; }
      store<i32>(at, j); at += 4;
      last = j;
      if (++inGroup == 4) inGroup = 0;
    }
    if (inGroup != 0) for (; inGroup < 4; inGroup++) { store<i32>(at, last); at += 4; }
  }
  store<i32>(groups, <i32>((at - list) / 20));
  return active;
}

// ---- The certificate and the first layer's units in one staging (WasmKernels.certifiedUnits) ----

/** A token's 14-bit levels: max|x| / this is its scale (core's ffn-certify.ts X_LEVELS; dot_i14_i8 splits them). */
const X_LEVELS: f64 = 8191;
/** core's QUANT_HALF: the quantiser's error in units of its scale. */
const QUANT_HALF: f64 = 0.5 + 1.0 / <f64>(1 << 30);
/** core's TINY_SCALE, 2⁻¹⁰⁰⁰: below it a token's scale is not used (x̂ = 0). */
const TINY_SCALE: f64 = reinterpret<f64>(<u64>(1023 - 1000) << 52);

/** JS's Math.round (to nearest, ties toward +∞), exactly: v − floor(v) is exact for every finite v. */
// @ts-ignore: decorator
@inline function roundHalfUp(v: f64): f64 {
  const f = floor<f64>(v);
  return v - f >= 0.5 ? f + 1 : f;
}

/**
 * core's token quantiser (certifyZeroUnits' per-token loop), the same float64 operations in the
 * same order: for each token of x f32 [rows, d], its 14-bit levels (int16) into x16 [rows', dp] (rows' =
 * rows rounded up to even; the padding columns and row written 0) and its facts into rowFacts
 * [rows, 6]: finite (0/1), max|x|, ‖x‖₁ raised by (1 + (d+1)·2⁻⁵²), r, eₓ, ‖x̂‖₁ = r·Σ|x̃| — all 0
 * for a token with a NaN or ±∞ (never certified).
 */
export function quantise_x_rows_f32(x: usize, rows: i32, d: i32, dp: i32, x16: usize, rowFacts: usize): void {
  const raise: f64 = 1 + <f64>(d + 1) * (1.0 / <f64>(1 << 26) / <f64>(1 << 26));
  const tp = rows + (rows & 1);
  memory.fill(x16, 0, <usize>tp * <usize>dp * 2);
  for (let t = 0; t < rows; t++) {
    const xr = x + ((<usize>t * <usize>d) << 2);
    const lr = x16 + ((<usize>t * <usize>dp) << 1);
    const rf = rowFacts + <usize>t * 48;
    let max: f64 = 0;
    let l1: f64 = 0;
    let finite = true;
    for (let i = 0; i < d; i++) {
      const a = abs<f64>(<f64>load<f32>(xr + (<usize>i << 2)));
      if (!(a <= F64.MAX_VALUE)) { finite = false; break; }
      l1 += a;
      if (a > max) max = a;
    }
    if (!finite) {
      for (let k = 0; k < 6; k++) store<f64>(rf + (<usize>k << 3), 0);
      continue;
    }
    let r = max / X_LEVELS;
    let eX = r * QUANT_HALF;
    if (r < TINY_SCALE) { r = 0; eX = max; }
    let levelSum: f64 = 0;
    if (r != 0) {
      // Two of the token's elements per f64x2: the same division, floor and comparison in each lane as
      // roundHalfUp below (IEEE operations, so the same levels); Σ|x̃| is a sum of integers below
      // 2⁵³, exact in any order.
      const vr = f64x2.splat(r), half = f64x2.splat(0.5), one = f64x2.splat(1), top = f64x2.splat(X_LEVELS), bottom = f64x2.splat(-X_LEVELS);
      let sums = f64x2.splat(0);
      let i = 0;
      for (; i + 2 <= d; i += 2) {
        const q = f64x2.div(f64x2.promote_low_f32x4(v128.load64_zero(xr + (<usize>i << 2))), vr);
        const down = f64x2.floor(q);
        let level = v128.bitselect(f64x2.add(down, one), down, f64x2.ge(f64x2.sub(q, down), half));
        level = f64x2.max(f64x2.min(level, top), bottom);
        const narrow = i16x8.narrow_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(level), i32x4.splat(0));
        v128.store32_lane(lr + (<usize>i << 1), narrow, 0);
        sums = f64x2.add(sums, f64x2.abs(level));
      }
      levelSum = f64x2.extract_lane(sums, 0) + f64x2.extract_lane(sums, 1);
      for (; i < d; i++) {
        let level = roundHalfUp(<f64>load<f32>(xr + (<usize>i << 2)) / r);
        level = level > X_LEVELS ? X_LEVELS : level < -X_LEVELS ? -X_LEVELS : level;
        store<i16>(lr + (<usize>i << 1), <i16><i32>level);
        levelSum += abs<f64>(level);
      }
    }
    store<f64>(rf, 1); store<f64>(rf, max, 8); store<f64>(rf, l1 * raise, 16);
    store<f64>(rf, r, 24); store<f64>(rf, eX, 32); store<f64>(rf, r * levelSum, 40);
  }
}

/**
 * unit_groups_f32 from a mask instead of z: for each row of mask u8 [rows, n], its columns j <
 * tail with mask 0 (not certified) in gemm_units_f32's groups (5 i32: the row, then four columns,
 * a row's last group padded by repeating its last column) at `list`. Returns the group count.
 */
export function unit_groups_mask(mask: usize, rows: i32, n: i32, tail: i32, list: usize): i32 {
  let at = list;
  for (let r = 0; r < rows; r++) {
    const mr = mask + <usize>r * <usize>n;
    let inGroup = 0;
    let last: i32 = 0;
    for (let j = 0; j < tail; j++) {
      if (load<u8>(mr + <usize>j) != 0) continue;
      if (inGroup == 0) { store<i32>(at, r); at += 4; }
      store<i32>(at, j); at += 4;
      last = j;
      if (++inGroup == 4) inGroup = 0;
    }
    if (inGroup != 0) for (; inGroup < 4; inGroup++) { store<i32>(at, last); at += 4; }
  }
  return <i32>((at - list) / 20);
}

/** z[row·n + column] (f32) = values[4g + i] for each group g's four (row, column)s in `list` (gemm_units_f32's out). */
export function scatter_units_f32(list: usize, groups: i32, values: usize, z: usize, n: i32): void {
  for (let g = 0; g < groups; g++) {
    const e = list + <usize>g * 20;
    const row = z + ((<usize>load<i32>(e) * <usize>n) << 2);
    const v = values + (<usize>g << 4);
    store<f32>(row + (<usize>load<i32>(e, 4) << 2), load<f32>(v));
    store<f32>(row + (<usize>load<i32>(e, 8) << 2), load<f32>(v, 4));
    store<f32>(row + (<usize>load<i32>(e, 12) << 2), load<f32>(v, 8));
    store<f32>(row + (<usize>load<i32>(e, 16) << 2), load<f32>(v, 12));
  }
}

/**
 * certify_bound_f64 two units at a time in float64 lanes and without branches on the data (the
 * scalar kernel's data-dependent branches measured about 2× its own time on trained weights, at
 * 84 % certified): each lane does the same IEEE operations in the same order as
 * certify_bound_f64's test, so the mask is the same bits. The column facts are given
 * column-major, colT [5, f] (finite, max|w|, ‖w‖₁, s, e_w, each a row of f), so a pair of units'
 * facts is one load each; f even, dot [rows, f]. The mask starts cleared (rows past a non-finite
 * token are left so); returns the count.
 */
export function certify_bound_pairs_f64(
  dot: usize, rows: i32, f: i32, rowFacts: usize, colT: usize, bias: usize, hasBias: i32,
  theta: f64, gamma: f64, underflow: f64, overflow: f64, margin: f64, mask: usize,
): i32 {
  let count = 0;
  const fb = <usize>f << 3;
  const vTheta = f64x2.splat(theta), vGamma = f64x2.splat(gamma), vUnder = f64x2.splat(underflow);
  const vOver = f64x2.splat(overflow), vMargin = f64x2.splat(margin), vMax = f64x2.splat(F64.MAX_VALUE), zero = f64x2.splat(0);
  for (let r0 = 0; r0 < rows; r0++) {
    const rf = rowFacts + <usize>r0 * 48;
    if (load<f64>(rf) == 0) continue;
    const maxX = f64x2.splat(load<f64>(rf, 8)), l1x = f64x2.splat(load<f64>(rf, 16)), r = f64x2.splat(load<f64>(rf, 24));
    const eX = f64x2.splat(load<f64>(rf, 32)), l1xHat = f64x2.splat(load<f64>(rf, 40));
    const drow = dot + <usize>r0 * fb;
    const mrow = mask + <usize>r0 * <usize>f;
    for (let j = 0; j < f; j += 2) {
      const o = <usize>j << 3;
      const finite = v128.load(colT + o);
      const maxW = v128.load(colT + fb + o), l1w = v128.load(colT + 2 * fb + o), s = v128.load(colT + 3 * fb + o), eW = v128.load(colT + 4 * fb + o);
      const b = hasBias != 0 ? v128.load(bias + o) : zero;
      const absB = f64x2.abs(b);
      const absSum = f64x2.add(f64x2.min(f64x2.mul(l1x, maxW), f64x2.mul(l1w, maxX)), absB);
      const approx = f64x2.mul(f64x2.mul(r, s), v128.load(drow + o));
      const bound = f64x2.add(f64x2.add(f64x2.add(f64x2.mul(eX, l1w), f64x2.mul(eW, l1xHat)), f64x2.mul(vGamma, absSum)), vUnder);
      const m = f64x2.mul(f64x2.add(f64x2.add(f64x2.abs(approx), absB), bound), vMargin);
      const passes = f64x2.lt(f64x2.add(f64x2.add(f64x2.add(approx, b), bound), m), vTheta);
      const ok = v128.and(v128.and(passes, f64x2.lt(absSum, vOver)), v128.and(f64x2.ne(finite, zero), f64x2.le(absB, vMax)));
      const bits = i64x2.bitmask(ok);
      store<u8>(mrow + <usize>j, <u8>(bits & 1));
      store<u8>(mrow + <usize>j, <u8>(bits >> 1), 1);
      count += <i32>popcnt<u32>(bits);
    }
  }
  return count;
}
