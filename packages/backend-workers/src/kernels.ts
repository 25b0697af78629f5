/**
 * The workers backend's kernels: each call is priced by the cost model (cost.ts); one the pool
 * pays for is cut into one chunk per thread and run there over shared memory, the others run on
 * the calling thread with the CPU backend's kernels.
 */
import {
  ffnGradients, ffnResult, Tensor,
  type FfnBackwardCall, type FfnCall, type FfnGradients, type FfnResult,
  type GradientCall, type Kernels, type MatmulCall, type OpCall, type TypedArray,
} from '@rectifier/core';
import { CpuKernels, ffnBiasSums, ffnOperands, type FfnOperands } from '@rectifier/backend-cpu/kernels';
import { chunks, ELEMENT_ALIGN, splitRanges, splitStackedRows } from './chunks.js';
import { elementwiseNs, multiplyAddNs, poolSavingNs, weightGradientRowCosts } from './cost.js';
import type { ElementwiseCall, Task } from './protocol.js';
import { allocateShared, withInputs, type SharedInputs, type StagingBuffers } from './staging.js';
import type { PreparedWeights } from './weights.js';

/** Runs the tasks of one call in the pool; settles when all of them have (`op` names the call in errors). */
export interface Pool {
  run(op: string, tasks: readonly Task[]): Promise<void>;
}

const elementCount = (shape: readonly number[]): number => shape.reduce((size, dim) => size * dim, 1);

/**
 * The kernels: large calls are cut into one chunk per thread and run in the pool over shared
 * memory; small ones run here, on the CPU backend's kernels.
 */
export class WorkersKernels implements Kernels {
  readonly #cpu = new CpuKernels();

  constructor(
    private readonly pool: Pool,
    private readonly threads: number,
    private readonly minSavingNs: number,
    private readonly staging: StagingBuffers,
    private readonly prepared: PreparedWeights,
  ) {}

  /** Whether the pool runs a call of this single-thread time that stages this many elements. */
  #usePool(singleThreadNs: number, stagedElements: number): boolean {
    return this.minSavingNs === 0 || poolSavingNs(singleThreadNs, stagedElements, this.threads) >= this.minSavingNs;
  }

  /**
   * Whether the pool pays for an element-wise call: it moves every input and the output (the
   * forward pass), or every input, dy and a gradient per input (the backward pass).
   */
  #elementwisePays(call: OpCall, direction: 'forward' | 'gradient'): boolean {
    const inputs = call.inputs.reduce((sum, t) => sum + t.size, 0);
    const output = elementCount(call.outShape);
    const staged = direction === 'forward' ? inputs + output : 2 * inputs + output;
    return this.#usePool(elementwiseNs(call.op.name, call.dtype, direction, call.inputs[0].size), staged);
  }

  #elementwise(call: OpCall, shared: SharedInputs): ElementwiseCall {
    return {
      op: call.op.name,
      inputs: call.inputs.map((t) => shared.tensor(t)),
      params: call.params,
      dtype: call.dtype,
      outShape: call.outShape,
      ...(call.prelu === undefined ? {} : { prelu: call.prelu }),
      precision: call.precision, // 'fast' reaches the workers' kernels as it reaches the CPU backend's
    };
  }

  forward(call: OpCall): Tensor | Promise<Tensor> {
    if (!this.#elementwisePays(call, 'forward')) return this.#cpu.forward(call);
    return withInputs(this.staging, (shared) => this.#forward(call, shared));
  }

  async #forward(call: OpCall, shared: SharedInputs): Promise<Tensor> {
    const c = this.#elementwise(call, shared);
    const out = allocateShared(call.dtype, elementCount(call.outShape));
    const tasks = chunks(call.inputs[0].size, this.threads, ELEMENT_ALIGN)
      .map(([start, end]): Task => ({ kind: 'forward', call: c, out, start, end }));
    await this.pool.run(call.op.name, tasks);
    return new Tensor(out, call.outShape);
  }

  gradient(call: GradientCall): Tensor[] | Promise<Tensor[]> {
    if (!this.#elementwisePays(call, 'gradient')) return this.#cpu.gradient(call);
    return withInputs(this.staging, (shared) => this.#gradient(call, shared));
  }

  async #gradient(call: GradientCall, shared: SharedInputs): Promise<Tensor[]> {
    const c = this.#elementwise(call, shared);
    const dy = shared.tensor(call.dy);
    const out = call.inputs.map((t) => allocateShared(call.dtype, t.size));
    const ranges = chunks(call.inputs[0].size, this.threads, ELEMENT_ALIGN);
    // PReLU's slope gradient is a sum over each channel's elements, and a channel's run of
    // elements may straddle two chunks: each chunk adds into its own float64 partial sums, reduced
    // below in chunk order. With one slope per element ('full'), chunks touch disjoint slopes and
    // share one array, which keeps the result the CPU backend's bit for bit.
    const prelu = call.prelu;
    const slopes = call.inputs.length > 1 ? call.inputs[1].size : 0;
    const stride = prelu?.mode === 'full' ? 0 : slopes;
    const partials = prelu === undefined ? undefined : new Float64Array(new SharedArrayBuffer(8 * (stride * (ranges.length - 1) + slopes)));
    const tasks = ranges.map(([start, end], i): Task => ({
      kind: 'gradient', call: c, dy, start, end,
      out: prelu === undefined ? out : [out[0]], // with slopeSums the kernel leaves out[1] to us
      ...(partials === undefined ? {} : { slopeSums: partials.subarray(i * stride, i * stride + slopes) }),
    }));
    await this.pool.run(call.op.name, tasks);
    if (partials !== undefined) {
      const sums = new Float64Array(slopes);
      for (let i = 0; i < (stride === 0 ? 1 : ranges.length); i++) {
        for (let j = 0; j < slopes; j++) sums[j] += partials[i * stride + j];
      }
      out[1].set(sums);
    }
    return out.map((data, i) => new Tensor(data, call.inputs[i].shape));
  }

  matmul(c: MatmulCall): Tensor | Promise<Tensor> {
    const staged = c.m * c.k + c.k * c.n + c.m * c.n;
    if (c.m < 2 || !this.#usePool(multiplyAddNs(c.dtype, c.m * c.k * c.n), staged)) return this.#cpu.matmul(c);
    return withInputs(this.staging, (shared) => this.#matmul(c, shared));
  }

  async #matmul(c: MatmulCall, shared: SharedInputs): Promise<Tensor> {
    const { transposeA, transposeB, m, k, n, dtype } = c;
    const a = shared.of(c.a.data);
    const b = shared.of(c.b.data);
    const out = allocateShared(dtype, m * n);
    const tasks = chunks(m, this.threads, 1).map(([rowStart, rowEnd]): Task => ({
      kind: 'matmul', a, b, transposeA, transposeB, m, k, n, dtype, rowStart, rowEnd, out,
    }));
    await this.pool.run('matmul', tasks);
    return new Tensor(out, [m, n]);
  }

  /**
   * Whether the pool pays for an FFN call: its multiply-adds (the backward pass recomputes the
   * forward one and does about twice its work again) against the weights, input, hidden layer and
   * output it moves through shared memory. The backward pass also transposes the weights
   * (dh = dy·W2ᵀ, dx = dz·W1ᵀ), once on the calling thread, which no thread count shortens: counted
   * as two more passes over them (at 64 tokens that tips it to the calling thread, where it
   * measured faster). Prepared weights are priced the same, though they skip the copy and, after
   * the first backward pass, the transposes: the model stays a conservative bound for them.
   */
  #ffnPays(c: FfnCall, backward: boolean): boolean {
    const forward = c.T * c.f * (c.d * (c.v === undefined ? 1 : 2) + c.dOut);
    const weights = c.f * (c.d * (c.v === undefined ? 1 : 2) + c.dOut);
    const staged = weights * (backward ? 3 : 1) + c.T * (c.d + c.f + c.dOut) * (backward ? 2 : 1);
    return c.T >= 2 && this.#usePool(multiplyAddNs(c.dtype, backward ? 3 * forward : forward), staged);
  }

  #ffnOperands(c: FfnCall, shared: SharedInputs): FfnOperands {
    return ffnOperands(c, (data) => shared.of(data));
  }

  ffn(c: FfnCall): FfnResult | Promise<FfnResult> {
    if (!this.#ffnPays(c, false)) return this.#cpu.ffn(c);
    return withInputs(this.staging, (shared) => this.#ffn(c, shared));
  }

  async #ffn(c: FfnCall, shared: SharedInputs): Promise<FfnResult> {
    const ffn = this.#ffnOperands(c, shared);
    // The hidden layer only when the caller gets it (returnHidden, stats): otherwise each thread's
    // fused path keeps its rows inside its WebAssembly module.
    const h = c.returnHidden || c.stats ? allocateShared(c.dtype, c.T * c.f) : undefined;
    const y = allocateShared(c.dtype, c.T * c.dOut);
    const tasks = chunks(c.T, this.threads, 1).map(([rowStart, rowEnd]): Task => ({ kind: 'ffnForward', ffn, rowStart, rowEnd, h, y }));
    await this.pool.run('ffn', tasks);
    return ffnResult(c, y, h);
  }

  ffnBackward(c: FfnBackwardCall): FfnGradients | Promise<FfnGradients> {
    if (!this.#ffnPays(c, true)) return this.#cpu.ffnBackward(c);
    return withInputs(this.staging, (shared) => this.#ffnBackward(c, shared));
  }

  /**
   * The transpose of a weight for every thread: kept with a prepared weight, else made for this
   * call in shared memory (from the caller's array: the same values as from its copy).
   */
  #transposed(data: TypedArray, rows: number, cols: number, shared: SharedInputs): TypedArray {
    return this.prepared.transposed(data, rows, cols) ?? shared.transposed(data, rows, cols);
  }

  /**
   * Each thread's rows of the weight gradients: [dStart, dEnd) of dW1 (and dV), [fStart, fEnd) of
   * dW2. Dense: the rows of dW1/dV and of dW2 stacked and cut by their cost
   * ({@link weightGradientRowCosts}), so at the bench's shapes one thread makes dW1 and the other
   * most of dW2: each product's B operand (dz, dy) is then copied into one thread's WebAssembly
   * memory, not into every thread's. Sparse: dW1/dV go by units (columns [fStart, fEnd)) like
   * dW2's rows, so f alone is split and the d range is empty (ffnWeightGradientRows does not read it).
   */
  #weightGradientRanges(c: FfnBackwardCall): (readonly (readonly [number, number])[])[] {
    if (c.sparse) return splitRanges(c.f, this.threads, 1).map((fRange) => [[0, 0], fRange]);
    const [dW1, dW2] = weightGradientRowCosts(c);
    return splitStackedRows([{ rows: c.d, rowCost: dW1 }, { rows: c.f, rowCost: dW2 }], this.threads);
  }

  /**
   * Two rounds: what is per token (forward, dh, dz, dx) split by tokens, every thread reading the
   * same W1ᵀ, W2ᵀ (and Vᵀ) made before the round; then the weight gradients, which sum over all
   * tokens, split by their own rows ({@link #weightGradientRanges}), so no reduction crosses
   * threads. The bias gradients (column sums) are summed here meanwhile (split by columns into
   * the tasks instead, they measured no faster: bench/ffn-backward.mjs).
   */
  async #ffnBackward(c: FfnBackwardCall, shared: SharedInputs): Promise<FfnGradients> {
    const { T, d, f, dOut, dtype } = c;
    const ffn: FfnOperands = {
      ...this.#ffnOperands(c, shared),
      w1t: this.#transposed(c.w1.data, d, f, shared),
      w2t: this.#transposed(c.w2.data, f, dOut, shared),
      ...(c.v === undefined ? {} : { vt: this.#transposed(c.v.data, d, f, shared) }),
    };
    const dy = shared.of(c.dy.data);
    // h, dz and dzv are the call's own (every row written by the first round, read by the second).
    const h = shared.scratch(dtype, T * f);
    const dz = shared.scratch(dtype, T * f);
    const dzv = c.v === undefined ? undefined : shared.scratch(dtype, T * f);
    const dx = allocateShared(dtype, T * d);
    await this.pool.run('ffnBackward', chunks(T, this.threads, 1).map(([rowStart, rowEnd]): Task => ({
      kind: 'ffnBackwardRows', ffn, rowStart, rowEnd, dy, h, dz, dzv, dx,
    })));

    const dw1 = allocateShared(dtype, d * f);
    const dv = c.v === undefined ? undefined : allocateShared(dtype, d * f);
    const dw2 = allocateShared(dtype, f * dOut);
    const tasks: Task[] = [];
    for (const [[dStart, dEnd], [fStart, fEnd]] of this.#weightGradientRanges(c)) {
      if (dEnd > dStart || fEnd > fStart) tasks.push({ kind: 'ffnWeights', ffn, h, dy, dz, dzv, dStart, dEnd, fStart, fEnd, dw1, dv, dw2 });
    }
    const weights = this.pool.run('ffnBackward', tasks);
    const biases = ffnBiasSums(c, { dz, dy, dzv });
    await weights;
    return ffnGradients(c, { dx, dw1, dw2, ...(dv === undefined ? {} : { dv }) }, biases);
  }
}
