/**
 * BackendBase's side of the backend contract: the ops a backend declares (`capabilities.ops`), its
 * inner-dimension limit (`capabilities.maxInner`), and the FFN and statistics it composes from
 * `matmul`, `forward` and `gradient` where a backend writes no kernel of its own. The whole
 * conformance suite on a relu + matmul backend is packages/conformance/test/minimal-backend.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  BackendBase, ErrorCode, MAX_TENSOR_ELEMENTS, RectifierError, referenceFfn, referenceFfnBackward, referenceForward, referenceGradient,
  referenceMatmul, Tensor, tensor,
  type Capabilities, type FfnResult, type FfnWeights, type GradientCall, type Kernels, type MatmulCall, type OpCall,
} from '../src/index.js';

const BASE: Capabilities = {
  dtypes: ['float32', 'float64'], sync: true, ulp: { float32: 0, float64: 0 }, accumulation: 'float64',
  signedZeros: true, nonFinite: true, subnormals: true, maxElements: MAX_TENSOR_ELEMENTS,
};

/** A tensor of the call's dtype from a float64 reference result. */
const inDtype = (t: Tensor, like: Tensor): Tensor => new Tensor(like.dtype === 'float32' ? Float32Array.from(t.data) : t.data, t.shape);

/** Kernels that answer with core's references (asynchronously when `async`), counting their calls. */
function referenceKernels(async: boolean): Kernels & { calls: string[] } {
  const calls: string[] = [];
  const answer = <T>(what: string, v: T): T | Promise<T> => (calls.push(what), async ? Promise.resolve(v) : v);
  return {
    calls,
    forward: (c: OpCall) => answer('forward', inDtype(referenceForward(c.op.name, c.inputs, c.params), c.inputs[0])),
    gradient: (c: GradientCall) => answer('gradient', referenceGradient(c.op.name, c.inputs, c.dy, c.params).map((g, i) => inDtype(g, c.inputs[i]))),
    matmul: (c: MatmulCall) => answer('matmul', inDtype(referenceMatmul(c.a, c.b, { transposeA: c.transposeA, transposeB: c.transposeB }), c.a)),
  };
}

class TestBackend extends BackendBase {
  readonly name = 'test';
  constructor(readonly capabilities: Capabilities, protected readonly kernels: Kernels = referenceKernels(false)) {
    super();
  }
}

async function codeOf(call: () => unknown): Promise<RectifierError> {
  try {
    await call();
  } catch (e) {
    expect(e).toBeInstanceOf(RectifierError);
    return e as RectifierError;
  }
  throw new Error('expected a RectifierError, but the call succeeded');
}

const x = tensor([-1, 2, -0.5, 3], [2, 2]);
const weights: FfnWeights = { w1: tensor([1, -2, 0.5, 1, 3, -1], [2, 3]), b1: tensor([0.1, -0.2, 0.3]), w2: tensor([1, 0, -1, 2, 0.5, 1], [3, 2]), b2: tensor([0, 1]) };
const dy = tensor([1, -1, 0.5, 2], [2, 2]);

describe('capabilities.ops: the ops a backend offers', () => {
  const relu = new TestBackend({ ...BASE, ops: ['relu'] });

  it('refuses an undeclared op with UNSUPPORTED_OP naming the backend, the op and the ops offered, before reading the inputs', async () => {
    const e = await codeOf(() => relu.forward('gelu', 'not a tensor' as never));
    expect(e.code).toBe(ErrorCode.UnsupportedOp);
    expect(e.op).toBe('gelu');
    expect(e.message).toContain('the test backend does not offer gelu');
    expect(e.message).toContain('capabilities.ops: relu');
    expect((await codeOf(() => relu.forward('swish', x))).message).toContain('does not offer silu'); // an alias: its op
    expect((await codeOf(() => relu.gradient('leaky_relu', x, x))).code).toBe(ErrorCode.UnsupportedOp);
    expect((await codeOf(() => relu.sync.forward('gelu', x))).code).toBe(ErrorCode.UnsupportedOp);
    expect((await codeOf(() => relu.sync.gradient('gelu', x, x))).code).toBe(ErrorCode.UnsupportedOp);
  });

  it('refuses an FFN whose activation is undeclared, and computes one whose activation is', async () => {
    for (const call of [() => relu.ffn(x, weights, { activation: 'gelu' }), () => relu.ffnBackward(x, weights, dy, { activation: 'gelu' })]) {
      const e = await codeOf(call);
      expect(e.code).toBe(ErrorCode.UnsupportedOp);
      expect(e.argument).toBe('activation');
    }
    const y = (await relu.ffn(x, weights)).y.data;
    referenceFfn(x, weights).y.data.forEach((v, i) => expect(y[i]).toBeCloseTo(v, 5)); // float32 intermediates
  });

  it('leaves an unknown name to validation (UNKNOWN_OP), and offers matmul and statistics always', async () => {
    expect((await codeOf(() => relu.forward('nope' as never, x))).code).toBe(ErrorCode.UnknownOp);
    expect((await relu.matmul(x, x)).shape).toEqual([2, 2]);
    expect((await relu.activationStats(tensor([0, 1, 0, 0], [2, 2]))).deadUnits).toEqual([0]);
  });

  it('offers every op when absent', async () => {
    const all = new TestBackend(BASE);
    expect((await all.forward('gelu', x)).shape).toEqual([2, 2]);
  });

  for (const [label, caps, argument] of [
    ['an unknown op name', { ...BASE, ops: ['relu', 'rleu'] }, 'ops'],
    ['an alias (ops are canonical names)', { ...BASE, ops: ['swish'] }, 'ops'],
    ['an op twice', { ...BASE, ops: ['relu', 'relu'] }, 'ops'],
    ['ops not an array', { ...BASE, ops: 'relu' }, 'ops'],
    ['maxInner 0', { ...BASE, maxInner: 0 }, 'maxInner'],
    ['maxInner not an integer', { ...BASE, maxInner: 2.5 }, 'maxInner'],
  ] as const) {
    it(`a malformed declaration (${label}) gives BAD_ARGUMENT from ready() and from every call`, async () => {
      const bad = new TestBackend(caps as unknown as Capabilities);
      for (const call of [() => bad.ready(), () => bad.forward('relu', x), () => bad.matmul(x, x), () => bad.ffn(x, weights), () => bad.activationStats(x)]) {
        const e = await codeOf(call);
        expect(e.code).toBe(ErrorCode.BadArgument);
        expect(e.op).toBe('capabilities');
        expect(e.argument).toBe(argument);
        expect(e.message).toContain("the test backend's declaration");
      }
    });
  }
});

describe("forward's precision option and capabilities.fastPrecision", () => {
  /** Reference kernels that also record the precision each forward call reached them with. */
  function recording(): { kernels: Kernels; seen: string[] } {
    const inner = referenceKernels(false);
    const seen: string[] = [];
    return { seen, kernels: { ...inner, forward: (c: OpCall) => (seen.push(`${c.op.name}/${c.dtype}/${c.precision}`), inner.forward(c)) } };
  }

  it("hands a kernel 'fast' only for a float32 call of a declared op; 'exact' for the rest and by default", async () => {
    const { kernels, seen } = recording();
    const b = new TestBackend({ ...BASE, fastPrecision: { sigmoid: { ulp: 4 } } }, kernels);
    const x32 = tensor([0.5, -1], [2], 'float32');
    await b.forward('sigmoid', x32, undefined, { precision: 'fast' });
    await b.forward('sigmoid', x32, undefined, { precision: 'exact' });
    await b.forward('sigmoid', x32);
    await b.forward('sigmoid', tensor([0.5, -1], [2], 'float64'), undefined, { precision: 'fast' });
    await b.forward('gelu', x32, undefined, { precision: 'fast' });
    await b.gradient('sigmoid', x32, x32);
    expect(seen).toEqual(['sigmoid/float32/fast', 'sigmoid/float32/exact', 'sigmoid/float32/exact', 'sigmoid/float64/exact', 'gelu/float32/exact']);
  });

  it('refuses any other precision with BAD_ARGUMENT naming the option, and reads only its own property', async () => {
    const b = new TestBackend(BASE);
    for (const bad of ['Fast', 'low', 1, null, true]) {
      const e = await codeOf(() => b.forward('relu', x, undefined, { precision: bad as never }));
      expect(e.code).toBe(ErrorCode.BadArgument);
      expect(e.argument).toBe('precision');
    }
    const inherited = Object.create({ precision: 'bogus' }) as object;
    await expect(b.forward('relu', x, undefined, inherited)).resolves.toBeInstanceOf(Tensor);
  });

  it('refuses a declaration naming an op it does not offer, or a bound that is not a finite number ≥ 0', async () => {
    for (const fastPrecision of [{ gelu: { ulp: 4 } }, { nope: { ulp: 4 } }, { relu: { ulp: -1 } }, { relu: { ulp: NaN } }, { relu: {} }]) {
      const b = new TestBackend({ ...BASE, ops: ['relu'], fastPrecision } as never);
      const e = await codeOf(() => b.ready());
      expect(e.code).toBe(ErrorCode.BadArgument);
      expect(String(e.argument)).toMatch(/^fastPrecision/);
    }
  });
});

describe('capabilities.maxInner: the longest sum a product runs', () => {
  const limited = new TestBackend({ ...BASE, maxInner: 3 });
  const ones = (shape: number[]): Tensor => tensor(new Array(shape.reduce((a, b) => a * b, 1)).fill(1), shape);

  it('refuses a matmul, batched or not, whose k is over it with TOO_LARGE naming k; computes up to it and any empty product', async () => {
    for (const [a, b] of [[ones([2, 4]), ones([4, 2])], [ones([3, 2, 4]), ones([4, 2])], [ones([4, 2]), ones([4, 2])]] as const) {
      const opts = a.rank === 2 && a.shape[0] === 4 ? { transposeA: true } : {};
      const e = await codeOf(() => limited.matmul(a, b, opts));
      expect(e.code).toBe(ErrorCode.TooLarge);
      expect(e.argument).toBe('k');
      expect(e.message).toContain('at most 3');
    }
    expect(Array.from((await limited.matmul(ones([1, 3]), ones([3, 1]))).data)).toEqual([3]);
    expect((await limited.matmul(ones([0, 9]), ones([9, 2]))).shape).toEqual([0, 2]);
  });

  it('refuses an FFN over it in d or f, and an FFN backward in T, d, f or dOut', async () => {
    const w = (d: number, f: number, dOut: number): FfnWeights => ({ w1: ones([d, f]), w2: ones([f, dOut]) });
    expect((await codeOf(() => limited.ffn(ones([2, 4]), w(4, 2, 2)))).argument).toBe('d');
    expect((await codeOf(() => limited.ffn(ones([2, 2]), w(2, 4, 2)))).argument).toBe('f');
    expect((await limited.ffn(ones([9, 2]), w(2, 3, 9))).y.shape).toEqual([9, 9]); // T and dOut are not summed over forward
    expect((await codeOf(() => limited.ffnBackward(ones([4, 2]), w(2, 2, 2), ones([4, 2])))).argument).toBe('T');
    expect((await codeOf(() => limited.ffnBackward(ones([2, 2]), w(2, 2, 4), ones([2, 4])))).argument).toBe('dOut');
  });
});

describe('the FFN and statistics composed from matmul, forward and gradient', () => {
  const glu: FfnWeights = { ...weights, v: tensor([0.5, 1, -1, 2, 0, 1], [2, 3]), bv: tensor([0, 0.5, -0.5]) };
  const cases = [['relu', weights], ['gelu', weights], ['swiglu', glu]] as const;

  for (const [activation, w] of cases) {
    it(`${activation}: the float64 reference's values (float64 kernels), with hidden and statistics`, async () => {
      const b = new TestBackend(BASE);
      const x64 = tensor(x.data, x.shape, 'float64');
      const w64 = Object.fromEntries(Object.entries(w).map(([k, t]) => [k, tensor((t as Tensor).data, (t as Tensor).shape, 'float64')])) as unknown as FfnWeights;
      const dy64 = tensor(dy.data, dy.shape, 'float64');
      const opts = { activation, returnHidden: true, stats: true };
      const r = await b.ffn(x64, w64, opts);
      const ref = referenceFfn(x64, w64, opts);
      for (const key of ['y', 'hidden'] as const) {
        Array.from(r[key]!.data).forEach((v, i) => expect(v).toBeCloseTo(ref[key]!.data[i], 12));
      }
      expect(r.stats).toEqual(ref.stats);
      const g = await b.ffnBackward(x64, w64, dy64, { activation });
      const refs = referenceFfnBackward(x64, w64, dy64, { activation });
      expect(Object.keys(g).sort()).toEqual(Object.keys(refs).sort());
      for (const [key, t] of Object.entries(refs)) {
        Array.from((g as unknown as Record<string, Tensor>)[key].data).forEach((v, i) => expect(v, key).toBeCloseTo(t.data[i], 12));
      }
    });
  }

  it('gives the same bits with asynchronous kernels, and reads each input as it was when the call was made', async () => {
    const sync = new TestBackend(BASE, referenceKernels(false));
    const async = new TestBackend({ ...BASE, sync: false }, referenceKernels(true));
    const bits = (r: FfnResult): number[] => [...r.y.data, ...r.hidden!.data];
    const expected = bits(sync.sync.ffn(x, glu, { activation: 'swiglu', returnHidden: true }));
    const expectedGrads = Object.values(sync.sync.ffnBackward(x, glu, dy, { activation: 'swiglu' })).map((t) => Array.from(t.data));
    const own = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).map(([k, t]) => [k, tensor((t as Tensor).data, (t as Tensor).shape)])) as T;
    const [xc, wc, dyc] = [tensor(x.data, x.shape), own(glu), tensor(dy.data, dy.shape)];
    const pending = async.ffn(xc, wc, { activation: 'swiglu', returnHidden: true });
    const pendingGrads = async.ffnBackward(xc, wc, dyc, { activation: 'swiglu' });
    for (const t of [xc, dyc, ...Object.values(wc)]) (t.data as Float32Array).fill(NaN); // overwritten before the kernels answer
    expect(bits(await pending)).toEqual(expected);
    expect(Object.values(await pendingGrads).map((t) => Array.from(t.data))).toEqual(expectedGrads);
  });

  it("uses the backend's own kernels where it has them", async () => {
    const kernels = { ...referenceKernels(false), ffn: () => ({ y: tensor([7], [1, 1]) }), activationStats: () => ({ rows: -1 }) as never };
    const own = new TestBackend(BASE, kernels);
    expect(Array.from((await own.ffn(x, weights)).y.data)).toEqual([7]);
    expect((await own.activationStats(x)).rows).toBe(-1);
    expect(kernels.calls).toEqual([]);
  });
});
