import { codePoints, pyFixed, pyRemoveWhitespace, pySplit } from './pytext.js';
import { checkCorpus, nrefsLabel, SACREBLEU_VERSION, sumStats } from './refs.js';

/**
 * chrF (Popović 2015) and chrF++ (Popović 2017) exactly as sacreBLEU 2.6 computes them
 * (`sacrebleu/metrics/chrf.py`): character n-grams of orders 1..6 on the line with all whitespace
 * removed, plus (chrF++) word n-grams of orders 1..2 after splitting one punctuation mark off each
 * word's end or start. Per order the statistics [hyp n-grams, ref n-grams, matches] are summed
 * over the corpus; then precision and recall are averaged over the orders where both counts are
 * non-zero ("effective order", sacreBLEU's default `eps_smoothing=False`) and combined as F-β.
 * With several references each segment keeps the statistics of the reference with the best F.
 */

export interface ChrfOptions {
  charOrder?: number;
  /** 0 → chrF, 2 → chrF++. */
  wordOrder?: number;
  beta?: number;
  lowercase?: boolean;
  /** Keep whitespace inside character n-grams (sacreBLEU `whitespace=True`). */
  whitespace?: boolean;
  /** chrF++.py/NLTK-style ε smoothing instead of the effective-order average. */
  epsSmoothing?: boolean;
}

export interface ChrfScore {
  /** `chrF2`, `chrF2++`, … (β, then one `+` per word order) */
  name: string;
  /** 0–100. */
  score: number;
  /** Corpus statistics, 3 per order: [hyp, ref, match] for char orders 1..charOrder, then word orders. */
  stats: number[];
  signature: string;
}

// Python's `string.punctuation`, which sacreBLEU strips from word edges for chrF++.
const PUNCTS = new Set(Array.from('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'));

function resolved(opts: ChrfOptions): Required<ChrfOptions> {
  return {
    charOrder: opts.charOrder ?? 6,
    wordOrder: opts.wordOrder ?? 0,
    beta: opts.beta ?? 2,
    lowercase: opts.lowercase ?? false,
    whitespace: opts.whitespace ?? false,
    epsSmoothing: opts.epsSmoothing ?? false,
  };
}

function countNgrams(units: readonly string[], n: number, joiner: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= units.length; i++) {
    const key = units.slice(i, i + n).join(joiner);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/**
 * sacreBLEU's `_remove_punctuation`: one punctuation mark is split off the end of a word, or else
 * off its start; so `(hi)` becomes `(hi` + `)` (sacreBLEU issue #124, kept for compatibility).
 */
export function chrfWords(sent: string): string[] {
  const out: string[] = [];
  for (const w of pySplit(sent)) {
    const cps = codePoints(w);
    if (cps.length === 1) out.push(w);
    else if (PUNCTS.has(cps[cps.length - 1]!)) out.push(cps.slice(0, -1).join(''), cps[cps.length - 1]!);
    else if (PUNCTS.has(cps[0]!)) out.push(cps[0]!, cps.slice(1).join(''));
    else out.push(w);
  }
  return out;
}

/** All n-gram counters of a (preprocessed) segment: char orders 1..charOrder, then word orders. */
function allNgrams(sent: string, o: Required<ChrfOptions>): Map<string, number>[] {
  const chars = codePoints(o.whitespace ? sent : pyRemoveWhitespace(sent));
  const out: Map<string, number>[] = [];
  for (let n = 1; n <= o.charOrder; n++) out.push(countNgrams(chars, n, ''));
  if (o.wordOrder > 0) {
    const words = chrfWords(sent);
    for (let n = 1; n <= o.wordOrder; n++) out.push(countNgrams(words, n, ' '));
  }
  return out;
}

function matchStats(hyp: Map<string, number>, ref: Map<string, number>): [number, number, number] {
  let hypCount = 0;
  let match = 0;
  for (const [g, c] of hyp) {
    hypCount += c;
    const r = ref.get(g);
    if (r !== undefined) match += Math.min(c, r);
  }
  let refCount = 0;
  for (const c of ref.values()) refCount += c;
  // sacreBLEU does not count hypothesis n-grams of an order the reference has none of.
  return [ref.size > 0 ? hypCount : 0, refCount, match];
}

/** sacreBLEU's `CHRF._compute_f_score`: the 0–100 score of summed statistics. */
export function chrfFromStatsRaw(stats: readonly number[], opts: ChrfOptions = {}): number {
  const o = resolved(opts);
  const order = o.charOrder + o.wordOrder;
  const eps = 1e-16;
  const factor = o.beta ** 2;
  let epsScore = 0;
  let avgPrec = 0;
  let avgRec = 0;
  let effectiveOrder = 0;
  for (let i = 0; i < order; i++) {
    const nHyp = stats[3 * i]!;
    const nRef = stats[3 * i + 1]!;
    const nMatch = stats[3 * i + 2]!;
    const prec = nHyp > 0 ? nMatch / nHyp : eps;
    const rec = nRef > 0 ? nMatch / nRef : eps;
    const denom = factor * prec + rec;
    epsScore += denom > 0 ? ((1 + factor) * prec * rec) / denom : eps;
    // Orders missing on either side are left out of the average (sacreBLEU < 2.0 behaviour,
    // still the default): a 3-character hypothesis is not punished for lacking 4-grams.
    if (nHyp > 0 && nRef > 0) {
      avgPrec += prec;
      avgRec += rec;
      effectiveOrder++;
    }
  }
  if (o.epsSmoothing) return (100 * epsScore) / order;
  if (effectiveOrder === 0) return 0;
  avgPrec /= effectiveOrder;
  avgRec /= effectiveOrder;
  if (avgPrec + avgRec === 0) return 0;
  // Same operation order as sacreBLEU, so results agree to the last bit.
  const f = ((1 + factor) * avgPrec * avgRec) / (factor * avgPrec + avgRec);
  return 100 * f;
}

/** One segment's statistics, from the reference giving the best F (first one on ties). */
export function chrfSegmentStats(hyp: string, refs: readonly string[], opts: ChrfOptions = {}): number[] {
  const o = resolved(opts);
  const prep = (s: string) => (o.lowercase ? s.toLowerCase() : s);
  const hypNgrams = allNgrams(prep(hyp), o);
  let best: number[] = [];
  let bestF = -1;
  for (const ref of refs) {
    const refNgrams = allNgrams(prep(ref), o);
    const stats = hypNgrams.flatMap((h, k) => matchStats(h, refNgrams[k]!));
    const f = chrfFromStatsRaw(stats, o);
    if (f > bestF) {
      bestF = f;
      best = stats;
    }
  }
  return best;
}

export function chrfName(opts: ChrfOptions = {}): string {
  const o = resolved(opts);
  return `chrF${o.beta}` + '+'.repeat(o.wordOrder);
}

/** sacreBLEU 2.6.0's chrF signature, e.g. `nrefs:1|case:mixed|eff:yes|nc:6|nw:0|space:no|version:2.6.0`. */
export function chrfSignature(opts: ChrfOptions = {}, nrefs = '1'): string {
  const o = resolved(opts);
  return [
    `nrefs:${nrefs}`,
    `case:${o.lowercase ? 'lc' : 'mixed'}`,
    `eff:${o.epsSmoothing ? 'no' : 'yes'}`,
    `nc:${o.charOrder}`,
    `nw:${o.wordOrder}`,
    `space:${o.whitespace ? 'yes' : 'no'}`,
    `version:${SACREBLEU_VERSION}`,
  ].join('|');
}

export function chrfFromStats(stats: readonly number[], opts: ChrfOptions = {}, nrefs = '1'): ChrfScore {
  return { name: chrfName(opts), score: chrfFromStatsRaw(stats, opts), stats: [...stats], signature: chrfSignature(opts, nrefs) };
}

/** Corpus chrF (chrF2 by default; `{ wordOrder: 2 }` for chrF++). `refs[i]` are the references of `hyps[i]`. */
export function corpusChrf(hyps: readonly string[], refs: readonly (readonly string[])[], opts: ChrfOptions = {}): ChrfScore {
  checkCorpus(hyps, refs);
  const o = resolved(opts);
  const stats = hyps.map((h, i) => chrfSegmentStats(h, refs[i]!, o));
  return chrfFromStats(sumStats(stats, 3 * (o.charOrder + o.wordOrder)), o, nrefsLabel(refs));
}

export function sentenceChrf(hyp: string, refs: readonly string[], opts: ChrfOptions = {}): ChrfScore {
  return chrfFromStats(chrfSegmentStats(hyp, refs, opts), opts, String(refs.length));
}

/** sacreBLEU's text line: `chrF2|<signature> = 59.73`. */
export function formatChrf(s: ChrfScore, withSignature = true): string {
  return `${withSignature ? `${s.name}|${s.signature}` : s.name} = ${pyFixed(s.score, 2)}`;
}
