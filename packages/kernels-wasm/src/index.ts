/**
 * @rectifier/kernels-wasm — float32 kernels in WebAssembly SIMD (compiled from assembly/*.ts),
 * with thin typed wrappers that stage JS typed arrays through the module's memory.
 *
 * The module owns one linear memory. Element-wise kernels run over chunks small enough to stay
 * in the L1/L2 cache: copy a chunk in, compute it in place, copy it out — so the only traffic to
 * main memory is the one read of the input and the one write of the output that a copy makes too.
 * The GEMM copies its operands in whole (O(n²) bytes for O(n³) work).
 *
 * `wasmKernels()` returns undefined where WebAssembly SIMD is missing, or where the environment
 * variable RECTIFIER_WASM is `off` (or `0`); callers then keep their JS kernels.
 *
 * Two builds of the module are embedded: plain SIMD, and relaxed SIMD, whose GEMM tiles use
 * f32x4.relaxed_madd. The relaxed one is loaded where the runtime validates it and a probe shows
 * its madd is fused (one rounding), unless RECTIFIER_WASM_RELAXED is `off` (or `0`);
 * `wasmVariant()` says which. Element-wise kernels are the same instructions in both.
 *
 * `ResidentMemory` (resident.ts) is a third build's instance on a shared memory, whose blocks a
 * backend hands out as tensor data: element-wise kernels then run on them in place, unstaged.
 */
import { WASM_BASE64, WASM_RELAXED_BASE64 } from './generated/module.js';
import { decodeBase64, environmentSaysOff, WebAssembly, type WasmMemory } from './load.js';

export { ResidentMemory } from './resident.js';

/** Element-wise forward kernels: y = f(x), each with up to two float64 parameters. */
export type UnaryKernel =
  | 'relu_f32' | 'relu6_f32' | 'leaky_relu_f32'
  | 'gelu_erf_f32' | 'gelu_tanh_f32' | 'silu_f32' | 'mish_f32' | 'softplus_f32' | 'sigmoid_f32'
  // precision 'fast' (assembly/fast.ts): float32 lanes, within the bounds the CPU backend declares
  | 'sigmoid_fast_f32' | 'silu_fast_f32' | 'tanh_fast_f32' | 'gelu_tanh_fast_f32' | 'gelu_erf_fast_f32';

/** Element-wise gradient kernels: dx = f′(x)·dy, with the exact-zero rule (f′ = 0 gives 0 whatever dy is). */
export type GradientKernel = 'relu_grad_f32' | 'gelu_erf_grad_f32';

interface Exports {
  [name: string]: unknown;
}
type UnaryFn = (x: number, y: number, n: number, p0: number, p1: number) => void;
type GradientFn = (x: number, dy: number, dx: number, n: number, p0: number, p1: number) => void;
type GemmFn = (a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number) => void;
type SparseGemmFn = (a: number, b: number, c: number, m: number, k: number, n: number, accumulate: number) => number;

/** A dense layer's bias and activation, applied by {@link WasmKernels.gemm} on C in the module's memory. */
export interface GemmEpilogue {
  /** C's rows start as this row (length ≥ n) instead of zero. */
  readonly bias?: Float32Array;
  /** An element-wise kernel with its two parameters, run over C in place after the product. */
  readonly activation?: {
    /** The element-wise forward kernel to apply, e.g. `'gelu_erf_f32'`. */
    readonly kernel: UnaryKernel;
    /** The kernel's first parameter (e.g. leaky_relu's alpha, silu's or softplus's beta); default 0. */
    readonly p0?: number;
    /** The kernel's second parameter (e.g. softplus's threshold); default 0. */
    readonly p1?: number;
  };
}

/** No bias, no activation: own undefined fields, so nothing set on Object.prototype is read as either. */
const NO_EPILOGUE: GemmEpilogue = Object.freeze({ bias: undefined, activation: undefined });

/** Elements per chunk of the element-wise kernels: 3 arrays × 32 KiB stay in L2 and mostly in L1. */
export const CHUNK = 8192;
const PAGE = 65536;

/*
 * Where the wrappers stage operands in the module's memory (byte offsets). Large JS typed arrays
 * (and the module's memory) start on a 4 KiB page, or 16 bytes past one (glibc's mmap'd chunks),
 * so a stage at a multiple of 4096 makes the copy into and out of it alias the JS array in the low
 * 12 address bits: every load then waits on a recent store to the "same" address (4K aliasing).
 * relu_f32 staged at byte 0 measured 20-27x the time of a plain copy at 2^20, 2.3-3x at any of
 * 256..3072 (bench/select-gemm.mjs). So every stage starts at a distinct odd multiple of 64 bytes
 * mod 4096 (16-byte SIMD alignment kept), spread round the page so that they keep away from each
 * other too: the gradient's two stages are read together in one loop.
 */
/** The element-wise stage: half a page from page-aligned JS arrays (the largest distance). */
export const UNARY_STAGE = 33 * 64; // 2112 ≡ 2112 mod 4096
/** The gradient's stage of x, a third of the way round the page. */
export const GRADIENT_X_STAGE = 21 * 64; // 1344
/** The gradient's stage of dy (and dx, in place), two thirds of the way round. */
export const GRADIENT_DY_STAGE = 8 * 4096 + 43 * 64; // 35520 ≡ 2752 mod 4096, after x's chunk
/** The GEMM's operands: each starts on its own page, this many bytes in (A, B, C). */
export const GEMM_RESIDUES = [5 * 64, 27 * 64, 49 * 64] as const; // 320, 1728, 3136
const STAGING_BYTES = Math.max(UNARY_STAGE, GRADIENT_X_STAGE, GRADIENT_DY_STAGE) + CHUNK * 4;
/** The module never grows past this (bytes): bigger GEMMs stay on the JS kernels. */
export const MAX_MEMORY_BYTES = 2 ** 31;

/** What {@link WasmKernels.unitGroups} returns: the count of elements left and their unit groups. */
export interface UnitGroups {
  /** How many elements of z are above θ (not skipped). */
  readonly active: number;
  /** gemm_units_f32's groups of 5 i32: the row, then 4 columns below `tail`. */
  readonly list: Int32Array;
  /** How many groups `list` holds. */
  readonly groups: number;
}

/** The instantiated module with its memory, and the staging wrappers. One per thread. */
export class WasmKernels {
  private readonly memory: WasmMemory;
  private readonly exports: Exports;
  private f32: Float32Array;

  /** Instantiates the module (compiled by `wasmKernels()`) with a fresh memory. */
  constructor(module: object) {
    // The element-wise stages to start; the GEMM grows it as it needs.
    this.memory = new WebAssembly.Memory({ initial: Math.ceil(STAGING_BYTES / PAGE) });
    const instance = new WebAssembly.Instance(module, {
      env: {
        memory: this.memory,
        abort: () => { throw new Error('kernels-wasm: abort'); },
      },
    });
    this.exports = instance.exports as Exports;
    this.f32 = new Float32Array(this.memory.buffer);
    const scratch = this.exports.GEMM_SCRATCH_BYTES as { value: number } | undefined;
    this.scratchBytes = scratch?.value ?? 0;
  }

  /** Scratch the GEMM kernels use after C (exported by the module). */
  private readonly scratchBytes: number;

  /** Whether the module exports this kernel (a build may add kernels before the wrappers use them). */
  has(name: string): boolean {
    return typeof this.exports[name] === 'function';
  }

  /** The module's export `name` if it is a function (for probes and tests that call a kernel directly). */
  exportedFunction(name: string): ((...args: number[]) => number) | undefined {
    const f = this.exports[name];
    return typeof f === 'function' ? (f as (...args: number[]) => number) : undefined;
  }

  /** integerPass's answer, probed once per instance. */
  private pass: IntegerPass | undefined;

  /**
   * Which of dot_i14_i8's passes this module takes (the same exact sums either way):
   * {@link integerPassFor} of its dot_split_probe(127, −1) (the plain build's probe gives 0).
   */
  integerPass(): IntegerPass {
    this.pass ??= integerPassFor(this.exportedFunction('dot_split_probe')?.(127, -1));
    return this.pass;
  }

  /** Makes the memory at least `bytes` long; false if that would pass MAX_MEMORY_BYTES. */
  private reserve(bytes: number): boolean {
    if (bytes > MAX_MEMORY_BYTES) return false;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.f32 = new Float32Array(this.memory.buffer);
    }
    return true;
  }

  /** y[i] = f(x[i]) for i in [start, end). x and y may be the same array. */
  unary(kernel: UnaryKernel, x: Float32Array, y: Float32Array, start: number, end: number, p0 = 0, p1 = 0): void {
    this.staged(this.exports[kernel] as UnaryFn, x, y, start, end, p0, p1);
  }

  /**
   * y[i] = x[i] through {@link unary}'s stage with no kernel run on it: the two copies every
   * element-wise call on JS arrays makes (WebAssembly cannot address a JS array), which the
   * benchmark times as the floor of a staged call. Resident tensors skip them.
   */
  stageOnly(x: Float32Array, y: Float32Array, start: number, end: number): void {
    this.staged(undefined, x, y, start, end, 0, 0);
  }

  private staged(fn: UnaryFn | undefined, x: Float32Array, y: Float32Array, start: number, end: number, p0: number, p1: number): void {
    const mem = this.f32;
    const at = UNARY_STAGE / 4;
    const stage = mem.subarray(at, at + CHUNK);
    for (let s = start; s < end; s += CHUNK) {
      const len = Math.min(CHUNK, end - s);
      stage.set(x.subarray(s, s + len));
      if (fn !== undefined) fn(UNARY_STAGE, UNARY_STAGE, len, p0, p1);
      y.set(len === CHUNK ? stage : mem.subarray(at, at + len), s);
    }
  }

  /** dx[i] = f′(x[i])·dy[i] for i in [start, end). dx may be dy. */
  gradient(kernel: GradientKernel, x: Float32Array, dy: Float32Array, dx: Float32Array, start: number, end: number, p0 = 0, p1 = 0): void {
    const fn = this.exports[kernel] as GradientFn;
    const mem = this.f32;
    const xAt = GRADIENT_X_STAGE / 4;
    const dyAt = GRADIENT_DY_STAGE / 4;
    const xs = mem.subarray(xAt, xAt + CHUNK);
    const ds = mem.subarray(dyAt, dyAt + CHUNK);
    for (let s = start; s < end; s += CHUNK) {
      const len = Math.min(CHUNK, end - s);
      xs.set(x.subarray(s, s + len));
      ds.set(dy.subarray(s, s + len));
      fn(GRADIENT_X_STAGE, GRADIENT_DY_STAGE, GRADIENT_DY_STAGE, len, p0, p1);
      dx.set(len === CHUNK ? ds : mem.subarray(dyAt, dyAt + len), s);
    }
  }

  /**
   * Where {@link gemm} puts A, B and C in the module's memory (byte offsets) and the memory it needs.
   * 16-byte aligned operands (the kernels use aligned v128 loads where they can), each at its own
   * residue mod 4096 so that neither the copies in and out nor the tiles' loads of A and B after
   * their stores to C alias in the low 12 address bits. The kernels pack panels of B into
   * GEMM_SCRATCH_BYTES after C (at C's end rounded to 64 bytes) when the memory already holds
   * them; they never grow it themselves.
   */
  private gemmLayout(m: number, k: number, n: number): { A: number; B: number; C: number; end: number } {
    const [aResidue, bResidue, cResidue] = GEMM_RESIDUES;
    const A = aResidue;
    const B = pageAfter(A + m * k * 4) + bResidue;
    const C = pageAfter(B + k * n * 4) + cResidue;
    return { A, B, C, end: align64(C + m * n * 4) + this.scratchBytes };
  }

  /**
   * Whether {@link gemm} computes an [m×k]·[k×n] product here (true) or refuses it as too big for
   * MAX_MEMORY_BYTES (false: it would return -1) — for callers that must know which arithmetic a
   * product gets without forming it (the certified sparse FFN computes single units as it would).
   */
  gemmFits(m: number, k: number, n: number): boolean {
    return this.gemmLayout(m, k, n).end <= MAX_MEMORY_BYTES;
  }

  /**
   * Byte offsets for buffers of these byte lengths, one after another (64-byte aligned) from where
   * the GEMM puts A; the memory reserved for them. Undefined if they pass MAX_MEMORY_BYTES.
   */
  private stage(lengths: readonly number[]): number[] | undefined {
    let at = GEMM_RESIDUES[0];
    const offsets: number[] = [];
    for (const n of lengths) { offsets.push(at); at = align64(at + n); }
    return this.reserve(at) ? offsets : undefined;
  }

  /**
   * Stages tokens x [rows, d] (14-bit levels in int16) and int8 units w [f, d] padded (d to 16, f
   * to 4, rows to even) and runs dot_i14_i8 into the module's memory (which, in the relaxed build,
   * rewrites the staged x in place), with `extra` byte lengths staged after its
   * output. Returns the offsets (x, w, the [rows', f'] f64 sums, then the extras) and f', or
   * undefined where the module lacks the kernel or the operands do not fit.
   */
  private stagedDots(x: Int16Array, rows: number, d: number, w: Int8Array, f: number, extra: readonly number[], pass = this.integerPass()): { at: number[]; fp: number } | undefined {
    const kernel = this.exportedFunction('dot_i14_i8');
    if (kernel === undefined) return undefined;
    const dp = Math.ceil(d / 16) * 16;
    const fp = Math.ceil(f / 4) * 4;
    const tp = rows + (rows % 2);
    const at = this.stage([tp * dp * 2, fp * dp, tp * fp * 8, ...extra]);
    if (at === undefined) return undefined;
    const buffer = this.memory.buffer;
    const X = new Int16Array(buffer, at[0], tp * dp).fill(0);
    for (let t = 0; t < rows; t++) X.set(x.subarray(t * d, (t + 1) * d), t * dp);
    const W = new Int8Array(buffer, at[1], fp * dp).fill(0);
    for (let j = 0; j < f; j++) W.set(w.subarray(j * d, (j + 1) * d), j * dp);
    kernel(at[0], at[1], at[2], tp, dp, fp, splitFlag(pass));
    return { at, fp };
  }

  /**
   * The certified FFN's integer pass: out[t·f + j] = Σ_p x[t·d + p]·w[j·d + p] exactly, for tokens
   * x [rows, d] of 14-bit levels (|x| ≤ 8191, core's ffn-certify.ts X_LEVELS) and int8 units w
   * [f, d] (W1 quantised per column, transposed), in float64 (exact: |sum| < 2⁵³). Levels past
   * ±8191 are RangeError (the relaxed build's split pass splits each into two 7-bit parts). `pass`
   * (tests and benchmarks) overrides {@link integerPass}; the plain build has only 'wide'. False
   * (out untouched) where the module lacks the kernel or the operands do not fit its memory.
   */
  integerDots(x: Int16Array, rows: number, d: number, w: Int8Array, f: number, out: Float64Array, pass = this.integerPass()): boolean {
    checkLevels(x, rows * d);
    const staged = this.stagedDots(x, rows, d, w, f, [], pass);
    if (staged === undefined) return false;
    const { at, fp } = staged;
    const O = new Float64Array(this.memory.buffer, at[2], (rows + (rows % 2)) * fp);
    for (let t = 0; t < rows; t++) out.set(O.subarray(t * fp, t * fp + f), t * f);
    return true;
  }

  /**
   * The certificate in one call: the integer pass (dot_i14_i8; x's levels as for {@link integerDots}) and then the bound for every (token,
   * unit) (certify_bound_f64), on the module's memory, so only the mask comes back. The facts are
   * core's (ffn-certify.ts: rowFacts [rows, 6], colFacts [f, 5], bias f64 [f] or undefined);
   * `bound` holds θ, γ, the underflow term, the overflow limit and the evaluation margin. Returns
   * the number certified, or -1 (mask untouched) where the module lacks the kernels or the
   * operands do not fit.
   */
  certify(
    x: Int16Array, rows: number, d: number, w: Int8Array, f: number, rowFacts: Float64Array, colFacts: Float64Array,
    bias: Float64Array | undefined, bound: { theta: number; gamma: number; underflow: number; overflow: number; margin: number }, mask: Uint8Array,
  ): number {
    const test = this.exportedFunction('certify_bound_f64');
    if (test === undefined) return -1;
    checkLevels(x, rows * d);
    const staged = this.stagedDots(x, rows, d, w, f, [rows * 48, f * 40, f * 8, rows * f]);
    if (staged === undefined) return -1;
    const { at, fp } = staged;
    const buffer = this.memory.buffer;
    new Float64Array(buffer, at[3], rows * 6).set(rowFacts.subarray(0, rows * 6));
    new Float64Array(buffer, at[4], f * 5).set(colFacts.subarray(0, f * 5));
    if (bias !== undefined) new Float64Array(buffer, at[5], f).set(bias.subarray(0, f));
    const M = new Uint8Array(buffer, at[6], rows * f).fill(0);
    const count = test(at[2], rows, f, fp, at[3], at[4], at[5], bias === undefined ? 0 : 1,
      bound.theta, bound.gamma, bound.underflow, bound.overflow, bound.margin, at[6]);
    mask.set(M);
    return count;
  }

  /**
   * The certificate's token quantiser (quantise_x_rows_f32, what {@link certifiedUnits} runs first)
   * on its own, for tests against core's: each token of x [rows, d] as 14-bit levels into `levels`
   * [rows, d] and its facts into `rowFacts` [rows, 6] (finite, max|x|, ‖x‖₁ raised, r, eₓ, ‖x̂‖₁).
   * False where the module lacks the kernel or x does not fit.
   */
  quantiseTokens(x: Float32Array, rows: number, d: number, levels: Int16Array, rowFacts: Float64Array): boolean {
    const kernel = this.exportedFunction('quantise_x_rows_f32');
    if (kernel === undefined) return false;
    const dp = Math.ceil(d / 16) * 16;
    const at = this.stage([rows * d * 4, (rows + (rows % 2)) * dp * 2, rows * 48]);
    if (at === undefined) return false;
    this.f32.set(x.subarray(0, rows * d), at[0] / 4);
    kernel(at[0], rows, d, dp, at[1], at[2]);
    const L = new Int16Array(this.memory.buffer, at[1], rows * dp);
    for (let t = 0; t < rows; t++) levels.set(L.subarray(t * dp, t * dp + d), t * d);
    rowFacts.set(new Float64Array(this.memory.buffer, at[2], rows * 6));
    return true;
  }

  /**
   * The certified FFN's first layer for a block of float32 tokens in one staging: the
   * certificate (the tokens' 14-bit quantisation, quantise_x_rows_f32; the integer pass,
   * dot_i14_i8; the bound, certify_bound_pairs_f64) and then every unit it does not certify (unit_groups_mask,
   * gemm_units_f32 with gemm_f32's wide-tile arithmetic, scatter_units_f32) on the module's
   * memory, with `activation` (if given) run over the result in place; only that comes back, into
   * `out` [rows, f] (certified units hold act(+0), or +0 without an activation), and the mask into
   * `mask` where given. So x goes in once, and neither the levels, the sums, the mask nor the
   * units' values cross to JS. `levels` [f, d] and `colFacts` [f, 5] are core's quantised W1 and its
   * column facts (ffn-certify.ts), `w1t` W1 transposed [f, d] (float32), `bias64` b1 in float64
   * and `bias` b1 itself; `bound` as for {@link certify}. Needs f a multiple of 4 (no column
   * tail: gemm_f32 computes those columns differently). Returns the number certified, or -1
   * (nothing written) where the module lacks the kernels, f is not a multiple of 4, or the
   * operands do not fit.
   */
  certifiedUnits(
    x: Float32Array, rows: number, d: number, levels: Int8Array, f: number, colFacts: Float64Array, bias64: Float64Array | undefined,
    bound: { theta: number; gamma: number; underflow: number; overflow: number; margin: number },
    w1t: Float32Array, bias: Float32Array | undefined, activation: { kernel: UnaryKernel; p0: number; p1: number } | undefined,
    out: Float32Array, mask?: Uint8Array,
  ): number {
    const names = ['quantise_x_rows_f32', 'dot_i14_i8', 'certify_bound_pairs_f64', 'unit_groups_mask', 'gemm_units_f32', 'scatter_units_f32'] as const;
    const [quantise, dots, test, groupsOf, units, scatter] = names.map((name) => this.exportedFunction(name));
    if (quantise === undefined || dots === undefined || test === undefined || groupsOf === undefined || units === undefined || scatter === undefined) return -1;
    if (f % 4 !== 0 || (activation !== undefined && !this.has(activation.kernel))) return -1;
    const dp = Math.ceil(d / 16) * 16;
    const tp = rows + (rows % 2);
    const size = rows * f;
    // The most groups there can be: every unit left, f/4 to a row.
    const maxGroups = rows * (f / 4);
    const at = this.stage([rows * d * 4, tp * dp * 2, f * dp, tp * f * 8, rows * 48, f * 40, f * 8, size, f * d * 4, f * 4, maxGroups * 20, maxGroups * 16, size * 4]);
    if (at === undefined) return -1;
    const [X, X16, W8, DOTS, ROWS, COLS, BIAS64, MASK, W1T, BIAS, LIST, VALUES, Z] = at;
    const buffer = this.memory.buffer;
    const mem = this.f32;
    mem.set(x.subarray(0, rows * d), X / 4);
    quantise(X, rows, d, dp, X16, ROWS);
    const W = new Int8Array(buffer, W8, f * dp);
    if (dp === d) W.set(levels.subarray(0, f * d));
    else {
      W.fill(0);
      for (let j = 0; j < f; j++) W.set(levels.subarray(j * d, (j + 1) * d), j * dp);
    }
    const colT = new Float64Array(buffer, COLS, f * 5); // column-major [5, f], as certify_bound_pairs_f64 reads it
    for (let j = 0; j < f; j++) for (let k = 0; k < 5; k++) colT[k * f + j] = colFacts[j * 5 + k];
    if (bias64 !== undefined) new Float64Array(buffer, BIAS64, f).set(bias64.subarray(0, f));
    dots(X16, W8, DOTS, tp, dp, f, splitFlag(this.integerPass()));
    new Uint8Array(buffer, MASK, size).fill(0);
    const count = test(DOTS, rows, f, ROWS, COLS, BIAS64, bias64 === undefined ? 0 : 1,
      bound.theta, bound.gamma, bound.underflow, bound.overflow, bound.margin, MASK);
    const groups = groupsOf(MASK, rows, f, f, LIST);
    mem.fill(0, Z / 4, Z / 4 + size);
    if (groups > 0) {
      mem.set(w1t.subarray(0, f * d), W1T / 4);
      if (bias !== undefined) mem.set(bias.subarray(0, f), BIAS / 4);
      units(X, W1T, 1, d, BIAS, bias === undefined ? 0 : 1, LIST, groups, d, VALUES);
      scatter(LIST, groups, VALUES, Z, f);
    }
    if (activation !== undefined) (this.exports[activation.kernel] as UnaryFn)(Z, Z, size, activation.p0, activation.p1);
    out.set(mem.subarray(Z / 4, Z / 4 + size));
    if (mask !== undefined) mask.set(new Uint8Array(buffer, MASK, size));
    return count;
  }

  /**
   * The certificate's per-column facts of a float32 W1 [d, f] (column_facts_f32): Σ|w| in float64,
   * max|w|, and 0 in `finite` where a weight is NaN or ±∞; the arrays are cleared first. False
   * where the module lacks the kernel or W1 does not fit.
   */
  columnFacts(w: Float32Array, d: number, f: number, l1: Float64Array, maxAbs: Float64Array, finite: Uint8Array): boolean {
    const kernel = this.exportedFunction('column_facts_f32');
    if (kernel === undefined) return false;
    const at = this.stage([d * f * 4, f * 8, f * 8, f]);
    if (at === undefined) return false;
    const buffer = this.memory.buffer;
    this.f32.set(w.subarray(0, d * f), at[0] / 4);
    const L1 = new Float64Array(buffer, at[1], f).fill(0);
    const MAX = new Float64Array(buffer, at[2], f).fill(0);
    const FIN = new Uint8Array(buffer, at[3], f).fill(1);
    kernel(at[0], d, f, at[1], at[2], at[3]);
    l1.set(L1); maxAbs.set(MAX); finite.set(FIN);
    return true;
  }

  /**
   * A float32 W1 [d, f] quantised per column into int8 `levels` [f, d] (transposed):
   * clamp(round-to-nearest(w·inverse[j]), ±127), NaN → 0 (transpose_f32, then quantise_rows_i8). False where the
   * module lacks the kernel or W1 does not fit.
   */
  quantiseColumns(w: Float32Array, d: number, f: number, inverse: Float64Array, levels: Int8Array): boolean {
    const transpose = this.exportedFunction('transpose_f32');
    const kernel = this.exportedFunction('quantise_rows_i8');
    if (kernel === undefined || transpose === undefined) return false;
    const at = this.stage([d * f * 4, d * f * 4, f * 8, d * f]);
    if (at === undefined) return false;
    const buffer = this.memory.buffer;
    this.f32.set(w.subarray(0, d * f), at[0] / 4);
    transpose(at[0], at[1], d, f);
    new Float64Array(buffer, at[2], f).set(inverse.subarray(0, f));
    kernel(at[1], f, d, at[2], at[3]);
    levels.set(new Int8Array(buffer, at[3], d * f));
    return true;
  }

  /**
   * Pre-activations of listed units with gemm_f32's own arithmetic for those elements (its wide
   * tiles'; not its column tail): `list` holds `groups` groups of 5 (a row of x, then 4 units);
   * out[4g + i] = z of the group's i-th unit. x [rows, d], w = W1 [d, f] (or, `unitMajor`, W1
   * transposed, [f, d]: each unit's weights contiguous, as this kernel reads them for many units),
   * bias [f] or undefined. False (out untouched) where the module lacks the kernel or the operands
   * do not fit.
   */
  gemmUnits(x: Float32Array, rows: number, d: number, w: Float32Array, f: number, bias: Float32Array | undefined, list: Int32Array, groups: number, out: Float32Array, unitMajor = false): boolean {
    const kernel = this.exportedFunction('gemm_units_f32');
    const transpose = this.exportedFunction('transpose_f32');
    if (kernel === undefined || transpose === undefined) return false;
    // Many units: transpose W1 once so each unit's weights are contiguous; a few: gather from W1 as
    // it is (a transpose costs about as much as d·f/8 strided loads).
    const transposed = !unitMajor && groups * 4 * 8 > f;
    const at = this.stage([rows * d * 4, d * f * 4, transposed ? d * f * 4 : 0, f * 4, groups * 20, groups * 16]);
    if (at === undefined) return false;
    const mem = this.f32;
    mem.set(x.subarray(0, rows * d), at[0] / 4);
    mem.set(w.subarray(0, d * f), at[1] / 4);
    if (transposed) transpose(at[1], at[2], d, f);
    if (bias !== undefined) mem.set(bias.subarray(0, f), at[3] / 4);
    new Int32Array(this.memory.buffer, at[4], groups * 5).set(list.subarray(0, groups * 5));
    const [weights, pStride, unitStride] = transposed ? [at[2], 1, d] : unitMajor ? [at[1], 1, d] : [at[1], f, 1];
    kernel(at[0], weights, pStride, unitStride, at[3], bias === undefined ? 0 : 1, at[4], groups, d, at[5]);
    out.set(mem.subarray(at[5] / 4, at[5] / 4 + groups * 4));
    return true;
  }

  /**
   * out[j] = Σ over the rows of m [rows, cols], in row order and in float64, of m[r·cols + j]
   * (column_sums_f64: core's columnSums, the same bits). False (out untouched) where the module
   * lacks the kernel or m does not fit.
   */
  columnSums(m: Float32Array, rows: number, cols: number, out: Float64Array): boolean {
    const kernel = this.exportedFunction('column_sums_f64');
    if (kernel === undefined) return false;
    const at = this.stage([rows * cols * 4, cols * 8]);
    if (at === undefined) return false;
    this.f32.set(m.subarray(0, rows * cols), at[0] / 4);
    kernel(at[0], rows, cols, at[1]);
    out.set(new Float64Array(this.memory.buffer, at[1], cols));
    return true;
  }

  /**
   * out [cols, rows] = src [rows, cols] transposed (float32, an exact copy), through the module's
   * memory. False (out untouched) where the module lacks the kernel or the operands do not fit.
   */
  transpose(src: Float32Array, rows: number, cols: number, out: Float32Array): boolean {
    const kernel = this.exportedFunction('transpose_f32');
    if (kernel === undefined) return false;
    const size = rows * cols;
    const at = this.stage([size * 4, size * 4]);
    if (at === undefined) return false;
    const mem = this.f32;
    mem.set(src.subarray(0, size), at[0] / 4);
    kernel(at[0], at[1], rows, cols);
    out.set(mem.subarray(at[1] / 4, at[1] / 4 + size));
    return true;
  }

  /**
   * unit_groups_f32 on z [rows, n]: writes `skip` (1 where z ≤ θ) and returns how many elements are
   * left, with their columns below `tail` as gemm_units_f32's groups (`list`, `groups` of them,
   * ready for {@link gemmUnits}); undefined where the module lacks the kernel or z does not fit.
   */
  unitGroups(z: Float32Array, rows: number, n: number, tail: number, theta: number, skip: Uint8Array): UnitGroups | undefined {
    const kernel = this.exportedFunction('unit_groups_f32');
    if (kernel === undefined) return undefined;
    const size = rows * n;
    const at = this.stage([size * 4, size, 64, rows * Math.ceil(tail / 4) * 20]);
    if (at === undefined) return undefined;
    this.f32.set(z.subarray(0, size), at[0] / 4);
    const active = kernel(at[0], rows, n, tail, theta, at[1], at[3], at[2]);
    const buffer = this.memory.buffer;
    skip.set(new Uint8Array(buffer, at[1], size));
    const groups = new Int32Array(buffer, at[2], 1)[0];
    return { active, list: new Int32Array(buffer, at[3], groups * 5).slice(), groups };
  }

  /**
   * out = op(A)·b skipping op(A)'s ±0 entries (gemm_sparse_a_f32, C from zero), for A given
   * transposed: op(A)[i, p] = aT[p·lda + i] (i < m, p < k), b row-major [k, n]. A is transposed in
   * the module's memory (transpose_f32), and so is the product when `transposeOut` (out [n, m],
   * else [m, n]). The same sums as {@link gemm} on the transposed copies: the same bits. Returns the
   * steps multiplied, or -1 (out untouched) where the module lacks a kernel or the operands do not fit.
   */
  sparseGemmTransposedA(aT: Float32Array, lda: number, m: number, k: number, b: Float32Array, n: number, out: Float32Array, transposeOut: boolean): number {
    const transpose = this.exportedFunction('transpose_f32');
    if (transpose === undefined) return -1;
    const { A, B, C, end } = this.gemmLayout(m, k, n);
    const staging = align64(end);
    if (!this.reserve(staging + Math.max(m * k, m * n) * 4)) return -1;
    const mem = this.f32;
    if (lda === m) mem.set(aT.subarray(0, k * m), staging / 4);
    else for (let p = 0; p < k; p++) mem.set(aT.subarray(p * lda, p * lda + m), staging / 4 + p * m);
    if (m > 0 && k > 0) transpose(staging, A, k, m);
    mem.set(b.subarray(0, k * n), B / 4);
    const steps = (this.exports.gemm_sparse_a_f32 as SparseGemmFn)(A, B, C, m, k, n, 0);
    if (transposeOut && m > 0 && n > 0) {
      transpose(C, staging, m, n);
      out.set(mem.subarray(staging / 4, staging / 4 + m * n));
    } else out.set(mem.subarray(C / 4, C / 4 + m * n));
    return steps;
  }

  /**
   * c[m×n] = a[m×k]·b[k×n] (+ c's old contents when `accumulate`), all row-major float32, summed
   * in float32. With `sparse`, the k-steps whose a entry is exactly zero are skipped (the
   * sparsity-aware FFN path); the return value is then the number of (row, k) steps multiplied,
   * otherwise m·k. Returns -1 (and leaves c alone) when the operands do not fit MAX_MEMORY_BYTES.
   *
   * `epilogue` fuses a dense layer's bias and activation into the call, on C while it is still in
   * the module's memory: C starts as `bias` (length n) in every row instead of zero (unless
   * `accumulate`), and the activation kernel runs over C in place before C is copied out. The
   * result is bit for bit what the separate steps give (the same sums, the same kernel), minus
   * their passes over JS memory.
   */
  gemm(
    a: Float32Array, b: Float32Array, c: Float32Array, m: number, k: number, n: number, accumulate: boolean, sparse = false,
    epilogue: GemmEpilogue = NO_EPILOGUE,
  ): number {
    const { A, B, C, end } = this.gemmLayout(m, k, n);
    if (!this.reserve(end)) return -1;
    const mem = this.f32;
    mem.set(a.subarray(0, m * k), A / 4);
    mem.set(b.subarray(0, k * n), B / 4);
    if (accumulate) mem.set(c.subarray(0, m * n), C / 4);
    const steps = this.stagedLayer(A, B, C, m, k, n, accumulate, sparse, epilogue);
    c.set(mem.subarray(C / 4, C / 4 + m * n));
    return steps;
  }

  /**
   * {@link gemm} on operands already in the module's memory (byte offsets A, B, C in the GEMM
   * layout's order: A and B below C, room for the kernels' scratch after C): C's bias rows, the
   * product, the activation over C in place. Returns the steps multiplied.
   */
  private stagedLayer(A: number, B: number, C: number, m: number, k: number, n: number, accumulate: boolean, sparse: boolean, epilogue: GemmEpilogue): number {
    const mem = this.f32;
    const { bias, activation } = epilogue;
    if (!accumulate && bias !== undefined && n > 0 && m > 0) {
      // The bias in every row: one row, then doubling copies (log m calls whatever n is).
      const c0 = C / 4;
      mem.set(bias.subarray(0, n), c0);
      for (let rows = 1; rows < m; rows *= 2) mem.copyWithin(c0 + rows * n, c0, c0 + Math.min(rows, m - rows) * n);
    }
    const addC = accumulate || bias !== undefined ? 1 : 0;
    let steps = m * k;
    if (sparse) steps = (this.exports.gemm_sparse_a_f32 as SparseGemmFn)(A, B, C, m, k, n, addC);
    else (this.exports.gemm_f32 as GemmFn)(A, B, C, m, k, n, addC);
    if (activation !== undefined) (this.exports[activation.kernel] as UnaryFn)(C, C, m * n, activation.p0 ?? 0, activation.p1 ?? 0);
    return steps;
  }

  /**
   * A whole float32 FFN forward pass in one call, h = act(x·w1 + b1) and y = h·w2 + b2 (x [m, k],
   * w1 [k, f], w2 [f, n]): the two {@link gemm} calls a caller would make — the first with `first`
   * as its epilogue, the second with `b2` as its bias, skipping h's zeros when `sparse` — with h
   * kept in the module's memory between them, copied out into `h` only where one is given. The
   * bits of those two calls. Returns the second product's steps, or -1 (y and h untouched) where
   * the operands do not fit.
   */
  ffnForward(
    x: Float32Array, w1: Float32Array, first: GemmEpilogue, w2: Float32Array, b2: Float32Array | undefined,
    m: number, k: number, f: number, n: number, sparse: boolean, h: Float32Array | undefined, y: Float32Array,
  ): number {
    // x, W1, W2, then H and Y: each product's operands below its output (the kernels' scratch
    // goes after the output), every one on its own page at a residue its partners do not share.
    const [r0, r1, r2] = GEMM_RESIDUES;
    const X = r0;
    const W1 = pageAfter(X + m * k * 4) + r1;
    const W2 = pageAfter(W1 + k * f * 4) + r1;
    const H = pageAfter(W2 + f * n * 4) + r2;
    const Y = pageAfter(H + m * f * 4) + r0;
    if (!this.reserve(align64(Y + m * n * 4) + this.scratchBytes)) return -1;
    const mem = this.f32;
    mem.set(x.subarray(0, m * k), X / 4);
    mem.set(w1.subarray(0, k * f), W1 / 4);
    mem.set(w2.subarray(0, f * n), W2 / 4);
    this.stagedLayer(X, W1, H, m, k, f, false, false, first);
    if (h !== undefined) h.set(mem.subarray(H / 4, H / 4 + m * f));
    // Every key its own (an inherited `activation` is not one: the hostile-input suite pollutes Object.prototype).
    const steps = this.stagedLayer(H, W2, Y, m, f, n, false, sparse, { bias: b2, activation: undefined });
    y.set(mem.subarray(Y / 4, Y / 4 + m * n));
    return steps;
  }
}

/** dot_i14_i8's `split` argument for a pass. */
function splitFlag(pass: IntegerPass): number {
  return pass === 'split' ? 1 : 0;
}

/** The integer pass's largest token level (core's ffn-certify.ts X_LEVELS: 14 bits). */
const X_LEVELS = 8191;

/** RangeError where one of x's first n levels is past ±X_LEVELS: the relaxed build's split would give a wrong sum, not an error. */
function checkLevels(x: Int16Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const v = x[i];
    if (v > X_LEVELS || v < -X_LEVELS) throw new RangeError(`kernels-wasm: token level ${v} at ${i} is past ±${X_LEVELS} (the certificate's levels are 14-bit)`);
  }
}

/** The first multiple of 4096 at or after `bytes`. */
function pageAfter(bytes: number): number {
  return Math.ceil(bytes / 4096) * 4096; // not & ~4095: operands may pass 2^31 bytes (then refused)
}

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
}

/** dot_i14_i8's two passes (see {@link WasmKernels.integerPass}). */
export type IntegerPass = 'split' | 'wide';

/**
 * The pass for a module whose dot_split_probe(127, −1) gave `probe`: 'split' where that shows the
 * relaxed dot is one instruction without intermediate saturation (x64's vpdpbusd with AVX-VNNI:
 * 129540; arm64's sdot: −508), 'wide' otherwise — the plain build (0), V8's saturating pmaddubsw
 * sequence on x64 without AVX-VNNI (65534: there the split pass measured 1.75× the wide pass's
 * time, Zen 4, Node 24), and any lowering not known to be one instruction.
 */
export function integerPassFor(probe: number | undefined): IntegerPass {
  return probe === 129540 || probe === -508 ? 'split' : 'wide';
}

/** Which build of the module: plain WebAssembly SIMD, or relaxed SIMD with a fused multiply-add in the GEMM. */
export type WasmVariant = 'simd' | 'relaxed-simd';

type Probe = (a: number, b: number, c: number) => number;

/**
 * Whether this module's madd rounds once: (1 + 2⁻²³)(1 − 2⁻²³) − 1 is exactly −2⁻⁴⁶, a float32;
 * rounding the product first gives 1 − 1 = 0.
 */
function maddIsFused(module: object): boolean {
  const probe = new WasmKernels(module).exportedFunction('madd_probe_f32') as Probe | undefined;
  return probe !== undefined && probe(1 + 2 ** -23, 1 - 2 ** -23, -1) === -(2 ** -46);
}

const compiled = new Map<WasmVariant, object | null>();

/**
 * The compiled module of one build, or null where this runtime cannot use it: no WebAssembly
 * SIMD, or (relaxed) no relaxed SIMD or a madd that is not fused here. Environment variables are
 * not consulted: this is what the runtime offers.
 */
function compiledVariant(variant: WasmVariant): object | null {
  let module = compiled.get(variant);
  if (module === undefined) {
    module = null;
    if (typeof WebAssembly === 'object') {
      const bytes = decodeBase64(variant === 'simd' ? WASM_BASE64 : WASM_RELAXED_BASE64);
      if (WebAssembly.validate(bytes)) module = new WebAssembly.Module(bytes);
      if (module !== null && variant === 'relaxed-simd' && !maddIsFused(module)) module = null;
    }
    compiled.set(variant, module);
  }
  return module;
}

/**
 * A fresh instance (its own memory) of one build, or undefined where this runtime cannot run it
 * (see {@link wasmVariant}). Ignores RECTIFIER_WASM and RECTIFIER_WASM_RELAXED: for tests and
 * benchmarks that compare the builds; backends use {@link wasmKernels}.
 */
export function wasmKernelsOf(variant: WasmVariant): WasmKernels | undefined {
  const module = compiledVariant(variant);
  return module === null ? undefined : new WasmKernels(module);
}

let loaded: { kernels: WasmKernels; variant: WasmVariant } | null | undefined;

function load(): { kernels: WasmKernels; variant: WasmVariant } | null {
  if (loaded === undefined) {
    loaded = null;
    if (!environmentSaysOff('RECTIFIER_WASM')) {
      const order: WasmVariant[] = environmentSaysOff('RECTIFIER_WASM_RELAXED') ? ['simd'] : ['relaxed-simd', 'simd'];
      for (const variant of order) {
        const module = compiledVariant(variant);
        if (module !== null) { loaded = { kernels: new WasmKernels(module), variant }; break; }
      }
    }
  }
  return loaded;
}

/**
 * This thread's kernels (instantiated on first use), or undefined where WebAssembly SIMD is not
 * available or RECTIFIER_WASM=off. Synchronous: the module is small and compiles in milliseconds.
 * Every thread of one process picks the same build (same runtime, same machine, same environment),
 * so the CPU backend and its workers give the same bits.
 */
export function wasmKernels(): WasmKernels | undefined {
  return load()?.kernels;
}

/**
 * The build {@link wasmKernels} loaded: `'relaxed-simd'` where the runtime has relaxed SIMD (Node
 * 22+, current Chrome and Firefox) with a fused multiply-add and RECTIFIER_WASM_RELAXED is not
 * `off`, else `'simd'`; undefined where no kernels are loaded.
 */
export function wasmVariant(): WasmVariant | undefined {
  return load()?.variant;
}
