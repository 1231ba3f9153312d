import type { Rng } from '../tensor/index.js';
import { pickEachStep } from './greedy.js';
import type { Hypothesis, LengthOptions, Scorer, SourceBatch } from './scorer.js';

export interface SampleOptions extends LengthOptions {
  /** Divides the logits (log-probabilities) before sampling; default 1. */
  temperature?: number;
  /** Sample among the k most probable tokens only; 0 or undefined = all. */
  topK?: number;
  /** One stream for the whole batch (rows draw from it in turn)… */
  rng?: Rng;
  /**
   * …or one stream per batch sentence, so a sentence's sample does not depend on which other
   * sentences share its batch (what a server batching requests together needs).
   */
  rngFor?: (sentence: number) => Rng;
  bos?: number;
  eos?: number;
}

/** Batched ancestral sampling with temperature and top-k; one sequence per source sentence. */
export function sample<S extends object>(model: Scorer<S>, batch: SourceBatch, opts: SampleOptions): Hypothesis[] {
  const temp = opts.temperature ?? 1;
  if (!(temp > 0)) throw new Error(`sample: temperature must be > 0, got ${temp}`);
  const topK = opts.topK ?? 0;
  if (!(Number.isInteger(topK) && topK >= 0)) throw new Error(`sample: topK must be a non-negative integer, got ${topK}`);
  const { rng, rngFor } = opts;
  if (!rng && !rngFor) throw new Error('sample: give rng or rngFor');
  return pickEachStep(model, batch, opts, (lp, off, V, b) => sampleRow(lp, off, V, temp, topK, rngFor ? rngFor(b) : rng!));
}

function sampleRow(lp: Float32Array, off: number, V: number, temp: number, topK: number, rng: Rng): number {
  let ids: number[];
  if (topK > 0 && topK < V) {
    ids = Array.from({ length: V }, (_, v) => v).sort((a, b) => lp[off + b]! - lp[off + a]! || a - b).slice(0, topK);
  } else {
    ids = Array.from({ length: V }, (_, v) => v);
  }
  let max = -Infinity;
  for (const v of ids) max = Math.max(max, lp[off + v]! / temp);
  const w = ids.map((v) => Math.exp(lp[off + v]! / temp - max));
  let total = 0;
  for (const x of w) total += x;
  let u = rng.uniform() * total;
  for (let i = 0; i < ids.length; i++) {
    u -= w[i]!;
    if (u < 0) return ids[i]!;
  }
  return ids[ids.length - 1]!;
}
