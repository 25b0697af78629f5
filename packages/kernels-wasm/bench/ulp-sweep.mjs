// Dense ≤ 1 ulp sweep of one transcendental kernel against core's float64 reference rounded to
// float32 (as test/transcendental.test.ts compares, sign of zero and specials included), over
// every `stride`-th float32 bit pattern with |x| in [lo, hi], both signs. Prints the worst ulp and
// the count checked. Run after `pnpm run build` (this package and core):
//   node bench/ulp-sweep.mjs gelu_erf_f32 [lo=2^-30] [hi=16] [stride=1]
import { OPS, ulpDistance } from '@rectifier/core';
import { wasmKernels } from '../dist/index.js';

const REF = {
  gelu_erf_f32: [(x) => OPS.gelu.f(x, { approximate: 'none' }), 0, 0],
  gelu_tanh_f32: [(x) => OPS.gelu.f(x, { approximate: 'tanh' }), 0, 0],
  silu_f32: [(x) => OPS.silu.f(x, { beta: 1 }), 1, 0],
  sigmoid_f32: [(x) => OPS.sigmoid.f(x, {}), 0, 0],
  mish_f32: [(x) => OPS.mish.f(x, {}), 0, 0],
  softplus_f32: [(x) => OPS.softplus.f(x, { beta: 1, threshold: 20 }), 1, 20],
};
const [kernel, loArg, hiArg, strideArg] = process.argv.slice(2);
const [ref, p0, p1] = REF[kernel] ?? (() => { throw new Error(`kernel: one of ${Object.keys(REF).join(', ')}`); })();
const lo = Number(loArg ?? 2 ** -30);
const hi = Number(hiArg ?? 16);
const stride = Number(strideArg ?? 1);
const k = wasmKernels();
const f = new Float32Array(1);
const u = new Uint32Array(f.buffer);
const bitsOf = (v) => { f[0] = v; return u[0]; };
const CH = 1 << 20;
const x = new Float32Array(CH);
const xb = new Uint32Array(x.buffer);
const y = new Float32Array(CH);
const yb = new Uint32Array(y.buffer);
let worst = 0;
let worstAt = NaN;
let checked = 0;
let bad = 0;
const t0 = performance.now();
for (const sign of [0, 0x80000000]) {
  for (let b = bitsOf(lo); b <= bitsOf(hi);) {
    let len = 0;
    for (; len < CH && b <= bitsOf(hi); len++, b += stride) xb[len] = (b | sign) >>> 0;
    k.unary(kernel, x, y, 0, len, p0, p1);
    for (let i = 0; i < len; i++) {
      const r = Math.fround(ref(x[i]));
      const v = y[i];
      const d = ulpDistance(v, r, 'float32');
      f[0] = r;
      const signDiffers = r === r && v === v && (u[0] >>> 31) !== (yb[i] >>> 31);
      if (d > 1 || signDiffers || (r !== r) !== (v !== v)) { if (bad++ < 10) console.log(`x=${x[i]} got ${v} want ${r} (${d} ulp)`); }
      if (d > worst) { worst = d; worstAt = x[i]; }
    }
    checked += len;
  }
}
console.log(`${kernel}: ${checked} float32 with |x| in [${lo}, ${hi}] (every ${stride}), worst ${worst} ulp at x=${worstAt}, ${bad} failures, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
process.exit(bad === 0 ? 0 : 1);
