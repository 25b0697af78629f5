/**
 * @rectifier/tfjs — Rectifier's ops inside TensorFlow.js: catalogue ops and the FFN block on
 * tf.Tensors in and out, with gradients registered through `tf.customGrad`, and tf.layers layers
 * (an activation, an FFN block) whose forward and backward are Rectifier's.
 */
export { fromTf, syncOf, toTf } from './convert.js';
export { rectifierFfn, rectifierOp, type TfFfnOptions, type TfFfnWeights } from './ops.js';
export {
  RectifierActivation, RectifierFfn, setLayersBackend, type Initializer, type LayerArgs, type RectifierActivationArgs, type RectifierFfnArgs,
} from './layers.js';
