/**
 * The tf.layers layers: RectifierFfn's forward and gradients are rectifierFfn's (so Rectifier's
 * ffn / ffnBackward), both layers save and load through tfjs's serialization, and the GELU
 * difference from tfjs-layers' own GELU that the layer fixes.
 */
import { ErrorCode, RectifierError, referenceForward, tensor, type FfnWeights } from '@rectifier/core';
import * as tfl from '@tensorflow/tfjs-layers';
import { afterEach, describe, expect, it } from 'vitest';
import { RectifierActivation, RectifierFfn, rectifierFfn, setLayersBackend, type TfFfnWeights } from '../src/index.js';
import { cpu, tf, uniform, ulpMisses } from './helpers.js';

const arr = (t: tf.Tensor | tf.Tensor[]): number[] => Array.from((Array.isArray(t) ? t[0] : t).dataSync());

afterEach(() => setLayersBackend(undefined));

describe('RectifierFfn layer', () => {
  for (const activation of ['relu', 'swiglu'] as const) {
    it(`${activation}: weights w1, b1, (v, bv,) w2, b2; forward and variable gradients are rectifierFfn's and Rectifier's ffnBackward`, () => {
      const layer = new RectifierFfn({ hiddenUnits: 6, units: 3, activation, backend: cpu, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) });
      const x = tf.tensor(uniform(20, -2, 2, 41), [5, 4]);
      const y = layer.apply(x) as tf.Tensor;
      const names = activation === 'relu' ? ['w1', 'b1', 'w2', 'b2'] : ['w1', 'b1', 'v', 'bv', 'w2', 'b2'];
      expect(layer.weights.map((w) => w.originalName.split('/').pop())).toEqual(names);
      expect(y.shape).toEqual([5, 3]);
      expect(layer.computeOutputShape([null, 4])).toEqual([null, 3]);
      const values = Object.fromEntries(layer.weights.map((w) => [w.originalName.split('/').pop()!, w.read()])) as unknown as TfFfnWeights;
      expect(arr(y)).toEqual(arr(rectifierFfn(cpu, x, values, { activation })));

      const dy = tf.tensor(uniform(15, -1, 1, 42), [5, 3]);
      const { grads } = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(x) as tf.Tensor, dy)) as tf.Scalar);
      const rWeights = Object.fromEntries(Object.entries(values).map(([k, t]) => [k, tensor(Array.from((t as tf.Tensor).dataSync()), (t as tf.Tensor).shape, 'float32')])) as unknown as FfnWeights;
      const expected = cpu.sync.ffnBackward(tensor(arr(x), [5, 4], 'float32'), rWeights, tensor(arr(dy), [5, 3], 'float32'), { activation }) as unknown as Record<string, { data: Float32Array }>;
      for (const w of layer.weights) expect(arr(grads[w.name]), w.name).toEqual(Array.from(expected[`d${w.originalName.split('/').pop()}`].data));
    });
  }

  it('without a backend argument uses setLayersBackend; with none, BACKEND_UNAVAILABLE', () => {
    const x = tf.ones([2, 3]);
    const layer = new RectifierFfn({ hiddenUnits: 4 });
    expect(() => layer.apply(x)).toThrowError(RectifierError);
    try {
      layer.apply(x);
    } catch (e) {
      expect((e as RectifierError).code).toBe(ErrorCode.BackendUnavailable);
    }
    setLayersBackend(cpu);
    expect((layer.apply(x) as tf.Tensor).shape).toEqual([2, 3]);
  });

  it('bad arguments are typed errors', () => {
    expect(() => new RectifierFfn({ hiddenUnits: 0 })).toThrowError(/hiddenUnits/);
    expect(() => new RectifierFfn({ hiddenUnits: 2, activation: 'rleu' })).toThrowError(/UNKNOWN_OP/);
    expect(() => new RectifierActivation({ op: 'prelu' })).toThrowError(/one input/);
  });
});

describe('saving and loading', () => {
  it('a model with both layers saves (tf.io) and loads back with tf.loadLayersModel, predicting the same', async () => {
    setLayersBackend(cpu);
    const model = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 4, inputShape: [3] }),
        new RectifierActivation({ op: 'leaky_relu', params: { alpha: 0.2 } }),
        new RectifierFfn({ hiddenUnits: 8, units: 2, activation: 'gelu', activationParams: { approximate: 'tanh' } }),
      ],
    });
    const x = tf.tensor(uniform(12, -2, 2, 43), [4, 3]);
    const before = arr(model.predict(x) as tf.Tensor);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const topology = JSON.stringify(saved!.modelTopology);
    expect(topology).toContain('"class_name":"RectifierFfn"');
    expect(topology).toContain('"class_name":"RectifierActivation"');
    const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved!));
    expect(arr(loaded.predict(x) as tf.Tensor)).toEqual(before);
    expect((loaded.layers[2] as RectifierFfn).activationParams).toEqual({ approximate: 'tanh' });
  });
});

describe("tfjs-layers' GELU against Rectifier's (the difference issue 16 names)", () => {
  it("at x = −5.55 tfjs-layers' gelu returns −0 where the exact value is −7.9e-8; Rectifier's is within 1 ulp of the float64 reference", () => {
    // tfjs-layers computes ½x(1 + erf(x/√2)) with an approximate erf: 1 + erf cancels to 0 in float32 below x ≈ −5.5.
    const xs = [-5.55, -5.6, -6];
    const x = tf.tensor(xs);
    const theirs = arr(tfl.layers.activation({ activation: 'gelu' }).apply(x) as tf.Tensor);
    const ours = (new RectifierActivation({ op: 'gelu', backend: cpu }).apply(x) as tf.Tensor).dataSync();
    const exact = referenceForward('gelu', tensor(Array.from(x.dataSync()), [3], 'float64')).data;
    expect(theirs.every((v) => Object.is(v, -0))).toBe(true);
    expect(exact[0]).toBeCloseTo(-7.9e-8, 9);
    expect(ulpMisses(ours, exact, 1)).toEqual([]);
    expect(Array.from(ours).every((v) => v < 0)).toBe(true);
  });

  it("at x = −5.5 tfjs-layers' gelu is −1.64e-7, 58 % off the exact −1.04e-7; Rectifier's is within 1 ulp", () => {
    const x = tf.tensor([-5.5]);
    const theirs = arr(tfl.layers.activation({ activation: 'gelu' }).apply(x) as tf.Tensor)[0];
    const exact = referenceForward('gelu', tensor([-5.5], [1], 'float64')).data[0];
    expect(exact).toBeCloseTo(-1.04e-7, 9);
    expect(Math.abs(theirs - exact) / Math.abs(exact)).toBeGreaterThan(0.5);
    expect(ulpMisses(arr(new RectifierActivation({ op: 'gelu', backend: cpu }).apply(x) as tf.Tensor), [exact], 1)).toEqual([]);
  });
});
