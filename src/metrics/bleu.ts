import { pyFixed, pyRstrip, pySplit } from './pytext.js';
import { checkCorpus, nrefsLabel, SACREBLEU_VERSION, sumStats } from './refs.js';
import { bleuTokenizer, type BleuTokenizerName } from './tokenizers.js';

/**
 * BLEU (Papineni et al., 2002) exactly as sacreBLEU 2.6 computes it (`sacrebleu/metrics/bleu.py`):
 * tokenize (13a by default), count n-grams up to order 4 per segment, clip each hypothesis n-gram
 * count by its maximum count in any one reference, sum the counts over the corpus, take the
 * reference length closest to each hypothesis length (ties → the shorter), and combine with the
 * brevity penalty and a smoothed geometric mean of precisions.
 */

export type BleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';

export interface BleuOptions {
  lowercase?: boolean;
  tokenize?: BleuTokenizerName;
  /** sacreBLEU's `smooth_method`; corpus BLEU defaults to `exp` (mteval-v13a's NIST smoothing). */
  smooth?: BleuSmoothing;
  /** For `floor` (default 0.1) and `add-k` (default 1). */
  smoothValue?: number;
  /** Average only over the orders the hypothesis has n-grams of (sentence BLEU turns this on). */
  effectiveOrder?: boolean;
  maxOrder?: number;
}

export interface BleuScore {
  name: 'BLEU';
  /** 0–100. */
  score: number;
  /** Clipped n-gram matches per order (1..maxOrder). */
  counts: number[];
  /** Hypothesis n-grams per order. */
  totals: number[];
  /** Percent per order, after smoothing. */
  precisions: number[];
  bp: number;
  sysLen: number;
  refLen: number;
  ratio: number;
  /** e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0` */
  signature: string;
  /** sacreBLEU's verbose part: `60.0/33.3/20.0/12.5 (BP = 1.000 ratio = 1.000 hyp_len = 5 ref_len = 5)` */
  verbose: string;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number | undefined> = { none: undefined, floor: 0.1, 'add-k': 1, exp: undefined };

// sacreBLEU's `my_log`: log(0) is floored to this, so a zero precision gives a score of ~0, not NaN.
const LOG_ZERO = -9999999999;

function resolved(opts: BleuOptions): Required<Omit<BleuOptions, 'smoothValue'>> & { smoothValue: number | undefined } {
  const smooth = opts.smooth ?? 'exp';
  if (!(smooth in SMOOTH_DEFAULTS)) throw new Error(`BLEU: unknown smoothing '${smooth}'; valid: exp, floor, add-k, none`);
  return {
    lowercase: opts.lowercase ?? false,
    tokenize: opts.tokenize ?? '13a',
    smooth,
    smoothValue: opts.smoothValue ?? SMOOTH_DEFAULTS[smooth],
    effectiveOrder: opts.effectiveOrder ?? false,
    maxOrder: opts.maxOrder ?? 4,
  };
}

/** sacreBLEU's `_preprocess_segment`: lowercase (optionally), strip the line end, tokenize, split. */
export function bleuTokens(line: string, opts: BleuOptions = {}): string[] {
  const o = resolved(opts);
  const s = o.lowercase ? line.toLowerCase() : line;
  return pySplit(bleuTokenizer(o.tokenize)(pyRstrip(s)));
}

/** Counts of n-grams per order: `result[n - 1]` maps space-joined n-grams to their count. */
function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number>[] {
  const byOrder: Map<string, number>[] = [];
  for (let n = 1; n <= maxOrder; n++) {
    const counts = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    byOrder.push(counts);
  }
  return byOrder;
}

/** Reference length closest to the hypothesis length; on a tie, the shorter one. */
export function closestRefLength(hypLen: number, refLens: readonly number[]): number {
  let bestDiff = -1;
  let bestLen = -1;
  for (const len of refLens) {
    const diff = Math.abs(hypLen - len);
    if (bestDiff === -1 || diff < bestDiff) {
      bestDiff = diff;
      bestLen = len;
    } else if (diff === bestDiff && len < bestLen) {
      bestLen = len;
    }
  }
  return bestLen;
}

/**
 * One segment's sufficient statistics: `[hypLen, refLen, ...matches(1..N), ...totals(1..N)]`.
 * Summing these over segments and calling `bleuFromStats` gives corpus BLEU.
 */
export function bleuSegmentStats(hyp: string, refs: readonly string[], opts: BleuOptions = {}): number[] {
  const o = resolved(opts);
  const refNgrams = Array.from({ length: o.maxOrder }, () => new Map<string, number>());
  const refLens: number[] = [];
  for (const ref of refs) {
    const tokens = bleuTokens(ref, o);
    refLens.push(tokens.length);
    // Clipping uses the largest count of an n-gram in any single reference.
    ngramCounts(tokens, o.maxOrder).forEach((counts, n) => {
      for (const [g, c] of counts) refNgrams[n]!.set(g, Math.max(refNgrams[n]!.get(g) ?? 0, c));
    });
  }
  const hypTokens = bleuTokens(hyp, o);
  const correct = new Array<number>(o.maxOrder).fill(0);
  const total = new Array<number>(o.maxOrder).fill(0);
  ngramCounts(hypTokens, o.maxOrder).forEach((counts, n) => {
    for (const [g, c] of counts) {
      total[n] += c;
      const r = refNgrams[n]!.get(g);
      if (r !== undefined) correct[n] += Math.min(c, r);
    }
  });
  return [hypTokens.length, closestRefLength(hypTokens.length, refLens), ...correct, ...total];
}

/** sacreBLEU's `BLEU.compute_bleu`: score from summed statistics. `nrefs` only feeds the signature. */
export function bleuFromStats(stats: readonly number[], opts: BleuOptions = {}, nrefs = '1'): BleuScore {
  const o = resolved(opts);
  const N = o.maxOrder;
  const sysLen = stats[0]!;
  const refLen = stats[1]!;
  const correct = stats.slice(2, 2 + N);
  const total = stats.slice(2 + N, 2 + 2 * N);

  let bp = 1.0;
  if (sysLen < refLen) bp = sysLen > 0 ? Math.exp(1 - refLen / sysLen) : 0.0;

  const precisions = new Array<number>(N).fill(0);
  let score = 0.0;
  // No match at any order → 0 without smoothing anything (sacreBLEU issue #141).
  if (correct.some((c) => c !== 0)) {
    let smoothMteval = 1.0;
    let effOrder = N;
    for (let n = 1; n <= N; n++) {
      if (o.smooth === 'add-k' && n > 1) {
        correct[n - 1] += o.smoothValue!;
        total[n - 1] += o.smoothValue!;
      }
      // Leaves this and higher precisions at 0 (→ score ≈ 0 unless effective order stops before).
      if (total[n - 1] === 0) break;
      if (o.effectiveOrder) effOrder = n;
      if (correct[n - 1] === 0) {
        if (o.smooth === 'exp') {
          // NIST/mteval smoothing: the k-th order without matches gets 1 / (2^k · total).
          smoothMteval *= 2;
          precisions[n - 1] = 100 / (smoothMteval * total[n - 1]!);
        } else if (o.smooth === 'floor') {
          precisions[n - 1] = (100 * o.smoothValue!) / total[n - 1]!;
        }
      } else {
        precisions[n - 1] = (100 * correct[n - 1]!) / total[n - 1]!;
      }
    }
    let logSum = 0;
    for (const p of precisions.slice(0, effOrder)) logSum += p === 0 ? LOG_ZERO : Math.log(p);
    score = bp * Math.exp(logSum / effOrder);
  }

  const ratio = refLen ? sysLen / refLen : 0;
  const verbose =
    precisions.map((p) => pyFixed(p, 1)).join('/') +
    ` (BP = ${pyFixed(bp, 3)} ratio = ${pyFixed(ratio, 3)} hyp_len = ${sysLen} ref_len = ${refLen})`;
  return {
    name: 'BLEU',
    score,
    counts: correct,
    totals: total,
    precisions,
    bp,
    sysLen,
    refLen,
    ratio,
    signature: bleuSignature(o, nrefs),
    verbose,
  };
}

/** sacreBLEU 2.6.0's BLEU signature, e.g. `nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:2.6.0`. */
export function bleuSignature(opts: BleuOptions = {}, nrefs = '1'): string {
  const o = resolved(opts);
  // Methods that take a value print it with two decimals, e.g. `smooth:floor[0.10]`.
  const smooth = SMOOTH_DEFAULTS[o.smooth] === undefined ? o.smooth : `${o.smooth}[${pyFixed(o.smoothValue!, 2)}]`;
  return [
    `nrefs:${nrefs}`,
    `case:${o.lowercase ? 'lc' : 'mixed'}`,
    `eff:${o.effectiveOrder ? 'yes' : 'no'}`,
    `tok:${o.tokenize}`,
    `smooth:${smooth}`,
    `version:${SACREBLEU_VERSION}`,
  ].join('|');
}

/** Corpus BLEU; `refs[i]` are the references of `hyps[i]`. */
export function corpusBleu(hyps: readonly string[], refs: readonly (readonly string[])[], opts: BleuOptions = {}): BleuScore {
  checkCorpus(hyps, refs);
  const N = opts.maxOrder ?? 4;
  const stats = hyps.map((h, i) => bleuSegmentStats(h, refs[i]!, opts));
  return bleuFromStats(sumStats(stats, 2 + 2 * N), opts, nrefsLabel(refs));
}

/**
 * sacreBLEU's `sentence_bleu`: one segment, `exp` smoothing and effective order on by default
 * (so a 3-word hypothesis is averaged over orders 1–3 rather than scored 0).
 */
export function sentenceBleu(hyp: string, refs: readonly string[], opts: BleuOptions = {}): BleuScore {
  const o: BleuOptions = { effectiveOrder: true, ...opts };
  return bleuFromStats(bleuSegmentStats(hyp, refs, o), o, String(refs.length));
}

/** sacreBLEU's text line: `BLEU|<signature> = 48.53 82.4/50.0/45.5/37.5 (BP = ...)`. */
export function formatBleu(s: BleuScore, withSignature = true): string {
  const head = withSignature ? `BLEU|${s.signature}` : 'BLEU';
  return `${head} = ${pyFixed(s.score, 2)} ${s.verbose}`;
}
