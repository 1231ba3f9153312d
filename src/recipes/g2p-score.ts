import { levenshtein } from '../metrics/index.js';

export interface G2pScore {
  /** Word error rate, %: a word is right when its output equals any of its pronunciations. */
  WER: number;
  /** Phoneme error rate, %: edit distance to the closest pronunciation over that pronunciation's length, summed over words. */
  PER: number;
  words: number;
  wordErrors: number;
  phonemes: number;
  phonemeErrors: number;
}

/**
 * G2P scores against every reference pronunciation. PER counts, per word, the fewest phoneme
 * edits (Levenshtein: substitutions, insertions, deletions) to any reference and adds the length
 * of that closest reference (on a tie, the first such reference in the dictionary's order) to
 * the denominator — the convention of g2p-seq2seq and Phonetisaurus' evaluate script. This PER
 * is the phoneme *edit* rate of the G2P literature, not the metrics module's position-independent PER.
 */
export function g2pScore(hyps: readonly string[], refs: readonly (readonly string[])[]): G2pScore {
  if (hyps.length !== refs.length) throw new Error(`g2pScore: ${hyps.length} outputs for ${refs.length} words`);
  let wordErrors = 0;
  let phonemes = 0;
  let phonemeErrors = 0;
  hyps.forEach((hyp, i) => {
    const h = hyp.trim().split(/\s+/).filter(Boolean);
    let best = Infinity;
    let bestLen = 0;
    for (const ref of refs[i]!) {
      const r = ref.trim().split(/\s+/).filter(Boolean);
      const d = levenshtein(h, r);
      if (d < best) {
        best = d;
        bestLen = r.length;
      }
    }
    if (best > 0) wordErrors++;
    phonemeErrors += best;
    phonemes += bestLen;
  });
  const words = hyps.length;
  return {
    WER: words > 0 ? (100 * wordErrors) / words : 0,
    PER: phonemes > 0 ? (100 * phonemeErrors) / phonemes : 0,
    words, wordErrors, phonemes, phonemeErrors,
  };
}
