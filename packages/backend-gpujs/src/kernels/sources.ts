/**
 * The gpu.js kernels' own sources (the JavaScript subset gpu.js transpiles): one thread per output
 * element, calling the op functions of ops.ts (f_<op>, d_<op>, g_<op>) and math.ts's helpers.
 * Kernel arguments p0..p4 are the op's five float parameters (see ops.ts).
 */

/** `d`·`g`, with d = 0 giving +0 whatever g is (0·∞ and 0·NaN included). */
const PRODUCT = (d: string, g: string): string => `if (${d} === 0.0) { return 0.0; }\n  return ${d} * ${g};`;

export const KERNEL_SOURCES = {
  unary: (fn: string) => `function (x, p0, p1, p2, p3, p4) {\n  return ${fn}(x[this.thread.x], p0, p1, p2, p3, p4);\n}`,
  // scaled: f′ leaves out a factor p0, applied after the product (relu_squared: 2·x·dy as (x·dy)·p0
  // with p0 = 2, so 2·x does not overflow where the gradient is finite; a uniform, not the constant
  // 2.0, which the GLSL compiler would reassociate back into 2·x).
  unaryGrad: (dfn: string, scaled = false) => `function (x, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  const d = ${dfn}(x[i], p0, p1, p2, p3, p4);\n  ${scaled ? 'if (d === 0.0) { return 0.0; }\n  const q = d * dy[i];\n  if (Math.abs(q) < 1.0e-30 && Math.abs(d) < 1.0e30) { return (d * p0) * dy[i]; }\n  return q * p0;' : PRODUCT('d', 'dy[i]')}\n}`,
  // An op's whole gradient element (ElementwiseOp.grad), where f′ cannot be a float32 factor.
  unaryGradElement: (gfn: string) => `function (x, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  return ${gfn}(x[i], dy[i], p0, p1, p2, p3, p4);\n}`,
  glu: (fn: string) => `function (g, val, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  return ${fn}(g[i], p0, p1, p2, p3, p4) * val[i];\n}`,
  // f′(gate)·(dy·value): where dy·value overflows but the product does not, the other orders.
  gluGate: (dfn: string) => `function (g, val, dy, p0, p1, p2, p3, p4) {
  const i = this.thread.x;
  const d = ${dfn}(g[i], p0, p1, p2, p3, p4);
  if (d === 0.0) { return 0.0; }
  const upstream = dy[i];
  const value = val[i];
  let p = d * (upstream * value);
  const big = 3.4028234663852886e38;
  if (Math.abs(p) > big && Math.abs(d) <= big && Math.abs(upstream) <= big && Math.abs(value) <= big) {
    p = (d * upstream) * value;
    if (Math.abs(p) > big) { p = (d * value) * upstream; }
  }
  return p;
}`,
  gluValue: (fn: string) => `function (g, dy, p0, p1, p2, p3, p4) {\n  const i = this.thread.x;\n  const f = ${fn}(g[i], p0, p1, p2, p3, p4);\n  ${PRODUCT('f', 'dy[i]')}\n}`,
  // prelu: w is expanded to one slope per element on the host (exact integer channel arithmetic in
  // WebGL1 floats is fragile, and the expansion costs one upload).
  prelu: `function (x, w) {
  const v = x[this.thread.x];
  if (v !== v) { return v; }
  if (v > 0.0) { return v; }
  return w[this.thread.x] * v;
}`,
  preluDx: `function (x, w, dy) {
  const i = this.thread.x;
  const v = x[i];
  if (v !== v) { return v; }
  if (v > 0.0) { return dy[i]; }
  const s = w[i];
  ${PRODUCT('s', 'dy[i]')}
}`,
  // Per-element terms of ∂/∂w (summed per channel on the host): x·dy where x ≤ 0.
  preluDwTerms: `function (x, dy) {
  const i = this.thread.x;
  const v = x[i];
  if (v !== v) { return v; }
  if (v > 0.0) { return 0.0; }
  ${PRODUCT('v', 'dy[i]')}
}`,
  // crelu: output row r is [relu(x_r), relu(−x_r)] over x's last axis.
  crelu: `function (x, lastAxis) {
  const o = this.thread.x;
  const rowWidth = lastAxis + lastAxis;
  const row = mfloordiv(o, rowWidth);
  const col = o - row * rowWidth;
  let v = 0.0;
  if (col < lastAxis) { v = x[row * lastAxis + col]; } else { v = 0.0 - x[row * lastAxis + col - lastAxis]; }
  if (v !== v) { return v; }
  if (v > 0.0) { return v; }
  return 0.0;
}`,
  // crelu′: dy of the positive half where x > 0, minus dy of the negative half where x < 0.
  creluGrad: `function (x, dy, lastAxis) {
  const o = this.thread.x;
  const row = mfloordiv(o, lastAxis);
  const col = o - row * lastAxis;
  const v = x[o];
  if (v !== v) { return v; }
  let fromPositive = 0.0;
  let fromNegative = 0.0;
  if (v > 0.0) { fromPositive = dy[row * (lastAxis + lastAxis) + col]; }
  if (v < 0.0) { fromNegative = dy[row * (lastAxis + lastAxis) + lastAxis + col]; }
  return fromPositive - fromNegative;
}`,
  // C[i,j] = Σ_p A[i*sA0 + p*sA1]·B[p*sB0 + j*sB1] (+ c[j] when cMode = 1, + c[o] when cMode = 2).
  // sparse = 1 skips zero terms of A (the FFN's sparsity-aware second product).
  matmul: `function (a, b, c, n, k, sA0, sA1, sB0, sB1, cMode, sparse) {
  const o = this.thread.x;
  const i = mfloordiv(o, n);
  const j = o - i * n;
  let s = 0.0;
  if (cMode > 1.5) { s = c[o]; } else { if (cMode > 0.5) { s = c[j]; } }
  for (let p = 0; p < k; p++) {
    const av = a[i * sA0 + p * sA1];
    if (sparse < 0.5 || av !== 0.0) { s += av * b[p * sB0 + j * sB1]; }
  }
  return s;
}`,
};
