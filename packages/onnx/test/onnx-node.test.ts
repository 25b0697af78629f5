/**
 * ONNX's own operator test cases (onnx/backend/test/data/node), from their original files:
 * test/fixtures/onnx-node/<case>/model.onnx is read by the importer as it is, and its
 * input_*.pb / output_0.pb (TensorProto) are decoded with the same protobuf schema. Each case's data
 * is also checked against the JSON decoding of the same files in packages/conformance (which gives
 * the Rectifier op and ONNX's tolerances, widened for float16/bfloat16 as in the conformance suite).
 *
 * What the files hold that Rectifier does not read as they are is asserted, then adapted:
 * - float16, bfloat16 and int8 models: importOnnx refuses them (UNSUPPORTED_DTYPE); the same graph
 *   with float32 tensors then runs on the cases' exactly representable values;
 * - Clip's min/max are graph inputs in ONNX's files, and the importer takes only constant bounds
 *   (OnnxUnsupportedError); they are then bound as initializers from their .pb files.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode, Tensor } from '@rectifier/core';
import { createCpuBackend } from '@rectifier/backend-cpu';
import { findOnnxDir, loadOnnxCases, mapOnnxCase } from '@rectifier/conformance';
import { ELEM_FLOAT, onnx, type TensorObject } from '../src/proto.js';
import { OnnxUnsupportedError, importOnnx } from '../src/index.js';

const cpu = createCpuBackend();
const FIXTURES = new URL('./fixtures/onnx-node/', import.meta.url);
/** A decoded GraphProto (its repeated fields are always arrays). */
type Graph = import('onnx-proto').onnx.GraphProto;
const ELEM = { FLOAT: ELEM_FLOAT, INT8: 3, FLOAT16: 10, BFLOAT16: 16 } as const;

/** A TensorProto's elements as numbers, row-major (float, float16, bfloat16, int8; raw or typed fields). */
function elementsOf(t: TensorObject): number[] {
  const raw = t.rawData && t.rawData.length > 0 ? new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength) : undefined;
  const count = (t.dims ?? []).reduce<number>((p, d) => p * Number(d), 1);
  const at = (read: (i: number) => number, typed: ArrayLike<number> | null | undefined): number[] =>
    raw ? Array.from({ length: count }, (_, i) => read(i)) : Array.from(typed ?? []);
  switch (t.dataType) {
    case ELEM.FLOAT: return at((i) => raw!.getFloat32(4 * i, true), t.floatData);
    case ELEM.INT8: return at((i) => raw!.getInt8(i), t.int32Data);
    case ELEM.FLOAT16: return at((i) => half(raw!.getUint16(2 * i, true)), t.int32Data?.map(half));
    case ELEM.BFLOAT16: return at((i) => bfloat(raw!.getUint16(2 * i, true)), t.int32Data?.map(bfloat));
    default: throw new Error(`${t.name}: element type ${t.dataType} is not one of ONNX's cases here`);
  }
}
/** IEEE half-precision bits as the number they stand for (exact). */
function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  if (exponent === 0x1f) return mantissa ? NaN : sign * Infinity;
  return sign * (exponent === 0 ? mantissa * 2 ** -24 : (1 + mantissa / 1024) * 2 ** (exponent - 15));
}
/** bfloat16 bits: the high half of a float32. */
function bfloat(bits: number): number {
  return new Float32Array(Uint32Array.of(bits << 16).buffer)[0];
}

interface PbTensor { readonly name: string; readonly dims: number[]; readonly elemType: number; readonly data: number[] }
function readPb(file: URL): PbTensor {
  const t = onnx.TensorProto.decode(readFileSync(file));
  return { name: t.name, dims: t.dims.map(Number), elemType: t.dataType, data: elementsOf(t) };
}

/** The model with every tensor type float32 and the `constants` bound as float32 initializers (no longer graph inputs). */
function adapted(bytes: Uint8Array, constants: readonly PbTensor[]): Uint8Array {
  const m = onnx.ModelProto.decode(bytes);
  const graph = m.graph as Graph;
  const bound = new Set(constants.map((c) => c.name));
  graph.input = graph.input.filter((v) => !bound.has(v.name ?? ''));
  for (const v of [...graph.input, ...graph.output]) v.type!.tensorType!.elemType = ELEM.FLOAT;
  graph.initializer.push(...constants.map((c) => onnx.TensorProto.create({ name: c.name, dims: c.dims, dataType: ELEM.FLOAT, floatData: c.data })));
  return onnx.ModelProto.encode(m).finish();
}

describe('ONNX operator test cases from their .onnx and .pb files, through the importer', () => {
  const dir = findOnnxDir();
  const cases = dir ? loadOnnxCases(dir) : [];

  it('all 48 are there, one folder each', () => {
    expect(cases.length).toBe(48);
    const folders = readdirSync(FIXTURES, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.sort()).toEqual(cases.map((c) => c.name).sort());
  });

  for (const c of cases) {
    it(c.name, async () => {
      const peer = mapOnnxCase(c);
      const folder = new URL(`${c.name}/`, FIXTURES);
      const bytes = readFileSync(new URL('model.onnx', folder));
      const pbInputs = readdirSync(folder).filter((f) => /^input_\d+\.pb$/.test(f)).sort().map((f) => readPb(new URL(f, folder)));
      const pbOutput = readPb(new URL('output_0.pb', folder));
      const graph = onnx.ModelProto.decode(bytes).graph as Graph;
      const node = graph.node[0] as import('onnx-proto').onnx.NodeProto;
      expect(graph.node.map((n) => n.opType)).toEqual([c.op_type]);

      // The files hold what the JSON holds (input_i.pb is graph input i).
      expect(pbInputs.map((t) => t.name)).toEqual(graph.input.map((v) => v.name));
      for (const t of [...pbInputs, pbOutput]) {
        const json = [...c.inputs, ...c.outputs].find((j) => j.name === t.name)!;
        expect(t.dims).toEqual(json.dims);
        expect(t.data).toEqual(json.data.map((v) => (typeof v === 'number' ? v : Number(v === '-0' ? -0 : v))));
      }

      let model: Uint8Array = bytes;
      if (pbInputs[0].elemType !== ELEM.FLOAT) {
        expect(() => importOnnx(bytes)).toThrow(expect.objectContaining({ code: ErrorCode.UnsupportedDtype }));
        model = adapted(bytes, []);
      }
      const bounds = c.op_type === 'Clip' ? pbInputs.filter((t) => node.input.indexOf(t.name) > 0) : [];
      if (bounds.length > 0) {
        let refused: unknown;
        try { importOnnx(model); } catch (e) { refused = e; }
        expect(refused).toBeInstanceOf(OnnxUnsupportedError);
        expect((refused as OnnxUnsupportedError).nodes.map((n) => [n.opType, n.reason])).toEqual([['Clip', 'Clip bounds that are not constant scalars']]);
        model = adapted(model, bounds);
      }

      const m = importOnnx(model);
      expect(m.calls).toEqual([`forward(${peer.op})`]);
      const feeds = Object.fromEntries(pbInputs.filter((t) => !bounds.includes(t)).map((t) => [t.name, new Tensor(Float32Array.from(t.data), t.dims)]));
      const y = (await m.run(cpu, feeds))[graph.output[0].name ?? ''];
      expect([...y.shape]).toEqual(pbOutput.dims);
      pbOutput.data.forEach((e, i) => {
        if (Number.isNaN(e)) expect(y.data[i]).toBeNaN();
        else expect(Math.abs(y.data[i] - e)).toBeLessThanOrEqual(peer.atol + peer.rtol * Math.abs(e));
      });
    });
  }
});
