/**
 * The conformance suite's harness: what every section shares. One context per suite run holds the
 * backend under test (created in beforeAll, so sections reach it through a getter), the suite's
 * options, the declared capabilities, the comparison policy (tolerances per accuracy class, the
 * subnormal rule's context, the sync and `{ out }` cross-checks every call goes through), and the
 * recorders the report sink (report.ts) writes out in afterAll.
 */
import {
  epsilon, ErrorCode, OPS, referenceForward, referenceGradient, Tensor, tensor,
  type Backend, type DType, type OpDefinition, type OpName, type TypedArray,
} from '@rectifier/core';
import { expect } from 'vitest';
import { expectCode, describeMismatches, expectTensor, unmutated } from './assertions.js';
import { AccuracyRecorder, checksum, compareUlp, compareWithin, flushParams, flushSubnormal, type Mismatch, type SubnormalContext } from './compare.js';
import { declaredOps } from './declared-ops.js';
import { opInputs } from './inputs.js';

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
/** Default time limit per conformance test and hook (ms); see ConformanceOptions.timeout. */
export const CONFORMANCE_TIMEOUT_MS = 600_000;
/** The dtypes the suite tests: each one a backend declares is tested, the others must be refused. */
export const DTYPES_UNDER_TEST: readonly DType[] = ['float32', 'float64'];

/** The reliability report's figures, filled in by the fuzz and soak sections. */
export interface ReliabilityFigures {
  /** Fuzz cases run per op. */
  fuzzCases: Map<string, number>;
  /** Seconds the fuzz blocks took, together. */
  fuzzSeconds: number;
  /** The soak test's figures, once it has run (a growth the platform cannot read is absent, and named in `notMeasured`). */
  soak?: { calls: number; heapGrowthMiB?: number; arrayBufferGrowthMiB?: number; rssGrowthMiB?: number; [k: string]: unknown };
}

/** What the subnormal rule (compare.ts) needs to know about one output, less the backend's declaration. */
export type OutputContext = Omit<SubnormalContext, 'subnormals'>;

/** Everything a section of the suite needs: the backend, its declarations and the comparison policy. */
export interface SuiteContext {
  /** The backend's name in test titles and report file names. */
  readonly name: string;
  /** The factory (sections that need fresh instances call it themselves, and dispose them). */
  readonly create: ConformanceFactory;
  readonly options: ConformanceOptions;
  /** Time limit per test and hook (ms). */
  readonly timeout: number;
  readonly dtypes: readonly DType[];
  /** The backend under test; throws before beforeAll has created it. */
  backend(): Backend;
  /** Whether the backend declares this dtype. */
  supports(dtype: DType): boolean;
  /** The ops the backend declares (`capabilities.ops ?? OP_NAMES`); a test of any other asks its UNSUPPORTED_OP (declared-ops.ts). */
  readonly ops: readonly OpName[];
  /** Worst errors per report key (written to reports/run/accuracy). */
  readonly recorder: AccuracyRecorder;
  /** Fuzz and soak figures (written to reports/run/reliability). */
  readonly reliability: ReliabilityFigures;
  /** The first mismatching element of the last failed check (the fuzzer reduces a failure to it). */
  lastMismatch: number | undefined;
  /** compareUlp with the backend's declared sign-of-zero and subnormal behaviour. */
  ulpCheck(
    got: TypedArray, expected: ArrayLike<number>, dtype: DType, maxUlp: number,
    record?: (ulp: number, abs: number, at: number | string) => void, inputs?: ArrayLike<number>, ctx?: OutputContext,
  ): Mismatch[];
  subnormalContext(op: OpName, inputs: Tensor[], params: object, dtype: DType, which: 'forward' | number, dy?: Tensor): OutputContext;
  /** A tensor of the dtype, its subnormals flushed where the backend declares it flushes them. */
  inputData(dtype: DType, values: readonly number[], shape?: readonly number[]): Tensor;
  /** Forward, cross-checked through sync (where declared) and into a caller-provided `out`. */
  forward(op: OpName, inputs: Tensor[], params?: object): Promise<Tensor>;
  /** Gradient, cross-checked through sync where declared. */
  gradient(op: OpName, inputs: Tensor[], dy: Tensor, params?: object): Promise<Tensor[]>;
  /** When the dtype is not declared, the call must give UNSUPPORTED_DTYPE; otherwise run the body. */
  withDtype(dtype: DType, body: () => Promise<void>): Promise<void>;
  /** The forward ulp bound of an op's accuracy class. */
  forwardTolerance(def: OpDefinition, dtype: DType): number;
  /** A gradient multiplies f′ by dy (and by the value for GLU): one or two more roundings. */
  gradientTolerance(def: OpDefinition, dtype: DType): number;
  /** The tensors an op is tested on, in its input order. */
  opTensors(def: OpDefinition, dtype: DType, seed: number): Tensor[];
  /** The accuracy report's key. */
  reportKey(op: string, dtype: DType, what: string): string;
  /** One forward call checked against the float64 reference (the op tests and the fuzzer share it). */
  checkForward(op: OpName, inputs: Tensor[], params: object, dtype: DType): Promise<void>;
  /** One gradient call checked against the float64 reference; PReLU's slope sums against a summation bound. */
  checkGradient(op: OpName, inputs: Tensor[], dy: Tensor, params: object, dtype: DType): Promise<void>;
  /** Sets the backend under test (the beforeAll hook) or clears it. */
  setBackend(backend: Backend | undefined): void;
}

/** The context of one suite run (the backend is set by the hooks in report.ts). */
export function createSuiteContext(name: string, create: ConformanceFactory, options: ConformanceOptions): SuiteContext {
  let current: Backend | undefined;
  const backend = (): Backend => {
    if (current === undefined) throw new Error('the backend was not created');
    return current;
  };
  const supports = (dtype: DType): boolean => backend().capabilities.dtypes.includes(dtype);
  const ulpCheck: SuiteContext['ulpCheck'] = (got, expected, dtype, maxUlp, record = () => undefined, inputs, ctx) =>
    compareUlp(got, expected, dtype, maxUlp, backend().capabilities.signedZeros, record, inputs, backend().capabilities.subnormals, ctx);

  /**
   * The reference on flushed parameters (inputs are flushed by inputData already) for a backend that
   * flushes, and the intermediate factor a kernel forms in the dtype with what multiplies it afterwards.
   * `which`: 'forward', or the index of the input whose gradient is compared.
   */
  const subnormalContext: SuiteContext['subnormalContext'] = (op, inputs, params, dtype, which, dy) => {
    const def = OPS[op];
    const ctx: OutputContext = {};
    if (!backend().capabilities.subnormals) {
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
  const inputData: SuiteContext['inputData'] = (dtype, values, shape = [values.length]) => {
    const t = tensor(values as number[], shape, dtype);
    return backend().capabilities.subnormals ? t : tensor(Array.from(t.data, (v) => flushSubnormal(v, dtype)), shape, dtype);
  };

  /**
   * Forward through the async API; where the backend declares sync, also through it, bit for bit;
   * and into a caller-provided output (`{ out }`), which must come back filled with the same bits.
   */
  const forward: SuiteContext['forward'] = async (op, inputs, params) => {
    const b = backend();
    const y = await unmutated(inputs, () => b.forward(op, inputs, params as never));
    if (b.capabilities.sync) {
      const ys = b.sync!.forward(op, inputs, params as never);
      expect(checksum(ys.data)).toBe(checksum(y.data));
    }
    const out = new Tensor(new (y.data.constructor as Float32ArrayConstructor)(y.size).fill(NaN), y.shape);
    const yo = await unmutated(inputs, () => b.forward(op, inputs, params as never, { out }));
    expect(yo).toBe(out);
    expect(checksum(out.data)).toBe(checksum(y.data));
    return y;
  };
  const gradient: SuiteContext['gradient'] = async (op, inputs, dy, params) => {
    const b = backend();
    const g = await unmutated([...inputs, dy], () => b.gradient(op, inputs, dy, params as never));
    if (b.capabilities.sync) {
      const gs = b.sync!.gradient(op, inputs, dy, params as never);
      expect(gs.map((t) => checksum(t.data))).toEqual(g.map((t) => checksum(t.data)));
    }
    return g;
  };

  const withDtype: SuiteContext['withDtype'] = async (dtype, body) => {
    if (!supports(dtype)) {
      await expectCode(backend().forward('relu', tensor([1], [1], dtype)), ErrorCode.UnsupportedDtype);
      return;
    }
    await body();
  };

  const forwardTolerance: SuiteContext['forwardTolerance'] = (def, dtype) =>
    def.accuracy === 'exact' ? 0 : def.accuracy === 'scaled' ? 1 : (backend().capabilities.ulp[dtype] ?? 0);
  const gradientTolerance: SuiteContext['gradientTolerance'] = (def, dtype) =>
    def.accuracy === 'exact' ? 0 : forwardTolerance(def, dtype) + (def.kind === 'glu' ? 2 : 1);

  const opTensors: SuiteContext['opTensors'] = (def, dtype, seed) => {
    const xs = opInputs(seed);
    switch (def.kind) {
      case 'glu':
        return [inputData(dtype, xs), inputData(dtype, [...opInputs(seed + 11)].reverse())];
      case 'prelu': {
        const channelLength = Math.floor(xs.length / 6);
        return [inputData(dtype, xs.slice(0, 6 * channelLength), [2, 3, channelLength]), inputData(dtype, [0.25, -0.5, 2])];
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

  const reportKey: SuiteContext['reportKey'] = (op, dtype, what) => `${op}/${dtype}/${what}`;

  const context: SuiteContext = {
    name, create, options, timeout: options.timeout ?? CONFORMANCE_TIMEOUT_MS, dtypes: DTYPES_UNDER_TEST,
    backend, supports, get ops() { return declaredOps(backend()); }, recorder: new AccuracyRecorder(), reliability: { fuzzCases: new Map(), fuzzSeconds: 0 }, lastMismatch: undefined,
    ulpCheck, subnormalContext, inputData, forward, gradient, withDtype, forwardTolerance, gradientTolerance, opTensors, reportKey,
    checkForward: async (op, inputs, params, dtype) => {
      const def = OPS[op];
      const y = await forward(op, inputs, params);
      const ref = referenceForward(op, inputs, params);
      expectTensor(y, ref.shape, dtype);
      const bad = ulpCheck(y.data, ref.data, dtype, forwardTolerance(def, dtype),
        (u, a, at) => context.recorder.record(reportKey(op, dtype, 'forward'), u, a, at),
        def.kind === 'crelu' ? undefined : inputs[0].data, subnormalContext(op, inputs, params, dtype, 'forward'));
      if (bad.length > 0) context.lastMismatch = bad[0].index;
      expect(bad, describeMismatches(`${op} ${JSON.stringify(params)}`, bad)).toEqual([]);
    },
    checkGradient: async (op, inputs, dy, params, dtype) => {
      const def = OPS[op];
      const grads = await gradient(op, inputs, dy, params);
      const refs = referenceGradient(op, inputs, dy, params);
      expect(grads.length).toBe(def.inputs.length);
      for (const [i, g] of grads.entries()) {
        expectTensor(g, inputs[i].shape, dtype);
        if (def.kind === 'prelu' && i === 1) {
          const wide = (t: Tensor, fn: (v: number) => number): Tensor => tensor(Array.from(t.data, fn), t.shape, 'float64');
          const bound = referenceGradient(op, [wide(inputs[0], (v) => -Math.abs(v)), wide(inputs[1], (v) => v)], wide(dy, Math.abs), params)[1].data;
          const acc = epsilon(backend().capabilities.accumulation) * (inputs[0].size + 2);
          const bad = compareWithin(g.data, refs[1].data, (k) => acc * Math.abs(bound[k]) + epsilon(dtype) * Math.abs(refs[1].data[k]),
            (a) => context.recorder.record(reportKey(op, dtype, 'gradient-weight'), undefined, a), dtype);
          expect(bad, describeMismatches(`${op} dweight`, bad)).toEqual([]);
          continue;
        }
        const bad = ulpCheck(g.data, refs[i].data, dtype, gradientTolerance(def, dtype),
          (u, a, at) => context.recorder.record(reportKey(op, dtype, `gradient-${def.inputs[i]}`), u, a, at),
          def.kind === 'crelu' ? undefined : inputs[0].data, subnormalContext(op, inputs, params, dtype, i, dy));
        if (bad.length > 0) context.lastMismatch = bad[0].index;
        expect(bad, describeMismatches(`${op} d${def.inputs[i]} ${JSON.stringify(params)}`, bad)).toEqual([]);
      }
    },
    setBackend: (b) => {
      current = b;
    },
  };
  return context;
}
