/**
 * tf.layers layers whose computation is Rectifier's: an activation layer and an FFN block. Both are
 * registered with `tf.serialization.registerClass` when this module loads, so models holding them
 * save and load (`model.save`, `tf.loadLayersModel`) once the package is imported.
 */
import type { Backend, OpDefinition, OpName, OpNameOrAlias } from '@rectifier/core';
import { ErrorCode, OP_NAMES, OPS, RectifierError, describeValue, findOp } from '@rectifier/core';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { rectifierFfn, rectifierOp, type TfFfnWeights } from './ops.js';

/** The arguments every tf.layers layer takes (name, inputShape, trainable, …). */
export type LayerArgs = NonNullable<ConstructorParameters<typeof tfl.layers.Layer>[0]>;
/** A tf.layers weight initializer, e.g. `tf.initializers.glorotUniform({ seed: 1 })` from tfjs-layers. */
export type Initializer = ReturnType<typeof tfl.initializers.glorotUniform>;

/**
 * tfjs's model loader camel-cases the strings of a saved config (`'leaky_relu'` comes back as
 * `'leakyRelu'`); catalogue names are snake_case, so they are read back through this.
 */
function snakeCase(name: unknown): unknown {
  return typeof name === 'string' ? name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) : name;
}

function catalogueOp(op: unknown, layer: string, argument: string): OpDefinition {
  const def = findOp(op) ?? findOp(snakeCase(op));
  if (def === undefined) {
    throw new RectifierError(ErrorCode.UnknownOp, { op: layer, argument, expected: `one of ${OP_NAMES.join(', ')}`, received: describeValue(op) });
  }
  return def;
}

let layersBackend: Backend | undefined;

/**
 * Sets the backend used by layers built without a `backend` argument, which includes every layer
 * read back by `tf.loadLayersModel` (a backend is not part of a saved model). It must answer
 * synchronously: the CPU backend. Pass undefined to clear it.
 */
export function setLayersBackend(backend: Backend | undefined): void {
  layersBackend = backend;
}

function backendFor(own: Backend | undefined, layer: string): Backend {
  const backend = own ?? layersBackend;
  if (backend === undefined) {
    throw new RectifierError(ErrorCode.BackendUnavailable, {
      op: layer, argument: 'backend', expected: "a backend: the layer's `backend` argument, or setLayersBackend(createCpuBackend())", received: 'none',
    });
  }
  return backend;
}

function firstInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** The (first) input's shape, copied. */
function firstShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
  return [...((Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tfl.Shape)];
}

/** Arguments of {@link RectifierActivation}: a one-input catalogue op, its parameters and the backend. */
export interface RectifierActivationArgs extends LayerArgs {
  /** A catalogue op with one input (relu, gelu, silu, crelu, noisy_relu, …; not prelu or the GLUs), or an alias. */
  op: OpNameOrAlias;
  /** The op's parameters, as for `backend.forward` (numbers and strings, so that they serialize). */
  params?: Record<string, number | string>;
  /** The Rectifier backend (synchronous: the CPU backend); default the one given to {@link setLayersBackend}. */
  backend?: Backend;
}

/**
 * An activation layer computing a Rectifier op, value and gradient (`rectifierOp`). Output shape:
 * the input's (crelu: last dim doubled). Serialized as `{ op, params }`.
 */
export class RectifierActivation extends tfl.layers.Layer {
  /** The class name models are saved under. */
  static readonly className = 'RectifierActivation';
  /** The op's canonical name. */
  readonly op: OpName;
  /** The op's parameters as given. */
  readonly params: Record<string, number | string>;
  readonly #backend: Backend | undefined;

  constructor(args: RectifierActivationArgs) {
    super(args);
    const def = catalogueOp(args.op, RectifierActivation.className, 'op');
    if (def.inputs.length !== 1) {
      throw new RectifierError(ErrorCode.BadArgument, {
        op: def.name, argument: 'op', expected: 'an op with one input (prelu and the GLU ops take two tensors: use rectifierOp)', received: def.name,
      });
    }
    this.op = def.name;
    this.params = { ...(args.params ?? {}) };
    this.#backend = args.backend;
  }

  /** Applies the op to the (first) input. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return rectifierOp(backendFor(this.#backend, RectifierActivation.className), this.op, firstInput(inputs), this.params as never);
  }

  /** The input's shape; crelu doubles the last dim. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = firstShape(inputShape);
    if (OPS[this.op].kind === 'crelu' && shape.length > 0) {
      const last = shape[shape.length - 1];
      shape[shape.length - 1] = last === null ? null : 2 * last;
    }
    return shape;
  }

  /** `{ op, params }` and the base layer's config. */
  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, params: this.params };
  }
}

/** Arguments of {@link RectifierFfn}. */
export interface RectifierFfnArgs extends LayerArgs {
  /** The hidden width f (columns of W1). */
  hiddenUnits: number;
  /** The output width dOut (columns of W2); default the input width d (a transformer block's FFN). */
  units?: number;
  /** The activation: a one-input op (relu, gelu, silu, …) or a GLU op (reglu, geglu, swiglu); default 'relu'. */
  activation?: string;
  /** The activation's parameters. */
  activationParams?: Record<string, number | string>;
  /** Whether the layer has biases b1, b2 (and bv for a GLU); default true. */
  useBias?: boolean;
  /** Rectifier's sparse path: multiply only the rows of W2 under a non-zero activation (same result within rounding). */
  sparse?: boolean;
  /** Initializer of W1, W2 (and V); default `tf.initializers.glorotUniform({})`. Not serialized. */
  kernelInitializer?: Initializer;
  /** Initializer of the biases; default zeros. Not serialized. */
  biasInitializer?: Initializer;
  /** The Rectifier backend (synchronous: the CPU backend); default the one given to {@link setLayersBackend}. */
  backend?: Backend;
}

/**
 * A transformer FFN block as one layer, `act(x·W1 + b1)·W2 + b2` (GLU: times `x·V + bv`), whose
 * forward and backward are Rectifier's `ffn` and `ffnBackward` (`rectifierFfn`): gradients with
 * respect to x, W1, b1, W2, b2 (V, bv). Weights are named `w1`, `b1`, `w2`, `b2`, `v`, `bv`.
 * Input `[batch, ..., d]`, output `[batch, ..., units]`.
 */
export class RectifierFfn extends tfl.layers.Layer {
  /** The class name models are saved under. */
  static readonly className = 'RectifierFfn';
  /** The hidden width. */
  readonly hiddenUnits: number;
  /** The output width as given (undefined: the input width). */
  readonly units: number | undefined;
  /** The activation's canonical name. */
  readonly activation: OpName;
  /** The activation's parameters as given. */
  readonly activationParams: Record<string, number | string>;
  /** Whether the layer has biases. */
  readonly useBias: boolean;
  /** Whether Rectifier's sparse path is taken. */
  readonly sparse: boolean;
  readonly #backend: Backend | undefined;
  readonly #kernelInitializer: Initializer;
  readonly #biasInitializer: Initializer;
  #weights: Partial<Record<keyof TfFfnWeights, tfl.LayerVariable>> = {};

  constructor(args: RectifierFfnArgs) {
    super(args);
    if (!Number.isInteger(args.hiddenUnits) || args.hiddenUnits < 1) {
      throw new RectifierError(ErrorCode.BadArgument, { op: RectifierFfn.className, argument: 'hiddenUnits', expected: 'a positive integer', received: describeValue(args.hiddenUnits) });
    }
    if (args.units !== undefined && (!Number.isInteger(args.units) || args.units < 1)) {
      throw new RectifierError(ErrorCode.BadArgument, { op: RectifierFfn.className, argument: 'units', expected: 'a positive integer', received: describeValue(args.units) });
    }
    this.hiddenUnits = args.hiddenUnits;
    this.units = args.units;
    this.activation = catalogueOp(args.activation ?? 'relu', RectifierFfn.className, 'activation').name;
    this.activationParams = { ...(args.activationParams ?? {}) };
    this.useBias = args.useBias ?? true;
    this.sparse = args.sparse ?? false;
    this.#backend = args.backend;
    this.#kernelInitializer = args.kernelInitializer ?? tfl.initializers.glorotUniform({});
    this.#biasInitializer = args.biasInitializer ?? tfl.initializers.zeros();
  }

  /** Whether the activation is a GLU (with the value projection V). */
  get isGlu(): boolean {
    return OPS[this.activation].kind === 'glu';
  }

  /** Creates W1 `[d, f]`, b1 `[f]`, W2 `[f, units]`, b2 `[units]` (and V `[d, f]`, bv `[f]` for a GLU). */
  override build(inputShape: tfl.Shape | tfl.Shape[]): void {
    const shape = firstShape(inputShape);
    const d = shape[shape.length - 1];
    if (d === null || d === undefined) {
      throw new RectifierError(ErrorCode.BadShape, { op: RectifierFfn.className, argument: 'inputShape', expected: 'a known last dim', received: JSON.stringify(shape) });
    }
    const f = this.hiddenUnits;
    const out = this.units ?? d;
    const add = (name: keyof TfFfnWeights, s: number[], bias: boolean) => {
      this.#weights[name] = this.addWeight(name, s, 'float32', bias ? this.#biasInitializer : this.#kernelInitializer);
    };
    add('w1', [d, f], false);
    if (this.useBias) add('b1', [f], true);
    if (this.isGlu) {
      add('v', [d, f], false);
      if (this.useBias) add('bv', [f], true);
    }
    add('w2', [f, out], false);
    if (this.useBias) add('b2', [out], true);
    this.built = true;
  }

  /** Rectifier's FFN on the (first) input with the layer's weights. */
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const read = Object.fromEntries(Object.entries(this.#weights).map(([k, v]) => [k, v!.read()])) as unknown as TfFfnWeights;
    return rectifierFfn(backendFor(this.#backend, RectifierFfn.className), firstInput(inputs), read, {
      activation: this.activation, activationParams: this.activationParams, sparse: this.sparse,
    });
  }

  /** The input's shape with the last dim replaced by `units`. */
  override computeOutputShape(inputShape: tfl.Shape | tfl.Shape[]): tfl.Shape {
    const shape = firstShape(inputShape);
    if (this.units !== undefined) shape[shape.length - 1] = this.units;
    return shape;
  }

  /** `{ hiddenUnits, units, activation, activationParams, useBias, sparse }` and the base layer's config. */
  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), hiddenUnits: this.hiddenUnits, ...(this.units === undefined ? {} : { units: this.units }),
      activation: this.activation, activationParams: this.activationParams, useBias: this.useBias, sparse: this.sparse,
    };
  }
}

tf.serialization.registerClass(RectifierActivation);
tf.serialization.registerClass(RectifierFfn);
