// The certified FFN's floor (issue 15): what its certificate costs against the dense first matmul
// it replaces. Run after `pnpm run build`:  node bench/certify-floor.mjs [T d f]
// Times, on operands already in the module's memory (no staging, no quantisation, no JS), the
// certificate's two kernels — the 14-bit × int8 pass (dot_i14_i8; in the relaxed build both its
// passes, the wide and the split one) and the bound for every (token, unit)
// (certify_bound_f64) — against gemm_f32 of the same x·W1, interleaved, median of rounds. A dense
// FFN is two such GEMMs (x·W1, then h·W2 of the same flops), so even at 100 % zeros, with every
// other cost free, the certified FFN is at most 2·gemm / (dots + bound) times as fast as the dense
// one: that bound is printed. (The certified path also quantises x, stages operands and computes
// the uncertified units one by one; those only lower it further.)
import os from 'node:os';
import { WASM_BASE64, WASM_RELAXED_BASE64 } from '../dist/generated/module.js';
import { wasmKernelsOf, wasmVariant } from '../dist/index.js';

const [T, d, f] = process.argv.slice(2, 5).map(Number).filter((v) => v > 0).length === 3 ? process.argv.slice(2, 5).map(Number) : [512, 512, 2048];
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const now = () => performance.now();
const align = (n) => (n + 4095) & ~4095;

function instance(variant) {
  const bytes = 4 * T * d + 4 * d * f + 4 * T * f + 2 * T * d + d * f + 8 * T * f + 48 * T + 40 * f + T * f + 16 * 4096 + 4 * 2 ** 20;
  const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  const module = new WebAssembly.Module(Buffer.from(variant === 'relaxed-simd' ? WASM_RELAXED_BASE64 : WASM_BASE64, 'base64'));
  return { ex: new WebAssembly.Instance(module, { env: { memory, abort() { throw new Error('abort'); } } }).exports, memory };
}

const variant = wasmVariant() ?? 'simd';
const { ex, memory } = instance(variant);
// Layout: each operand on its own page plus a distinct 64-byte residue (no 4K aliasing between them).
let at = 0;
const place = (bytes, residue) => { const p = align(at) + residue; at = p + bytes; return p; };
const A = place(4 * T * d, 320), B = place(4 * d * f, 1728), C = place(4 * T * f, 3136);
const scratch = at; at += ex.GEMM_SCRATCH_BYTES?.value ?? 0;
const X16 = place(2 * T * d, 64), W8 = place(d * f, 1088), DOT = place(8 * T * f, 2112);
const ROW = place(48 * T, 2560), COL = place(40 * f, 3584), MASK = place(T * f, 832);
if (at > memory.buffer.byteLength) memory.grow(Math.ceil((at - memory.buffer.byteLength) / 65536));
void scratch;

let seed = 7;
const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed / 2 ** 32; };
const buf = memory.buffer;
new Float32Array(buf, A, T * d).forEach((_, i, a) => { a[i] = rnd() - 0.5; });
new Float32Array(buf, B, d * f).forEach((_, i, a) => { a[i] = rnd() - 0.5; });
const levels = new Int16Array(buf, X16, T * d);
levels.forEach((_, i, a) => { a[i] = Math.round((rnd() - 0.5) * 16382); });
const pristine = levels.slice(); // the relaxed build's pass rewrites its x in place: restored before each call, untimed
new Int8Array(buf, W8, d * f).forEach((_, i, a) => { a[i] = Math.round((rnd() - 0.5) * 254); });
// Facts that make every bound evaluated in full (finite rows and columns, no bias, nothing skipped).
const rows = new Float64Array(buf, ROW, 6 * T);
for (let t = 0; t < T; t++) rows.set([1, 1, d, 1 / 8191, 1e-6, d / 2], 6 * t);
const cols = new Float64Array(buf, COL, 5 * f);
for (let j = 0; j < f; j++) cols.set([1, 0.1, d / 20, 1 / 127, 1e-4], 5 * j);

const contenders = {
  'gemm_f32 x·W1': () => ex.gemm_f32(A, B, C, T, d, f, 0),
  'dot_i14_i8 wide pass': () => ex.dot_i14_i8(X16, W8, DOT, T, d, f, 0),
  ...(variant === 'relaxed-simd' ? { 'dot_i14_i8 split pass': () => ex.dot_i14_i8(X16, W8, DOT, T, d, f, 1) } : {}),
  'certify_bound_f64 (bound per unit)': () => ex.certify_bound_f64(DOT, T, f, f, ROW, COL, 0, 0, 0, 2 ** -23, 1e-40, 1e300, 1 + 2 ** -40, MASK),
};
const times = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
for (const f0 of Object.values(contenders)) { levels.set(pristine); f0(); }
for (let r = 0; r < 15; r++) for (const [name, run] of Object.entries(contenders)) { levels.set(pristine); const t = now(); run(); times[name].push(now() - t); }
const ms = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
const gemm = ms['gemm_f32 x·W1'];
console.log(`certificate vs the dense first matmul, T=${T} d=${d} f=${f}, ${variant} build, Node ${process.versions.node}, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}:`);
for (const [name, t] of Object.entries(ms)) console.log(`  ${name.padEnd(36)} ${t.toFixed(2)} ms  (${(t / gemm).toFixed(2)}× the GEMM)`);
const pass = wasmKernelsOf(variant).integerPass(); // the pass the library takes on this machine
console.log(`  (this machine's integer pass: the ${pass} one)`);
const cert = ms[`dot_i14_i8 ${pass} pass`] + ms['certify_bound_f64 (bound per unit)'];
console.log(`  so the certified FFN is at most ${(2 * gemm / cert).toFixed(2)}× the dense FFN at 100 % zeros (2·GEMM / certificate), before any unit is computed`);
