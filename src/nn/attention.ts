import {
  add, bmm, concat, matmul, maskedFill, reshape, softmax, tanh, type Rng, type Tensor,
} from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { weightParam } from './init.js';

export type AttentionKind = 'none' | 'bahdanau' | 'dot' | 'general';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['none', 'bahdanau', 'dot', 'general'];

/** Score filled in at padded source positions before the softmax (exp underflows to exactly 0). */
const MASKED_SCORE = -1e9;

/**
 * Global attention of a decoder state (the query, [B, Hq]) over encoder memory [B, S, Hm]:
 *   dot:      score(s) = h_sᵀ h_t                      (needs Hm = Hq)
 *   general:  score(s) = h_sᵀ W_a h_t                  (Luong et al. 2015)
 *   bahdanau: score(s) = vᵀ tanh(W_1 h_s + W_2 h_t)    (additive, Bahdanau et al. 2015)
 * then α = softmax over the unpadded source positions, c = Σ α_s h_s, and the attentional vector
 * h̃ = tanh(W_c [c; h_t]) [B, Hq], which feeds the output layer (and the next step's input).
 *
 * Everything that depends on the memory alone (the "keys": W_a h_s or W_1 h_s) is computed once per
 * source batch by `keys()`, so a step costs two batched matmuls and the output matmul.
 *
 * Parameters (stored [in, out]): general: W_a [Hm, Hq]; bahdanau: W_1 [Hm, Hq], W_2 [Hq, Hq],
 * v [Hq, 1]; all: W_c [Hm + Hq, Hq].
 */
export class Attention extends Module {
  readonly W_a: Tensor | null = null;
  readonly W_1: Tensor | null = null;
  readonly W_2: Tensor | null = null;
  readonly v: Tensor | null = null;
  readonly W_c: Tensor;

  constructor(readonly kind: Exclude<AttentionKind, 'none'>, readonly memorySize: number, readonly querySize: number, rng: Rng) {
    super();
    if (kind === 'dot' && memorySize !== querySize) {
      throw new Error(`Attention(dot): memory width ${memorySize} must equal the decoder width ${querySize}; use 'general' or 'bahdanau'`);
    }
    if (kind === 'general') this.W_a = this.registerParameter('W_a', weightParam([memorySize, querySize], rng));
    if (kind === 'bahdanau') {
      this.W_1 = this.registerParameter('W_1', weightParam([memorySize, querySize], rng));
      this.W_2 = this.registerParameter('W_2', weightParam([querySize, querySize], rng));
      this.v = this.registerParameter('v', weightParam([querySize, 1], rng));
    }
    this.W_c = this.registerParameter('W_c', weightParam([memorySize + querySize, querySize], rng));
  }

  /** memory [B, S, Hm] → keys [B, S, Hq] (dot: the memory itself). */
  keys(memory: Tensor): Tensor {
    expectShape(`Attention(${this.kind})`, memory, [null, null, this.memorySize], 'memory');
    if (this.kind === 'dot') return memory;
    const [B, S] = memory.shape as [number, number, number];
    const w = this.kind === 'general' ? this.W_a! : this.W_1!;
    return reshape(matmul(reshape(memory, [B * S, this.memorySize]), w), [B, S, this.querySize]);
  }

  /**
   * One decoder step. query [B, Hq]; mask i32 [B, 1, S] (1 = padding) or null when nothing is padded.
   * Returns h̃ [B, Hq] and α [B, 1, S].
   */
  step(query: Tensor, memory: Tensor, keys: Tensor, mask: Tensor | null): { out: Tensor; alpha: Tensor } {
    const [B, Hq] = query.shape as [number, number];
    const S = memory.shape[1]!;
    const q3 = reshape(query, [B, 1, Hq]);
    let scores: Tensor;
    if (this.kind === 'bahdanau') {
      const e = tanh(add(keys, reshape(matmul(query, this.W_2!), [B, 1, Hq]))); // [B, S, Hq]
      scores = reshape(matmul(reshape(e, [B * S, Hq]), this.v!), [B, 1, S]);
    } else {
      scores = bmm(q3, keys, false, true); // [B, 1, S]
    }
    if (mask !== null) scores = maskedFill(scores, mask, MASKED_SCORE);
    const alpha = softmax(scores, -1);
    const ctx = bmm(alpha, memory); // [B, 1, Hm]
    const cat = reshape(concat([ctx, q3], 2), [B, this.memorySize + Hq]);
    return { out: tanh(matmul(cat, this.W_c)), alpha };
  }

  /**
   * All decoder steps at once (when no step depends on the previous attentional vector).
   * queries [B, T, Hq] → h̃ [B·T, Hq] (flat, batch-major: ready for the output matmul), α [B, T, S].
   */
  forwardAll(queries: Tensor, memory: Tensor, keys: Tensor, mask: Tensor | null): { out: Tensor; alpha: Tensor } {
    const [B, T, Hq] = queries.shape as [number, number, number];
    const S = memory.shape[1]!;
    let scores: Tensor;
    if (this.kind === 'bahdanau') {
      const q = reshape(matmul(reshape(queries, [B * T, Hq]), this.W_2!), [B, T, 1, Hq]);
      const e = tanh(add(reshape(keys, [B, 1, S, Hq]), q)); // [B, T, S, Hq]
      scores = reshape(matmul(reshape(e, [B * T * S, Hq]), this.v!), [B, T, S]);
    } else {
      scores = bmm(queries, keys, false, true); // [B, T, S]
    }
    if (mask !== null) scores = maskedFill(scores, mask, MASKED_SCORE);
    const alpha = softmax(scores, -1);
    const ctx = bmm(alpha, memory); // [B, T, Hm]
    const cat = reshape(concat([ctx, queries], 2), [B * T, this.memorySize + Hq]);
    return { out: tanh(matmul(cat, this.W_c)), alpha };
  }
}
