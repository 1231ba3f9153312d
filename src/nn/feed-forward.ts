import { biasActivation, dropout, isGradEnabled, matmul, reshape, type Rng, type Tensor } from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { Linear } from './linear.js';

export type Activation = 'relu' | 'gelu';
export const ACTIVATIONS: readonly Activation[] = ['relu', 'gelu'];

/**
 * The Transformer's position-wise feed-forward block: fc2(dropout(act(fc1(x)))), x [..., d] →
 * [..., d], act ReLU or GELU (exact erf form), the inner width `ffn`. fc1's bias and the
 * activation run as one fused op (biasActivation). `activationDropout` (fairseq's name) drops the
 * inner activations in training only.
 *
 * Parameters (fairseq's names): `fc1.weight` [d, ffn], `fc1.bias` [ffn], `fc2.weight` [ffn, d], `fc2.bias` [d].
 */
export class FeedForward extends Module {
  readonly fc1: Linear;
  readonly fc2: Linear;

  constructor(readonly dim: number, readonly inner: number, readonly activation: Activation, readonly activationDropout: number, private readonly rng: Rng) {
    super();
    this.fc1 = this.registerModule('fc1', new Linear(dim, inner, rng, { init: 'xavier' }));
    this.fc2 = this.registerModule('fc2', new Linear(inner, dim, rng, { init: 'xavier' }));
  }

  forward(x: Tensor): Tensor {
    expectShape('FeedForward', x, [...x.shape.slice(0, -1).map(() => null), this.dim]);
    const rows = x.size / this.dim;
    let h = biasActivation(matmul(reshape(x, [rows, this.dim]), this.fc1.weight), this.fc1.bias!, this.activation);
    if (this.training && isGradEnabled() && this.activationDropout > 0) h = dropout(h, this.activationDropout, this.rng, true);
    return reshape(this.fc2.forward(h), x.shape);
  }
}
