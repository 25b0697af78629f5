/**
 * Float64 references: the definition of every value a backend returns. Inputs of any dtype are
 * widened exactly to float64, and results are float64 tensors; a float32 backend is compared with
 * the reference rounded once to float32. Written for clarity, not speed.
 */
import { gaussianNoise, sigmoid } from './math/scalar.js';
import type { ScalarFn } from './ops/catalogue.js';
import type { ResolvedParams } from './ops/params.js';
import { allocate } from './dtype.js';
import { certifiedUnitCount } from './ffn-certify.js';
import { Tensor } from './tensor.js';
import {
  prepareFfn, prepareFfnBackward, prepareGradientCall, prepareMatmul, prepareOpCall, prepareStats,
  matmulBatchCount, matmulSlice,
  type FfnBackwardCall, type FfnCall, type FfnOptions, type FfnWeights, type MatmulCall, type MatmulOptions, type OpCall,
} from './validate.js';

/**
 * The gradient rule every op and backend follows: dx = f′(x)·dy, except that an exact-zero
 * derivative gives 0 whatever dy is (PyTorch's relu backward selects, it does not multiply, so
 * dy = ∞ or NaN where the unit is off does not leak NaN into dx).
 */
export function gradientProduct(derivative: number, dy: number): number {
  return derivative === 0 ? 0 : derivative * dy;
}

/** Non-negative step used by relu-like gradients: 1, 0 or NaN. */
function step(x: number): number {
  return x > 0 ? 1 : x <= 0 ? 0 : NaN;
}

function f64(shape: readonly number[], data: Float64Array): Tensor {
  return new Tensor(data, shape);
}

/** The noise standard deviation noisy_relu uses for x. */
export function noisyReluStd(x: number, p: ResolvedParams): number {
  return p.sigma === undefined ? Math.sqrt(sigmoid(x)) : (p.sigma as number);
}

/** The pre-activation of noisy_relu at element i: x + std·z with the seeded z. */
export function noisyReluInput(x: number, i: number, p: ResolvedParams): number {
  const std = noisyReluStd(x, p);
  return std === 0 ? x : x + std * gaussianNoise(p.seed as number, i);
}

function forwardCall(call: OpCall): Tensor {
  const { op, params: p } = call;
  const x = call.inputs[0].data;
  const n = x.length;
  const y = new Float64Array(call.outShape.reduce((a, b) => a * b, 1));
  switch (op.kind) {
    case 'unary': {
      const f = op.f as ScalarFn;
      for (let i = 0; i < n; i++) y[i] = f(x[i], p);
      break;
    }
    case 'glu': {
      const f = op.f as ScalarFn;
      const v = call.inputs[1].data;
      for (let i = 0; i < n; i++) y[i] = f(x[i], p) * v[i];
      break;
    }
    case 'prelu': {
      const w = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        y[i] = xi > 0 ? xi : w[Math.floor(i / inner) % channels] * xi;
      }
      break;
    }
    case 'crelu': {
      const last = call.inputs[0].shape[call.inputs[0].rank - 1];
      for (let r = 0; r * last < n; r++) {
        for (let j = 0; j < last; j++) {
          const xi = x[r * last + j];
          y[2 * r * last + j] = xi <= 0 ? 0 : xi;
          y[2 * r * last + last + j] = -xi <= 0 ? 0 : -xi;
        }
      }
      break;
    }
    case 'noisy': {
      for (let i = 0; i < n; i++) {
        const z = noisyReluInput(x[i], i, p);
        y[i] = z <= 0 ? 0 : z;
      }
      break;
    }
  }
  return f64(call.outShape, y);
}

/** f(inputs) in float64. */
export function referenceForward(op: string, inputs: Tensor | readonly Tensor[], params?: object): Tensor {
  return forwardCall(prepareOpCall(op, inputs, params));
}

/** Gradients with respect to each input, in input order ([dx], [dx, dweight] or [dgate, dvalue]), in float64. */
export function referenceGradient(op: string, inputs: Tensor | readonly Tensor[], dy: Tensor, params?: object): Tensor[] {
  const call = prepareGradientCall(op, inputs, dy, params);
  const { op: def, params: p } = call;
  const x = call.inputs[0].data;
  const g = call.dy.data;
  const n = x.length;
  const dx = new Float64Array(n);
  const xShape = call.inputs[0].shape;
  switch (def.kind) {
    case 'unary': {
      const df = def.df as ScalarFn;
      for (let i = 0; i < n; i++) dx[i] = gradientProduct(df(x[i], p), g[i]);
      return [f64(xShape, dx)];
    }
    case 'glu': {
      const f = def.f as ScalarFn;
      const df = def.df as ScalarFn;
      const v = call.inputs[1].data;
      const dv = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        dx[i] = gradientProduct(df(x[i], p), g[i] * v[i]);
        dv[i] = gradientProduct(f(x[i], p), g[i]);
      }
      return [f64(xShape, dx), f64(call.inputs[1].shape, dv)];
    }
    case 'prelu': {
      const w = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      const dw = new Float64Array(w.length);
      for (let i = 0; i < n; i++) {
        const c = Math.floor(i / inner) % channels;
        const xi = x[i];
        if (xi > 0) {
          dx[i] = g[i];
        } else {
          dx[i] = xi <= 0 ? gradientProduct(w[c], g[i]) : NaN;
          dw[c] += gradientProduct(xi, g[i]); // NaN x makes the slope gradient NaN too
        }
      }
      return [f64(xShape, dx), f64(call.inputs[1].shape, dw)];
    }
    case 'crelu': {
      const last = xShape[xShape.length - 1];
      for (let r = 0; r * last < n; r++) {
        for (let j = 0; j < last; j++) {
          const xi = x[r * last + j];
          dx[r * last + j] = gradientProduct(step(xi), g[2 * r * last + j]) - gradientProduct(step(-xi), g[2 * r * last + last + j]);
        }
      }
      return [f64(xShape, dx)];
    }
    case 'noisy': {
      for (let i = 0; i < n; i++) dx[i] = gradientProduct(step(noisyReluInput(x[i], i, p)), g[i]);
      return [f64(xShape, dx)];
    }
  }
}

/* ---------------- matmul ---------------- */

/** C[m,n] = op(A)·op(B) in float64, where op(A)[i,k] = A[i*sA0 + k*sA1]. */
function matmul64(
  a: ArrayLike<number>, sA0: number, sA1: number, b: ArrayLike<number>, sB0: number, sB1: number, m: number, k: number, n: number,
): Float64Array {
  const c = new Float64Array(m * n);
  if (m === 0 || n === 0) return c; // an empty product: no loop over the other dim (it may be 2^40)
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * sA0 + p * sA1] * b[p * sB0 + j * sB1];
      c[i * n + j] = s;
    }
  }
  return c;
}

/** The float64 product a·b (each optionally transposed, batch dims broadcast), validated as `matmul` is; a float64 tensor `[...batch, m, n]`. */
export function referenceMatmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor {
  return referenceMatmulCall(prepareMatmul(a, b, options));
}

/** The float64 product of a validated call (work bounded by the output's size and the product's). */
export function referenceMatmulCall(c: MatmulCall): Tensor {
  const count = matmulBatchCount(c);
  const size = c.m * c.n;
  const out = new Float64Array(count * size);
  const [sA0, sA1] = c.transposeA ? [1, c.m] : [c.k, 1];
  const [sB0, sB1] = c.transposeB ? [1, c.k] : [c.n, 1];
  for (let i = 0; i < count && size > 0; i++) {
    const s = matmulSlice(c, i);
    out.set(matmul64(s.a.data, sA0, sA1, s.b.data, sB0, sB1, c.m, c.k, c.n), i * size);
  }
  return f64([...c.batch, c.m, c.n], out);
}

/* ---------------- activation statistics ---------------- */

/** Sparsity of a hidden layer [rows, units]: exact zeros (±0) only. */
export interface ActivationStats {
  /** Rows (tokens) counted: the product of the hidden tensor's leading dims. */
  readonly rows: number;
  /** Units (hidden width): the hidden tensor's last dim. */
  readonly units: number;
  /** Fraction of all entries that are exactly zero. */
  readonly zeroFraction: number;
  /** Per row (token): fraction of its units that are zero. */
  readonly zeroFractionPerRow: Float64Array;
  /** Per unit: fraction of rows where it is zero. */
  readonly zeroFractionPerUnit: Float64Array;
  /** Units that are zero for every row of the batch (empty when there are no rows). */
  readonly deadUnits: readonly number[];
  /** Fraction of the units that are dead (`deadUnits.length / units`; 0 when there are no units). */
  readonly deadFraction: number;
}

/** Exact counting, the same on every backend (backends may compute it where the data lives). */
export function activationStatsOf(data: ArrayLike<number>, rows: number, units: number): ActivationStats {
  const perRow = allocate('float64', rows) as Float64Array;
  const zerosPerUnit = allocate('float64', units) as Float64Array;
  if (units === 0) { // rows of nothing: every fraction 0, no loop over the elements
    return { rows, units, zeroFraction: 0, zeroFractionPerRow: perRow, zeroFractionPerUnit: zerosPerUnit, deadUnits: [], deadFraction: 0 };
  }
  let total = 0;
  for (let r = 0; r < rows; r++) {
    let z = 0;
    for (let u = 0; u < units; u++) {
      if (data[r * units + u] === 0) {
        z++;
        zerosPerUnit[u]++;
      }
    }
    total += z;
    perRow[r] = units === 0 ? 0 : z / units;
  }
  const deadUnits: number[] = [];
  const perUnit = new Float64Array(units);
  for (let u = 0; u < units; u++) {
    perUnit[u] = rows === 0 ? 0 : zerosPerUnit[u] / rows;
    if (rows > 0 && zerosPerUnit[u] === rows) deadUnits.push(u);
  }
  return {
    rows, units,
    zeroFraction: rows * units === 0 ? 0 : total / (rows * units),
    zeroFractionPerRow: perRow,
    zeroFractionPerUnit: perUnit,
    deadUnits,
    deadFraction: units === 0 ? 0 : deadUnits.length / units,
  };
}

/** Exact-zero statistics of a hidden layer `[..., units]` (leading dims flattened into rows); validated as `activationStats` is. */
export function referenceActivationStats(hidden: Tensor): ActivationStats {
  const h = prepareStats(hidden);
  return activationStatsOf(h.data, h.shape[0], h.shape[1]);
}

/* ---------------- FFN ---------------- */

/** What `ffn` returns: the output, and the hidden activations and their statistics when asked for. */
export interface FfnResult {
  /** [T, dOut] */
  readonly y: Tensor;
  /** [T, f], when `returnHidden` */
  readonly hidden?: Tensor;
  /** when `stats` */
  readonly stats?: FfnStats;
}

/** An FFN call's hidden-layer statistics; a certified call (`sparse: 'certified'`) also counts its units. */
export interface FfnStats extends ActivationStats {
  /** Units (token × hidden unit) proved zero by the certificate, whose column of W1 was not multiplied; certified calls only. */
  readonly certifiedUnits?: number;
  /** Units whose pre-activation was computed (T·f − certifiedUnits); certified calls only. */
  readonly computedUnits?: number;
  /** Units whose activation is exactly zero (±0), certified ones included (zeroFraction·T·f, as a count); certified calls only. */
  readonly zeroUnits?: number;
}

/**
 * The statistics of an FFN call's hidden layer [T, f]; with `certified` (the number of units the
 * call's certificate proved zero, for a certified call) also the unit counts.
 */
export function ffnStatsOf(h: ArrayLike<number>, T: number, f: number, certified: number | undefined): FfnStats {
  const stats = activationStatsOf(h, T, f);
  return certified === undefined ? stats : { ...stats, ...unitCounts(h, T * f, certified) };
}

/** A certified call's unit counts, from its hidden layer (`units` = T·f entries) and its certificate's count. */
export function unitCounts(h: ArrayLike<number>, units: number, certified: number): Required<Pick<FfnStats, 'certifiedUnits' | 'computedUnits' | 'zeroUnits'>> {
  let zeroUnits = 0;
  for (let i = 0; i < units; i++) if (h[i] === 0) zeroUnits++;
  return { certifiedUnits: certified, computedUnits: units - certified, zeroUnits };
}

/** The certified-unit count of a call's certificate when it is certified (undefined otherwise). */
export function certifiedUnitsOf(c: FfnCall): number | undefined {
  if (!c.certified || !c.stats) return undefined;
  return certifiedUnitCount(c.x.data, c.w1.data, c.b1?.data, c.T, c.d, c.f, c.zeroThreshold, c.dtype);
}

/** What `ffnBackward` returns: the gradient of the loss with respect to x and to every weight that was given. */
export interface FfnGradients {
  /** ∂L/∂x, of x's shape `[..., d]`. */
  readonly dx: Tensor;
  /** ∂L/∂w1, `[d, f]`. */
  readonly dw1: Tensor;
  /** ∂L/∂w2, `[f, dOut]`. */
  readonly dw2: Tensor;
  /** present when b1 was given */
  readonly db1?: Tensor;
  /** ∂L/∂b2, `[dOut]`; present when b2 was given. */
  readonly db2?: Tensor;
  /** ∂L/∂v, `[d, f]`; present for a GLU activation. */
  readonly dv?: Tensor;
  /** ∂L/∂bv, `[f]`; present for a GLU activation when bv was given. */
  readonly dbv?: Tensor;
}

interface FfnForward64 {
  z: Float64Array; // x·W1 + b1
  zv: Float64Array | undefined; // x·V + bv (GLU)
  h: Float64Array;
  y: Float64Array;
}

function addBias(m: Float64Array, rows: number, cols: number, bias: Tensor | undefined): void {
  if (bias === undefined || rows * cols === 0) return;
  const b = bias.data;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) m[r * cols + c] += b[c];
}

function ffnForward64(c: FfnCall): FfnForward64 {
  const { T, d, f, dOut } = c;
  const fn = c.activation.f as ScalarFn;
  const p = c.activationParams;
  const z = matmul64(c.x.data, d, 1, c.w1.data, f, 1, T, d, f);
  addBias(z, T, f, c.b1);
  let zv: Float64Array | undefined;
  const h = new Float64Array(T * f);
  if (c.activation.kind === 'glu') {
    zv = matmul64(c.x.data, d, 1, c.v!.data, f, 1, T, d, f);
    addBias(zv, T, f, c.bv);
    for (let i = 0; i < h.length; i++) h[i] = fn(z[i], p) * zv[i];
  } else {
    for (let i = 0; i < h.length; i++) h[i] = fn(z[i], p);
  }
  const y = matmul64(h, f, 1, c.w2.data, dOut, 1, T, f, dOut);
  addBias(y, T, dOut, c.b2);
  return { z, zv, h, y };
}

/** FFN(x) = act(x·W1 + b1)·W2 + b2 (GLU: (act(x·W1 + b1) ⊙ (x·V + bv))·W2 + b2), in float64. */
export function referenceFfn(x: Tensor, weights: FfnWeights, options?: FfnOptions): FfnResult {
  const c = prepareFfn(x, weights, options);
  const r = referenceFfnCall(c);
  const lead = (t: Tensor): Tensor => f64([...c.leading, t.shape[1]], t.data as Float64Array);
  return { ...r, y: lead(r.y), ...(r.hidden ? { hidden: lead(r.hidden) } : {}) };
}

/** The float64 FFN of a validated call. */
export function referenceFfnCall(c: FfnCall): FfnResult {
  const fw = ffnForward64(c);
  return {
    y: f64([c.T, c.dOut], fw.y),
    ...(c.returnHidden ? { hidden: f64([c.T, c.f], fw.h) } : {}),
    ...(c.stats ? { stats: ffnStatsOf(fw.h, c.T, c.f, certifiedUnitsOf(c)) } : {}),
  };
}

function columnSums(m: Float64Array, rows: number, cols: number): Float64Array {
  const s = new Float64Array(cols);
  if (cols === 0) return s;
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) s[j] += m[r * cols + j];
  return s;
}

/** Gradients of the FFN with respect to x and every weight given, in float64. */
export function referenceFfnBackward(x: Tensor, weights: FfnWeights, dy: Tensor, options?: FfnOptions): FfnGradients {
  const c = prepareFfnBackward(x, weights, dy, options);
  const g = referenceFfnBackwardCall(c);
  return { ...g, dx: f64([...c.leading, c.d], g.dx.data as Float64Array) };
}

/** The float64 FFN gradients of a validated call. */
export function referenceFfnBackwardCall(c: FfnBackwardCall): FfnGradients {
  const { T, d, f, dOut } = c;
  const fw = ffnForward64(c);
  const g = c.dy.data;
  const fn = c.activation.f as ScalarFn;
  const dfn = c.activation.df as ScalarFn;
  const p = c.activationParams;
  const dh = matmul64(g, dOut, 1, c.w2.data, 1, dOut, T, dOut, f); // dy·W2ᵀ
  const dw2 = matmul64(fw.h, 1, f, g, dOut, 1, f, T, dOut); // hᵀ·dy
  const dz = new Float64Array(T * f);
  let dzv: Float64Array | undefined;
  if (fw.zv !== undefined) {
    dzv = new Float64Array(T * f);
    for (let i = 0; i < dz.length; i++) {
      dz[i] = gradientProduct(dfn(fw.z[i], p), dh[i] * fw.zv[i]);
      dzv[i] = gradientProduct(fn(fw.z[i], p), dh[i]);
    }
  } else {
    for (let i = 0; i < dz.length; i++) dz[i] = gradientProduct(dfn(fw.z[i], p), dh[i]);
  }
  const xd = c.x.data;
  const dw1 = matmul64(xd, 1, d, dz, f, 1, d, T, f); // xᵀ·dz
  const dx = matmul64(dz, f, 1, c.w1.data, 1, f, T, f, d); // dz·W1ᵀ
  let dv: Float64Array | undefined;
  if (dzv !== undefined) {
    dv = matmul64(xd, 1, d, dzv, f, 1, d, T, f);
    const dxv = matmul64(dzv, f, 1, c.v!.data, 1, f, T, f, d);
    for (let i = 0; i < dx.length; i++) dx[i] += dxv[i];
  }
  return {
    dx: f64([T, d], dx),
    dw1: f64([d, f], dw1),
    dw2: f64([f, dOut], dw2),
    ...(c.b1 ? { db1: f64([f], columnSums(dz, T, f)) } : {}),
    ...(c.b2 ? { db2: f64([dOut], columnSums(g instanceof Float64Array ? g : Float64Array.from(g), T, dOut)) } : {}),
    ...(dv ? { dv: f64([d, f], dv) } : {}),
    ...(dzv && c.bv ? { dbv: f64([f], columnSums(dzv, T, f)) } : {}),
  };
}

