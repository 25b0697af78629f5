import { ErrorCode, OPS, RectifierError, tensor, type OpName } from '@rectifier/core';
import { ulpDistance } from '@rectifier/conformance';
import { describe, expect, it } from 'vitest';
import { createGpujsBackend } from '../src/index.js';

const glMissing = process.env.RECTIFIER_GL_UNAVAILABLE;

describe('gpu.js backend: what only it has', () => {
  it.skipIf(glMissing !== undefined)('1,000 calls leave no GL textures behind, and dispose deletes the rest and destroys the context', async () => {
    const b = createGpujsBackend({ mode: 'gpu' });
    await b.ready();
    const gl = b.context as {
      createTexture: () => object; deleteTexture: (t: object) => void; getExtension: (name: string) => unknown;
    };
    // headless-gl frees a context through its STACKGL_destroy_context extension: count the calls.
    let contextsDestroyed = 0;
    const getExtension = gl.getExtension.bind(gl);
    gl.getExtension = (name) => {
      const ext = getExtension(name) as { destroy?: () => void } | null;
      if (name !== 'STACKGL_destroy_context' || !ext?.destroy) return ext;
      const destroy = ext.destroy.bind(ext);
      return { ...ext, destroy: () => { contextsDestroyed++; destroy(); } };
    };
    const live = new Set<object>();
    const create = gl.createTexture.bind(gl);
    const del = gl.deleteTexture.bind(gl);
    gl.createTexture = () => { const t = create(); live.add(t); return t; };
    gl.deleteTexture = (t) => { live.delete(t); del(t); };
    const x = tensor(Array.from({ length: 257 }, (_, i) => i / 50 - 2.5));
    const w = { w1: tensor(new Array(12).fill(0.5), [3, 4]), w2: tensor(new Array(8).fill(0.25), [4, 2]) };
    for (let i = 0; i < 1000; i++) {
      if (i % 4 === 3) await b.ffn(tensor([1, 2, 3, 4, 5, 6], [2, 3]), w, { activation: 'gelu' });
      else await b.forward(i % 2 ? 'gelu' : 'relu', x);
    }
    const kernels = b.compiledKernels;
    expect(kernels).toBeLessThan(20); // compiled once per op and argument signature, not per call
    await b.dispose();
    expect(live.size).toBe(0);
    expect(contextsDestroyed).toBe(1); // the one context every kernel shared is gone
  });

  it.skipIf(glMissing !== undefined)('a GL context lost mid-call: that call rejects with BACKEND_UNAVAILABLE, the next call gets a new context and the right answer', async () => {
    const b = createGpujsBackend({ mode: 'gpu' });
    await b.ready();
    const x = tensor(Array.from({ length: 513 }, (_, i) => i / 40 - 6));
    const expected = Array.from((await b.forward('gelu', x)).data);
    const expectedFfn = Array.from((await b.ffn(tensor([1, 2, 3, 4, 5, 6], [2, 3]), { w1: tensor(new Array(12).fill(0.5), [3, 4]), w2: tensor(new Array(8).fill(0.25), [4, 2]) })).y.data);
    const loseDuring = (method: 'drawArrays'): void => {
      const gl = b.context as Record<string, (...a: unknown[]) => unknown> & { getExtension: (n: string) => { destroy: () => void } };
      const original = gl[method];
      gl[method] = function (this: unknown, ...a: unknown[]) {
        const r = original.apply(gl, a);
        gl[method] = original;
        gl.getExtension('STACKGL_destroy_context').destroy(); // the context goes away mid-call
        return r;
      };
    };
    // Lost while the kernel draws: the call rejects, typed; nothing wrong is returned.
    loseDuring('drawArrays');
    await expect(b.forward('gelu', x)).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
    // The next call recovers: a new context, the same answer.
    expect(Array.from((await b.forward('gelu', x)).data)).toEqual(expected);
    expect(b.contextsRecreated).toBe(1);
    expect(b.mode).toBe('gpu');
    // Lost while an FFN chain is drawing on the device (several kernels, textures in between).
    loseDuring('drawArrays');
    const w = { w1: tensor(new Array(12).fill(0.5), [3, 4]), w2: tensor(new Array(8).fill(0.25), [4, 2]) };
    await expect(b.ffn(tensor([1, 2, 3, 4, 5, 6], [2, 3]), w)).rejects.toMatchObject({ code: ErrorCode.BackendUnavailable });
    expect(Array.from((await b.ffn(tensor([1, 2, 3, 4, 5, 6], [2, 3]), w)).y.data)).toEqual(expectedFfn);
    // Lost between calls: the next call simply runs on a new context.
    (b.context as { getExtension: (n: string) => { destroy: () => void } }).getExtension('STACKGL_destroy_context').destroy();
    const [dx] = await b.gradient('relu', x, x);
    expect(Array.from(dx.data)).toEqual(Array.from(x.data, (v) => (v > 0 ? v : 0)));
    expect(b.contextsRecreated).toBe(3);
    await b.dispose();
    await expect(b.forward('relu', x)).rejects.toMatchObject({ code: ErrorCode.Disposed });
  });

  it('a forced mode is kept (webasm without a display), and an unknown mode is a typed error', async () => {
    const display = process.env.DISPLAY;
    delete process.env.DISPLAY;
    try {
      const b = createGpujsBackend({ mode: 'webasm' });
      await b.ready();
      expect(b.mode).toBe('webasm');
      await b.dispose();
      expect(() => createGpujsBackend({ mode: 'nope' as 'gpu' })).toThrow(RectifierError);
    } finally {
      if (display !== undefined) process.env.DISPLAY = display;
    }
  });

  it('the first call, made before ready(), computes on the inputs as they were when it was made', async () => {
    // The conformance suite's snapshot tests run on a ready backend (kernels run at once); this is the
    // other path: the runtime is still being created, so the call's tensors are copied before the wait.
    const b = createGpujsBackend({ mode: 'webasm' });
    try {
      const x = tensor([-2, -0.5, 0, 1.5]);
      const w = { w1: tensor([1, -1, 0.5, 2, 0, 1], [2, 3]), w2: tensor([1, 0.5, -1], [3, 1]) };
      const fx = tensor([1, 2], [1, 2]);
      const pending = [b.forward('gelu', x), b.ffn(fx, w)] as const;
      x.data.fill(7);
      fx.data.fill(7);
      w.w1.data.fill(7);
      const [y, r] = await Promise.all(pending);
      const ref = createGpujsBackend({ mode: 'webasm' });
      await ref.ready();
      const expected = await ref.forward('gelu', tensor([-2, -0.5, 0, 1.5]));
      const expectedFfn = await ref.ffn(tensor([1, 2], [1, 2]), { w1: tensor([1, -1, 0.5, 2, 0, 1], [2, 3]), w2: w.w2 });
      await ref.dispose();
      expect(Array.from(y.data)).toEqual(Array.from(expected.data));
      expect(Array.from(r.y.data)).toEqual(Array.from(expectedFfn.y.data));
    } finally {
      await b.dispose();
    }
  });

  it('the cpu mode computes the catalogue too', async () => {
    const b = createGpujsBackend({ mode: 'cpu' });
    await b.ready();
    expect(b.mode).toBe('cpu');
    const y = await b.forward('relu', tensor([-1, 2, NaN]));
    expect(Array.from(y.data)).toEqual([0, 2, NaN]);
    await b.dispose();
    await expect(b.forward('relu', tensor([1]))).rejects.toMatchObject({ code: ErrorCode.Disposed });
  });

  // The device paths for rounded arguments (β·x, x/α, gelu-tanh's cubic), derivative zero crossings and
  // tiny results, on parameters and inputs beyond the conformance suite's: f and f′ within the declared
  // 8 ulp everywhere on a dense grid (the suite's own inputs are only a sample).
  for (const mode of ['webasm', 'gpu'] as const) {
    it.skipIf(mode === 'gpu' && glMissing !== undefined)(`${mode}: f and f′ within the declared bound on a dense grid, unusual parameters`, async () => {
      const display = process.env.DISPLAY;
      if (mode === 'webasm') delete process.env.DISPLAY;
      const b = createGpujsBackend({ mode });
      try {
        await b.ready();
        const flush = !b.capabilities.subnormals;
        const bound = b.capabilities.ulp.float32!;
        const xs = Float32Array.from({ length: 20001 }, (_, i) => -110 + 125 * (i / 20000));
        const cases: [OpName, object][] = [
          ['silu', { beta: 0.3 }], ['silu', { beta: 2.7 }], ['silu', { beta: -1.7 }], ['celu', { alpha: 0.3 }],
          ['softplus', { beta: 1.7 }], ['gelu', { approximate: 'tanh' }], ['gelu', {}], ['mish', {}],
          ['hardsigmoid', { alpha: -0.13, beta: 0.1 }], ['hardswish', {}], ['elu', { alpha: 2 }], ['tanh', {}],
        ];
        for (const [op, params] of cases) {
          const x = tensor(xs);
          const y = await b.forward(op, x, params as never);
          const [dx] = await b.gradient(op, x, tensor(new Float32Array(xs.length).fill(1)), params as never);
          const p = Object.fromEntries(OPS[op].params.map((s) => [s.name, (params as Record<string, unknown>)[s.name] ?? s.default])) as never;
          for (const [what, got, fn] of [['f', y.data, OPS[op].f!], ["f'", dx.data, OPS[op].df!]] as const) {
            for (let i = 0; i < xs.length; i++) {
              let e = Math.fround(fn(xs[i], p));
              if (flush && got[i] === 0 && Math.abs(e) < 2 ** -126) e = 0;
              const u = ulpDistance(got[i], e, 'float32');
              if (u > bound) expect.fail(`${op} ${JSON.stringify(params)} ${what}(${xs[i]}) = ${got[i]}, expected ${e} (${u} ulp)`);
            }
          }
        }
      } finally {
        await b.dispose();
        if (display !== undefined) process.env.DISPLAY = display;
      }
    });
  }
});
