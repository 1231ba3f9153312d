import { add, concat, dropout, isGradEnabled, type Rng, type Tensor } from '../tensor/index.js';
import { FeedForward, LayerNorm, Module, MultiHeadAttention, type ProjectedKeys } from '../nn/index.js';
import type { ResolvedTransformerConfig } from './transformer-config.js';

/**
 * The dropouts of a Transformer, drawn from the model's Rng, active only in training mode with
 * gradients on (never in validation or decoding).
 */
export class TransformerDropouts {
  constructor(private readonly owner: Module, private readonly cfg: ResolvedTransformerConfig, private readonly rng: Rng) {}

  private active(p: number): boolean {
    return p > 0 && this.owner.training && isGradEnabled();
  }

  /** Residual / embedding dropout. */
  residual(x: Tensor): Tensor {
    return this.active(this.cfg.dropout) ? dropout(x, this.cfg.dropout, this.rng, true) : x;
  }

  /** The attention op's dropout on its weights: a seed from the model's Rng (the op draws its mask from it). */
  attention(): { p: number; seed: number } | null {
    return this.active(this.cfg.attentionDropout) ? { p: this.cfg.attentionDropout, seed: this.rng.int(0x7fffffff) } : null;
  }
}

/**
 * One residual sub-layer: pre-norm x + drop(f(LN(x))) (default), or post-norm LN(x + drop(f(x)))
 * (Vaswani et al. 2017).
 */
function residual(x: Tensor, norm: LayerNorm, postNorm: boolean, drops: TransformerDropouts, f: (h: Tensor) => Tensor): Tensor {
  if (postNorm) return norm.forward(add(x, drops.residual(f(x))));
  return add(x, drops.residual(f(norm.forward(x))));
}

/**
 * Encoder layer: self-attention over the source (padding keys masked), then the feed-forward block.
 * Parameters: `self_attn.*`, `self_attn_layer_norm.*`, `fc1.*`, `fc2.*`, `final_layer_norm.*`.
 */
export class TransformerEncoderLayer extends Module {
  readonly self_attn: MultiHeadAttention;
  readonly self_attn_layer_norm: LayerNorm;
  readonly ffn: FeedForward;
  readonly final_layer_norm: LayerNorm;

  constructor(private readonly cfg: ResolvedTransformerConfig, private readonly drops: TransformerDropouts, rng: Rng) {
    super();
    const d = cfg.emb;
    this.self_attn = this.registerModule('self_attn', new MultiHeadAttention(d, cfg.heads, rng));
    this.self_attn_layer_norm = this.registerModule('self_attn_layer_norm', new LayerNorm(d));
    this.ffn = this.registerModule('', new FeedForward(d, cfg.ffn, cfg.activation, cfg.activationDropout, rng));
    this.final_layer_norm = this.registerModule('final_layer_norm', new LayerNorm(d));
  }

  /** x [B, S, d], keyPadding i32 [B, S] or null → [B, S, d]. */
  forward(x: Tensor, keyPadding: Tensor | null): Tensor {
    const { postNorm } = this.cfg;
    const drops = this.drops;
    const h = residual(x, this.self_attn_layer_norm, postNorm, drops, (y) => this.self_attn.forward(y, y, { keyPadding, dropout: drops.attention() }).out);
    return residual(h, this.final_layer_norm, postNorm, drops, (y) => this.ffn.forward(y));
  }
}

/** What a decoder layer returns: its output, its self-attention keys/values so far, the cross-attention weights when asked. */
export interface DecoderLayerOutput {
  out: Tensor;
  selfKv: ProjectedKeys;
  /** [B, heads, T, S] or null. */
  crossWeights: Tensor | null;
}

/**
 * Decoder layer: causal self-attention, cross-attention over the encoder output, feed-forward.
 * The same code runs teacher forcing (all T positions, `past` null) and incremental decoding
 * (one position, `past` the keys/values of the positions before it, which are appended to and
 * never recomputed) — so the two agree by construction, and the tests check they do.
 *
 * Parameters: `self_attn.*`, `self_attn_layer_norm.*`, `encoder_attn.*`, `encoder_attn_layer_norm.*`,
 * `fc1.*`, `fc2.*`, `final_layer_norm.*`.
 */
export class TransformerDecoderLayer extends Module {
  readonly self_attn: MultiHeadAttention;
  readonly self_attn_layer_norm: LayerNorm;
  readonly encoder_attn: MultiHeadAttention;
  readonly encoder_attn_layer_norm: LayerNorm;
  readonly ffn: FeedForward;
  readonly final_layer_norm: LayerNorm;

  constructor(private readonly cfg: ResolvedTransformerConfig, private readonly drops: TransformerDropouts, rng: Rng) {
    super();
    const d = cfg.emb;
    this.self_attn = this.registerModule('self_attn', new MultiHeadAttention(d, cfg.heads, rng));
    this.self_attn_layer_norm = this.registerModule('self_attn_layer_norm', new LayerNorm(d));
    this.encoder_attn = this.registerModule('encoder_attn', new MultiHeadAttention(d, cfg.heads, rng));
    this.encoder_attn_layer_norm = this.registerModule('encoder_attn_layer_norm', new LayerNorm(d));
    this.ffn = this.registerModule('', new FeedForward(d, cfg.ffn, cfg.activation, cfg.activationDropout, rng));
    this.final_layer_norm = this.registerModule('final_layer_norm', new LayerNorm(d));
  }

  /**
   * x [B, T, d] (target positions past.length … past.length + T − 1); past: the self-attention
   * keys/values [B, P, d] of the earlier positions, or null; cross: the encoder output's keys and
   * values for this layer [B, S, d]; srcPadding i32 [B, S] or null.
   */
  forward(x: Tensor, past: ProjectedKeys | null, cross: ProjectedKeys, srcPadding: Tensor | null, needWeights = false): DecoderLayerOutput {
    const { postNorm } = this.cfg;
    const drops = this.drops;
    let selfKv: ProjectedKeys | null = null;
    const h1 = residual(x, this.self_attn_layer_norm, postNorm, drops, (y) => {
      const fresh = this.self_attn.project(y);
      const kv = past === null ? fresh : { k: concat([past.k, fresh.k], 1), v: concat([past.v, fresh.v], 1) };
      selfKv = kv;
      // causal: position i sees keys j ≤ i + P (with one new position, all of them)
      return this.self_attn.attend(this.self_attn.query(y), kv, { causal: true, dropout: drops.attention() }).out;
    });
    let crossWeights: Tensor | null = null;
    const h2 = residual(h1, this.encoder_attn_layer_norm, postNorm, drops, (y) => {
      const r = this.encoder_attn.attend(this.encoder_attn.query(y), cross, { keyPadding: srcPadding, dropout: drops.attention(), needWeights });
      crossWeights = r.weights;
      return r.out;
    });
    const out = residual(h2, this.final_layer_norm, postNorm, drops, (y) => this.ffn.forward(y));
    return { out, selfKv: selfKv!, crossWeights };
  }
}
