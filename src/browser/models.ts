import type { RunConfig } from '../train/checkpoint.js';
import type { RunFromBytes } from '../train/run-bytes.js';
import type { TranslateOptions } from '../train/translator.js';
import type { DecodeSettings, ModelInfo, TranslationJson } from './protocol.js';

/** A model the engine worker holds, with the run files it came from (so it can be exported as is). */
export interface HeldModel {
  run: RunFromBytes;
  configText: string;
  weights: Uint8Array;
  /** For a run trained in this worker: its validations (shown as the model's facts). */
  trainingFacts?: Record<string, unknown>;
}

export function modelInfo(name: string, m: HeldModel): ModelInfo {
  const config: RunConfig = m.run.config;
  return {
    name,
    config: { ...config.model } as unknown as Record<string, unknown>,
    vocab: { source: m.run.codecs.src.vocab.size, target: m.run.codecs.tgt.vocab.size },
    parameters: m.run.model.parameterCount(),
    training: { ...(config.training ?? {}), ...(m.trainingFacts ?? {}) },
  };
}

/**
 * The server's decoding defaults and option mapping (src/serve/validate.ts, contract8), so the
 * page's two paths decode alike: all texts of a call in one batch, sentence i sampling with
 * seed + i.
 */
export function toTranslateOptions(s: DecodeSettings, count: number): TranslateOptions & { attention?: boolean } {
  const sample = s.sample === true;
  return {
    beam: sample ? 1 : (s.beam ?? 5),
    nBest: sample ? 1 : (s.nBest ?? 1),
    lengthPenalty: s.lengthPenalty ?? 0,
    maxLenA: s.maxLenA ?? 2,
    maxLenB: s.maxLenB ?? 10,
    sample,
    temperature: s.temperature ?? 1,
    topK: s.topK ?? 0,
    seed: s.seed ?? 0,
    attention: s.attention === true,
    batchSize: Math.max(1, count),
  };
}

export function translateJson(m: HeldModel, texts: readonly string[], s: DecodeSettings): TranslationJson[] {
  const withAttention = s.attention === true;
  return m.run.translate(texts, toTranslateOptions(s, texts.length)).map((t) => ({
    source: t.source,
    sourceTokens: t.sourceTokens,
    hypotheses: t.hypotheses.map((h) => ({
      text: h.text, score: h.score, tokens: h.tokens, ...(withAttention ? { attention: h.attention } : {}),
    })),
  }));
}
