/**
 * Each catalogue op as ONNX nodes: the ONNX operator where ONNX has one with the same definition,
 * and a decomposition into ONNX operators where it has none or where its definition differs
 * (README "How each op is exported" lists which is which, and where ONNX Runtime's results differ).
 */
import { ErrorCode, OPS, RectifierError, scalar, type OpDefinition, type ResolvedParams } from '@rectifier/core';
import type { GraphBuilder } from './graph.js';

/** The first opset with each ONNX operator used below that is newer than {@link MIN_OPSET}. */
const SINCE = { HardSwish: 14, Mish: 18, Gelu: 20, Swish: 24 } as const;

const num = (p: ResolvedParams, name: string): number => p[name] as number;

/** A unary catalogue op applied to value `x`; returns the output value's name. */
export function lowerUnary(g: GraphBuilder, def: OpDefinition, p: ResolvedParams, x: string): string {
  const c = (v: number): string => g.scalar(v);
  switch (def.name) {
    case 'relu': return g.node('Relu', [x]);
    case 'relu6': return g.node('Clip', [x, c(0), c(6)]);
    case 'leaky_relu': return g.node('LeakyRelu', [x], { alpha: { f: num(p, 'alpha') } });
    case 'elu': return g.node('Elu', [x], { alpha: { f: num(p, 'alpha') } });
    case 'celu': return g.node('Celu', [x], { alpha: { f: num(p, 'alpha') } });
    case 'selu': return g.node('Selu', [x], { alpha: { f: num(p, 'alpha') }, gamma: { f: num(p, 'scale') } });
    case 'gelu': return gelu(g, x, p.approximate === 'tanh');
    case 'silu': return silu(g, x, num(p, 'beta'));
    case 'softplus': return softplus(g, x, num(p, 'beta'), num(p, 'threshold'));
    case 'mish':
      return g.opset >= SINCE.Mish ? g.node('Mish', [x]) : g.node('Mul', [x, g.node('Tanh', [g.node('Softplus', [x])])]);
    case 'hardsigmoid': {
      const pytorchForm = p.alpha === undefined && p.beta === undefined;
      const alpha = pytorchForm ? 1 / 6 : ((p.alpha ?? 1 / 6) as number);
      const beta = pytorchForm ? 0.5 : ((p.beta ?? 0.5) as number);
      return g.node('HardSigmoid', [x], { alpha: { f: alpha }, beta: { f: beta } });
    }
    case 'hardswish':
      if (g.opset >= SINCE.HardSwish) return g.node('HardSwish', [x]);
      return g.node('Mul', [x, g.node('HardSigmoid', [x], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } })]);
    case 'squareplus': return squareplus(g, x, num(p, 'b'));
    case 'relu_squared': {
      const r = g.node('Relu', [x]);
      return g.node('Mul', [r, r]);
    }
    case 'thresholded_relu': return g.node('ThresholdedRelu', [x], { alpha: { f: num(p, 'alpha') } });
    case 'sigmoid': return g.node('Sigmoid', [x]);
    case 'tanh': return g.node('Tanh', [x]);
    case 'hardtanh': return g.node('Clip', [x, c(num(p, 'min')), c(num(p, 'max'))]);
    case 'softsign': return g.node('Softsign', [x]);
    case 'hardshrink': return g.node('Shrink', [x], { lambd: { f: num(p, 'lambda') }, bias: { f: 0 } });
    case 'softshrink': return g.node('Shrink', [x], { lambd: { f: num(p, 'lambda') }, bias: { f: num(p, 'lambda') } });
    default:
      throw new RectifierError(ErrorCode.UnknownOp, { op: def.name, expected: 'a unary catalogue op', received: `a ${def.kind} op` });
  }
}

/** A GLU op: act(gate) ⊙ value, the activation being the GLU's own (relu, gelu or silu). */
export function lowerGlu(g: GraphBuilder, def: OpDefinition, p: ResolvedParams, gate: string, value: string): string {
  return g.node('Mul', [lowerUnary(g, OPS[gluActivation(def)], p, gate), value]);
}

/** The unary op a GLU op applies to its gate. */
export function gluActivation(def: OpDefinition): 'relu' | 'gelu' | 'silu' {
  switch (def.name) {
    case 'reglu': return 'relu';
    case 'geglu': return 'gelu';
    case 'swiglu': return 'silu';
    default: throw new RectifierError(ErrorCode.UnknownOp, { op: def.name, expected: 'a GLU op (reglu, geglu, swiglu)' });
  }
}

/** crelu: concat(relu(x), relu(−x)) on the last axis. */
export function lowerCrelu(g: GraphBuilder, x: string): string {
  return g.node('Concat', [g.node('Relu', [x]), g.node('Relu', [g.node('Neg', [x])])], { axis: { i: -1 } });
}

/** Gelu-20 where the opset has it; ½x(1 + erf(x/√2)) or ½x(1 + tanh(√(2/π)(x + 0.044715x³))) before. */
function gelu(g: GraphBuilder, x: string, tanhForm: boolean): string {
  if (g.opset >= SINCE.Gelu) return g.node('Gelu', [x], { approximate: { s: tanhForm ? 'tanh' : 'none' } });
  let inner: string;
  if (tanhForm) {
    const cube = g.node('Mul', [x, g.node('Mul', [x, x])]);
    const poly = g.node('Add', [x, g.node('Mul', [cube, g.scalar(scalar.GELU_TANH_COEFF)])]);
    inner = g.node('Tanh', [g.node('Mul', [poly, g.scalar(scalar.SQRT_2_OVER_PI)])]);
  } else {
    inner = g.node('Erf', [g.node('Mul', [x, g.scalar(Math.SQRT1_2)])]);
  }
  const half = g.node('Mul', [x, g.scalar(0.5)]);
  return g.node('Mul', [half, g.node('Add', [inner, g.scalar(1)])]);
}

/**
 * Swish-24 (x·σ(alpha·x)) at opset 24; x·Sigmoid(β·x) at other opsets (ONNX Runtime 1.30 finds no
 * Swish kernel for a model at opset 25 or 26).
 */
function silu(g: GraphBuilder, x: string, beta: number): string {
  if (g.opset === SINCE.Swish) return g.node('Swish', [x], beta === 1 ? {} : { alpha: { f: beta } });
  const bx = beta === 1 ? x : g.node('Mul', [x, g.scalar(beta)]);
  return g.node('Mul', [x, g.node('Sigmoid', [bx])]);
}

/**
 * ONNX Softplus is log(1 + eˣ) with no β and no linear threshold. It is used as is when β = 1 and
 * the threshold is +∞, or 20 in float32 (there log1p(e^x) − x = e^−x < 2.1e-9 is below half an ulp
 * of x, so the threshold changes nothing); otherwise Where(βx > threshold, x, Softplus(βx)/β).
 */
function softplus(g: GraphBuilder, x: string, beta: number, threshold: number): string {
  if (beta === 1 && (threshold === Infinity || (threshold === 20 && g.dtype === 'float32'))) return g.node('Softplus', [x]);
  const bx = beta === 1 ? x : g.node('Mul', [x, g.scalar(beta)]);
  const soft = g.node('Softplus', [bx]);
  const scaled = beta === 1 ? soft : g.node('Div', [soft, g.scalar(beta)]);
  if (threshold === Infinity) return scaled;
  return g.node('Where', [g.node('Greater', [bx, g.scalar(threshold)]), x, scaled]);
}

/**
 * (x + √(x² + b))/2 for x ≥ 0 and b/(2(√(x² + b) − x)) for x < 0 (no cancellation), as Rectifier
 * computes it; x² overflows past |x| ≈ 1.8e19 in float32 (there x > 0 gives +∞, x < 0 gives 0).
 */
function squareplus(g: GraphBuilder, x: string, b: number): string {
  const root = g.node('Sqrt', [g.node('Add', [g.node('Mul', [x, x]), g.scalar(b)])]);
  const positive = g.node('Mul', [g.node('Add', [x, root]), g.scalar(0.5)]);
  const negative = g.node('Div', [g.scalar(b), g.node('Mul', [g.node('Sub', [root, x]), g.scalar(2)])]);
  return g.node('Where', [g.node('Less', [x, g.scalar(0)]), negative, positive]);
}
