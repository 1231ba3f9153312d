import { crossEntropy, fromArray, gatherRows, intTensor, logSoftmax, reshape, Rng, type Tensor } from '../tensor/index.js';
import { Module, type ProjectedKeys } from '../nn/index.js';
import { resolveTransformerConfig, type ResolvedTransformerConfig, type TransformerConfig } from './transformer-config.js';
import { TransformerDropouts } from './transformer-layers.js';
import { TransformerDecoder, TransformerEncoder, paddingMask } from './transformer-stacks.js';
import { EOS, PAD, type Seq2SeqBatch } from './types.js';
import type { LossOptions } from './seq2seq.js';

/** What the Transformer's encoder hands to the decoder. */
export interface TransformerEncoding {
  B: number;
  S: number;
  srcLen: number[];
  /** The encoder output [B, S, d]. */
  memory: Tensor;
  /** i32 [B, S], 1 at padded source positions; null when no row is padded. */
  keyPadding: Tensor | null;
}

/**
 * The incremental decoder's state (a plain object whose tensors sit at its top level, in arrays,
 * as the searches require — see src/decode/memory.ts). Per decoder layer l: the self-attention
 * keys and values of every target position decoded so far, selfK[l]/selfV[l] [B, pos, d]
 * (appended one position per step; the prefix is never recomputed), and the cross-attention keys
 * and values of the encoder output, crossK[l]/crossV[l] [B, S, d] (computed once, in startState).
 */
export interface TransformerState {
  B: number;
  S: number;
  srcLen: number[];
  /** Row i of this state decodes source sentence srcRow[i] of the encoded batch. */
  srcRow: Int32Array;
  /** Target positions decoded so far (the next step's position). */
  pos: number;
  selfK: Tensor[];
  selfV: Tensor[];
  crossK: Tensor[];
  crossV: Tensor[];
  keyPadding: Tensor | null;
}

/**
 * Transformer encoder–decoder (Vaswani et al. 2017), pre-norm by default (post-norm as an
 * option), in the layout and with the parameter names of fairseq's `transformer`:
 *
 *   src ids ─embed·√d + positions─▶ N × [self-attn, ffn] ─(LN)─▶ memory [B, S, d]
 *   tgtIn ─embed·√d + positions─▶ M × [causal self-attn, cross-attn over memory, ffn] ─(LN)─▶ Eᵀ (tied) ─▶ logits
 *
 * Training (`loss`) runs all target positions at once under the causal mask; decoding goes
 * through the Scorer interface (`encode`, `startState`, `step`, `selectState`) with a key/value
 * cache per decoder layer, so greedy, beam search, n-best and sampling work unchanged. The
 * attention a step returns (heatmaps, alignments) is the last decoder layer's cross-attention,
 * averaged over its heads.
 *
 * Parameter names: see docs/models.md.
 */
export class Transformer extends Module {
  readonly config: ResolvedTransformerConfig;
  readonly encoder: TransformerEncoder;
  readonly decoder: TransformerDecoder;

  constructor(cfg: Partial<TransformerConfig>, rng: Rng) {
    super();
    this.config = resolveTransformerConfig(cfg);
    const c = this.config;
    const drops = new TransformerDropouts(this, c, rng);
    this.encoder = this.registerModule('encoder', new TransformerEncoder(c, drops, rng));
    this.decoder = this.registerModule('decoder', new TransformerDecoder(c, drops, rng, c.shareEmbeddings ? this.encoder.embed_tokens.weight : null));
  }

  /** Teacher-forced logits of a batch, rows b·T + t: [B·T, tgtVocab]. */
  logits(batch: Seq2SeqBatch): Tensor {
    const { B, S, T } = batch;
    if (batch.tgtIn.length !== B * T || batch.tgtOut.length !== B * T) {
      throw new Error(`Transformer.loss: tgtIn/tgtOut have ${batch.tgtIn.length}/${batch.tgtOut.length} ids, expected B×T = ${B}×${T}`);
    }
    const enc = this.encode(batch.src, batch.srcLen, B, S);
    const r = this.decoder.forward(batch.tgtIn, B, T, 0, null, this.decoder.crossKeys(enc.memory), enc.keyPadding);
    return this.decoder.logits(TransformerDecoder.rows(r.out));
  }

  /** Teacher-forced loss: mean cross-entropy over target tokens (pad ignored), optional label smoothing. */
  loss(batch: Seq2SeqBatch, opts: LossOptions = {}): { loss: Tensor; tokens: number } {
    if ('srcVals' in batch) throw new Error('Transformer.loss: the Transformer reads token ids (a batch with src/tgtIn/tgtOut)');
    const targets = batch.tgtOut;
    let tokens = 0;
    for (let i = 0; i < targets.length; i++) if (targets[i] !== PAD) tokens++;
    const loss = crossEntropy(this.logits(batch), intTensor(targets, [targets.length]), { ignoreIndex: PAD, smoothing: opts.smoothing ?? 0, reduction: 'mean' });
    return { loss, tokens };
  }

  /** Encodes source ids (B×S row-major, pad 0). */
  encode(src: Int32Array, srcLen: number[], B: number, S: number): TransformerEncoding {
    if (src.length !== B * S) throw new Error(`Transformer.encode: ${src.length} ids, expected B×S = ${B}×${S}`);
    const keyPadding = paddingMask(srcLen, B, S);
    return { B, S, srcLen: srcLen.map((n) => Math.max(1, n)), memory: this.encoder.forward(src, keyPadding, B, S), keyPadding };
  }

  /** The state before the first target token: empty self-attention caches, each layer's cross keys/values. */
  startState(enc: TransformerEncoding): TransformerState {
    const cross = this.decoder.crossKeys(enc.memory);
    return {
      B: enc.B, S: enc.S, srcLen: enc.srcLen, srcRow: Int32Array.from({ length: enc.B }, (_, i) => i), pos: 0,
      selfK: [], selfV: [], crossK: cross.map((c) => c.k), crossV: cross.map((c) => c.v), keyPadding: enc.keyPadding,
    };
  }

  /** One decoding step: previous tokens [B] → log-probabilities [B, tgtVocab], the last layer's cross-attention (heads averaged) [B, S]. */
  step(state: TransformerState, prevTokens: Int32Array): { logProbs: Tensor; attention: Float32Array; state: TransformerState } {
    const { B, S, pos } = state;
    if (prevTokens.length !== B) throw new Error(`Transformer.step: ${prevTokens.length} previous tokens for a state of ${B} rows`);
    if (this.config.positions === 'learned' && pos >= this.config.maxPositions) return endOfPositions(state, this.config.tgtVocab);
    const past: ProjectedKeys[] | null = pos === 0 ? null : state.selfK.map((k, l) => ({ k, v: state.selfV[l]! }));
    const cross = state.crossK.map((k, l) => ({ k, v: state.crossV[l]! }));
    const r = this.decoder.forward(prevTokens, B, 1, pos, past, cross, state.keyPadding, true);
    const logProbs = logSoftmax(this.decoder.logits(reshape(r.out, [B, this.config.emb])), -1);
    return {
      logProbs,
      attention: averageHeads(r.crossWeights!, B, this.config.heads, S),
      state: { ...state, pos: pos + 1, selfK: r.selfKv.map((kv) => kv.k), selfV: r.selfKv.map((kv) => kv.v) },
    };
  }

  /**
   * A state whose row i is row rows[i] of `state` (beam search: reorder, expand, drop rows). The
   * cross-attention keys/values are gathered only when the rows' source sentences change.
   */
  selectState(state: TransformerState, rows: Int32Array): TransformerState {
    const n = rows.length;
    for (const r of rows) if (!(r >= 0 && r < state.B)) throw new Error(`Transformer.selectState: row ${r} is out of range for ${state.B} rows`);
    const ids = intTensor(rows, [n]);
    const pick = (t: Tensor): Tensor => gatherRows(t, ids);
    const srcRow = Int32Array.from(rows, (r) => state.srcRow[r]!);
    const next: TransformerState = { ...state, B: n, srcRow, selfK: state.selfK.map(pick), selfV: state.selfV.map(pick) };
    if (n === state.B && srcRow.every((s, i) => s === state.srcRow[i])) return next;
    next.srcLen = Array.from(rows, (r) => state.srcLen[r]!);
    next.crossK = state.crossK.map(pick);
    next.crossV = state.crossV.map(pick);
    next.keyPadding = state.keyPadding === null ? null : paddingMask(next.srcLen, n, state.S);
    return next;
  }
}

/**
 * The step past a learned position table's last row: EOS is certain (log-probability 0, every
 * other token −∞), so every hypothesis ends there, as fairseq caps its output length at the
 * decoder's max positions. The attention row is all zero.
 */
function endOfPositions(state: TransformerState, V: number): { logProbs: Tensor; attention: Float32Array; state: TransformerState } {
  const lp = new Float32Array(state.B * V).fill(-Infinity);
  for (let b = 0; b < state.B; b++) lp[b * V + EOS] = 0;
  return { logProbs: fromArray(lp, [state.B, V]), attention: new Float32Array(state.B * state.S), state: { ...state, pos: state.pos + 1 } };
}

/** weights [B, H, 1, S] → their mean over the heads, [B·S] row-major. */
function averageHeads(w: Tensor, B: number, H: number, S: number): Float32Array {
  const src = w.f32;
  const out = new Float32Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < H; h++) {
      const off = (b * H + h) * S;
      for (let s = 0; s < S; s++) out[b * S + s] += src[off + s]!;
    }
  }
  for (let i = 0; i < out.length; i++) out[i] /= H;
  return out;
}

/** Builds a Transformer from a (partial) config; parameters drawn from rng. */
export function buildTransformer(cfg: Partial<TransformerConfig>, rng: Rng = new Rng(1)): Transformer {
  return new Transformer(cfg, rng);
}
