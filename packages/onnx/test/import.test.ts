/**
 * Import: an exported model runs the call it was made from, bit for bit; any other graph runs node
 * by node (FFN chains fused into one `ffn` call); other nodes give OnnxUnsupportedError. ONNX's own
 * 48 operator test cases run through the importer from their files in onnx-node.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCode, OPS, Tensor, tensor, type TypedArray } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { onnx } from '../src/proto.js';
import { OnnxUnsupportedError, exportFfn, exportMatmul, exportOp, importOnnx } from '../src/index.js';
import { opCases } from './cases.js';
import { grid } from './helpers.js';

const cpu = createCpuBackend();
const bits = (t: Tensor): Uint8Array => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
const seq = (n: number, scale: number, shift = 0): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * 1.3 + shift) * scale);

describe('round trip: export → import → run equals the original call, bit for bit', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const src = grid(-10, 10, 200, dtype);
    const x = new Tensor(src.data.subarray(0, 200) as TypedArray, [10, 20]);
    for (const c of opCases([10, 20], dtype)) {
      it(`${dtype} ${c.label}`, async () => {
        const glu = OPS[c.op].kind === 'glu';
        const values = Array.from(x.data, (v) => 2 - v / 3);
        const value = new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), x.shape);
        const model = importOnnx(exportOp(c.op, c.params as never, { shape: [10, 'n'], dtype, ...(c.weight ? { weight: c.weight } : {}) }));
        expect(model.source).toBe('recorded');
        const y = (await model.run(cpu, glu ? { gate: x, value } : { x })).y;
        const expected = await cpu.forward(c.op, glu ? [x, value] : c.weight ? [x, c.weight] : x, c.params as never);
        expect(bits(y)).toEqual(bits(expected));
      });
    }
  }

  it('matmul (with a constant b, transposed) and FFN blocks (unary and GLU)', async () => {
    const a = tensor(seq(12, 2), [3, 4]);
    const b = tensor(seq(20, 1, 1), [5, 4]);
    for (const model of [importOnnx(exportMatmul([3, 4], [5, 4], { transposeB: true })), importOnnx(exportMatmul([3, 4], b, { transposeB: true }))]) {
      expect(model.source).toBe('recorded');
      expect(bits((await model.run(cpu, { a, b })).y)).toEqual(bits(cpu.sync.matmul(a, b, { transposeB: true })));
    }
    for (const [activation, activationParams] of [['relu', {}], ['gelu', { approximate: 'tanh' }], ['swiglu', { beta: 1.5 }], ['softplus', { beta: 2 }]] as const) {
      const glu = OPS[activation].kind === 'glu';
      const weights = { w1: tensor(seq(32, 0.5), [4, 8]), b1: tensor(seq(8, 0.1, 2)), w2: tensor(seq(24, 0.4, 3), [8, 3]), ...(glu ? { v: tensor(seq(32, 0.3, 4), [4, 8]) } : {}) };
      const x = tensor(seq(20, 2, 5), [5, 4]);
      const model = importOnnx(exportFfn(weights, { activation, activationParams }));
      expect(model.calls).toEqual([`ffn(${activation})`]);
      expect(bits((await model.run(cpu, { x })).y)).toEqual(bits(cpu.sync.ffn(x, weights, { activation, activationParams }).y));
    }
  });

  it('an edited graph is not taken for the recorded call: it is read node by node', async () => {
    const m = onnx.ModelProto.decode(exportOp('leaky_relu', { alpha: 0.1 }, { shape: [4] }));
    m.graph!.node![0].attribute![0].f = 0.5;
    const model = importOnnx(onnx.ModelProto.encode(m).finish());
    expect(model.source).toBe('graph');
    const x = tensor([-2, -1, 1, 2]);
    expect(Array.from((await model.run(cpu, { x })).y.data)).toEqual([-1, -0.5, 1, 2]);
  });
});

/** A model from hand-made nodes (not through the exporter), as another tool would write it. */
function model(nodes: object[], initializers: Record<string, { dims: number[]; data: number[] }>, inputs: Record<string, (number | string)[]>, outputs: string[], opset = 17): Uint8Array {
  const info = (name: string, dims: (number | string)[] | undefined) => ({
    name, type: { tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } : {}) } },
  });
  const init = Object.entries(initializers).map(([name, t]) => ({ name, dims: t.dims, dataType: 1, floatData: t.data }));
  return onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: 8, opsetImport: [{ domain: '', version: opset }],
    graph: { name: 'g', node: nodes, initializer: init, input: Object.entries(inputs).map(([n, d]) => info(n, d)), output: outputs.map((o) => info(o, undefined)) },
  })).finish();
}

describe('graphs read node by node', () => {
  const w1 = { dims: [4, 6], data: seq(24, 0.5) };
  const b1 = { dims: [6], data: seq(6, 0.2, 1) };
  const w2 = { dims: [6, 3], data: seq(18, 0.4, 2) };
  const b2 = { dims: [3], data: seq(3, 0.1, 3) };
  const weights = { w1: tensor(w1.data, w1.dims), b1: tensor(b1.data), w2: tensor(w2.data, w2.dims), b2: tensor(b2.data) };
  const x = tensor(seq(20, 2, 4), [5, 4]);

  it('MatMul → Add → Relu → MatMul → Add is one ffn call (sparse path and stats apply)', async () => {
    const bytes = model([
      { opType: 'MatMul', input: ['x', 'w1'], output: ['z0'] }, { opType: 'Add', input: ['z0', 'b1'], output: ['z'] },
      { opType: 'Relu', input: ['z'], output: ['h'] },
      { opType: 'MatMul', input: ['h', 'w2'], output: ['y0'] }, { opType: 'Add', input: ['b2', 'y0'], output: ['y'] },
    ], { w1, b1, w2, b2 }, { x: ['T', 4] }, ['y']);
    const m = importOnnx(bytes);
    expect(m.source).toBe('graph');
    expect(m.calls).toEqual(['ffn(relu)']);
    const stats: unknown[] = [];
    const y = (await m.run(cpu, { x }, { ffn: { sparse: true, stats: true }, onFfn: (r) => stats.push(r.stats) })).y;
    const expected = cpu.sync.ffn(x, weights, { sparse: true, stats: true });
    expect(bits(y)).toEqual(bits(expected.y));
    expect(stats).toEqual([expected.stats]);
  });

  it('Gemm layers (transB, bias C) with a Gelu between them fuse too; a Sigmoid after stays its own call', async () => {
    const w1t = { dims: [6, 4], data: Array.from({ length: 24 }, (_, k) => w1.data[(k % 4) * 6 + Math.floor(k / 4)]) };
    const bytes = model([
      { opType: 'Gemm', input: ['x', 'w1t', 'b1'], output: ['z'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
      { opType: 'Gelu', input: ['z'], output: ['h'] },
      { opType: 'Gemm', input: ['h', 'w2', 'b2'], output: ['y0'] },
      { opType: 'Sigmoid', input: ['y0'], output: ['y'] },
    ], { w1t, b1, w2, b2 }, { x: [5, 4] }, ['y'], 20);
    const m = importOnnx(bytes);
    expect(m.calls).toEqual(['ffn(gelu)', 'forward(sigmoid)']);
    const y = (await m.run(cpu, { x })).y;
    expect(bits(y)).toEqual(bits(cpu.sync.forward('sigmoid', cpu.sync.ffn(x, weights, { activation: 'gelu' }).y)));
  });

  it('MatMul, Add with bias broadcast, and an activation whose input is also a graph output stay separate calls', async () => {
    const bytes = model([
      { opType: 'MatMul', input: ['x', 'w1'], output: ['z0'] }, { opType: 'Add', input: ['z0', 'b1'], output: ['z'] },
      { opType: 'LeakyRelu', input: ['z'], output: ['h'], attribute: [{ name: 'alpha', type: 1, f: 0.25 }] },
    ], { w1, b1 }, { x: [5, 4] }, ['z', 'h']);
    const m = importOnnx(bytes);
    expect(m.calls).toEqual(['matmul', 'add', 'forward(leaky_relu)']);
    const r = await m.run(cpu, { x });
    const z = cpu.sync.matmul(x, weights.w1);
    const zb = Float32Array.from(z.data, (v, i) => v + weights.b1.data[i % 6]);
    expect(Array.from(r.z.data)).toEqual(Array.from(zb));
    expect(bits(r.h)).toEqual(bits(cpu.sync.forward('leaky_relu', new Tensor(zb, [5, 6]), { alpha: 0.25 })));
  });

  it('other nodes: OnnxUnsupportedError (UNKNOWN_OP) listing every one', () => {
    const bytes = model([
      { opType: 'Conv', input: ['x', 'w1'], output: ['c'], name: 'conv1' },
      { opType: 'Relu', input: ['c'], output: ['r'] },
      { opType: 'Softmax', input: ['r'], output: ['y'], name: 'softmax' },
      { opType: 'Shrink', input: ['y'], output: ['s'], name: 'odd_shrink', attribute: [{ name: 'bias', type: 1, f: 0.3 }] },
    ], { w1 }, { x: [5, 4] }, ['s']);
    let error: unknown;
    try { importOnnx(bytes); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(OnnxUnsupportedError);
    const e = error as OnnxUnsupportedError;
    expect(e.code).toBe(ErrorCode.UnknownOp);
    expect(e.nodes.map((n) => [n.name, n.opType])).toEqual([['conv1', 'Conv'], ['softmax', 'Softmax'], ['odd_shrink', 'Shrink']]);
    expect(e.message).toContain('Conv, Softmax, Shrink');
  });

  it('bytes that are not a model, and inputs that do not fit it: typed errors', async () => {
    expect(() => importOnnx(Uint8Array.of(0xff, 0xff, 0xff))).toThrow(expect.objectContaining({ code: ErrorCode.BadArgument }));
    const m = importOnnx(exportOp('relu', undefined, { shape: [2, 'n'] }));
    await expect(m.run(cpu, {})).rejects.toMatchObject({ code: ErrorCode.BadArgument });
    await expect(m.run(cpu, { x: tensor([1, 2, 3]) })).rejects.toMatchObject({ code: ErrorCode.BadShape });
    await expect(m.run(cpu, { x: tensor([[1], [2]], undefined, 'float64') })).rejects.toMatchObject({ code: ErrorCode.DtypeMismatch });
  });
});
