import { dropout, type Rng, type Tensor } from '../tensor/index.js';
import { Module } from './module.js';

/** Inverted dropout with probability p, active only in training mode; draws from the model's Rng. */
export class Dropout extends Module {
  constructor(readonly p: number, private readonly rng: Rng) {
    super();
    if (!(p >= 0 && p < 1)) throw new Error(`Dropout: p must be in [0, 1), got ${p}`);
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    return dropout(x, this.p, this.rng, true);
  }
}
