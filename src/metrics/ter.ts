import { pyFixed, pyRstrip, pySplit } from './pytext.js';
import { checkCorpus, nrefsLabel, SACREBLEU_VERSION, sumStats } from './refs.js';
import { translationEditRate } from './tercom.js';

/**
 * TER (Snover et al., 2006) as sacreBLEU 2.6's `TER()` with its defaults: tercom tokenizer with
 * no normalisation and punctuation kept, which amounts to lowercasing (sacreBLEU's default is
 * `case_sensitive=False`, signature `case:lc`) and splitting on whitespace. Per segment the
 * fewest edits over the references count, divided by the *average* reference length; corpus TER
 * = total edits / total average reference length × 100. Lower is better.
 */

export interface TerOptions {
  /** sacreBLEU's default is false: TER lowercases both sides. */
  caseSensitive?: boolean;
}

export interface TerScore {
  name: 'TER';
  /** 0–100+ (can exceed 100 when the hypothesis is much longer than the reference). */
  score: number;
  numEdits: number;
  refLength: number;
  signature: string;
}

/** sacreBLEU's `TercomTokenizer` with default settings, applied to `sent.rstrip()`. */
export function terTokens(sent: string, opts: TerOptions = {}): string[] {
  const s = pyRstrip(sent);
  return pySplit(opts.caseSensitive ? s : s.toLowerCase());
}

/** `[best edits, average reference length]` for one segment. */
export function terSegmentStats(hyp: string, refs: readonly string[], opts: TerOptions = {}): number[] {
  const hypWords = terTokens(hyp, opts);
    let best = Infinity;
  let refLengths = 0;
  for (const ref of refs) {
    const { edits, refLen } = translationEditRate(hypWords, terTokens(ref, opts));
    refLengths += refLen;
    if (edits < best) best = edits;
  }
  return [best, refLengths / refs.length];
}

/** sacreBLEU 2.6.0's TER signature: `nrefs:1|case:lc|tok:tercom|norm:no|punct:yes|asian:no|version:2.6.0`. */
export function terSignature(opts: TerOptions = {}, nrefs = '1'): string {
  return [
    `nrefs:${nrefs}`,
    `case:${opts.caseSensitive ? 'mixed' : 'lc'}`,
    'tok:tercom',
    'norm:no',
    'punct:yes',
    'asian:no',
    `version:${SACREBLEU_VERSION}`,
  ].join('|');
}

export function terFromStats(stats: readonly number[], opts: TerOptions = {}, nrefs = '1'): TerScore {
  const [edits, refLength] = [stats[0]!, stats[1]!];
  // Empty references: any hypothesis word is 100% error, an empty hypothesis is perfect.
  const rate = refLength > 0 ? edits / refLength : edits > 0 ? 1 : 0;
  return { name: 'TER', score: 100 * rate, numEdits: edits, refLength, signature: terSignature(opts, nrefs) };
}

/** Corpus TER; `refs[i]` are the references of `hyps[i]`. */
export function corpusTer(hyps: readonly string[], refs: readonly (readonly string[])[], opts: TerOptions = {}): TerScore {
  checkCorpus(hyps, refs);
  const stats = hyps.map((h, i) => terSegmentStats(h, refs[i]!, opts));
  return terFromStats(sumStats(stats, 2), opts, nrefsLabel(refs));
}

export function sentenceTer(hyp: string, refs: readonly string[], opts: TerOptions = {}): TerScore {
  return terFromStats(terSegmentStats(hyp, refs, opts), opts, String(refs.length));
}

/** sacreBLEU's text line: `TER|<signature> = 36.84`. */
export function formatTer(s: TerScore, withSignature = true): string {
  return `${withSignature ? `TER|${s.signature}` : 'TER'} = ${pyFixed(s.score, 2)}`;
}
