import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  defaultRegistry, ErrorCode, getBackend, OP_NAMES, OPS, RectifierError, referenceForward, tensor,
  type DType, type FfnWeights, type OpName, type Tensor,
} from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import type { Piscina } from 'piscina';
import { afterAll, describe, expect, it } from 'vitest';
import { WorkersBackend } from '../src/backend.js';
import { workerFilename } from '../src/pool.js';
import { SharedInputs, StagingBuffers } from '../src/staging.js';
import {
  createWorkersBackend, DEFAULT_MIN_SAVING_NS, elementwiseNs, multiplyAddNs, poolSavingNs, registerWorkersBackend,
} from '../src/index.js';

const cpu = createCpuBackend();
const backends: WorkersBackend[] = [];
/** A backend disposed after the file (every test that makes one registers it here). */
function make(options: ConstructorParameters<typeof WorkersBackend>[0] = {}): WorkersBackend {
  const b = new WorkersBackend(options);
  backends.push(b);
  return b;
}
afterAll(async () => {
  await Promise.all(backends.map((b) => b.dispose()));
  await cpu.dispose();
});

/** Deterministic values in [−8, 8) with zeros, ±0, NaN and ±∞ sprinkled in. */
function values(n: number, seed: number): number[] {
  let s = seed >>> 0 || 1;
  return Array.from({ length: n }, (_, i) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    if (i % 997 === 5) return [0, -0, NaN, Infinity, -Infinity][i % 5];
    return (s / 2 ** 32) * 16 - 8;
  });
}
/** Equal within a relative tolerance (NaN equals NaN, ∞ equals ∞). */
function expectClose(got: number, want: number, rel: number): void {
  if (Number.isNaN(want) || !Number.isFinite(want)) expect(got).toBe(want);
  else expect(Math.abs(got - want)).toBeLessThanOrEqual(rel * Math.abs(want) + 1e-300);
}
/**
 * The values exactly, as text: the same string means the same floats, −0 told from +0. NaNs all
 * print alike: their payload and sign bits are not values (and V8 does not keep them stable).
 */
const bits = (t: Tensor): string => Array.from(t.data, (v) => (Object.is(v, -0) ? '-0' : String(v))).join(',');
const poolOf = (b: WorkersBackend): Piscina => (b as unknown as { pool: Piscina }).pool;

async function expectCode(p: Promise<unknown>, code: string): Promise<RectifierError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  expect(e, `expected a RectifierError ${code}`).toBeInstanceOf(RectifierError);
  expect((e as RectifierError).code).toBe(code);
  return e as RectifierError;
}

/** Inputs of an op on n elements (PReLU: one slope per channel of a [4, 3, n/12] x). */
function opInputs(op: OpName, n: number, dtype: DType, seed: number): Tensor[] {
  const kind = OPS[op].kind;
  if (kind === 'prelu') return [tensor(values(n, seed), [4, 3, n / 12], dtype), tensor([0.25, -0.5, 2], [3], dtype)];
  if (kind === 'crelu') return [tensor(values(n, seed), [n / 12, 12], dtype)];
  const x = tensor(values(n, seed), [n], dtype);
  return kind === 'glu' ? [x, tensor(values(n, seed + 1), [n], dtype)] : [x];
}

describe('workers backend: same bits as the CPU backend, split across threads', () => {
  // 3 threads and a size that is no multiple of 3, 16 or 12·16: chunk edges fall mid-channel and mid-row.
  const workers = make({ threads: 3, minSavingNs: 0 });
  const n = 12 * 4001;

  for (const dtype of ['float64', 'float32'] as const) {
    it(`every op's forward and gradient, ${dtype} (PReLU's slope gradient within summation rounding)`, async () => {
      for (const [i, op] of OP_NAMES.entries()) {
        const inputs = opInputs(op, n, dtype, i + 1);
        const y = await workers.forward(op, inputs);
        expect(y.data.buffer).toBeInstanceOf(SharedArrayBuffer);
        expect(bits(y), `${op} forward`).toBe(bits(await cpu.forward(op, inputs)));
        const dy = tensor(values(y.size, i + 50), y.shape, dtype);
        const grads = await workers.gradient(op, inputs, dy);
        const expected = await cpu.gradient(op, inputs, dy);
        for (const [j, g] of grads.entries()) {
          if (OPS[op].kind === 'prelu' && j === 1) {
            for (let c = 0; c < g.size; c++) expectClose(g.data[c], expected[1].data[c], dtype === 'float64' ? 1e-12 : 1e-6);
          } else {
            expect(bits(g), `${op} gradient ${j}`).toBe(bits(expected[j]));
          }
        }
      }
    });
  }

  it("PReLU's slope gradient does not depend on the split beyond float rounding (and is exact with one slope per element)", async () => {
    const finite = (v: number): number => (Number.isFinite(v) ? v : 1);
    const x = tensor(values(3 * 50_000, 7).map(finite), [3, 50_000], 'float64');
    const dy = tensor(values(3 * 50_000, 8).map(finite), [3, 50_000], 'float64');
    const scalar = tensor([0.1], [1], 'float64');
    const perChannel = tensor([0.1, 0.2, 0.3], [3], 'float64');
    const perElement = tensor(values(3 * 50_000, 9), [3, 50_000], 'float64');
    const [, cpuScalar] = await cpu.gradient('prelu', [x, scalar], dy);
    const [, cpuChannel] = await cpu.gradient('prelu', [x, perChannel], dy, { axis: 0 });
    const [, cpuElement] = await cpu.gradient('prelu', [x, perElement], dy);
    for (const threads of [1, 2, 5]) {
      const b = make({ threads, minSavingNs: 0 });
      const [, s] = await b.gradient('prelu', [x, scalar], dy);
      const [, c] = await b.gradient('prelu', [x, perChannel], dy, { axis: 0 });
      const [, e] = await b.gradient('prelu', [x, perElement], dy);
      expect(Number.isFinite(s.data[0])).toBe(true); // the values() specials would make it NaN: they are masked below
      expectClose(s.data[0], cpuScalar.data[0], 1e-12);
      for (let k = 0; k < 3; k++) expectClose(c.data[k], cpuChannel.data[k], 1e-12);
      expect(bits(e)).toBe(bits(cpuElement));
      await b.dispose();
    }
  });

  for (const dtype of ['float64', 'float32'] as const) {
    it(`matmul (every transpose), FFN forward and backward (every activation family), ${dtype}: the CPU's bits`, async () => {
      const [m, k, n2] = [37, 29, 23];
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const a = tensor(values(m * k, 3), transposeA ? [k, m] : [m, k], dtype);
          const b = tensor(values(k * n2, 4), transposeB ? [n2, k] : [k, n2], dtype);
          const opts = { transposeA, transposeB };
          expect(bits(await workers.matmul(a, b, opts))).toBe(bits(await cpu.matmul(a, b, opts)));
        }
      }
      const [T, d, f, dOut] = [19, 7, 11, 5];
      const scaled = (count: number, seed: number, shape: number[]): Tensor => tensor(values(count, seed).map((v) => (Number.isFinite(v) ? v / 8 : 0.5)), shape, dtype);
      for (const activation of ['relu', 'gelu', 'swiglu']) {
        const glu = OPS[activation as OpName].kind === 'glu';
        const w: FfnWeights = {
          w1: scaled(d * f, 11, [d, f]), b1: scaled(f, 12, [f]), w2: scaled(f * dOut, 13, [f, dOut]), b2: scaled(dOut, 14, [dOut]),
          ...(glu ? { v: scaled(d * f, 15, [d, f]), bv: scaled(f, 16, [f]) } : {}),
        };
        const x = scaled(T * d, 17, [T, d]);
        const options = { activation, returnHidden: true, stats: true };
        const got = await workers.ffn(x, w, options);
        const want = await cpu.ffn(x, w, options);
        expect(bits(got.y)).toBe(bits(want.y));
        expect(bits(got.hidden!)).toBe(bits(want.hidden!));
        expect(got.stats).toEqual(want.stats);
        const sparse = await workers.ffn(x, w, { activation, sparse: true });
        expect(bits(sparse.y)).toBe(bits((await cpu.ffn(x, w, { activation, sparse: true })).y));
        const dy = scaled(T * dOut, 18, [T, dOut]);
        const grads = await workers.ffnBackward(x, w, dy, { activation });
        const wantGrads = await cpu.ffnBackward(x, w, dy, { activation });
        expect(Object.keys(grads).sort()).toEqual(Object.keys(wantGrads).sort());
        for (const key of Object.keys(wantGrads) as (keyof typeof wantGrads)[]) {
          expect(bits(grads[key]!), `${activation} ${key}`).toBe(bits(wantGrads[key]!));
        }
      }
    });
  }
});

describe('shared memory', () => {
  it('copies a caller array into shared memory once per call, and uses a shared one as it is', () => {
    const staging = new StagingBuffers(1024);
    const shared = new SharedInputs(staging);
    const plain = new Float32Array([1, 2, 3]);
    const copy = shared.of(plain);
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(copy).toBeInstanceOf(Float32Array);
    expect(Array.from(copy)).toEqual([1, 2, 3]);
    expect(shared.of(plain)).toBe(copy); // the same tensor twice in one call: one copy
    const alreadyShared = new Float64Array(new SharedArrayBuffer(24));
    expect(shared.of(alreadyShared)).toBe(alreadyShared);
    shared.release(); // the copy's buffer waits for the next call; the caller's shared one is not ours
    expect(staging.freeBytes).toBe(12);
    const next = new SharedInputs(staging);
    const reused = next.of(new Float32Array([4, 5])); // 8 bytes: the 12-byte buffer serves
    expect(reused.buffer).toBe(copy.buffer);
    expect(Array.from(reused)).toEqual([4, 5]);
    expect(next.of(new Float64Array([6, 7])).buffer).not.toBe(copy.buffer); // 16 bytes: a new one
    expect(staging.freeBytes).toBe(0);
    next.release();
    expect(staging.freeBytes).toBe(28);
    staging.give(new SharedArrayBuffer(2048)); // over the cap: dropped, not kept
    expect(staging.freeBytes).toBe(28);
  });

  it('returns outputs over SharedArrayBuffers that feed the next call without a copy, and mutates no input', async () => {
    const workers = make({ threads: 2, minSavingNs: 0 });
    const xs = values(10_000, 21);
    const x = tensor(xs, [10_000], 'float64');
    const y = await workers.forward('silu', x);
    expect(y.data.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(Array.from(x.data)).toEqual(Array.from(Float64Array.from(xs)));
    const z = await workers.forward('relu', y);
    expect(bits(z)).toBe(bits(await cpu.forward('relu', await cpu.forward('silu', x))));
    expect(bits(y)).toBe(bits(await cpu.forward('silu', x))); // y, now an input, unchanged
  });
});

describe('the small-input threshold', () => {
  it('runs calls the cost model expects the pool to speed up by less than minSavingNs on the calling thread, larger ones in the pool', async () => {
    // In this pool every chunk of softsign throws: a call that reaches the pool fails, one the
    // model keeps on the calling thread never does. The saving grows with the size: set the bar
    // at 1,000 float32 elements' worth (each moves one input and one output element).
    const bar = poolSavingNs(elementwiseNs('softsign', 'float32', 'forward', 1000), 2000, 2);
    expect(bar).toBeGreaterThan(0);
    const faulty = make({ threads: 2, minSavingNs: bar, workerFile: new URL('./fixtures/faulty-worker.cjs', import.meta.url) });
    const small = tensor(values(999, 1));
    expect(bits(await faulty.forward('softsign', small))).toBe(bits(await cpu.forward('softsign', small)));
    await expectCode(faulty.forward('softsign', tensor(values(1000, 1))), ErrorCode.WorkerFailure);
  });

  it('the cost model: relu never gains at any size; float64 gelu and the 512-token FFN do; a small matmul and one thread do not', () => {
    // relu's WebAssembly kernel is about as fast as the copies the pool needs: it never gains.
    expect(poolSavingNs(elementwiseNs('relu', 'float32', 'forward', 2 ** 24), 2 ** 25, 2)).toBeLessThan(0);
    expect(poolSavingNs(elementwiseNs('gelu', 'float64', 'forward', 2 ** 20), 2 ** 21, 2)).toBeGreaterThan(DEFAULT_MIN_SAVING_NS);
    // The benchmark's FFN at 512 tokens (512 → 2048 → 512, float32): 2^30 multiply-adds against
    // 2^21 weights and the activations moved.
    const staged = 2 * 512 * 2048 + 512 * (512 + 2048 + 512);
    expect(poolSavingNs(multiplyAddNs('float32', 512 * 2048 * 1024), staged, 2)).toBeGreaterThan(DEFAULT_MIN_SAVING_NS);
    expect(poolSavingNs(multiplyAddNs('float32', 128 ** 3), 3 * 128 ** 2, 2)).toBeLessThan(DEFAULT_MIN_SAVING_NS);
    // One thread can only lose.
    expect(poolSavingNs(elementwiseNs('gelu', 'float64', 'forward', 2 ** 20), 2 ** 21, 1)).toBeLessThan(0);
  });

  it('with the default model, a large float32 relu stays on the calling thread and a large float64 gelu goes to the pool', async () => {
    // Where a call ran shows in its output: the pool writes into a new SharedArrayBuffer.
    const b = make({ threads: 2 });
    const inPool = (t: Tensor): boolean => t.data.buffer instanceof SharedArrayBuffer;
    expect(inPool(await b.forward('relu', tensor(values(1 << 22, 3))))).toBe(false);
    expect(inPool(await b.forward('gelu', tensor(values(1 << 20, 3), [1 << 20], 'float64')))).toBe(true);
    expect(inPool(await b.forward('gelu', tensor(values(1 << 10, 3), [1 << 10], 'float64')))).toBe(false);
  });

  it('defaults to the model\'s minimum saving and the available cores', async () => {
    const b = make();
    expect(b.minSavingNs).toBe(DEFAULT_MIN_SAVING_NS);
    expect(b.threads).toBeGreaterThanOrEqual(1);
    await b.ready();
    expect(poolOf(b).threads.length).toBe(b.threads);
  });

  it('ready() rejects with BACKEND_UNAVAILABLE when the threads cannot load the kernels', async () => {
    const broken = make({ threads: 1, workerFile: new URL('./fixtures/no-such-worker.js', import.meta.url) });
    const e = await expectCode(broken.ready(), ErrorCode.BackendUnavailable);
    expect(e.message).toContain('no-such-worker');
    await broken.dispose();
  });

  it('refuses to start without the built worker entry, with BACKEND_UNAVAILABLE naming the build', () => {
    // The threads always run the built entry (plain Node cannot load the .ts sources).
    expect(workerFilename(undefined)).toBe(fileURLToPath(new URL('../dist/worker-entry.cjs', import.meta.url)));
    const unbuilt = new URL('./fixtures/unbuilt/dist/worker-entry.cjs', import.meta.url);
    expect(() => workerFilename(undefined, unbuilt)).toThrow(expect.objectContaining({ code: ErrorCode.BackendUnavailable }));
    expect(() => workerFilename(undefined, unbuilt)).toThrow(/unbuilt.*build @rectifier\/backend-workers/);
  });

  it('rejects bad options with BAD_ARGUMENT', () => {
    for (const options of [{ threads: 0 }, { threads: 1.5 }, { minSavingNs: -1 }, { minSavingNs: NaN }, { thread: 2 }]) {
      expect(() => createWorkersBackend(options as never), JSON.stringify(options)).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    }
  });
});

describe('faults', () => {
  const faulty = make({ threads: 2, minSavingNs: 0, workerFile: new URL('./fixtures/faulty-worker.cjs', import.meta.url) });
  const x = tensor(values(4096, 31));

  it('a worker that throws rejects that call with WORKER_FAILURE naming the op; the next calls succeed', async () => {
    const e = await expectCode(faulty.forward('softsign', x), ErrorCode.WorkerFailure);
    expect(e.op).toBe('softsign');
    expect(e.message).toContain('softsign');
    expect(e.message).toContain('injected fault');
    expect(bits(await faulty.forward('gelu', x))).toBe(bits(await cpu.forward('gelu', x)));
  });

  it('a worker thread that exits mid-call rejects that call; the pool replaces it and the next calls succeed', async () => {
    const before = new Set(poolOf(faulty).threads.map((t) => t.threadId));
    const e = await expectCode(faulty.forward('tanh', x), ErrorCode.WorkerFailure);
    expect(e.message).toMatch(/\[WORKER_FAILURE\] tanh: .*exited/);
    for (let i = 0; i < 20; i++) expect(bits(await faulty.forward('mish', x))).toBe(bits(await cpu.forward('mish', x)));
    const after = poolOf(faulty).threads;
    expect(after.length).toBe(2);
    expect(after.some((t) => !before.has(t.threadId))).toBe(true);
  });

  it("terminating one of piscina's threads during a long call rejects it with WORKER_FAILURE; later calls succeed", async () => {
    const workers = make({ threads: 2 });
    await workers.ready();
    const big = tensor(values(1 << 21, 41), [1 << 21], 'float64');
    // The chunks are posted synchronously inside forward(): the thread dies with its chunk in hand.
    const call = workers.forward('gelu', big);
    await poolOf(workers).threads[0].terminate();
    const e = await expectCode(call, ErrorCode.WorkerFailure);
    expect(e.op).toBe('gelu');
    expect(e.message).toContain('gelu');
    const after = await Promise.all([workers.forward('gelu', big), workers.forward('gelu', big)]);
    const expected = bits(await cpu.forward('gelu', big));
    expect(after.map(bits)).toEqual([expected, expected]);
    expect(poolOf(workers).threads.length).toBe(2);
  });
});

describe('many concurrent calls', () => {
  it('250 calls fired at once, mixed ops, sizes and kinds, all resolve with the CPU backend’s values', async () => {
    // A low bar, so that sizes on both sides of it stay quick: the costlier ops go to the pool from
    // a few hundred elements, the cheap ones only from thousands or never, smaller calls run here.
    const workers = make({ threads: 2, minSavingNs: 20_000 });
    const sizes = [1, 7, 100, 255, 256, 4095, 4099, 30_011];
    const ops = OP_NAMES.filter((op) => OPS[op].kind === 'unary' || OPS[op].kind === 'glu' || OPS[op].kind === 'noisy');
    const ffnActivation = (op: OpName): string => (OPS[op].kind === 'unary' ? op : 'relu');
    const jobs: { run: (b: typeof cpu | WorkersBackend) => Promise<Tensor[]> }[] = [];
    for (let i = 0; i < 250; i++) {
      const op = ops[i % ops.length];
      const n = sizes[i % sizes.length];
      const dtype: DType = i % 3 === 0 ? 'float64' : 'float32';
      const inputs = opInputs(op, n, dtype, i);
      switch (i % 5) {
        case 0: case 1:
          jobs.push({ run: async (b) => [await b.forward(op, inputs)] });
          break;
        case 2: case 3: {
          const dy = tensor(values(n, i + 7), [n], dtype);
          jobs.push({ run: (b) => b.gradient(op, inputs, dy) });
          break;
        }
        default: {
          const rows = 1 + (i % 97);
          const a = tensor(values(rows * 64, i), [rows, 64], dtype);
          const w = tensor(values(64 * 48, i + 1), [64, 48], dtype);
          jobs.push({ run: async (b) => [await b.matmul(a, w), (await b.ffn(a, { w1: w, w2: tensor(values(48 * 8, i + 2), [48, 8], dtype) }, { activation: ffnActivation(op) })).y] });
        }
      }
    }
    const results = await Promise.all(jobs.map((j) => j.run(workers)));
    for (const [i, r] of results.entries()) {
      const expected = await jobs[i].run(cpu);
      expect(r.map(bits), `call ${i}`).toEqual(expected.map(bits));
    }
  });
});

describe('lifecycle', () => {
  it('dispose() terminates every worker; calls in flight and after it reject with DISPOSED, none hangs', async () => {
    const b = createWorkersBackend({ threads: 2, minSavingNs: 0 }); // every call in flight is in the pool
    await b.ready();
    const pool = poolOf(b);
    expect(pool.threads.length).toBe(2);
    const big = tensor(values(1 << 20, 5));
    const inFlight = [b.forward('mish', big), b.gradient('gelu', big, big), b.matmul(tensor(values(256 * 256, 1), [256, 256]), tensor(values(256 * 256, 2), [256, 256]))]
      .map((p) => expectCode(p, ErrorCode.Disposed)); // handlers attached now: they reject during dispose()
    await b.dispose();
    expect(pool.threads.length).toBe(0);
    await Promise.all(inFlight);
    await expectCode(b.forward('relu', big), ErrorCode.Disposed);
    await expectCode(b.forward('relu', tensor([1])), ErrorCode.Disposed);
    await expectCode(b.ready(), ErrorCode.Disposed);
    await b.dispose();
  });

  it('a process that creates the backend, runs calls and disposes it exits by itself, with no open handles', async () => {
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), `${dist} is missing: build the workspace first (npx pnpm exec turbo run build)`).toBe(true);
    const script = fileURLToPath(new URL('./fixtures/dispose-child.mjs', import.meta.url));
    // A plain node process (no Vitest flags): it resolves the packages' built entries.
    const child = spawn(process.execPath, [script], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d; });
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const started = Date.now();
    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); resolve('did not exit within 120 s'); }, 120_000);
      child.on('exit', (c) => { clearTimeout(timer); resolve(c ?? 'killed'); });
    });
    expect(code, err).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    const report = JSON.parse(out.trim().split('\n').pop()!) as { disposed: boolean; during: string[]; after: string[] };
    expect(report.disposed).toBe(true);
    expect(report.during.length).toBeGreaterThan(0); // the check sees the pool's handles while it works…
    expect(report.after).toEqual([]); // …and none once disposed
  });

  it('registers in core’s registry above the CPU backend and is chosen as the best', async () => {
    registerWorkersBackend();
    expect(defaultRegistry.names()).toContain('workers');
    const best = await getBackend(undefined, { only: ['workers', 'cpu'] });
    expect(best.name).toBe('workers');
    expect(best.capabilities.sync).toBe(false);
    expect(() => best.sync.forward('relu', tensor([1]))).toThrow(/SYNC_UNSUPPORTED/);
    const y = await best.forward('relu', tensor([-1, 2]));
    expect(Array.from(y.data)).toEqual(Array.from(referenceForward('relu', tensor([-1, 2])).data));
    await best.dispose();
    defaultRegistry.unregister('workers');
  });
});
