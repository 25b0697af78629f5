/**
 * A result depends only on the inputs as they were when the call was made: each operation is
 * called, every input it was given (tensors' data, weights, dy, the params and options objects) is
 * overwritten at once, before the returned Promise is awaited, and the result must equal, bit for
 * bit, the one computed from the original values.
 */
import { Tensor, tensor, type Backend, type FfnOptions, type FfnWeights, type OpName } from '@rectifier/core';
import { expect, it } from 'vitest';
import { checksum } from './compare.js';
import { offers, requiring } from './declared-ops.js';
import { normals } from './inputs.js';

/** Every tensor's data overwritten and every field of the plain objects changed. */
function scramble(tensors: readonly Tensor[], objects: readonly Record<string, unknown>[] = []): void {
  for (const t of tensors) t.data.fill(-3.25);
  for (const o of objects) {
    for (const k of Object.keys(o)) {
      const v = o[k];
      if (typeof v === 'number') o[k] = v + 0.75;
      else if (typeof v === 'string') o[k] = 'relu';
      else if (typeof v === 'boolean') o[k] = !v;
      else if (v instanceof Tensor) o[k] = new Tensor(new Float32Array(v.size).fill(1.5), v.shape); // a weight swapped
      else if (v !== null && typeof v === 'object') scramble([], [v as Record<string, unknown>]);
    }
  }
}

/** Bits of a result (NaN payloads as the one canonical NaN); statistics as JSON. */
const bits = (v: unknown): unknown => {
  if (v === undefined) return undefined;
  if (typeof v === 'object' && v !== null && 'data' in v && 'shape' in v) {
    const t = v as Tensor;
    return `${t.shape.join('x')}:${checksum(t.data)}`;
  }
  if (Array.isArray(v)) return v.map(bits);
  if (v instanceof Float64Array) return Array.from(v);
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, bits(x)]));
  return v;
};

interface Case {
  name: string;
  /** The ops it calls (where the backend does not declare one, the case asks its UNSUPPORTED_OP). */
  ops?: OpName[];
  /** Makes the call on fresh inputs; returns the pending result and the inputs to overwrite. */
  run: (b: Backend) => { pending: Promise<unknown>; tensors: Tensor[]; objects?: Record<string, unknown>[] };
}

const vec = (n: number, seed: number): Tensor => tensor(normals(n, seed, 2));
const mat = (r: number, c: number, seed: number): Tensor => tensor(normals(r * c, seed), [r, c]);
const ffnWeights = (glu = true): FfnWeights => ({ w1: mat(6, 8, 82), b1: vec(8, 83), w2: mat(8, 3, 84), b2: vec(3, 85), ...(glu ? { v: mat(6, 8, 86), bv: vec(8, 87) } : {}) });
/** The FFN cases' activation: swiglu (every weight), or relu where the backend does not declare swiglu. */
const ffnCase = (b: Backend, extra: FfnOptions): { w: FfnWeights; o: FfnOptions } => (offers(b, 'swiglu')
  ? { w: ffnWeights(), o: { activation: 'swiglu', activationParams: { beta: 1.25 }, ...extra } }
  : { w: ffnWeights(false), o: { activation: 'relu', ...extra } });
const weightTensors = (w: FfnWeights): Tensor[] => Object.values(w).filter((t): t is Tensor => t !== undefined);

const CASES: Case[] = [
  { name: 'forward (leaky_relu, alpha)', ops: ['leaky_relu'], run: (b) => { const x = vec(300, 80); const p = { alpha: 0.2 }; return { pending: b.forward('leaky_relu', x, p), tensors: [x], objects: [p] }; } },
  { name: 'forward (swiglu: gate and value, beta)', ops: ['swiglu'], run: (b) => { const g = vec(300, 80); const v = vec(300, 81); const p = { beta: 1.5 }; return { pending: b.forward('swiglu', [g, v], p), tensors: [g, v], objects: [p] }; } },
  { name: 'forward (prelu: x and weight)', ops: ['prelu'], run: (b) => { const x = mat(30, 10, 80); const w = vec(10, 81); const p = { axis: 1 }; return { pending: b.forward('prelu', [x, w], p), tensors: [x, w], objects: [p] }; } },
  { name: 'gradient (gelu: x and dy)', ops: ['gelu'], run: (b) => { const x = vec(300, 80); const dy = vec(300, 81); const p = { approximate: 'tanh' as const }; return { pending: b.gradient('gelu', x, dy, p), tensors: [x, dy], objects: [p] }; } },
  { name: 'gradient (swiglu: gate, value and dy)', ops: ['swiglu'], run: (b) => { const g = vec(300, 80); const v = vec(300, 81); const dy = vec(300, 82); const p = { beta: 0.5 }; return { pending: b.gradient('swiglu', [g, v], dy, p), tensors: [g, v, dy], objects: [p] }; } },
  { name: 'gradient (prelu: x, weight and dy)', ops: ['prelu'], run: (b) => { const x = mat(30, 10, 80); const w = vec(10, 81); const dy = mat(30, 10, 82); return { pending: b.gradient('prelu', [x, w], dy), tensors: [x, w, dy] }; } },
  { name: 'matmul (a, b, options)', run: (b) => { const a = mat(20, 30, 80); const c = mat(40, 30, 81); const o = { transposeB: true }; return { pending: b.matmul(a, c, o), tensors: [a, c], objects: [o] }; } },
  {
    name: 'ffn (x, every weight, options)',
    run: (b) => {
      const x = mat(5, 6, 88);
      const { w, o } = ffnCase(b, { returnHidden: true, stats: true });
      return { pending: b.ffn(x, w, o), tensors: [x, ...weightTensors(w)], objects: [o as Record<string, unknown>, w as unknown as Record<string, unknown>] };
    },
  },
  {
    name: 'ffnBackward (x, every weight, dy, options)',
    run: (b) => {
      const x = mat(5, 6, 88);
      const { w, o } = ffnCase(b, {});
      const dy = mat(5, 3, 89);
      return { pending: b.ffnBackward(x, w, dy, o), tensors: [x, dy, ...weightTensors(w)], objects: [o as Record<string, unknown>] };
    },
  },
  { name: 'activationStats (hidden)', run: (b) => { const h = tensor(normals(12 * 9, 90).map((v) => (v < 0.3 ? 0 : v)), [12, 9]); return { pending: b.activationStats(h), tensors: [h] }; } },
];

export function inputSnapshotSuite(b: () => Backend): void {
  for (const c of CASES) {
    it(`${c.name}: inputs overwritten right after the call do not change the result`, requiring(b, c.ops ?? [], async () => {
      const expected = bits(await c.run(b()).pending);
      const { pending, tensors, objects } = c.run(b());
      scramble(tensors, objects);
      expect(bits(await pending)).toEqual(expected);
    }));
  }
}
