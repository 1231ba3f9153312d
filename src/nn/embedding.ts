import { embedding, type Rng, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { normalEmbeddingParam, weightParam } from './init.js';

/**
 * A table of `num` vectors of width `dim`; forward(ids i32 [...]) → [..., dim]. Rows start uniform
 * in ±INIT_RANGE, or N(0, 1/dim) with `init: 'normal'` (the Transformer's).
 */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(readonly num: number, readonly dim: number, rng: Rng, opts: { init?: 'uniform' | 'normal' } = {}) {
    super();
    this.weight = this.registerParameter('weight', opts.init === 'normal' ? normalEmbeddingParam([num, dim], rng) : weightParam([num, dim], rng));
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'i32') throw new Error(`Embedding: ids must be an int32 tensor, got ${ids.dtype} [${ids.shape.join(', ')}]`);
    return embedding(this.weight, ids);
  }
}
