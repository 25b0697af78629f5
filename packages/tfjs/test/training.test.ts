/**
 * Training small tfjs models (tfjs-backend-cpu, fixed seeds, full-batch Adam) on two interleaved
 * spirals, once with tfjs's own ReLU and once with Rectifier's: the losses fall, and they match.
 */
import * as tfl from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { RectifierActivation, RectifierFfn } from '../src/index.js';
import { closeMisses, cpu, tf } from './helpers.js';

const POINTS = 120;
const EPOCHS = 150;

/** Two interleaved spirals in the plane: x [POINTS, 2], label [POINTS, 1] (0 or 1); deterministic. */
function spirals(): { x: tf.Tensor; y: tf.Tensor } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < POINTS; i++) {
    const arm = i % 2;
    const t = (i >> 1) / (POINTS / 2);
    const angle = 3 * Math.PI * t + arm * Math.PI;
    xs.push(t * Math.cos(angle), t * Math.sin(angle));
    ys.push(arm);
  }
  return { x: tf.tensor(xs, [POINTS, 2]), y: tf.tensor(ys, [POINTS, 1]) };
}

const init = (seed: number) => tfl.initializers.glorotUniform({ seed });

/** Fits the model full-batch with Adam, no shuffling (so both runs see the same steps); returns the loss per epoch. */
async function train(model: tfl.LayersModel): Promise<number[]> {
  const { x, y } = spirals();
  model.compile({ optimizer: tf.train.adam(0.03), loss: 'binaryCrossentropy' });
  const history = await model.fit(x, y, { epochs: EPOCHS, batchSize: POINTS, shuffle: false, verbose: 0 });
  return history.history.loss as number[];
}

describe('a 2-layer MLP on two spirals, ReLU from tfjs against ReLU from Rectifier', () => {
  it('rectifierOp activations (RectifierActivation): the losses fall and equal tfjs-relu\'s to 1e-6', async () => {
    const hidden = (seed: number, activation: 'relu' | 'linear', inputShape?: number[]) =>
      tfl.layers.dense({ units: 16, activation, kernelInitializer: init(seed), ...(inputShape ? { inputShape } : {}) });
    const out = () => tfl.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init(3) });
    const theirs = tfl.sequential({ layers: [hidden(1, 'relu', [2]), hidden(2, 'relu'), out()] });
    const ours = tfl.sequential({
      layers: [
        hidden(1, 'linear', [2]), new RectifierActivation({ op: 'relu', backend: cpu }),
        hidden(2, 'linear'), new RectifierActivation({ op: 'relu', backend: cpu }), out(),
      ],
    });
    const [a, b] = [await train(theirs), await train(ours)];
    expect(a[EPOCHS - 1]).toBeLessThan(0.5 * a[0]);
    expect(b[EPOCHS - 1]).toBeLessThan(0.5 * b[0]);
    // ReLU and its gradient are exact in both, and everything else is tfjs's: the runs are identical
    // (seen: 0.699 → 0.0174 in both).
    expect(b).toEqual(a);
  });

  it("the FFN layer (Rectifier's ffn / ffnBackward) against tfjs's dense → relu → dense with the same initial weights: within 1e-4", async () => {
    const theirs = tfl.sequential({
      layers: [
        tfl.layers.dense({ units: 16, activation: 'relu', inputShape: [2], kernelInitializer: init(1) }),
        tfl.layers.dense({ units: 1, kernelInitializer: init(2) }), tfl.layers.activation({ activation: 'sigmoid' }),
      ],
    });
    const ours = tfl.sequential({
      layers: [new RectifierFfn({ hiddenUnits: 16, units: 1, inputShape: [2], backend: cpu }), tfl.layers.activation({ activation: 'sigmoid' })],
    });
    ours.setWeights(theirs.getWeights()); // [W1, b1, W2, b2] in both
    const [a, b] = [await train(theirs), await train(ours)];
    expect(a[EPOCHS - 1]).toBeLessThan(0.5 * a[0]);
    expect(b[EPOCHS - 1]).toBeLessThan(0.5 * b[0]);
    // Rectifier accumulates the FFN's sums in float64, tfjs in float32: the runs drift apart by rounding
    // only (seen: 0.685 → 0.2628 in both, at most 5.8e-6 apart relatively).
    expect(closeMisses(b, a, 0, 1e-4)).toEqual([]);
  });
});
