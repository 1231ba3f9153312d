import { UserError } from '../util/errors.js';
import { ATTENTION_KINDS, CELL_KINDS, type AttentionKind, type CellKind } from '../nn/index.js';

/**
 * Architecture of a Seq2Seq model; JSON-serialisable (it is written to RUN/config.json and is all
 * that is needed, with model.safetensors, to rebuild the model).
 */
export interface Seq2SeqConfig {
  /** 'tokens': ids in, a distribution over the target vocabulary out. 'continuous': real vectors in and out. */
  kind: 'tokens' | 'continuous';
  /** Encoder cell. */
  arch: CellKind;
  /** Decoder cell (default: arch). */
  decoderArch?: CellKind;
  attention: AttentionKind;
  /** Encoder layers. */
  layers: number;
  /** Decoder layers (default: layers). */
  decoderLayers?: number;
  /** Bidirectional encoder: each direction has hidden/2 units, concatenated to hidden. */
  bidirectional: boolean;
  /** Embedding width (continuous mode: width of the linear input layer). */
  emb: number;
  /** Model width: encoder output (both directions together), decoder state, attention. */
  hidden: number;
  dropout: number;
  srcVocab: number;
  tgtVocab: number;
  /** Share the target embedding with the output layer (tokens mode). */
  tieEmbeddings: boolean;
  /** Feed the previous attentional vector into the decoder input (default: true when attention ≠ none). */
  inputFeeding?: boolean;
  /** Continuous mode: width of each source vector. */
  inputDim?: number;
  /** Continuous mode: width of each target vector. */
  outputDim?: number;
}

/** Defaults for every field but the vocabulary sizes (which come from the data). */
export const SEQ2SEQ_DEFAULTS: Seq2SeqConfig = {
  kind: 'tokens',
  arch: 'lstm',
  attention: 'general',
  layers: 1,
  bidirectional: true,
  emb: 256,
  hidden: 256,
  dropout: 0.2,
  srcVocab: 0,
  tgtVocab: 0,
  tieEmbeddings: false,
};

/** A config with every optional field filled in. */
export type ResolvedSeq2SeqConfig = Required<Omit<Seq2SeqConfig, 'inputDim' | 'outputDim'>> & Pick<Seq2SeqConfig, 'inputDim' | 'outputDim'>;

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

/**
 * Fills defaults and validates; errors are UserErrors that name the field and list valid choices.
 * Unknown fields are rejected (a typo would otherwise silently train the default).
 */
export function resolveConfig(partial: Partial<Seq2SeqConfig>): ResolvedSeq2SeqConfig {
  const known = new Set(['kind', 'arch', 'decoderArch', 'attention', 'layers', 'decoderLayers', 'bidirectional', 'emb', 'hidden', 'dropout', 'srcVocab', 'tgtVocab', 'tieEmbeddings', 'inputFeeding', 'inputDim', 'outputDim']);
  for (const k of Object.keys(partial)) {
    if (!known.has(k)) throw new UserError(`model config: unknown field '${k}'; valid fields: ${[...known].join(', ')}`);
  }
  const c = { ...SEQ2SEQ_DEFAULTS, ...stripUndefined(partial) };
  const kind = oneOf('kind', c.kind, ['tokens', 'continuous'] as const);
  const arch = oneOf('arch', c.arch, CELL_KINDS);
  const decoderArch = oneOf('decoderArch', c.decoderArch ?? arch, CELL_KINDS);
  const attention = oneOf('attention', c.attention, ATTENTION_KINDS);
  const layers = positiveInt('layers', c.layers);
  const decoderLayers = positiveInt('decoderLayers', c.decoderLayers ?? layers);
  const emb = positiveInt('emb', c.emb);
  const hidden = positiveInt('hidden', c.hidden);
  const bidirectional = Boolean(c.bidirectional);
  if (bidirectional && hidden % 2 !== 0) throw new UserError(`model config: hidden must be even with a bidirectional encoder (hidden/2 per direction), got ${hidden}`);
  if (typeof c.dropout !== 'number' || !(c.dropout >= 0 && c.dropout < 1)) throw new UserError(`model config: dropout must be in [0, 1), got ${JSON.stringify(c.dropout)}`);
  const inputFeeding = attention === 'none' ? false : (c.inputFeeding ?? true);
  let { srcVocab, tgtVocab, inputDim, outputDim } = c;
  const tieEmbeddings = Boolean(c.tieEmbeddings);
  if (kind === 'tokens') {
    srcVocab = positiveInt('srcVocab', srcVocab);
    tgtVocab = positiveInt('tgtVocab', tgtVocab);
    if (srcVocab < 4 || tgtVocab < 4) throw new UserError(`model config: vocabularies need at least the 4 special symbols (pad, unk, bos, eos), got srcVocab ${srcVocab}, tgtVocab ${tgtVocab}`);
  } else {
    inputDim = positiveInt('inputDim', inputDim);
    outputDim = positiveInt('outputDim', outputDim);
    if (tieEmbeddings) throw new UserError('model config: tieEmbeddings needs kind "tokens" (there is no target embedding in continuous mode)');
  }
  const out: ResolvedSeq2SeqConfig = {
    kind, arch, decoderArch, attention, layers, decoderLayers, bidirectional, emb, hidden, dropout: c.dropout,
    srcVocab: srcVocab ?? 0, tgtVocab: tgtVocab ?? 0, tieEmbeddings, inputFeeding,
  };
  if (kind === 'continuous') {
    out.inputDim = inputDim;
    out.outputDim = outputDim;
  }
  return out;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
