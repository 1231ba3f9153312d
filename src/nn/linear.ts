import { linear, reshape, xavierUniform, parameter, type Rng, type Tensor } from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { biasParam, weightParam } from './init.js';

/**
 * y = x·W + b. W is stored [in, out] (the transpose of PyTorch's nn.Linear) so the forward is a
 * plain matmul. Accepts any rank ≥ 1 input [..., in] → [..., out] (flattened to one matmul).
 * Weights start uniform in ±INIT_RANGE, or Glorot/Xavier uniform with `init: 'xavier'` (the
 * Transformer's layers, as fairseq initialises them).
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, rng: Rng, opts: { bias?: boolean; init?: 'uniform' | 'xavier' } = {}) {
    super();
    this.weight = this.registerParameter('weight', opts.init === 'xavier' ? xavierUniform(parameter([inFeatures, outFeatures]), rng) : weightParam([inFeatures, outFeatures], rng));
    this.bias = opts.bias === false ? null : this.registerParameter('bias', biasParam([outFeatures]));
  }

  forward(x: Tensor): Tensor {
    const last = x.shape[x.shape.length - 1];
    if (last !== this.inFeatures) expectShape('Linear', x, [...x.shape.slice(0, -1).map(() => null), this.inFeatures]);
    const rows = x.size / this.inFeatures;
    const x2 = x.shape.length === 2 ? x : reshape(x, [rows, this.inFeatures]);
    const y = linear(x2, this.weight, this.bias);
    return x.shape.length === 2 ? y : reshape(y, [...x.shape.slice(0, -1), this.outFeatures]);
  }
}
