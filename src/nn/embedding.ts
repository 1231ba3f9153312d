import { embedding, type Rng, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';
import { weightParam } from './init.js';

/** A table of `num` vectors of width `dim`; forward(ids i32 [...]) → [..., dim]. */
export class Embedding extends Module {
  readonly weight: Tensor;

  constructor(readonly num: number, readonly dim: number, rng: Rng) {
    super();
    this.weight = this.registerParameter('weight', weightParam([num, dim], rng));
  }

  forward(ids: Tensor): Tensor {
    if (ids.dtype !== 'i32') throw new Error(`Embedding: ids must be an int32 tensor, got ${ids.dtype} [${ids.shape.join(', ')}]`);
    return embedding(this.weight, ids);
  }
}
