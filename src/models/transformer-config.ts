import { UserError } from '../util/errors.js';
import { ACTIVATIONS, POSITION_KINDS, type Activation, type PositionKind } from '../nn/index.js';

/**
 * Architecture of a Transformer encoder–decoder (Vaswani et al. 2017); JSON-serialisable, written
 * to RUN/config.json as the run's `model` (`arch: 'transformer'` tells it from a Seq2SeqConfig).
 */
export interface TransformerConfig {
  arch: 'transformer';
  /** Encoder layers. */
  layers: number;
  /** Decoder layers (default: layers). */
  decoderLayers?: number;
  /** Model width d (embeddings, every sub-layer's input and output). */
  emb: number;
  /** Attention heads (d must be divisible by it). */
  heads: number;
  /** Inner width of the position-wise feed-forward blocks. */
  ffn: number;
  activation: Activation;
  /** Post-norm (the 2017 paper: LayerNorm after each residual add) instead of pre-norm (LayerNorm before each sub-layer, plus one at the top of each stack). */
  postNorm: boolean;
  positions: PositionKind;
  /** Learned positions: rows of the position table (the longest sequence the model can read or write). */
  maxPositions: number;
  /** Dropout on the embeddings (after the positions are added) and on every sub-layer's output before its residual add. */
  dropout: number;
  /** Dropout on the attention weights. */
  attentionDropout: number;
  /** Dropout on the feed-forward blocks' inner activations. */
  activationDropout: number;
  srcVocab: number;
  tgtVocab: number;
  /** The output layer is the target embedding, transposed (no separate output matrix). */
  tieEmbeddings: boolean;
  /** One embedding table for the source and the target (a shared vocabulary: srcVocab = tgtVocab). */
  shareEmbeddings: boolean;
}

/** Defaults for every field but the vocabulary sizes: the shape of the issue-11 benchmark model (d 256, 3+3 layers, 4 heads, ffn 1024). */
export const TRANSFORMER_DEFAULTS: TransformerConfig = {
  arch: 'transformer',
  layers: 3,
  emb: 256,
  heads: 4,
  ffn: 1024,
  activation: 'relu',
  postNorm: false,
  positions: 'sinusoidal',
  maxPositions: 1024,
  dropout: 0.1,
  attentionDropout: 0,
  activationDropout: 0,
  srcVocab: 0,
  tgtVocab: 0,
  tieEmbeddings: true,
  shareEmbeddings: false,
};

export type ResolvedTransformerConfig = Required<TransformerConfig>;

const KNOWN = new Set(Object.keys(TRANSFORMER_DEFAULTS).concat('decoderLayers'));

function oneOf<T extends string>(field: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    throw new UserError(`model config: ${field} is ${JSON.stringify(v)}; valid choices: ${choices.join(', ')}`);
  }
  return v as T;
}

function positiveInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new UserError(`model config: ${field} must be a positive integer, got ${JSON.stringify(v)}`);
  return v;
}

function probability(field: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0 && v < 1)) throw new UserError(`model config: ${field} must be in [0, 1), got ${JSON.stringify(v)}`);
  return v;
}

/** Fills defaults and validates; unknown fields are rejected (a typo would otherwise silently train the default). */
export function resolveTransformerConfig(partial: Partial<TransformerConfig>): ResolvedTransformerConfig {
  for (const k of Object.keys(partial)) {
    if (!KNOWN.has(k)) throw new UserError(`model config: '${k}' is not a Transformer field; valid fields: ${[...KNOWN].join(', ')}`);
  }
  const given: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(partial)) if (v !== undefined) given[k] = v;
  const c = { ...TRANSFORMER_DEFAULTS, ...given } as TransformerConfig;
  const layers = positiveInt('layers', c.layers);
  const emb = positiveInt('emb', c.emb);
  const heads = positiveInt('heads', c.heads);
  if (emb % heads !== 0) throw new UserError(`model config: emb ${emb} must be divisible by heads ${heads} (each head gets emb/heads columns)`);
  const srcVocab = positiveInt('srcVocab', c.srcVocab);
  const tgtVocab = positiveInt('tgtVocab', c.tgtVocab);
  if (srcVocab < 4 || tgtVocab < 4) throw new UserError(`model config: vocabularies need at least the 4 special symbols (pad, unk, bos, eos), got srcVocab ${srcVocab}, tgtVocab ${tgtVocab}`);
  const shareEmbeddings = Boolean(c.shareEmbeddings);
  if (shareEmbeddings && srcVocab !== tgtVocab) {
    throw new UserError(`model config: shareEmbeddings needs one vocabulary for both sides, got srcVocab ${srcVocab} and tgtVocab ${tgtVocab} (prepare the data with --shared-vocab)`);
  }
  return {
    arch: 'transformer', layers, decoderLayers: positiveInt('decoderLayers', c.decoderLayers ?? layers), emb, heads,
    ffn: positiveInt('ffn', c.ffn), activation: oneOf('activation', c.activation, ACTIVATIONS), postNorm: Boolean(c.postNorm),
    positions: oneOf('positions', c.positions, POSITION_KINDS), maxPositions: positiveInt('maxPositions', c.maxPositions),
    dropout: probability('dropout', c.dropout), attentionDropout: probability('attentionDropout', c.attentionDropout),
    activationDropout: probability('activationDropout', c.activationDropout),
    srcVocab, tgtVocab, tieEmbeddings: Boolean(c.tieEmbeddings), shareEmbeddings,
  };
}
