import { attention, matmul, reshape, type Rng, type Tensor } from '../tensor/index.js';
import { Module, expectShape } from './module.js';
import { weightParam } from './init.js';

export type AttentionKind = 'none' | 'bahdanau' | 'dot' | 'general';
export const ATTENTION_KINDS: readonly AttentionKind[] = ['none', 'bahdanau', 'dot', 'general'];

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
    return this.attend(reshape(query, [B, 1, Hq]), memory, keys, mask);
  }

  /**
   * All decoder steps at once (when no step depends on the previous attentional vector).
   * queries [B, T, Hq] → h̃ [B·T, Hq] (flat, batch-major: ready for the output matmul), α [B, T, S].
   */
  forwardAll(queries: Tensor, memory: Tensor, keys: Tensor, mask: Tensor | null): { out: Tensor; alpha: Tensor } {
    return this.attend(queries, memory, keys, mask);
  }

  /**
   * The attention op (tensor/ops/attention.ts) — the same math the fused decoder sequence op runs,
   * so step, forwardAll and the fused path agree.
   */
  private attend(queries: Tensor, memory: Tensor, keys: Tensor, mask: Tensor | null): { out: Tensor; alpha: Tensor } {
    expectShape(`Attention(${this.kind})`, queries, [null, null, this.querySize], 'query');
    return attention({ kind: this.kind, query: queries, memory, keys, mask, weightC: this.W_c, w2: this.W_2, v: this.v });
  }
}
