import type { CodecPair } from '../data/codec.js';
import { forcedScores } from '../decode/index.js';
import { tidy } from '../tensor/index.js';
import { makeSourceBatch } from './batching.js';
import type { DecodingModel, Translation } from './translator.js';

/** A model (or an EnsembleScorer of models) that rescores hypotheses, with its codecs. */
export interface Rescorer {
  model: DecodingModel;
  codecs: CodecPair;
}

export interface RescoreOptions {
  /** How much the rescorer's log-probability counts against the search's score (default 1: the two summed). */
  weight?: number;
  /** Hypotheses forced through the rescorer together (default 64). */
  batchSize?: number;
}

/**
 * N-best rescoring: each hypothesis of each translation gets
 *
 *   score + weight · log p_rescorer(hypothesis | source)
 *
 * and the hypotheses are re-ranked by it (best first). The rescorer reads the hypothesis as text
 * through its own codecs, so it may run in the other direction (a right-to-left model, trained with
 * `--right-to-left`, re-reading what a left-to-right ensemble wrote — the classic use) or be any
 * other model over the same text. Scores are summed log-probabilities, so the search should run
 * without a length penalty for the sum to be a product of the two models' probabilities.
 */
export function rescoreTranslations(translations: readonly Translation[], rescorer: Rescorer, opts: RescoreOptions = {}): Translation[] {
  const weight = opts.weight ?? 1;
  const batchSize = Math.max(1, opts.batchSize ?? 64);
  const { src, tgt } = rescorer.codecs;
  const pairs: { t: number; h: number; src: number[]; tgt: number[] }[] = [];
  translations.forEach((tr, t) => {
    const srcIds = src.vocab.encode(src.tokenize(tr.source));
    tr.hypotheses.forEach((hyp, h) => pairs.push({ t, h, src: srcIds, tgt: tgt.encode(hyp.text) }));
  });
  const forced = new Map<string, number>();
  const order = pairs.map((_, i) => i).filter((i) => pairs[i]!.src.length > 0).sort((a, b) => pairs[a]!.src.length - pairs[b]!.src.length);
  const wasTraining = rescorer.model.training;
  rescorer.model.train?.(false);
  try {
    for (let i = 0; i < order.length; i += batchSize) {
      const part = order.slice(i, i + batchSize).map((k) => pairs[k]!);
      const scores = tidy(() => forcedScores(rescorer.model, makeSourceBatch(part.map((p) => p.src)), part.map((p) => p.tgt)));
      part.forEach((p, j) => forced.set(`${p.t}:${p.h}`, scores[j]!));
    }
  } finally {
    if (wasTraining !== undefined) rescorer.model.train?.(wasTraining);
  }
  return translations.map((tr, t) => ({
    ...tr,
    hypotheses: tr.hypotheses
      .map((hyp, h) => ({ ...hyp, score: hyp.score + weight * (forced.get(`${t}:${h}`) ?? 0) }))
      .sort((a, b) => b.score - a.score),
  }));
}
