import { normalInit, parameter, uniformInit, zerosInit, type Rng, type Tensor } from '../tensor/index.js';

/**
 * Parameter initialisation used by every s2s layer: weights uniform in ±0.1 (the OpenNMT/Marian
 * RNN default, which trains recurrent nets reliably at our sizes), biases zero.
 */
export const INIT_RANGE = 0.1;

export function weightParam(shape: number[], rng: Rng, range = INIT_RANGE): Tensor {
  const t = parameter(shape);
  uniformInit(t, range, rng);
  return t;
}

export function biasParam(shape: number[]): Tensor {
  const t = parameter(shape);
  zerosInit(t);
  return t;
}

/** An embedding table drawn N(0, σ²) with σ = dim^−½ (the Transformer's, as in fairseq: with the √dim scale the rows start at unit size). */
export function normalEmbeddingParam(shape: [number, number], rng: Rng): Tensor {
  const t = parameter(shape);
  normalInit(t, 1 / Math.sqrt(shape[1]), rng);
  return t;
}
