import type { CodecPair } from '../data/codec.js';
import { forcedScores } from '../decode/index.js';
import { mapInBatches, type DecodingModel, type Translation } from './translator.js';

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
  const { src, tgt } = rescorer.codecs;
  // one (source, hypothesis) pair per hypothesis, in order; an empty source is not scored (0)
  const sources: number[][] = [];
  const targets: number[][] = [];
  for (const tr of translations) {
    const srcIds = src.encode(tr.source);
    for (const hyp of tr.hypotheses) {
      sources.push(srcIds);
      targets.push(tgt.encode(hyp.text));
    }
  }
  const scored = sources.map((_, i) => i).filter((i) => sources[i]!.length > 0);
  const forced = new Array<number>(sources.length).fill(0);
  const scores = mapInBatches(rescorer.model, scored.map((i) => sources[i]!), Math.max(1, opts.batchSize ?? 64),
    (batch, idx) => forcedScores(rescorer.model, batch, idx.map((k) => targets[scored[k]!]!)));
  scored.forEach((i, k) => (forced[i] = scores[k]!));
  let next = 0;
  return translations.map((tr) => ({
    ...tr,
    hypotheses: tr.hypotheses
      .map((hyp) => ({ ...hyp, score: hyp.score + weight * forced[next++]! }))
      .sort((a, b) => b.score - a.score),
  }));
}
