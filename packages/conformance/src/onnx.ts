/**
 * ONNX's own operator test data (onnx/backend/test/data/node, decoded to JSON in
 * fixtures/onnx-node in this package) mapped onto Rectifier's ops. Each ONNX op and attribute maps to
 * one of ours, with ONNX's defaults where an attribute is absent. Cases stored in dtypes Rectifier
 * does not have (float16, bfloat16, int8) run in float32 on their exactly representable values,
 * and are compared with ONNX's tolerance widened to that dtype's epsilon.
 */
import { findOnnxDir as findPlatformOnnxDir, readOnnxCaseFiles } from '#platform';
import type { OpName } from '@rectifier/core';

/** One tensor of an ONNX case, as the JSON files hold it. */
export interface OnnxTensorJson {
  /** The tensor's name in the ONNX node, e.g. `'X'`, `'slope'`, `'Y'`. */
  name: string;
  /** The tensor's dims. */
  dims: number[];
  /** The ONNX element type it was stored in: 'float32', 'float16', 'bfloat16' or 'int8'. */
  dtype: string;
  /** The elements, row-major; non-finite values and −0 as the strings 'NaN', 'Infinity', '-Infinity', '-0'. */
  data: (number | string)[];
}

/** One ONNX node test case as the fixture JSON holds it (field names as ONNX's). */
export interface OnnxCaseJson {
  /** The ONNX test's name, e.g. `'test_celu'`. */
  name: string;
  /** The ONNX operator, e.g. `'Celu'`, `'Clip'`. */
  op_type: string;
  /** The opset version of the node. */
  opset: number;
  /** The node's attributes as given (absent ones take ONNX's defaults in {@link mapOnnxCase}). */
  attributes: Record<string, number | string>;
  /** The node's input names in order; '' for an omitted optional input. */
  node_inputs: string[];
  /** The input tensors, matched to `node_inputs` by name. */
  inputs: OnnxTensorJson[];
  /** The expected outputs (the first is compared). */
  outputs: OnnxTensorJson[];
}

/** An ONNX case mapped onto a Rectifier op, as {@link mapOnnxCase} returns it. */
export interface PeerCase {
  /** The ONNX test's name. */
  name: string;
  /** The ONNX operator it came from. */
  onnxOp: string;
  /** The dtype ONNX stored the case in. */
  sourceDtype: string;
  /** The Rectifier op it maps to (e.g. Clip → hardtanh, Swish → silu). */
  op: OpName;
  /** The op's parameters, from the ONNX attributes or ONNX's defaults where absent. */
  params: Record<string, number | string>;
  /** Our inputs in order (float32 values). */
  inputs: {
    /** The input's dims. */
    shape: number[];
    /** Its elements, row-major, decoded to numbers. */
    data: number[];
  }[];
  /** ONNX's expected output. */
  expected: {
    /** The output's dims. */
    shape: number[];
    /** Its elements, row-major, decoded to numbers. */
    data: number[];
  };
  /** |actual − expected| ≤ atol + rtol·|expected| (numpy.testing.assert_allclose). */
  rtol: number;
  /** The absolute tolerance: ONNX's runner default, {@link ONNX_ATOL} (1e-7), for every source dtype. */
  atol: number;
}

/** ONNX's runner defaults (onnx/backend/test/loader). */
export const ONNX_RTOL = 1e-3;
/** ONNX's runner default absolute tolerance, 1e-7 (onnx/backend/test/loader). */
export const ONNX_ATOL = 1e-7;

const EPSILON: Record<string, number> = { float32: 0, float16: 2 ** -10, bfloat16: 2 ** -7, int8: 0 };

function decode(v: number | string): number {
  if (typeof v === 'number') return v;
  switch (v) {
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
    case '-0': return -0;
    default: throw new Error(`unexpected value ${JSON.stringify(v)} in ONNX data`);
  }
}

/** ONNX spec defaults for attributes the case leaves out. */
const SELU_ALPHA_F32 = 1.67326319217681884765625;
const SELU_GAMMA_F32 = 1.05070102214813232421875;

function num(attrs: Record<string, number | string>, name: string, def: number): number {
  const v = attrs[name];
  return v === undefined ? def : (v as number);
}

/** Maps one ONNX case to a Rectifier call (throws for an op or attribute combination we do not map). */
export function mapOnnxCase(c: OnnxCaseJson): PeerCase {
  const a = c.attributes ?? {};
  const byName = new Map(c.inputs.map((t) => [t.name, t]));
  const nodeInput = (i: number): OnnxTensorJson | undefined => {
    const n = c.node_inputs[i];
    return n === undefined || n === '' ? undefined : byName.get(n);
  };
  const x = nodeInput(0);
  if (x === undefined) throw new Error(`${c.name}: no X input`);
  const toInput = (t: OnnxTensorJson): { shape: number[]; data: number[] } => ({ shape: t.dims, data: t.data.map(decode) });
  const inputs = [toInput(x)];
  let op: OpName;
  let params: Record<string, number | string> = {};
  switch (c.op_type) {
    case 'Relu': op = 'relu'; break;
    case 'LeakyRelu': op = 'leaky_relu'; params = { alpha: num(a, 'alpha', 0.01) }; break;
    case 'PRelu': {
      op = 'prelu';
      const slope = nodeInput(1)!;
      inputs.push(toInput(slope));
      // ONNX broadcasts the slope numpy-style; a 1-D slope then runs along x's last axis.
      const size = slope.dims.reduce((p, d) => p * d, 1);
      const sameShape = slope.dims.length === x.dims.length && slope.dims.every((d, i) => d === x.dims[i]);
      if (!sameShape && size !== 1) {
        if (slope.dims.length !== 1 || slope.dims[0] !== x.dims[x.dims.length - 1]) throw new Error(`${c.name}: slope shape not mapped`);
        params = { axis: -1 };
      }
      break;
    }
    case 'Elu': op = 'elu'; params = { alpha: num(a, 'alpha', 1) }; break;
    case 'Celu': op = 'celu'; params = { alpha: num(a, 'alpha', 1) }; break;
    case 'Selu': op = 'selu'; params = { alpha: num(a, 'alpha', SELU_ALPHA_F32), scale: num(a, 'gamma', SELU_GAMMA_F32) }; break;
    case 'Gelu': op = 'gelu'; params = { approximate: (a.approximate as string | undefined) ?? 'none' }; break;
    case 'Mish': op = 'mish'; break;
    // ONNX Softplus is log(exp(x) + 1) with no linear threshold.
    case 'Softplus': op = 'softplus'; params = { beta: 1, threshold: Infinity }; break;
    case 'HardSwish': op = 'hardswish'; break;
    case 'HardSigmoid': op = 'hardsigmoid'; params = { alpha: num(a, 'alpha', 0.2), beta: num(a, 'beta', 0.5) }; break;
    case 'ThresholdedRelu': op = 'thresholded_relu'; params = { alpha: num(a, 'alpha', 1) }; break;
    case 'Sigmoid': op = 'sigmoid'; break;
    case 'Softsign': op = 'softsign'; break;
    case 'Swish': op = 'silu'; params = { beta: num(a, 'alpha', 1) }; break;
    case 'Shrink': {
      const lambd = num(a, 'lambd', 0.5);
      const bias = num(a, 'bias', 0);
      if (bias === 0) op = 'hardshrink';
      else if (bias === lambd) op = 'softshrink';
      else throw new Error(`${c.name}: Shrink with bias ${bias} ≠ 0, ≠ lambd has no Rectifier op`);
      params = { lambda: lambd };
      break;
    }
    case 'Clip': {
      op = 'hardtanh';
      const lo = nodeInput(1);
      const hi = nodeInput(2);
      params = { min: lo ? decode(lo.data[0]) : -Infinity, max: hi ? decode(hi.data[0]) : Infinity };
      break;
    }
    default:
      throw new Error(`${c.name}: ONNX op ${c.op_type} is not mapped`);
  }
  const out = c.outputs[0];
  const eps = EPSILON[x.dtype];
  if (eps === undefined) throw new Error(`${c.name}: ONNX dtype ${x.dtype} is not mapped`);
  return {
    name: c.name, onnxOp: c.op_type, sourceDtype: x.dtype, op, params, inputs,
    expected: { shape: out.dims, data: out.data.map(decode) },
    rtol: Math.max(ONNX_RTOL, eps),
    atol: Math.max(ONNX_ATOL, eps === 0 ? 0 : ONNX_ATOL),
  };
}

/**
 * Where the peer data lives: in Node, $RECTIFIER_ONNX_DIR if set, else the copy that ships in this
 * package (fixtures/onnx-node: the 48 cases as JSON, with the ONNX project's licence notice); in a
 * browser, that copy as bundled (src/platform/).
 */
export function findOnnxDir(): string | undefined {
  return findPlatformOnnxDir();
}

/** Reads every case listed in `dir`'s INDEX.json (throws if a file is missing or not JSON). */
export function loadOnnxCases(dir: string): OnnxCaseJson[] {
  return readOnnxCaseFiles(dir) as OnnxCaseJson[];
}
