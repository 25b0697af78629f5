import { describe, expect, it } from 'vitest';
import { ErrorCode, RectifierError, Tensor, tensor, zeros } from '../src/index.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RectifierError);
    return (e as RectifierError).code;
  }
  return undefined;
}

describe('tensor()', () => {
  it('builds float32 by default from flat and nested arrays, inferring the shape', () => {
    const a = tensor([1, -2, 3]);
    expect(a.dtype).toBe('float32');
    expect(a.shape).toEqual([3]);
    const b = tensor([[1, 2, 3], [4, 5, 6]], undefined, 'float64');
    expect(b.shape).toEqual([2, 3]);
    expect(b.data).toBeInstanceOf(Float64Array);
    expect(Array.from(b.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tensor(5).shape).toEqual([]);
    expect(tensor([]).shape).toEqual([0]);
  });

  it('rounds plain numbers to float32 and keeps the dtype of typed arrays', () => {
    expect(tensor([0.1]).data[0]).toBe(Math.fround(0.1));
    expect(tensor(new Float64Array([0.1])).dtype).toBe('float64');
    expect(tensor(new Float64Array([0.1]), [1], 'float32').data[0]).toBe(Math.fround(0.1));
  });

  it('copies its input: later changes to the caller array do not leak in', () => {
    const src = new Float32Array([1, 2]);
    const t = tensor(src);
    src[0] = 99;
    expect(t.data[0]).toBe(1);
  });

  it('rejects non-integer, negative, NaN and huge dims with BAD_SHAPE / TOO_LARGE', () => {
    expect(codeOf(() => tensor([1, 2], [1.5]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => tensor([1, 2], [-2]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => tensor([1], [NaN]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => tensor([1], [Infinity]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => tensor([1], '3' as unknown as number[]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => zeros([2 ** 20, 2 ** 20]))).toBe(ErrorCode.TooLarge);
  });

  it('rejects a data length that does not match the shape with DATA_LENGTH', () => {
    const e = (() => {
      try {
        tensor([1, 2, 3], [2, 2]);
      } catch (err) {
        return err as RectifierError;
      }
      return undefined;
    })();
    expect(e?.code).toBe(ErrorCode.DataLength);
    expect(e?.message).toBe('[DATA_LENGTH] tensor: argument \'values\': expected 4 elements for shape [2, 2], got 3');
    expect(codeOf(() => new Tensor(new Float32Array(3), [4]))).toBe(ErrorCode.DataLength);
  });

  it('rejects ragged nested arrays, non-numbers and unknown dtypes', () => {
    expect(codeOf(() => tensor([[1, 2], [3]]))).toBe(ErrorCode.BadShape);
    expect(codeOf(() => tensor(['a'] as unknown as number[]))).toBe(ErrorCode.BadArgument);
    expect(codeOf(() => tensor(new Int32Array(2) as unknown as number[]))).toBe(ErrorCode.BadArgument);
    expect(codeOf(() => tensor([1], [1], 'float16' as 'float32'))).toBe(ErrorCode.UnsupportedDtype);
  });

  it('gives DISPOSED on any use of the data after dispose', () => {
    const t = tensor([1, 2]);
    t.dispose();
    t.dispose();
    expect(t.isDisposed).toBe(true);
    expect(codeOf(() => t.data)).toBe(ErrorCode.Disposed);
    expect(codeOf(() => t.toArray())).toBe(ErrorCode.Disposed);
  });

  it('clones deeply', () => {
    const t = tensor([1, 2], [2, 1]);
    const c = t.clone();
    expect(c.shape).toEqual([2, 1]);
    expect(c.data).not.toBe(t.data);
    expect(c.toArray()).toEqual([1, 2]);
  });
});

describe('isTensor', () => {
  it('accepts real tensors only: a prototype look-alike is a BAD_ARGUMENT, not a TypeError', async () => {
    const { isTensor, prepareOpCall } = await import('../src/index.js');
    const fake = Object.create(Tensor.prototype) as Tensor;
    expect(isTensor(tensor([1]))).toBe(true);
    expect(isTensor(fake)).toBe(false);
    expect(isTensor({ data: new Float32Array(1), shape: [1], dtype: 'float32' })).toBe(false);
    expect(codeOf(() => prepareOpCall('relu', fake, {}))).toBe(ErrorCode.BadArgument);
  });

  it('nonFinite: false refuses non-finite inputs, not what an output held before the call', async () => {
    const { prepareOpCall } = await import('../src/index.js');
    const limits = { dtypes: ['float32' as const], maxElements: 10, nonFinite: false };
    const out = tensor([NaN, Infinity, -Infinity]);
    expect(() => prepareOpCall('relu', tensor([1, -2, 3]), {}, limits, { out })).not.toThrow();
    const e = (() => { try { prepareOpCall('relu', tensor([1, NaN, 3]), {}, limits, { out }); } catch (err) { return err as RectifierError; } })();
    expect(e?.code).toBe(ErrorCode.UnsupportedValue);
    expect(e?.argument).toBe('x');
  });

  it('checks the output size against the limit too (crelu doubles its input)', async () => {
    const { prepareOpCall } = await import('../src/index.js');
    const limits = { dtypes: ['float32' as const], maxElements: 10, nonFinite: true };
    expect(() => prepareOpCall('crelu', tensor(new Float32Array(5)), {}, limits)).not.toThrow();
    expect(codeOf(() => prepareOpCall('crelu', tensor(new Float32Array(6)), {}, limits))).toBe(ErrorCode.TooLarge);
  });
});

describe('what plain JavaScript can do to the references and to call preparation (issue 11)', () => {
  it('the references answer empty products with huge dims at once, and refuse 2^50 row statistics', async () => {
    const { referenceActivationStats, referenceFfn, referenceMatmul } = await import('../src/index.js');
    expect(referenceMatmul(tensor([], [2 ** 40, 0], 'float64'), tensor([], [0, 0], 'float64')).shape).toEqual([2 ** 40, 0]);
    const r = referenceFfn(tensor([], [2 ** 40, 0], 'float64'), { w1: tensor([], [0, 0], 'float64'), w2: tensor([], [0, 0], 'float64') });
    expect(r.y.shape).toEqual([2 ** 40, 0]);
    expect(codeOf(() => referenceActivationStats(tensor([], [2 ** 50, 0])))).toBe(ErrorCode.TooLarge);
  });

  it('a detached buffer gives DETACHED in the references, never NaN, zeros or a TypeError', async () => {
    const { referenceForward, referenceGradient } = await import('../src/index.js');
    const x = tensor([1, -2, 3]);
    structuredClone(x.data.buffer, { transfer: [x.data.buffer as ArrayBuffer] });
    expect(codeOf(() => referenceForward('elu', x))).toBe(ErrorCode.Detached);
    expect(codeOf(() => referenceGradient('relu', tensor([1, 2, 3]), x))).toBe(ErrorCode.Detached);
    expect(codeOf(() => x.toArray())).toBe(ErrorCode.Detached);
  });

  it('a call reads its options and parameters as own properties only', async () => {
    const { prepareOpCall, prepareFfn } = await import('../src/index.js');
    const proto = Object.prototype as Record<string, unknown>;
    try {
      proto.out = tensor([9, 9]);
      proto.alpha = 5;
      proto.stats = true;
      const call = prepareOpCall('leaky_relu', tensor([1, -1]), undefined);
      expect(call.out).toBeUndefined();
      expect(call.outTarget).toBeUndefined();
      expect(call.params.alpha).toBe(0.01);
      const ffn = prepareFfn(tensor([1], [1, 1]), { w1: tensor([1], [1, 1]), w2: tensor([1], [1, 1]) }, undefined);
      expect(ffn.stats).toBe(false);
      expect(ffn.b1).toBeUndefined();
    } finally {
      delete proto.out;
      delete proto.alpha;
      delete proto.stats;
    }
  });

  it('a call sees a fresh view of exactly size elements, whatever the caller\'s array object says', async () => {
    const { prepareOpCall } = await import('../src/index.js');
    const data = new Float32Array([1, -2, 3]);
    const t = new Tensor(data, [3]);
    Object.defineProperty(data, 'length', { value: 1 }); // added after the tensor was made
    const call = prepareOpCall('relu', t, undefined);
    expect(call.inputs[0].data).not.toBe(data);
    expect(call.inputs[0].data.length).toBe(3);
    expect(call.inputs[0].data.buffer).toBe(data.buffer);
  });
});

describe('two copies of core', () => {
  it('a tensor from another copy is named as such, with both versions and how to dedupe', async () => {
    const { CORE_VERSION, prepareOpCall } = await import('../src/index.js');
    const pkg = JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(CORE_VERSION).toBe(pkg.version);
    // Another copy's Tensor.prototype carries the same global mark, with its version.
    const otherCopy = Object.create(Object.defineProperty({}, Symbol.for('@rectifier/core:Tensor'), { value: '0.0.9' })) as Tensor;
    let message = '';
    try {
      prepareOpCall('relu', otherCopy, undefined);
    } catch (e) {
      expect((e as RectifierError).code).toBe(ErrorCode.BadArgument);
      message = (e as Error).message;
    }
    expect(message).toContain('another copy of @rectifier/core (0.0.9)');
    expect(message).toContain(`this copy of @rectifier/core (${CORE_VERSION})`);
    expect(message).toContain('npm dedupe');
  });
});

describe('op names', () => {
  it('a mistyped op name gets a "did you mean"', async () => {
    const { prepareOpCall } = await import('../src/index.js');
    const message = (name: string): string => {
      try {
        prepareOpCall(name, tensor([1]), undefined);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(message('GELU')).toContain("did you mean 'gelu'?");
    expect(message('leaky-relu')).toContain("did you mean 'leaky_relu'?");
    expect(message('sigmod')).toContain("did you mean 'sigmoid'?");
    expect(message('zzzzzzzz')).not.toContain('did you mean');
  });
});
