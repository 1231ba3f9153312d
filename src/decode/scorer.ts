import type { Tensor } from '../tensor/index.js';

/** Token ids the searches use unless told otherwise (the data layer's Vocab order). */
import { BOS_ID, EOS_ID } from '../util/special-ids.js';
export { BOS_ID, EOS_ID };

/**
 * The narrow interface between a model and every search (greedy, beam, sampling; the CLI and the
 * server use the same). Seq2Seq implements it; a test can implement it by hand.
 *
 * State convention: a state is a plain object whose tensors sit at its top level, directly or in
 * arrays (e.g. `{ h: Tensor[], feed: Tensor | null, … }`). The searches rely on this to keep a
 * state alive across per-step memory scopes and to free the previous one.
 */
export interface Scorer<S extends object = object, E = unknown> {
  /** Encodes B source sentences (B×S ids, row-major, pad 0). */
  encode(src: Int32Array, srcLen: number[], B: number, S: number): E;
  /** The decoder state before the first target token (one row per source sentence). */
  startState(enc: E): S;
  /** One step: previous tokens [rows] → log-probabilities [rows, V] and attention [rows, S] (row-major) or null. */
  step(state: S, prevTokens: Int32Array): { logProbs: Tensor; attention: Float32Array | null; state: S };
  /** A state whose row i is row rows[i] of `state` (reorder, repeat, drop rows). */
  selectState(state: S, rows: Int32Array): S;
}

/** The source side of a batch (a Seq2SeqBatch will do). */
export interface SourceBatch {
  B: number;
  S: number;
  src: Int32Array;
  srcLen: number[];
}

/** One output sequence. */
export interface Hypothesis {
  /** Output ids without BOS and EOS. */
  tokens: number[];
  /**
   * Sum of the log-probabilities of the tokens and EOS (when produced); for beam search divided by
   * the length penalty ((5 + |y|)/6)^α, |y| counting EOS.
   */
  score: number;
  /** One row per output token, each over the sentence's srcLen source positions; [] unless asked for (`attention: true`) or when the model has no attention. */
  attention: number[][];
}

/** Length limits shared by the searches: a·|src| + b, optionally capped by maxLen. */
export interface LengthOptions {
  /** Absolute cap on output steps (EOS included). */
  maxLen?: number;
  /** Default 2. */
  maxLenA?: number;
  /** Default 10. */
  maxLenB?: number;
}

/** The most decoding steps for a source of length srcLen (≥ 1). */
export function maxSteps(srcLen: number, o: LengthOptions): number {
  const n = Math.round((o.maxLenA ?? 2) * srcLen + (o.maxLenB ?? 10));
  return Math.max(1, o.maxLen !== undefined ? Math.min(o.maxLen, n) : n);
}
