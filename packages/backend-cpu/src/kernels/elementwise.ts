/**
 * Element-wise kernels over typed arrays. The select/clamp ops have their own loops (tight,
 * monomorphic, no calls); the transcendental ops call core's float64 scalar definition from one
 * shared loop, where the function's cost dwarfs the call. Storing into a Float32Array rounds the
 * float64 result once, so float32 results are the reference rounded (0 ulp from it).
 */
import {
  gradientProduct, noisyReluInput, OPS, type OpCall, type GradientCall, type OpName, type ResolvedParams,
  type ScalarFn, type TypedArray,
} from '@rectifier/core';

type Loop = (x: TypedArray, y: TypedArray, p: ResolvedParams) => void;
type GradLoop = (x: TypedArray, dy: TypedArray, dx: TypedArray, p: ResolvedParams) => void;

/** y[i] = f(x[i]) for any catalogue function (the generic path). */
function mapScalar(f: ScalarFn, x: TypedArray, y: TypedArray, p: ResolvedParams): void {
  for (let i = 0; i < x.length; i++) y[i] = f(x[i], p);
}

/** dx[i] = f′(x[i])·dy[i] with the exact-zero rule (generic path). */
function mapGradient(df: ScalarFn, x: TypedArray, dy: TypedArray, dx: TypedArray, p: ResolvedParams): void {
  for (let i = 0; i < x.length; i++) dx[i] = gradientProduct(df(x[i], p), dy[i]);
}

/** Forward loops written out for the ops that only compare, select, clamp or scale. */
const FAST_FORWARD: Partial<Record<OpName, Loop>> = {
  relu: (x, y) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v <= 0 ? 0 : v; }
  },
  relu6: (x, y) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v <= 0 ? 0 : v >= 6 ? 6 : v; }
  },
  leaky_relu: (x, y, p) => {
    const a = p.alpha as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > 0 ? v : a * v; }
  },
  thresholded_relu: (x, y, p) => {
    const a = p.alpha as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v <= a ? 0 : v; }
  },
  hardtanh: (x, y, p) => {
    const lo = p.min as number;
    const hi = p.max as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; const t = v < lo ? lo : v; y[i] = t > hi ? hi : t; }
  },
  hardshrink: (x, y, p) => {
    const l = p.lambda as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = Math.abs(v) <= l ? 0 : v; }
  },
  relu_squared: (x, y) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; const r = v <= 0 ? 0 : v; y[i] = r * r; }
  },
};

const FAST_GRADIENT: Partial<Record<OpName, GradLoop>> = {
  relu: (x, dy, dx) => {
    for (let i = 0; i < x.length; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : v <= 0 ? 0 : v; }
  },
  leaky_relu: (x, dy, dx, p) => {
    const a = p.alpha as number;
    for (let i = 0; i < x.length; i++) { const v = x[i]; dx[i] = v > 0 ? dy[i] : v <= 0 ? gradientProduct(a, dy[i]) : v; }
  },
};

export function forwardKernel(call: OpCall, y: TypedArray): void {
  const { op, params: p } = call;
  const x = call.inputs[0].data;
  switch (op.kind) {
    case 'unary': {
      const fast = FAST_FORWARD[op.name];
      if (fast !== undefined) fast(x, y, p);
      else mapScalar(op.f!, x, y, p);
      return;
    }
    case 'glu': {
      const f = op.f!;
      const v = call.inputs[1].data;
      for (let i = 0; i < x.length; i++) y[i] = f(x[i], p) * v[i];
      return;
    }
    case 'prelu': {
      const w = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      // Walk x in runs of `inner` elements that share one slope: no division per element.
      let i = 0;
      for (let run = 0; i < x.length; run++) {
        const slope = w[run % channels];
        const end = Math.min(i + inner, x.length);
        for (; i < end; i++) { const v = x[i]; y[i] = v > 0 ? v : slope * v; }
      }
      return;
    }
    case 'crelu': {
      const last = call.inputs[0].shape[call.inputs[0].rank - 1];
      for (let r = 0, o = 0; r < x.length; r += last, o += 2 * last) {
        for (let j = 0; j < last; j++) {
          const v = x[r + j];
          y[o + j] = v <= 0 ? 0 : v;
          y[o + last + j] = -v <= 0 ? 0 : -v;
        }
      }
      return;
    }
    case 'noisy': {
      for (let i = 0; i < x.length; i++) { const z = noisyReluInput(x[i], i, p); y[i] = z <= 0 ? 0 : z; }
      return;
    }
  }
}

const step = (v: number): number => (v > 0 ? 1 : v <= 0 ? 0 : NaN);

/** Writes the gradient of each input into `out` (same order as the op's inputs). */
export function gradientKernel(call: GradientCall, out: TypedArray[]): void {
  const { op, params: p } = call;
  const x = call.inputs[0].data;
  const dy = call.dy.data;
  const dx = out[0];
  switch (op.kind) {
    case 'unary': {
      const fast = FAST_GRADIENT[op.name];
      if (fast !== undefined) fast(x, dy, dx, p);
      else mapGradient(op.df!, x, dy, dx, p);
      return;
    }
    case 'glu': {
      const f = op.f!;
      const df = op.df!;
      const v = call.inputs[1].data;
      const dv = out[1];
      for (let i = 0; i < x.length; i++) {
        const g = x[i];
        dx[i] = gradientProduct(df(g, p), dy[i] * v[i]);
        dv[i] = gradientProduct(f(g, p), dy[i]);
      }
      return;
    }
    case 'prelu': {
      const w = call.inputs[1].data;
      const { channels, inner } = call.prelu!;
      const dwAcc = new Float64Array(w.length); // slope sums accumulate in float64
      let i = 0;
      for (let run = 0; i < x.length; run++) {
        const c = run % channels;
        const slope = w[c];
        const end = Math.min(i + inner, x.length);
        let s = 0;
        for (; i < end; i++) {
          const v = x[i];
          if (v > 0) {
            dx[i] = dy[i];
          } else {
            dx[i] = v <= 0 ? gradientProduct(slope, dy[i]) : v;
            s += gradientProduct(v, dy[i]);
          }
        }
        dwAcc[c] += s;
      }
      out[1].set(dwAcc);
      return;
    }
    case 'crelu': {
      const last = call.inputs[0].shape[call.inputs[0].rank - 1];
      for (let r = 0, o = 0; r < x.length; r += last, o += 2 * last) {
        for (let j = 0; j < last; j++) {
          const v = x[r + j];
          dx[r + j] = gradientProduct(step(v), dy[o + j]) - gradientProduct(step(-v), dy[o + last + j]);
        }
      }
      return;
    }
    case 'noisy': {
      for (let i = 0; i < x.length; i++) dx[i] = gradientProduct(step(noisyReluInput(x[i], i, p)), dy[i]);
      return;
    }
  }
}

/** Applies a unary or GLU activation to z (and zv) into h — used by the FFN. */
export function activate(opName: OpName, z: TypedArray, zv: TypedArray | undefined, h: TypedArray, p: ResolvedParams): void {
  const op = OPS[opName];
  if (op.kind === 'glu') {
    const f = op.f!;
    for (let i = 0; i < z.length; i++) h[i] = f(z[i], p) * zv![i];
    return;
  }
  const fast = FAST_FORWARD[opName];
  if (fast !== undefined) fast(z, h, p);
  else mapScalar(op.f!, z, h, p);
}

/** Backpropagates dh through the activation: dz (and dzv for GLU). */
export function activateBackward(
  opName: OpName, z: TypedArray, zv: TypedArray | undefined, dh: TypedArray, dz: TypedArray, dzv: TypedArray | undefined, p: ResolvedParams,
): void {
  const op = OPS[opName];
  if (op.kind === 'glu') {
    const f = op.f!;
    const df = op.df!;
    for (let i = 0; i < z.length; i++) {
      dz[i] = gradientProduct(df(z[i], p), dh[i] * zv![i]);
      dzv![i] = gradientProduct(f(z[i], p), dh[i]);
    }
    return;
  }
  const fast = FAST_GRADIENT[opName];
  if (fast !== undefined) fast(z, dh, dz, p);
  else mapGradient(op.df!, z, dh, dz, p);
}
