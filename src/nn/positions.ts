import { embedding, fromArray, intTensor, type Rng, type Tensor } from '../tensor/index.js';
import { UserError } from '../util/errors.js';
import { Module } from './module.js';
import { normalEmbeddingParam } from './init.js';

export type PositionKind = 'sinusoidal' | 'learned';
export const POSITION_KINDS: readonly PositionKind[] = ['sinusoidal', 'learned'];

/**
 * Sinusoidal position encodings (Vaswani et al. 2017, §3.5), rows 0 … n−1 of width d:
 * PE[p, 2i] = sin(p / 10000^(2i/d)), PE[p, 2i+1] = cos(p / 10000^(2i/d)) (interleaved, as in the
 * paper; position 0 is the first token, BOS on the target side).
 */
export function sinusoidalTable(n: number, d: number): Float32Array {
  const out = new Float32Array(n * d);
  for (let p = 0; p < n; p++) {
    for (let i = 0; i < d; i += 2) {
      const angle = p / Math.pow(10000, i / d);
      out[p * d + i] = Math.sin(angle);
      if (i + 1 < d) out[p * d + i + 1] = Math.cos(angle);
    }
  }
  return out;
}

/**
 * Position encodings for rows `start … start + n − 1` → [n, d], added to the (scaled) embeddings.
 * Sinusoidal: computed (and cached, growing as longer inputs arrive), no parameters. Learned: a
 * table of `maxPositions` rows, parameter `weight` [maxPositions, d] (normal, σ = d^−½).
 */
export class Positions extends Module {
  readonly weight: Tensor | null = null;
  private table: Float32Array = new Float32Array(0);
  private rows = 0;

  constructor(readonly kind: PositionKind, readonly dim: number, readonly maxPositions: number, rng: Rng) {
    super();
    if (kind === 'learned') this.weight = this.registerParameter('weight', normalEmbeddingParam([maxPositions, dim], rng));
  }

  forward(start: number, n: number): Tensor {
    const end = start + n;
    if (this.kind === 'learned') {
      if (end > this.maxPositions) {
        throw new UserError(`learned positions: a sequence of ${end} tokens is longer than the model's ${this.maxPositions} positions (maxPositions); train with a larger --max-positions or keep inputs shorter (--max-len)`);
      }
      return embedding(this.weight!, intTensor(Int32Array.from({ length: n }, (_, i) => start + i), [n]));
    }
    if (end > this.rows) {
      this.rows = Math.max(end, 2 * this.rows, 64);
      this.table = sinusoidalTable(this.rows, this.dim);
    }
    return fromArray(this.table.slice(start * this.dim, end * this.dim), [n, this.dim]);
  }
}
