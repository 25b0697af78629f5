import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import {
  epsilon, ErrorCode, MAX_TENSOR_ELEMENTS, OP_NAMES, OPS, RectifierError, referenceActivationStats, referenceFfn,
  referenceFfnBackward, referenceForward, referenceGradient, referenceMatmul, Tensor, tensor,
  type Backend, type DType, type FfnOptions, type FfnWeights, type OpDefinition, type OpName, type TypedArray,
} from '@rectifier/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccuracyRecorder, checksum, compareUlp, compareWithin, flushParams, flushSubnormal, maxAbs, type Mismatch, type SubnormalContext } from './compare.js';
import { EDGE_VALUES, kinks, MONOTONIC, normals, opInputs, PARAM_VARIANTS, SPEC_VALUES } from './inputs.js';
import { opCase, type FuzzCase } from './fuzz.js';
import { badInputSuite } from './bad-input.js';
import { hostileInputSuite } from './hostile.js';
import { batchShapeSuite } from './batch-shapes.js';
import { ffnZeroDimsSuite } from './ffn-zero-dims.js';
import { inputSnapshotSuite } from './input-snapshot.js';
import { paramExtremesSuite, refusedParam } from './param-extremes.js';
import { findOnnxDir, loadOnnxCases, mapOnnxCase } from './onnx.js';
import { exactValuesSection } from './exact.js';

export interface ConformanceOptions {
  /** Folder for the accuracy report JSON (default: $RECTIFIER_REPORT_DIR, else <repo>/reports/run/accuracy, ignored by git; `pnpm reports:update` turns a run's reports into the committed summaries); false: do not write. */
  reportDir?: string | false;
  /** The ONNX peer data folder (default: $RECTIFIER_ONNX_DIR, else the copy shipped in this package, fixtures/onnx-node). */
  onnxDir?: string;
  /**
   * Counts of the backend's own resources (GPU textures, compiled kernels, worker threads…), read
   * after the soak test's warm-up and at its end: they must be equal.
   */
  resources?: (backend: Backend) => Record<string, number>;
  /**
   * Time limit per test and per setup/teardown hook, in ms (default CONFORMANCE_TIMEOUT_MS). The suite
   * sets it itself so that it does not depend on the consumer's Vitest config: Vitest's own 5 s
   * default is too tight for the fuzz blocks on a loaded machine. The soak and fuzz blocks that
   * declare a longer limit keep theirs.
   */
  timeout?: number;
}

/** Makes the backend under test (called once per suite run). */
export type ConformanceFactory = () => Backend | Promise<Backend>;
/** Differential fuzz cases per op per backend in the default run (RECTIFIER_FUZZ_RUNS overrides). */
export const FUZZ_RUNS_DEFAULT = 1000;
/** Default time limit per conformance test and hook (ms); see ConformanceOptions.timeout. */
export const CONFORMANCE_TIMEOUT_MS = 600_000;
/** The soak test's calls per backend, and the growth it allows after its warm-up (MiB). */
export const SOAK_CALLS = 10_000;
export const SOAK_HEAP_BOUND_MIB = 16;
export const SOAK_RSS_BOUND_MIB = 64;
const DTYPES_UNDER_TEST: readonly DType[] = ['float32', 'float64'];

/** Expects `p` to reject (or `fn` to throw) a RectifierError with this code. */
async function expectCode(p: Promise<unknown> | (() => unknown), code: string): Promise<RectifierError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(RectifierError);
    expect((e as RectifierError).code).toBe(code);
    expect((e as RectifierError).message).toContain(code);
    return e as RectifierError;
  }
  throw new Error(`expected a RectifierError ${code}, but the call succeeded`);
}

function describeMismatches(what: string, bad: Mismatch[]): string {
  const show = (v: number): string => (Object.is(v, -0) ? '-0' : String(v)); // the sign of zero is compared
  return `${what}: ${bad.map((m) => `[${m.index}]${m.input === undefined ? '' : ` x=${show(m.input)}`} got ${show(m.got)} expected ${show(m.expected)} (${m.ulp} ulp)`).join('; ')}`;
}

function expectTensor(t: unknown, shape: readonly number[], dtype: DType): asserts t is Tensor {
  expect(t).toBeInstanceOf(Tensor);
  expect((t as Tensor).shape).toEqual(shape);
  expect((t as Tensor).dtype).toBe(dtype);
  expect((t as Tensor).data).toBeInstanceOf(dtype === 'float32' ? Float32Array : Float64Array);
}

/** Runs `call`, then checks that no input changed (checksums of the bytes before and after). */
async function unmutated<T>(inputs: readonly (Tensor | undefined)[], call: () => Promise<T>): Promise<T> {
  const live = inputs.filter((t): t is Tensor => t !== undefined);
  const before = live.map((t) => checksum(t.data));
  const result = await call();
  expect(live.map((t) => checksum(t.data))).toEqual(before);
  return result;
}


function repoRoot(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/** The V8 garbage collector, exposed at run time (no --expose-gc flag needed on the test runner). */
function exposeGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function memory(gc: () => void): { heapUsed: number; arrayBuffers: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers };
}

/** Defines the conformance suite for one backend (call at the top level of a Vitest test file). */
export function runConformance(name: string, create: ConformanceFactory, options: ConformanceOptions = {}): void {
  const recorder = new AccuracyRecorder();
  /** The first mismatching element of the last failed check (the fuzzer reduces a failure to it). */
  let lastMismatch: number | undefined;
  /** Fuzz cases run per op (for the reliability report). */
  const fuzzCases = new Map<string, number>();
  /** The soak test's figures (for the reliability report). */
  let soak: { calls: number; heapGrowthMiB: number; arrayBufferGrowthMiB: number; rssGrowthMiB: number; [k: string]: unknown } | undefined;
  let fuzzSeconds = 0;
  let backend: Backend | undefined;
  const b = (): Backend => {
    if (backend === undefined) throw new Error('the backend was not created');
    return backend;
  };
  const supports = (dtype: DType): boolean => b().capabilities.dtypes.includes(dtype);
  /** compareUlp with the backend's declared sign-of-zero and subnormal behaviour. */
  const ulpCheck = (
    got: TypedArray, expected: ArrayLike<number>, dtype: DType, maxUlp: number,
    record: (ulp: number, abs: number, at: number | string) => void = () => undefined, inputs?: ArrayLike<number>,
    ctx?: Omit<SubnormalContext, 'subnormals'>,
  ): Mismatch[] => compareUlp(got, expected, dtype, maxUlp, b().capabilities.signedZeros, record, inputs, b().capabilities.subnormals, ctx);

  /**
   * What the subnormal rule (compare.ts) needs to know about one output of an op: the reference on
   * flushed parameters (inputs are flushed by inputData already) for a backend that flushes, and the
   * intermediate factor a kernel forms in the dtype with what multiplies it afterwards.
   * `which`: 'forward', or the index of the input whose gradient is compared.
   */
  const subnormalContext = (op: OpName, inputs: Tensor[], params: object, dtype: DType, which: 'forward' | number, dy?: Tensor): Omit<SubnormalContext, 'subnormals'> => {
    const def = OPS[op];
    const ctx: Omit<SubnormalContext, 'subnormals'> = {};
    if (!b().capabilities.subnormals) {
      const flushed = flushParams(params as Record<string, unknown>, dtype);
      if (JSON.stringify(Object.entries(flushed).map(([k, v]) => [k, Object.is(v, -0) ? '-0' : v])) !== JSON.stringify(Object.entries(params).map(([k, v]) => [k, Object.is(v, -0) ? '-0' : v]))) {
        ctx.alternative = which === 'forward'
          ? referenceForward(op, inputs, flushed).data
          : referenceGradient(op, inputs, dy!, flushed)[which].data;
      }
    }
    if (def.f === undefined || def.df === undefined || (def.kind !== 'unary' && def.kind !== 'glu')) return ctx;
    const p = Object.fromEntries(def.params.map((sp) => [sp.name, (params as Record<string, unknown>)[sp.name] ?? sp.default])) as never;
    const x = inputs[0].data;
    const pr = params as { alpha?: number; beta?: number };
    if (op === 'hardsigmoid' && which === 0 && (pr.alpha !== undefined || pr.beta !== undefined)) {
      // ONNX form: where α·x + β is within float64 rounding of a kink (0 or 1), either side's f′ (α or 0).
      const a = pr.alpha ?? 1 / 6;
      const c = pr.beta ?? 0.5;
      const g = dy!.data;
      ctx.kinkAlternative = Array.from(x, (v, i) => {
        const t = a * v + c;
        const near = 2 ** -48 * (Math.abs(a * v) + Math.abs(c) + 1);
        if (!(Math.abs(t) <= near || Math.abs(t - 1) <= near)) return NaN; // no alternative
        const other = def.df!(v, p) === 0 ? a : 0;
        return other === 0 ? 0 : other * g[i];
      });
    }
    if (def.kind === 'glu') {
      const v = inputs[1].data;
      if (which === 'forward') return { ...ctx, factor: (i) => def.f!(x[i], p), scale: (i) => Math.abs(v[i]) };
      const g = dy!.data;
      if (which === 0) return { ...ctx, factor: (i) => def.df!(x[i], p), scale: (i) => Math.abs(g[i] * v[i]) };
      return { ...ctx, factor: (i) => def.f!(x[i], p), scale: (i) => Math.abs(g[i]) };
    }
    if (which === 'forward') return ctx;
    const g = dy!.data;
    return { ...ctx, factor: (i) => def.df!(x[i], p), scale: (i) => Math.abs(g[i]) };
  };
  const inputData = (dtype: DType, values: readonly number[], shape: readonly number[] = [values.length]): Tensor => {
    const t = tensor(values as number[], shape, dtype);
    return b().capabilities.subnormals ? t : tensor(Array.from(t.data, (v) => flushSubnormal(v, dtype)), shape, dtype);
  };

  /** Forward through the async API; where the backend declares sync, also through it, bit for bit. */
  /**
   * Forward through the async API; where the backend declares sync, also through it, bit for bit;
   * and into a caller-provided output (`{ out }`), which must come back filled with the same bits.
   */
  const forward = async (op: OpName, inputs: Tensor[], params?: object): Promise<Tensor> => {
    const y = await unmutated(inputs, () => b().forward(op, inputs, params as never));
    if (b().capabilities.sync) {
      const ys = b().sync!.forward(op, inputs, params as never);
      expect(checksum(ys.data)).toBe(checksum(y.data));
    }
    const out = new Tensor(new (y.data.constructor as Float32ArrayConstructor)(y.size).fill(NaN), y.shape);
    const yo = await unmutated(inputs, () => b().forward(op, inputs, params as never, { out }));
    expect(yo).toBe(out);
    expect(checksum(out.data)).toBe(checksum(y.data));
    return y;
  };
  const gradient = async (op: OpName, inputs: Tensor[], dy: Tensor, params?: object): Promise<Tensor[]> => {
    const g = await unmutated([...inputs, dy], () => b().gradient(op, inputs, dy, params as never));
    if (b().capabilities.sync) {
      const gs = b().sync!.gradient(op, inputs, dy, params as never);
      expect(gs.map((t) => checksum(t.data))).toEqual(g.map((t) => checksum(t.data)));
    }
    return g;
  };

  /** When the dtype is not declared, the call must give UNSUPPORTED_DTYPE; otherwise run the body. */
  const withDtype = async (dtype: DType, body: () => Promise<void>): Promise<void> => {
    if (!supports(dtype)) {
      await expectCode(b().forward('relu', tensor([1], [1], dtype)), ErrorCode.UnsupportedDtype);
      return;
    }
    await body();
  };

  const forwardTolerance = (def: OpDefinition, dtype: DType): number =>
    def.accuracy === 'exact' ? 0 : def.accuracy === 'scaled' ? 1 : (b().capabilities.ulp[dtype] ?? 0);
  /** A gradient multiplies f′ by dy (and by the value for GLU): one or two more roundings. */
  const gradientTolerance = (def: OpDefinition, dtype: DType): number =>
    def.accuracy === 'exact' ? 0 : forwardTolerance(def, dtype) + (def.kind === 'glu' ? 2 : 1);

  /** The tensors an op is tested on, in its input order. */
  const opTensors = (def: OpDefinition, dtype: DType, seed: number): Tensor[] => {
    const xs = opInputs(seed);
    switch (def.kind) {
      case 'glu':
        return [inputData(dtype, xs), inputData(dtype, [...opInputs(seed + 11)].reverse())];
      case 'prelu': {
        const L = Math.floor(xs.length / 6);
        return [inputData(dtype, xs.slice(0, 6 * L), [2, 3, L]), inputData(dtype, [0.25, -0.5, 2])];
      }
      case 'crelu': {
        const cols = 9;
        const rows = Math.floor(xs.length / cols);
        return [inputData(dtype, xs.slice(0, rows * cols), [rows, cols])];
      }
      default:
        return [inputData(dtype, xs)];
    }
  };

  const reportKey = (op: string, dtype: DType, what: string): string => `${op}/${dtype}/${what}`;

  /** One forward call checked against the float64 reference (the op tests and the fuzzer share it). */
  const checkForward = async (op: OpName, inputs: Tensor[], params: object, dtype: DType): Promise<void> => {
    const def = OPS[op];
    const y = await forward(op, inputs, params);
    const ref = referenceForward(op, inputs, params);
    expectTensor(y, ref.shape, dtype);
    const bad = ulpCheck(y.data, ref.data, dtype, forwardTolerance(def, dtype),
      (u, a, at) => recorder.record(reportKey(op, dtype, 'forward'), u, a, at),
      def.kind === 'crelu' ? undefined : inputs[0].data, subnormalContext(op, inputs, params, dtype, 'forward'));
    if (bad.length > 0) lastMismatch = bad[0].index;
    expect(bad, describeMismatches(`${op} ${JSON.stringify(params)}`, bad)).toEqual([]);
  };

  /** One gradient call checked against the float64 reference; PReLU's slope sums against a summation bound. */
  const checkGradient = async (op: OpName, inputs: Tensor[], dy: Tensor, params: object, dtype: DType): Promise<void> => {
    const def = OPS[op];
    const grads = await gradient(op, inputs, dy, params);
    const refs = referenceGradient(op, inputs, dy, params);
    expect(grads.length).toBe(def.inputs.length);
    for (const [i, g] of grads.entries()) {
      expectTensor(g, inputs[i].shape, dtype);
      if (def.kind === 'prelu' && i === 1) {
        const wide = (t: Tensor, fn: (v: number) => number): Tensor => tensor(Array.from(t.data, fn), t.shape, 'float64');
        const bound = referenceGradient(op, [wide(inputs[0], (v) => -Math.abs(v)), wide(inputs[1], (v) => v)], wide(dy, Math.abs), params)[1].data;
        const acc = epsilon(b().capabilities.accumulation) * (inputs[0].size + 2);
        const bad = compareWithin(g.data, refs[1].data, (k) => acc * Math.abs(bound[k]) + epsilon(dtype) * Math.abs(refs[1].data[k]),
          (a) => recorder.record(reportKey(op, dtype, 'gradient-weight'), undefined, a), dtype);
        expect(bad, describeMismatches(`${op} dweight`, bad)).toEqual([]);
        continue;
      }
      const bad = ulpCheck(g.data, refs[i].data, dtype, gradientTolerance(def, dtype),
        (u, a, at) => recorder.record(reportKey(op, dtype, `gradient-${def.inputs[i]}`), u, a, at),
        def.kind === 'crelu' ? undefined : inputs[0].data, subnormalContext(op, inputs, params, dtype, i, dy));
      if (bad.length > 0) lastMismatch = bad[0].index;
      expect(bad, describeMismatches(`${op} d${def.inputs[i]} ${JSON.stringify(params)}`, bad)).toEqual([]);
    }
  };

  const timeout = options.timeout ?? CONFORMANCE_TIMEOUT_MS;
  describe(`conformance: ${name}`, { timeout }, () => {
    beforeAll(async () => {
      backend = await create();
      await backend.ready();
    }, timeout);

    afterAll(async () => {
      const caps = backend?.capabilities;
      await backend?.dispose();
      const dir = options.reportDir === false ? undefined : options.reportDir ?? process.env.RECTIFIER_REPORT_DIR ?? (repoRoot() ? join(repoRoot()!, 'reports', 'run', 'accuracy') : undefined);
      if (dir !== undefined && recorder.entries.size > 0) {
        mkdirSync(dir, { recursive: true });
        const file = resolve(dir, `${name}.json`);
        writeFileSync(file, `${JSON.stringify({ backend: name, capabilities: caps, worst: recorder.toJSON() }, null, 1)}\n`);
        const worst = [...recorder.entries.entries()].filter(([k]) => !k.startsWith('onnx')).sort(([, a], [, c]) => (c.ulp ?? -1) - (a.ulp ?? -1)).slice(0, 5);
        console.log(`[conformance:${name}] accuracy report: ${file}; worst: ${worst.map(([k, v]) => `${k} ${v.ulp} ulp`).join(', ')}`);
      }
      if (dir !== undefined && (fuzzCases.size > 0 || soak !== undefined)) {
        const rdir = join(dir, '..', 'reliability');
        mkdirSync(rdir, { recursive: true });
        const cases = [...fuzzCases.values()];
        writeFileSync(resolve(rdir, `${name}.json`), `${JSON.stringify({
          backend: name,
          fuzz: { ops: fuzzCases.size, minCasesPerOp: cases.length ? Math.min(...cases) : 0, seconds: fuzzSeconds },
          soak,
        }, null, 1)}\n`);
      }
    }, timeout);

    /* ---------------- capabilities ---------------- */
    describe('capabilities', () => {
      it('declares a complete, consistent capability set', () => {
        const c = b().capabilities;
        expect(typeof b().name).toBe('string');
        expect(c.dtypes).toContain('float32');
        for (const d of c.dtypes) {
          expect(DTYPES_UNDER_TEST).toContain(d);
          expect(c.ulp[d]).toBeGreaterThanOrEqual(0);
        }
        expect(DTYPES_UNDER_TEST).toContain(c.accumulation);
        for (const k of ['sync', 'signedZeros', 'nonFinite', 'subnormals'] as const) expect(typeof c[k]).toBe('boolean');
        expect(Number.isInteger(c.maxElements) && c.maxElements > 0 && c.maxElements <= MAX_TENSOR_ELEMENTS).toBe(true);
      });

      it('offers the sync API exactly when it declares sync (elsewhere every sync method gives SYNC_UNSUPPORTED)', async () => {
        expect(b().sync).toBeDefined();
        if (b().capabilities.sync) {
          const y = b().sync.forward('relu', tensor([-1, 2]));
          expect(Array.from(y.data)).toEqual([0, 2]);
        } else {
          const x = tensor([1, 2]);
          await expectCode(() => b().sync.forward('relu', x), ErrorCode.SyncUnsupported);
          await expectCode(() => b().sync.gradient('relu', x, x), ErrorCode.SyncUnsupported);
          await expectCode(() => b().sync.matmul(tensor([1], [1, 1]), tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
          await expectCode(() => b().sync.ffn(tensor([1], [1, 1]), { w1: tensor([1], [1, 1]), w2: tensor([1], [1, 1]) }), ErrorCode.SyncUnsupported);
          await expectCode(() => b().sync.ffnBackward(tensor([1], [1, 1]), { w1: tensor([1], [1, 1]), w2: tensor([1], [1, 1]) }, tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
          await expectCode(() => b().sync.activationStats(tensor([1], [1, 1])), ErrorCode.SyncUnsupported);
        }
      });

      it('gives UNSUPPORTED_DTYPE for every dtype it does not declare', async () => {
        for (const dtype of DTYPES_UNDER_TEST) {
          const x = tensor([1, -1], [2], dtype);
          if (supports(dtype)) expectTensor(await b().forward('relu', x), [2], dtype);
          else await expectCode(b().forward('relu', x), ErrorCode.UnsupportedDtype);
        }
      });

      it('honours its maxElements declaration', async () => {
        const max = b().capabilities.maxElements;
        // An output of max + 1 elements from empty inputs: [max + 1, 0] · [0, 1] allocates nothing.
        await expectCode(b().matmul(tensor([], [max + 1, 0]), tensor([], [0, 1])), ErrorCode.TooLarge);
        if (max < 2 ** 24) {
          await expectCode(b().forward('relu', tensor(new Float32Array(max + 1))), ErrorCode.TooLarge);
        }
        const atLimit = await b().matmul(tensor([], [Math.min(max, 4096), 0]), tensor([], [0, 1]));
        expect(Array.from(atLimit.data).every((v) => v === 0)).toBe(true); // an empty sum is 0
        // … and keeps serving: real work after the refusals gives the right answer.
        await expectCode(b().ffn(tensor([], [max + 1, 0]), { w1: tensor([], [0, 1]), w2: tensor([0], [1, 1]) }), ErrorCode.TooLarge);
        const y = await b().forward('relu', tensor([-1, 2, -0, 3.5]));
        expect(Array.from(y.data)).toEqual([0, 2, 0, 3.5]);
        const c = await b().matmul(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 0, 0, 1], [2, 2]));
        expect(Array.from(c.data)).toEqual([1, 2, 3, 4]);
      });

      it('keeps NaN, ±∞ and the sign of zero as declared', async () => {
        const c = b().capabilities;
        const x = tensor([NaN, Infinity, -Infinity, -0]);
        if (!c.nonFinite) {
          await expectCode(b().forward('relu', x), ErrorCode.UnsupportedValue);
          return;
        }
        const y = await b().forward('leaky_relu', x);
        expect(Number.isNaN(y.data[0])).toBe(true);
        expect(y.data[1]).toBe(Infinity);
        expect(y.data[2]).toBe(-Infinity);
        expect(Object.is(y.data[3], -0)).toBe(c.signedZeros);
      });

      it('keeps or flushes subnormals as declared', async () => {
        const tiny = 1e-40; // a float32 subnormal
        const y = await b().forward('leaky_relu', tensor([tiny, -tiny]), { alpha: 1 });
        if (b().capabilities.subnormals) expect(Array.from(y.data)).toEqual([Math.fround(tiny), Math.fround(-tiny)]);
        else expect(Array.from(y.data, Math.abs)).toEqual([0, 0]);
      });
    });

    exactValuesSection({ backend: b, dtypes: DTYPES_UNDER_TEST, recorder, forwardTolerance, gradientTolerance, withDtype, inputData, ulpCheck, subnormalContext, describeMismatches });

    /* ---------------- the op catalogue ---------------- */
    for (const op of OP_NAMES) {
      const def = OPS[op];
      describe(`op ${op}`, () => {
        for (const dtype of DTYPES_UNDER_TEST) {
          it(`forward, ${dtype}: edge and random inputs against the float64 reference`, async () => {
            await withDtype(dtype, async () => {
              for (const [v, params] of PARAM_VARIANTS[op].entries()) {
                await checkForward(op, opTensors(def, dtype, 100 + v), params, dtype);
              }
            });
          });

          it(`gradient, ${dtype}: against the float64 reference`, async () => {
            await withDtype(dtype, async () => {
              for (const [v, params] of PARAM_VARIANTS[op].entries()) {
                const inputs = opTensors(def, dtype, 200 + v);
                const outShape = referenceForward(op, inputs, params).shape;
                const n = outShape.reduce((a, c) => a * c, 1);
                const dyValues = normals(n, 300 + v);
                // Special upstream gradients where the unit is on and where it is off.
                dyValues[2] = -Infinity; // x = 1
                dyValues[3] = NaN; // x = −1
                dyValues[5] = Infinity; // x = −0.5
                await checkGradient(op, inputs, inputData(dtype, dyValues, outShape), params, dtype);
              }
            });
          });
        }

        if (def.kind !== 'noisy') {
          it('gradient matches finite differences of the forward pass', async () => {
            const dtype: DType = supports('float64') ? 'float64' : 'float32';
            const params = PARAM_VARIANTS[op][0];
            const xs = normals(48, 400, 3);
            const hOf = (x: number): number => (dtype === 'float64' ? 1e-5 : 2 ** -7) * Math.max(1, Math.abs(x));
            const points = xs.filter((x) => kinks(op, params as Record<string, unknown>).every((k) => Math.abs(x - k) > 3 * hOf(x)));
            const n = points.length;
            const make = (shift: (x: number) => number): Tensor[] => {
              const x = inputData(dtype, points.map(shift));
              if (def.kind === 'glu') return [x, inputData(dtype, normals(n, 401))];
              if (def.kind === 'prelu') return [x, inputData(dtype, [0.3])];
              return [x];
            };
            const base = make((x) => x);
            const outShape = referenceForward(op, base, params).shape;
            // dy = 1 on each output (crelu: on both halves) gives d(sum of outputs)/dx per element.
            const ones = inputData(dtype, new Array(outShape.reduce((a, c) => a * c, 1)).fill(1), outShape);
            const [dx] = await gradient(op, base, ones, params);
            // x ± h as represented in the dtype, so the divided difference uses the true step.
            const xp = make((x) => x + hOf(x));
            const xm = make((x) => x - hOf(x));
            const yp = await forward(op, xp, params);
            const ym = await forward(op, xm, params);
            const sumRow = (y: Tensor, i: number): number => {
              if (def.kind !== 'crelu') return y.data[i];
              return y.data[i] + y.data[n + i]; // crelu on a 1-D x: [relu(x), relu(−x)]
            };
            const tol = dtype === 'float64' ? 1e-6 : 2e-2;
            for (let i = 0; i < n; i++) {
              const step = xp[0].data[i] - xm[0].data[i];
              const fd = (sumRow(yp, i) - sumRow(ym, i)) / step;
              const g = dx.data[i];
              expect(Math.abs(fd - g), `${op}'(${points[i]}) = ${g}, finite difference ${fd}`).toBeLessThanOrEqual(tol * (1 + Math.abs(g)));
            }
          });
        }

        it('propagates NaN through forward and gradient', async () => {
          const inputs = def.inputs.map((_, i) => tensor(i === 0 ? [NaN, 1] : [2, 3]));
          if (!b().capabilities.nonFinite) {
            await expectCode(b().forward(op, inputs), ErrorCode.UnsupportedValue);
            return;
          }
          const y = await forward(op, def.kind === 'prelu' ? [inputs[0], tensor([0.5])] : inputs);
          expect(Number.isNaN(y.data[0])).toBe(true);
          const gIn = def.kind === 'prelu' ? [inputs[0], tensor([0.5])] : inputs;
          const [dx] = await gradient(op, gIn, tensor(new Array(y.size).fill(1), y.shape), {});
          expect(Number.isNaN(dx.data[0])).toBe(true);
        });
      });
    }

    /* ---------------- values from the definitions ---------------- */
    describe('values from the definitions (DESIGN.md §3)', () => {
      for (const dtype of DTYPES_UNDER_TEST) {
        it(`spot values, ${dtype}`, async () => {
          await withDtype(dtype, async () => {
            for (const s of SPEC_VALUES) {
              const def = OPS[s.op];
              const maxUlp = Math.max(forwardTolerance(def, dtype), def.accuracy === 'exact' ? 0 : 2);
              const x = tensor([s.x], [1], dtype);
              const label = `${s.op}${s.params ? JSON.stringify(s.params) : ''}(${Object.is(s.x, -0) ? '-0' : s.x})`;
              if (s.y !== undefined) {
                const y = await forward(s.op, [x], s.params);
                const bad = ulpCheck(y.data, [s.y], dtype, maxUlp);
                expect(bad, describeMismatches(label, bad)).toEqual([]);
              }
              if (s.dy !== undefined) {
                const [dx] = await gradient(s.op, [x], tensor([1], [1], dtype), s.params);
                const bad = compareUlp(dx.data, [s.dy], dtype, maxUlp + 1, false, () => undefined, undefined, b().capabilities.subnormals);
                expect(bad, describeMismatches(`${label}′`, bad)).toEqual([]);
              }
            }
          });
        });
      }
    });

    /* ---------------- properties ---------------- */
    describe('properties (fast-check)', () => {
      const finite = fc.float({ noNaN: true, noDefaultInfinity: true });
      const vec = fc.array(finite, { minLength: 0, maxLength: 40 });

      it('relu(a·x) = a·relu(x) for a ≥ 0 (scale equivariance, exact)', async () => {
        await fc.assert(fc.asyncProperty(vec, fc.float({ min: 0, max: 1e3, noNaN: true }), async (xs, a) => {
          // A backend that flushes subnormals gets normal inputs and is compared on flushed products.
          const flush = (v: number): number => (b().capabilities.subnormals ? v : flushSubnormal(v, 'float32'));
          const x = xs.map((v) => flush(Math.fround(v)));
          const left = await forward('relu', [inputData('float32', x.map((v) => a * v))]);
          const right = (await forward('relu', [inputData('float32', x)])).data.map((v) => flush(Math.fround(a * v)));
          expect(Array.from(left.data)).toEqual(Array.from(right));
        }), { numRuns: 100 });
      });

      it('relu(x) − relu(−x) = x and relu(relu(x)) = relu(x) (exact)', async () => {
        await fc.assert(fc.asyncProperty(vec, async (xs) => {
          const x = inputData('float32', xs);
          const pos = await forward('relu', [x]);
          const neg = await forward('relu', [inputData('float32', Array.from(x.data, (v) => -v))]);
          // ±0 compare equal here: relu(−0) − relu(+0) = +0 is the identity's value at x = −0.
          const diff = Array.from(pos.data, (p, i) => p - neg.data[i]);
          expect(diff.every((v, i) => v === x.data[i]), `${diff} vs ${Array.from(x.data)}`).toBe(true);
          const twice = await forward('relu', [pos]);
          expect(checksum(twice.data)).toBe(checksum(pos.data));
        }), { numRuns: 100 });
      });

      it('monotonic ops are non-decreasing', async () => {
        await fc.assert(fc.asyncProperty(vec, fc.constantFrom(...MONOTONIC), async (xs, op) => {
          const sorted = inputData('float32', Array.from(Float32Array.from(xs).sort()));
          const y = await forward(op, [sorted]);
          for (let i = 1; i < y.size; i++) expect(y.data[i], `${op} at ${sorted.data[i - 1]} → ${sorted.data[i]}`).toBeGreaterThanOrEqual(y.data[i - 1]);
        }), { numRuns: 100 });
      });
    });

    /* ---------------- shapes ---------------- */
    describe('shapes', () => {
      const shapes: number[][] = [[], [0], [1], [7], [2, 3], [3, 0, 2], [1, 1, 1, 1], [1023], [4099], [3, 5, 67]];
      for (const op of ['relu', 'gelu', 'leaky_relu', 'crelu', 'prelu', 'swiglu'] as OpName[]) {
        it(`${op} on every shape from empty to sizes that fit no chunk or tile`, async () => {
          const def = OPS[op];
          for (const shape of shapes) {
            if (def.kind === 'crelu' && shape.length === 0) {
              await expectCode(b().forward(op, tensor([1], [])), ErrorCode.BadShape);
              continue;
            }
            const size = shape.reduce((a, c) => a * c, 1);
            const x = tensor(normals(size, size), shape);
            const inputs = def.kind === 'glu' ? [x, tensor(normals(size, 7), shape)] : def.kind === 'prelu' ? [x, tensor([0.2])] : [x];
            const y = await forward(op, inputs);
            const ref = referenceForward(op, inputs);
            expectTensor(y, ref.shape, 'float32');
            const bad = ulpCheck(y.data, ref.data, 'float32', forwardTolerance(def, 'float32'));
            expect(bad, describeMismatches(`${op} [${shape.join(', ')}]`, bad)).toEqual([]);
            const dy = tensor(normals(y.size, 3), y.shape);
            const grads = await gradient(op, inputs, dy);
            grads.forEach((g, i) => expectTensor(g, inputs[i].shape, 'float32'));
          }
        });
      }
    });

    /* ---------------- prelu broadcasting ---------------- */
    describe('prelu weight layouts', () => {
      const x = tensor(normals(2 * 3 * 4, 21), [2, 3, 4]);
      const layouts: [string, Tensor, object][] = [
        ['one scalar slope', tensor([0.25]), {}],
        ['per channel on axis 1 (PyTorch)', tensor([0.1, -0.5, 2]), {}],
        ['per channel on the last axis (axis -1)', tensor([0.1, 0.2, 0.3, 0.4]), { axis: -1 }],
        ['per channel on axis 0', tensor([3, -3]), { axis: 0 }],
        ['one slope per element (ONNX full shape)', tensor(normals(24, 22), [2, 3, 4]), {}],
      ];
      for (const [label, w, params] of layouts) {
        it(label, async () => {
          const y = await forward('prelu', [x, w], params);
          const ref = referenceForward('prelu', [x, w], params);
          expect(ulpCheck(y.data, ref.data, 'float32', 1)).toEqual([]);
          const dy = tensor(normals(24, 23), [2, 3, 4]);
          const [dx, dw] = await gradient('prelu', [x, w], dy, params);
          const [rdx, rdw] = referenceGradient('prelu', [x, w], dy, params);
          expect(ulpCheck(dx.data, rdx.data, 'float32', 2)).toEqual([]);
          expectTensor(dw, w.shape, 'float32');
          expect(compareWithin(dw.data, rdw.data, () => 1e-5)).toEqual([]);
        });
      }
      it('rejects a weight that fits no layout', async () => {
        await expectCode(b().forward('prelu', [x, tensor([1, 2])]), ErrorCode.DimMismatch);
        await expectCode(b().forward('prelu', [x, tensor([1, 2, 3])], { axis: 2 }), ErrorCode.DimMismatch);
        await expectCode(b().forward('prelu', [x, tensor([1, 2, 3])], { axis: 5 }), ErrorCode.DimMismatch);
      });
    });

    /* ---------------- noisy relu ---------------- */
    describe('noisy_relu', () => {
      it('is deterministic for a seed, varies with it, and equals relu when sigma = 0', async () => {
        const x = tensor(normals(1000, 31));
        const a = await forward('noisy_relu', [x], { seed: 5 });
        const again = await forward('noisy_relu', [x], { seed: 5 });
        const other = await forward('noisy_relu', [x], { seed: 6 });
        expect(checksum(again.data)).toBe(checksum(a.data));
        expect(checksum(other.data)).not.toBe(checksum(a.data));
        const quiet = await forward('noisy_relu', [x], { sigma: 0 });
        const relu = await forward('relu', [x]);
        expect(checksum(quiet.data)).toBe(checksum(relu.data));
      });
    });

    /* ---------------- matmul ---------------- */
    describe('matmul', () => {
      const cases: [number, number, number][] = [[1, 1, 1], [3, 4, 5], [0, 3, 2], [2, 0, 3], [17, 33, 9], [64, 64, 64], [1, 300, 1]];
      for (const dtype of DTYPES_UNDER_TEST) {
        it(`against the float64 reference with every transpose, ${dtype}`, async () => {
          await withDtype(dtype, async () => {
            for (const [m, k, n] of cases) {
              for (const transposeA of [false, true]) {
                for (const transposeB of [false, true]) {
                  const a = tensor(normals(m * k, m + k), transposeA ? [k, m] : [m, k], dtype);
                  const bT = tensor(normals(k * n, k + n + 1), transposeB ? [n, k] : [k, n], dtype);
                  const opts = { transposeA, transposeB };
                  const c = await unmutated([a, bT], () => b().matmul(a, bT, opts));
                  const ref = referenceMatmul(a, bT, opts);
                  expectTensor(c, [m, n], dtype);
                  const mag = referenceMatmul(tensor(Array.from(a.data, Math.abs), a.shape, 'float64'), tensor(Array.from(bT.data, Math.abs), bT.shape, 'float64'), opts).data;
                  const accEps = epsilon(b().capabilities.accumulation);
                  const bad = compareWithin(c.data, ref.data, (i) => (k + 2) * accEps * mag[i] + epsilon(dtype) * Math.abs(ref.data[i]),
                    (abs) => recorder.record(reportKey('matmul', dtype, 'forward'), undefined, abs), dtype);
                  expect(bad, describeMismatches(`matmul ${m}×${k}×${n} ${JSON.stringify(opts)}`, bad)).toEqual([]);
                }
              }
            }
          });
        });
      }
      it('propagates NaN and ∞ as the sums do', async () => {
        const c = await b().matmul(tensor([NaN, 1, 2, 3], [2, 2]), tensor([1, 0, 0, 1], [2, 2]));
        expect(Number.isNaN(c.data[0]) && Number.isNaN(c.data[1])).toBe(true);
        expect(Array.from(c.data.slice(2))).toEqual([2, 3]);
        const d = await b().matmul(tensor([Infinity, 1], [1, 2]), tensor([1, 1], [2, 1]));
        expect(d.data[0]).toBe(Infinity);
      });
    });

    /* ---------------- FFN ---------------- */
    describe('FFN block', () => {
      const T = 6;
      const d = 8;
      const f = 12;
      const dOut = 5;
      const weightsFor = (dtype: DType, glu: boolean, biases: boolean, b1Shift = 0): FfnWeights => ({
        w1: tensor(normals(d * f, 51, 1 / Math.sqrt(d)), [d, f], dtype),
        w2: tensor(normals(f * dOut, 52, 1 / Math.sqrt(f)), [f, dOut], dtype),
        ...(biases ? { b1: tensor(normals(f, 53, 0.1).map((v) => v + b1Shift), [f], dtype), b2: tensor(normals(dOut, 54, 0.1), [dOut], dtype) } : {}),
        ...(glu ? { v: tensor(normals(d * f, 55, 1 / Math.sqrt(d)), [d, f], dtype) } : {}),
        ...(glu && biases ? { bv: tensor(normals(f, 56, 0.1), [f], dtype) } : {}),
      });
      const activations: [string, FfnOptions][] = [
        ['relu', { activation: 'relu' }],
        ['gelu', { activation: 'gelu' }],
        ['gelu (tanh)', { activation: 'gelu', activationParams: { approximate: 'tanh' } }],
        ['silu', { activation: 'silu' }],
        ['reglu', { activation: 'reglu' }],
        ['geglu', { activation: 'geglu' }],
        ['swiglu', { activation: 'swiglu' }],
      ];
      /** Normwise bound: rounding of d + f long sums in the dtype, relative to the output's scale. */
      const ffnTol = (dtype: DType, ref: ArrayLike<number>): number => 8 * (d + f) * epsilon(dtype) * (1 + maxAbs(ref));
      const weightList = (w: FfnWeights): Tensor[] => [w.w1, w.b1, w.w2, w.b2, w.v, w.bv].filter((t): t is Tensor => t !== undefined);

      for (const dtype of DTYPES_UNDER_TEST) {
        for (const [label, opts] of activations) {
          it(`forward and backward, ${label}, ${dtype}`, async () => {
            await withDtype(dtype, async () => {
              const glu = OPS[opts.activation as OpName].kind === 'glu';
              for (const biases of [true, false]) {
                const w = weightsFor(dtype, glu, biases);
                const x = tensor(normals(T * d, 57), [T, d], dtype);
                const full = { ...opts, returnHidden: true, stats: true };
                const out = await unmutated([x, ...weightList(w)], () => b().ffn(x, w, full));
                const ref = referenceFfn(x, w, full);
                expectTensor(out.y, [T, dOut], dtype);
                expectTensor(out.hidden, [T, f], dtype);
                let bad = compareWithin(out.y.data, ref.y.data, () => ffnTol(dtype, ref.y.data),
                  (abs) => recorder.record(reportKey(`ffn-${label}`, dtype, 'forward'), undefined, abs), dtype);
                expect(bad, describeMismatches(`ffn ${label} y`, bad)).toEqual([]);
                bad = compareWithin(out.hidden!.data, ref.hidden!.data, () => ffnTol(dtype, ref.hidden!.data));
                expect(bad, describeMismatches(`ffn ${label} hidden`, bad)).toEqual([]);
                expect(out.stats!.rows).toBe(T);
                expect(out.stats!.deadUnits).toEqual(ref.stats!.deadUnits);
                expect(Array.from(out.stats!.zeroFractionPerUnit)).toEqual(Array.from(ref.stats!.zeroFractionPerUnit));

                const sparse = await b().ffn(x, w, { ...opts, sparse: true });
                bad = compareWithin(sparse.y.data, out.y.data, () => ffnTol(dtype, out.y.data));
                expect(bad, describeMismatches(`ffn ${label} sparse vs dense`, bad)).toEqual([]);

                const dy = tensor(normals(T * dOut, 58), [T, dOut], dtype);
                const grads = await unmutated([x, dy, ...weightList(w)], () => b().ffnBackward(x, w, dy, opts));
                const refs = referenceFfnBackward(x, w, dy, opts);
                const names = ['dx', 'dw1', 'dw2', 'db1', 'db2', 'dv', 'dbv'] as const;
                for (const key of names) {
                  const r = refs[key];
                  const g = grads[key];
                  if (r === undefined) {
                    expect(g, `${key} is returned only for weights that were given`).toBeUndefined();
                    continue;
                  }
                  expectTensor(g, r.shape, dtype);
                  bad = compareWithin(g.data, r.data, () => ffnTol(dtype, r.data),
                    (abs) => recorder.record(reportKey(`ffn-${label}`, dtype, `backward-${key}`), undefined, abs), dtype);
                  expect(bad, describeMismatches(`ffn ${label} ${key}`, bad)).toEqual([]);
                }
              }
            });
          });
        }
      }

      it('sparsity-aware path equals the dense path at high sparsity, with the statistics of the reference', async () => {
        const w = weightsFor('float32', false, true, -1.5); // negative bias: most units are off
        const x = tensor(normals(64 * d, 59), [64, d]);
        const dense = await b().ffn(x, w, { stats: true, returnHidden: true });
        const sparse = await b().ffn(x, w, { sparse: true, stats: true });
        expect(dense.stats!.zeroFraction).toBeGreaterThan(0.8);
        expect(compareWithin(sparse.y.data, dense.y.data, () => ffnTol('float32', dense.y.data))).toEqual([]);
        const refStats = referenceActivationStats(dense.hidden!);
        expect(sparse.stats!.zeroFraction).toBe(refStats.zeroFraction);
        expect(Array.from(sparse.stats!.zeroFractionPerRow)).toEqual(Array.from(refStats.zeroFractionPerRow));
        expect(sparse.stats!.deadUnits).toEqual(refStats.deadUnits);
      });

      it('rejects bad FFN arguments with typed errors', async () => {
        const w = weightsFor('float32', false, true);
        const x = tensor(normals(T * d, 60), [T, d]);
        await expectCode(b().ffn(tensor(normals(T * 3, 1), [T, 3]), w), ErrorCode.DimMismatch);
        await expectCode(b().ffn(x, { ...w, b1: tensor([1, 2]) }), ErrorCode.DimMismatch);
        await expectCode(b().ffn(x, { ...w, w2: tensor(normals(f, 1), [f]) }), ErrorCode.BadShape);
        await expectCode(b().ffn(x, w, { activation: 'swiglu' }), ErrorCode.BadArgument);
        await expectCode(b().ffn(x, w, { activation: 'crelu' }), ErrorCode.BadArgument);
        await expectCode(b().ffn(x, w, { activation: 'nope' }), ErrorCode.UnknownOp);
        await expectCode(b().ffn(x, w, { activation: 'gelu', activationParams: { approximate: 'fast' } }), ErrorCode.BadParameter);
        await expectCode(b().ffnBackward(x, w, tensor([1], [1, 1])), ErrorCode.DimMismatch);
      });
    });

    /* ---------------- parameters at the extremes of their range ---------------- */
    // param-extremes.ts: every numeric parameter at 1e±300, past FLT_MAX and tiny, or the declared refusal.
    describe('parameters at extreme valid values', () => {
      paramExtremesSuite({ b, checkForward, checkGradient, inputData, expectCode });
    });

    /* ---------------- FFN with a zero dimension ---------------- */
    describe('FFN with a zero dimension (T, d, f or dOut = 0)', () => {
      ffnZeroDimsSuite(b);
    });

    /* ---------------- inputs are read when the call is made ---------------- */
    describe('results depend only on the inputs at the time of the call', () => {
      inputSnapshotSuite(b);
    });

    /* ---------------- activation statistics ---------------- */
    describe('activation statistics', () => {
      it('counts exact zeros (±0) per row and per unit, and finds dead units', async () => {
        const h = tensor([0, 1, 0, -0, 0, 2, 0, 3, 0, -0, 4, 1e-45], [3, 4]);
        const s = await b().activationStats(h);
        expect(s.rows).toBe(3);
        expect(s.units).toBe(4);
        expect(s.deadUnits).toEqual([0]);
        expect(s.zeroFraction).toBe(7 / 12);
        expect(Array.from(s.zeroFractionPerRow)).toEqual([3 / 4, 2 / 4, 2 / 4]);
        expect(Array.from(s.zeroFractionPerUnit)).toEqual([1, 1 / 3, 2 / 3, 1 / 3]);
        expect(s.deadFraction).toBe(1 / 4);
        const empty = await b().activationStats(tensor([], [0, 3]));
        expect(empty.deadUnits).toEqual([]);
        expect(empty.zeroFraction).toBe(0);
      });
    });

    /* ---------------- bad input ---------------- */
    // One test per row of BAD_INPUT_CASES (bad-input.ts), the README's "Bad input" table.
    describe('bad input gives the typed error', () => {
      badInputSuite(b, create);
    });

    /* ---------------- batch dims ---------------- */
    describe('batch shapes', () => {
      batchShapeSuite(b);
    });

    /* ---------------- hostile and careless callers ---------------- */
    describe('what plain JavaScript can do to a call (hostile-input classes of issue 11)', () => {
      hostileInputSuite(b);
    });

    /* ---------------- lifecycle ---------------- */
    describe('lifecycle', () => {
      it('stays correct over many calls', async () => {
        const x = tensor(normals(1024, 70));
        const expected = checksum((await forward('gelu', [x])).data);
        const tasks: Promise<Tensor>[] = [];
        for (let i = 0; i < 1000; i++) tasks.push(b().forward('gelu', x));
        const results = await Promise.all(tasks);
        expect(new Set(results.map((r) => checksum(r.data)))).toEqual(new Set([expected]));
      });

      it(`soak: ${SOAK_CALLS.toLocaleString('en-US')} mixed calls keep heap, RSS and the backend's resources flat`, async () => {
        const gc = exposeGc();
        const x = tensor(normals(257, 71));
        const dyx = tensor(normals(257, 73));
        const m = tensor(normals(16 * 16, 72), [16, 16]);
        const fx = tensor(normals(4 * 8, 74), [4, 8]);
        const w: FfnWeights = { w1: tensor(normals(8 * 12, 75), [8, 12]), b1: tensor(normals(12, 76)), w2: tensor(normals(12 * 5, 77), [12, 5]) };
        const fdy = tensor(normals(4 * 5, 78), [4, 5]);
        const slopes = tensor([0.25]);
        const ops: OpName[] = ['relu', 'gelu', 'silu', 'leaky_relu', 'softplus', 'mish', 'hardswish', 'tanh'];
        const call = async (i: number): Promise<void> => {
          const op = ops[i % ops.length];
          switch (i % 10) {
            case 0: case 1: case 2: { const y = await b().forward(op, x); if (y.size !== x.size) throw new Error('size'); break; }
            case 3: case 4: { const [dx] = await b().gradient(op, x, dyx); if (dx.size !== x.size) throw new Error('size'); break; }
            case 5: { const [dx, dw] = await b().gradient('prelu', [x, slopes], dyx); if (dx.size + dw.size !== 258) throw new Error('size'); break; }
            case 6: { const c = await b().matmul(m, m, { transposeB: i % 20 === 6 }); if (c.size !== 256) throw new Error('size'); break; }
            case 7: { const r = await b().ffn(fx, w, { activation: op === 'gelu' ? 'gelu' : 'relu', stats: i % 20 === 7 }); if (r.y.size !== 20) throw new Error('size'); break; }
            case 8: { const g = await b().ffnBackward(fx, w, fdy); if (g.dx.size !== 32) throw new Error('size'); break; }
            default: {
              if (i % 50 === 9) {
                // a bad input now and then: typed, and nothing kept
                const e = await b().forward('nope' as OpName, x).then(() => undefined, (err: unknown) => err);
                if (!(e instanceof RectifierError) || e.code !== ErrorCode.UnknownOp) throw new Error(`expected UNKNOWN_OP, got ${String(e)}`);
              } else {
                const s = await b().activationStats(m);
                if (s.rows !== 16) throw new Error('stats');
              }
            }
          }
        };
        const warmUp = Math.round(SOAK_CALLS / 20);
        const started = Date.now();
        for (let i = 0; i < warmUp; i++) await call(i); // caches, compiled kernels, pools
        const before = { ...memory(gc), rss: process.memoryUsage().rss };
        const resourcesBefore = options.resources?.(b());
        for (let i = warmUp; i < SOAK_CALLS; i++) await call(i);
        const after = { ...memory(gc), rss: process.memoryUsage().rss };
        const resourcesAfter = options.resources?.(b());
        soak = {
          calls: SOAK_CALLS, warmUp, seconds: (Date.now() - started) / 1000,
          heapGrowthMiB: (after.heapUsed - before.heapUsed) / 2 ** 20,
          arrayBufferGrowthMiB: (after.arrayBuffers - before.arrayBuffers) / 2 ** 20,
          rssGrowthMiB: (after.rss - before.rss) / 2 ** 20,
          ...(resourcesBefore === undefined ? {} : { resources: { before: resourcesBefore, after: resourcesAfter } }),
        };
        // Each call allocates ≥ 1 KB of outputs: 9,500 calls that were kept would be ≥ 10 MB.
        expect(soak.heapGrowthMiB, 'heap growth after GC (MiB)').toBeLessThan(SOAK_HEAP_BOUND_MIB);
        expect(soak.arrayBufferGrowthMiB, 'ArrayBuffer growth after GC (MiB)').toBeLessThan(SOAK_HEAP_BOUND_MIB);
        expect(soak.rssGrowthMiB, 'RSS growth (MiB)').toBeLessThan(SOAK_RSS_BOUND_MIB);
        if (resourcesBefore !== undefined) expect(resourcesAfter, 'GPU textures, compiled kernels, worker threads').toEqual(resourcesBefore);
      }, 600_000);

      it('is deterministic: two fresh instances give the same bits for every op (forward and gradient), seeded noisy_relu, matmul and FFN', async () => {
        const one = await create();
        const two = await create();
        try {
          await one.ready();
          await two.ready();
          // NaN payloads are not values: every NaN is hashed as the one canonical NaN.
          const bits = (t: Tensor): string => checksum(Float64Array.from(t.data, (v) => (v !== v ? NaN : v)));
          const run = async (be: Backend): Promise<string[]> => {
            const out: string[] = [];
            for (const dtype of be.capabilities.dtypes.filter((d) => DTYPES_UNDER_TEST.includes(d))) {
              for (const op of OP_NAMES) {
                const def = OPS[op];
                const params = def.kind === 'noisy' ? { seed: 12345 } : PARAM_VARIANTS[op][PARAM_VARIANTS[op].length - 1];
                const inputs = opTensors(def, dtype, 500);
                const y = await be.forward(op, inputs, params as never);
                const dy = tensor(normals(y.size, 501), y.shape, dtype);
                out.push(`${op}/${dtype}: ${bits(y)} ${(await be.gradient(op, inputs, dy, params as never)).map(bits).join(' ')}`);
              }
              const a = tensor(normals(33 * 17, 502), [33, 17], dtype);
              const c = tensor(normals(17 * 9, 503), [17, 9], dtype);
              out.push(`matmul/${dtype}: ${bits(await be.matmul(a, c))}`);
              const w: FfnWeights = { w1: tensor(normals(17 * 24, 504), [17, 24], dtype), b1: tensor(normals(24, 505), [24], dtype), w2: tensor(normals(24 * 9, 506), [24, 9], dtype) };
              const r = await be.ffn(a, w, { activation: 'gelu', returnHidden: true });
              const g = await be.ffnBackward(a, w, tensor(normals(33 * 9, 507), [33, 9], dtype), { activation: 'gelu' });
              out.push(`ffn/${dtype}: ${bits(r.y)} ${bits(r.hidden!)} ${[g.dx, g.dw1, g.dw2, g.db1!].map(bits).join(' ')}`);
            }
            return out;
          };
          const first = await run(one);
          expect(await run(two)).toEqual(first);
        } finally {
          await one.dispose();
          await two.dispose();
        }
      });

      it('rejects every call after dispose with DISPOSED, and dispose is idempotent', async () => {
        const own = await create();
        await own.ready();
        const x = tensor([1, -1]);
        const m = tensor([1], [1, 1]);
        await own.dispose();
        await own.dispose();
        expect(own.isDisposed).toBe(true);
        await expectCode(own.forward('relu', x), ErrorCode.Disposed);
        await expectCode(own.gradient('relu', x, x), ErrorCode.Disposed);
        await expectCode(own.matmul(m, m), ErrorCode.Disposed);
        await expectCode(own.ffn(m, { w1: m, w2: m }), ErrorCode.Disposed);
        await expectCode(own.ffnBackward(m, { w1: m, w2: m }, m), ErrorCode.Disposed);
        await expectCode(own.activationStats(m), ErrorCode.Disposed);
        await expectCode(own.ready(), ErrorCode.Disposed);
        if (own.capabilities.sync) await expectCode(() => own.sync!.forward('relu', x), ErrorCode.Disposed);
      });
    });

    /* ---------------- forward into a caller-provided output ---------------- */
    describe('forward(op, inputs, params, { out })', () => {
      it('in place (out is the input) gives the out-of-place result, for unary and GLU ops', async () => {
        for (const [op, params] of [['relu', {}], ['gelu', {}], ['leaky_relu', { alpha: 0.2 }], ['silu', {}]] as const) {
          const xs = normals(5000, 7).map((v) => 3 * v);
          const x = tensor(xs);
          const y = await b().forward(op, x, params as never);
          const r = await b().forward(op, x, params as never, { out: x });
          expect(r).toBe(x);
          expect(checksum(x.data)).toBe(checksum(y.data));
        }
        const gate = tensor(normals(300, 8));
        const value = tensor(normals(300, 9));
        const y = await b().forward('swiglu', [gate, value]);
        await b().forward('swiglu', [gate, value], undefined, { out: value });
        expect(checksum(value.data)).toBe(checksum(y.data));
      });
      it('a bad out gives the typed error and leaves the call unmade', async () => {
        const x = tensor([1, -2, 3, -4]);
        await expectCode(b().forward('relu', x, undefined, { out: tensor([0, 0, 0]) }), ErrorCode.DimMismatch);
        await expectCode(b().forward('crelu', x, undefined, { out: x }), ErrorCode.DimMismatch);
        await expectCode(b().forward('relu', x, undefined, { out: [0, 0, 0, 0] as never }), ErrorCode.BadArgument);
        await expectCode(b().forward('relu', x, undefined, { bogus: 1 } as never), ErrorCode.BadArgument);
        // Sharing memory with an input other than exactly, element for element, is refused.
        const shifted = new Tensor((x.data as Float32Array).subarray(1, 4), [3]);
        await expectCode(b().forward('relu', new Tensor((x.data as Float32Array).subarray(0, 3), [3]), undefined, { out: shifted }), ErrorCode.BadArgument);
        const w = tensor([0.5]);
        await expectCode(b().forward('prelu', [tensor([2]), w], undefined, { out: w }), ErrorCode.BadArgument);
        const gone = tensor([0, 0, 0, 0]);
        gone.dispose();
        await expectCode(b().forward('relu', x, undefined, { out: gone }), ErrorCode.Disposed);
        if (supports('float64')) {
          await expectCode(b().forward('relu', x, undefined, { out: tensor([0, 0, 0, 0], [4], 'float64') }), ErrorCode.DtypeMismatch);
        }
        expect(Array.from(x.data)).toEqual([1, -2, 3, -4]);
      });
    });

    /* ---------------- differential fuzzing ---------------- */
    describe('differential fuzzing against the float64 reference (fast-check)', () => {
      // On in every run: FUZZ_RUNS_DEFAULT (1,000) cases per op per backend, each a forward and a
      // gradient call against the reference with the suite's tolerances and subnormal rule.
      // RECTIFIER_FUZZ_RUNS sets the count (`pnpm fuzz`: 10,000; 0 turns the block off). The seed is
      // fixed per op so runs are reproducible; RECTIFIER_FUZZ_SEED=random draws new cases. A failure
      // is shrunk by fast-check (seed, path and counterexample printed) and, for element-wise ops,
      // reduced further to the one failing element, printed as a 1-element case.
      const runs = Number(process.env.RECTIFIER_FUZZ_RUNS ?? FUZZ_RUNS_DEFAULT);
      if (options.reportDir === false && process.env.RECTIFIER_FUZZ_RUNS === undefined) {
        // A second configuration of a backend already fuzzed (it writes no report): kept out of the
        // default run for time; `pnpm fuzz` (RECTIFIER_FUZZ_RUNS set) fuzzes it too.
        it.skip('differential fuzzing runs in this backend\'s reporting configuration (and in `pnpm fuzz`)', () => undefined);
        return;
      }
      if (!(runs > 0)) {
        it.skip('differential fuzzing is off (RECTIFIER_FUZZ_RUNS=0)', () => undefined);
        return;
      }
      const seedOf = (op: string): number | undefined =>
        process.env.RECTIFIER_FUZZ_SEED === 'random' ? undefined : [...op].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) | 0;
      const runCase = async (op: OpName, dtype: DType, c: FuzzCase): Promise<void> => {
        const ins = c.inputs.map((t) => inputData(dtype, t.values, t.shape));
        lastMismatch = undefined;
        if (refusedParam(b(), op, c.params) !== undefined) {
          // A parameter beyond the backend's declared paramLimits: the declared refusal.
          await expectCode(b().forward(op, ins, c.params as never), ErrorCode.UnsupportedValue);
          return;
        }
        await checkForward(op, ins, c.params, dtype);
        const s0 = ins[0].shape;
        const outShape = OPS[op].kind === 'crelu' ? [...s0.slice(0, -1), 2 * s0[s0.length - 1]] : s0;
        await checkGradient(op, ins, inputData(dtype, c.dy, outShape), c.params, dtype);
      };
      /** The failing element alone, as a 1-element case, where the op is element-wise and it still fails. */
      const oneElement = (op: OpName, c: FuzzCase, index: number): FuzzCase | undefined => {
        const kind = OPS[op].kind;
        if (kind !== 'unary' && kind !== 'glu') return undefined;
        return { inputs: c.inputs.map((t) => ({ values: [t.values[index]], shape: [1] })), params: c.params, dy: [c.dy[index]] };
      };
      for (const op of OP_NAMES) {
        it(`${op}: ${runs} random calls, forward and gradient, every declared dtype`, async () => {
          const t0 = performance.now();
          const dtypes = b().capabilities.dtypes.filter((d) => DTYPES_UNDER_TEST.includes(d));
          const arbitrary = fc.constantFrom(...dtypes).chain((dtype) => opCase(op, dtype).map((c) => ({ dtype, ...c })));
          let firstFailure = true;
          await fc.assert(fc.asyncProperty(arbitrary, async ({ dtype, ...c }) => {
            try {
              await runCase(op, dtype, c);
            } catch (e) {
              if (firstFailure) {
                // Printed whole, at once: if shrinking then outlasts the hang guard, the reason is already out.
                firstFailure = false;
                console.error(`[conformance:${name}] fuzz ${op}: first failing case, before shrinking: ${fc.stringify({ dtype, ...c })}\n${e instanceof Error ? e.stack ?? e.message : String(e)}`);
              }
              const index = lastMismatch;
              const small = index === undefined ? undefined : oneElement(op, c, index);
              if (small !== undefined && c.inputs[0].values.length > 1) {
                const again = await runCase(op, dtype, small).then(() => undefined, (err: unknown) => err);
                if (again !== undefined) {
                  throw new Error(`${op}: minimal failing case (1 element, from element ${index}): ${fc.stringify({ dtype, ...small })}\n${String(again)}`);
                }
              }
              throw e;
            }
          }), {
            numRuns: runs, ...(seedOf(op) === undefined ? {} : { seed: seedOf(op) }),
            // RECTIFIER_FUZZ_SHRINK=0: report the first failure as drawn (quick triage). No time
            // limit inside the property: a slow machine runs every case (the test's own limit, 600 s
            // against a few seconds measured per op, is only a hang guard).
            ...(process.env.RECTIFIER_FUZZ_SHRINK === '0' ? { endOnFailure: true } : {}),
          });
          fuzzCases.set(op, (fuzzCases.get(op) ?? 0) + runs);
          fuzzSeconds = Math.round((fuzzSeconds + (performance.now() - t0) / 1000) * 10) / 10;
        }, 600_000);
      }
    });

    /* ---------------- ONNX peer data ---------------- */
    describe('ONNX operator test data (onnx/backend/test/data/node)', () => {
      const dir = options.onnxDir ?? findOnnxDir();
      if (dir === undefined) {
        console.warn('\n!!! [conformance] ONNX peer data not found (RECTIFIER_ONNX_DIR points nowhere, or the package lost fixtures/onnx-node): the ONNX cases are SKIPPED !!!\n');
        it.skip('ONNX peer data not found: SKIPPED', () => undefined);
        return;
      }
      const cases = loadOnnxCases(dir);
      it('has all 48 cases', () => expect(cases.length).toBe(48));
      for (const c of cases) {
        it(c.name, async () => {
          const pc = mapOnnxCase(c);
          const inputs = pc.inputs.map((t) => tensor(t.data, t.shape, 'float32'));
          const y = await forward(pc.op, inputs, pc.params);
          expectTensor(y, pc.expected.shape, 'float32');
          const bad = compareWithin(y.data, pc.expected.data, (i) => pc.atol + pc.rtol * Math.abs(pc.expected.data[i]),
            (abs, ulp) => recorder.record(`onnx/${pc.sourceDtype}/${pc.onnxOp}`, ulp, abs), 'float32');
          expect(bad, describeMismatches(`${c.name} (${pc.op} ${JSON.stringify(pc.params)})`, bad)).toEqual([]);
        });
      }
    });
  });
}

