import { add, embedding, intTensor, matmul, mulScalar, reshape, type Rng, type Tensor } from '../tensor/index.js';
import { Embedding, LayerNorm, Linear, Module, Positions, expectShape, type ProjectedKeys } from '../nn/index.js';
import type { ResolvedTransformerConfig } from './transformer-config.js';
import { TransformerDecoderLayer, TransformerEncoderLayer, type TransformerDropouts } from './transformer-layers.js';

/** i32 [B, S] with 1 at the padded positions s ≥ srcLen[b] (a length of 0 counts as 1), or null when no row is padded. */
export function paddingMask(srcLen: readonly number[], B: number, S: number): Tensor | null {
  let padded = false;
  const m = new Int32Array(B * S);
  for (let b = 0; b < B; b++) {
    for (let s = Math.max(1, srcLen[b]!); s < S; s++) {
      m[b * S + s] = 1;
      padded = true;
    }
  }
  return padded ? intTensor(m, [B, S]) : null;
}

/** Token embeddings scaled by √d plus positions, then dropout: ids B×T (positions start … start + T − 1) → [B, T, d]. */
function embedTokens(table: Tensor, positions: Positions, drops: TransformerDropouts, ids: Int32Array, B: number, T: number, start: number): Tensor {
  const d = table.shape[1]!;
  if (ids.length !== B * T) throw new Error(`Transformer: ${ids.length} ids, expected B×T = ${B}×${T}`);
  const x = mulScalar(embedding(table, intTensor(ids, [B, T])), Math.sqrt(d));
  return drops.residual(add(x, positions.forward(start, T)));
}

/**
 * The encoder stack: embeddings (×√d) + positions, `layers` encoder layers, and (pre-norm) a final
 * LayerNorm. Parameters: `embed_tokens.weight` [Vs, d] (absent when the target table is shared
 * in), `embed_positions.weight` [maxPositions, d] (learned positions), `layers.{l}.*`,
 * `layer_norm.*` (pre-norm).
 */
export class TransformerEncoder extends Module {
  readonly embed_tokens: Embedding;
  readonly embed_positions: Positions;
  readonly layers: TransformerEncoderLayer[] = [];
  readonly layer_norm: LayerNorm | null = null;

  constructor(readonly cfg: ResolvedTransformerConfig, private readonly drops: TransformerDropouts, rng: Rng) {
    super();
    const d = cfg.emb;
    this.embed_tokens = this.registerModule('embed_tokens', new Embedding(cfg.srcVocab, d, rng, { init: 'normal' }));
    this.embed_positions = this.registerModule('embed_positions', new Positions(cfg.positions, d, cfg.maxPositions, rng));
    const holder = this.registerModule('layers', new Module());
    for (let l = 0; l < cfg.layers; l++) this.layers.push(holder.registerModule(String(l), new TransformerEncoderLayer(cfg, drops, rng)));
    if (!cfg.postNorm) this.layer_norm = this.registerModule('layer_norm', new LayerNorm(d));
  }

  /** src ids B×S (row-major, pad 0), keyPadding from paddingMask → the encoder output [B, S, d]. */
  forward(src: Int32Array, keyPadding: Tensor | null, B: number, S: number): Tensor {
    let x = embedTokens(this.embed_tokens.weight, this.embed_positions, this.drops, src, B, S, 0);
    for (const layer of this.layers) x = layer.forward(x, keyPadding);
    return this.layer_norm ? this.layer_norm.forward(x) : x;
  }
}

/** What the decoder stack returns for T target positions. */
export interface DecoderStackOutput {
  /** [B, T, d], after the final LayerNorm (pre-norm). */
  out: Tensor;
  /** Per layer: the self-attention keys/values of every position so far [B, P + T, d]. */
  selfKv: ProjectedKeys[];
  /** The last layer's cross-attention weights [B, heads, T, S], when asked for. */
  crossWeights: Tensor | null;
}

/**
 * The decoder stack: target embeddings (×√d) + positions, `decoderLayers` decoder layers,
 * (pre-norm) a final LayerNorm, and the output layer: the target embedding transposed (tied) or
 * `output_projection.weight` [d, Vt]. Parameters: `embed_tokens.weight` [Vt, d] (absent when
 * shared with the source: then the encoder's table serves both), `embed_positions.weight`
 * (learned), `layers.{l}.*`, `layer_norm.*` (pre-norm), `output_projection.weight` (untied).
 */
export class TransformerDecoder extends Module {
  /** The target embedding table (the encoder's when shared). */
  readonly table: Tensor;
  readonly embed_positions: Positions;
  readonly layers: TransformerDecoderLayer[] = [];
  readonly layer_norm: LayerNorm | null = null;
  readonly output_projection: Linear | null = null;

  constructor(readonly cfg: ResolvedTransformerConfig, private readonly drops: TransformerDropouts, rng: Rng, sharedTable: Tensor | null) {
    super();
    const d = cfg.emb;
    this.table = sharedTable ?? this.registerModule('embed_tokens', new Embedding(cfg.tgtVocab, d, rng, { init: 'normal' })).weight;
    this.embed_positions = this.registerModule('embed_positions', new Positions(cfg.positions, d, cfg.maxPositions, rng));
    const holder = this.registerModule('layers', new Module());
    for (let l = 0; l < cfg.decoderLayers; l++) this.layers.push(holder.registerModule(String(l), new TransformerDecoderLayer(cfg, drops, rng)));
    if (!cfg.postNorm) this.layer_norm = this.registerModule('layer_norm', new LayerNorm(d));
    if (!cfg.tieEmbeddings) this.output_projection = this.registerModule('output_projection', new Linear(d, cfg.tgtVocab, rng, { bias: false, init: 'xavier' }));
  }

  /** Each layer's cross-attention keys and values of the encoder output [B, S, d] (computed once per source batch). */
  crossKeys(memory: Tensor): ProjectedKeys[] {
    return this.layers.map((l) => l.encoder_attn.project(memory));
  }

  /**
   * Target ids B×T at positions start … start + T − 1; past: per layer the self-attention
   * keys/values of positions 0 … start − 1 (null when start = 0).
   */
  forward(ids: Int32Array, B: number, T: number, start: number, past: ProjectedKeys[] | null, cross: ProjectedKeys[], srcPadding: Tensor | null, needWeights = false): DecoderStackOutput {
    let x = embedTokens(this.table, this.embed_positions, this.drops, ids, B, T, start);
    const selfKv: ProjectedKeys[] = [];
    let crossWeights: Tensor | null = null;
    this.layers.forEach((layer, l) => {
      const last = l === this.layers.length - 1;
      const r = layer.forward(x, past ? past[l]! : null, cross[l]!, srcPadding, needWeights && last);
      x = r.out;
      selfKv.push(r.selfKv);
      if (last) crossWeights = r.crossWeights;
    });
    return { out: this.layer_norm ? this.layer_norm.forward(x) : x, selfKv, crossWeights };
  }

  /** Decoder outputs [N, d] → logits [N, Vt]. */
  logits(x: Tensor): Tensor {
    expectShape('TransformerDecoder', x, [null, this.cfg.emb], 'output rows');
    return this.output_projection ? this.output_projection.forward(x) : matmul(x, this.table, false, true);
  }

  /** [B, T, d] → [B·T, d] (rows b·T + t, the batch's order). */
  static rows(x: Tensor): Tensor {
    const d = x.shape[2]!;
    return reshape(x, [x.size / d, d]);
  }
}
