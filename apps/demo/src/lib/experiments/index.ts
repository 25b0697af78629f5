/** The experiments, in tour order. Each runs on any Backend, in Node and in the browser. */
import { charLm } from './char-lm.js';
import { dyingRelu } from './dying-relu.js';
import { equivariance } from './equivariance.js';
import { ffnBlock } from './ffn-block.js';
import { gradientFlow } from './gradient-flow.js';
import { nairHinton } from './nair-hinton.js';
import { race } from './race.js';
import { sparsity } from './sparsity.js';
import type { Experiment } from '../types.js';

export const EXPERIMENTS: readonly Experiment[] = [sparsity, gradientFlow, equivariance, dyingRelu, nairHinton, ffnBlock, race, charLm];
