import { Rng, type Tensor } from '../tensor/index.js';
import type { Module } from '../nn/index.js';
import { Seq2Seq, type LossOptions } from './seq2seq.js';
import { resolveConfig, type ResolvedSeq2SeqConfig, type Seq2SeqConfig } from './config.js';
import { Transformer } from './transformer.js';
import { resolveTransformerConfig, type ResolvedTransformerConfig, type TransformerConfig } from './transformer-config.js';
import type { Seq2SeqBatch } from './types.js';

/** A model's architecture as RUN/config.json holds it: `arch` 'transformer' or an RNN cell (lstm|gru|rnn). */
export type ModelConfig = Seq2SeqConfig | TransformerConfig;
export type ResolvedModelConfig = ResolvedSeq2SeqConfig | ResolvedTransformerConfig;
/** A config with any field left out (filled from the family's defaults). */
export type PartialModelConfig = Partial<Seq2SeqConfig> | (Partial<TransformerConfig> & { arch: 'transformer' });

/** Every `arch` a run can name: the RNN cells and the Transformer. */
export const MODEL_ARCHS = ['lstm', 'gru', 'rnn', 'transformer'] as const;
export type ModelArch = (typeof MODEL_ARCHS)[number];

/**
 * What the trainer, the checkpoints, the translator, the server and the page need from a model of
 * either family: parameters (Module), the teacher-forced loss, and the decoding steps of the
 * Scorer interface (src/decode/scorer.ts; its state and encoding types are the model's own).
 */
export interface Seq2SeqModel extends Module {
  readonly config: ResolvedModelConfig;
  loss(batch: Seq2SeqBatch, opts?: LossOptions): { loss: Tensor; tokens: number };
  encode(src: Int32Array, srcLen: number[], B: number, S: number): unknown;
  startState(enc: unknown): object;
  step(state: object, prevTokens: Int32Array): { logProbs: Tensor; attention: Float32Array | null; state: object };
  selectState(state: object, rows: Int32Array): object;
}

export function isTransformerConfig(cfg: { arch?: unknown }): cfg is Partial<TransformerConfig> {
  return cfg.arch === 'transformer';
}

/** Fills defaults and validates a config of either family. */
export function resolveModelConfig(cfg: PartialModelConfig): ResolvedModelConfig {
  return isTransformerConfig(cfg) ? resolveTransformerConfig(cfg) : resolveConfig(cfg as Partial<Seq2SeqConfig>);
}

/** Builds the model a (partial) config describes; parameters drawn from rng (same seed, same model). */
export function buildModel(cfg: Partial<TransformerConfig> & { arch: 'transformer' }, rng?: Rng): Transformer;
export function buildModel(cfg: Partial<Seq2SeqConfig>, rng?: Rng): Seq2Seq;
export function buildModel(cfg: PartialModelConfig | ModelConfig, rng?: Rng): Seq2SeqModel;
export function buildModel(cfg: PartialModelConfig | ModelConfig, rng: Rng = new Rng(1)): Seq2SeqModel {
  return isTransformerConfig(cfg) ? new Transformer(cfg, rng) : new Seq2Seq(cfg as Partial<Seq2SeqConfig>, rng);
}
