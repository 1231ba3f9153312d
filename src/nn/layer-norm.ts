import { layerNorm, parameter, type Tensor } from '../tensor/index.js';
import { Module, expectShape } from './module.js';

/**
 * Layer normalisation over the last axis (Ba et al. 2016): x [..., n] → (x − mean)/√(var + eps)·weight + bias.
 * Parameters (PyTorch's names): `weight` [n] (starts at 1), `bias` [n] (starts at 0).
 */
export class LayerNorm extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;

  constructor(readonly size: number, readonly eps = 1e-5) {
    super();
    this.weight = this.registerParameter('weight', parameter([size], 1));
    this.bias = this.registerParameter('bias', parameter([size], 0));
  }

  forward(x: Tensor): Tensor {
    if (x.shape[x.rank - 1] !== this.size) expectShape('LayerNorm', x, [...x.shape.slice(0, -1).map(() => null), this.size]);
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}
