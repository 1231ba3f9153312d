import { codePoints, pyFixed, pyNormalizeSpaces, pySplit } from './pytext.js';
import { checkCorpus, sumStats } from './refs.js';

/**
 * Error rates over token sequences, lower is better, on a 0–100+ scale:
 *
 * - WER: word-level Levenshtein distance (whitespace tokens).
 * - CER: character-level Levenshtein distance over code points of the line with its ends trimmed
 *   and inner whitespace runs collapsed to one space (spaces count as characters, as in jiwer).
 * - PER: position-independent error rate (Tillmann et al., 1997): tokens are compared as bags,
 *   errors = refLen − matches + max(0, hypLen − refLen) = max(hypLen, refLen) − matches, i.e.
 *   1 − (matches − max(0, hypLen − refLen)) / refLen per segment.
 *
 * Corpus score = total errors / total reference length × 100 (not a mean of segment rates), the
 * convention of sacreBLEU's TER. With several references a segment counts its fewest errors and
 * the average reference length, again as TER does.
 */

export type ErrorRateName = 'WER' | 'CER' | 'PER';

export interface ErrorRateOptions {
  lowercase?: boolean;
}

export interface ErrorRateScore {
  name: ErrorRateName;
  score: number;
  errors: number;
  refLength: number;
}

/** Levenshtein distance (unit costs) between two token sequences, in O(|b|) memory. */
export function levenshtein(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1);
  let cur = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const sub = prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** Position-independent errors: max(hypLen, refLen) − |hyp ∩ ref| as multisets. */
export function positionIndependentErrors(hyp: readonly string[], ref: readonly string[]): number {
  const refCounts = new Map<string, number>();
  for (const t of ref) refCounts.set(t, (refCounts.get(t) ?? 0) + 1);
  let matches = 0;
  for (const t of hyp) {
    const left = refCounts.get(t) ?? 0;
    if (left > 0) {
      matches++;
      refCounts.set(t, left - 1);
    }
  }
  return ref.length - matches + Math.max(0, hyp.length - ref.length);
}

function units(name: ErrorRateName, s: string, opts: ErrorRateOptions): string[] {
  const t = opts.lowercase ? s.toLowerCase() : s;
  return name === 'CER' ? codePoints(pyNormalizeSpaces(t)) : pySplit(t);
}

/** `[fewest errors over references, average reference length]` for one segment. */
export function errorRateSegmentStats(name: ErrorRateName, hyp: string, refs: readonly string[], opts: ErrorRateOptions = {}): number[] {
  const h = units(name, hyp, opts);
    let best = Infinity;
  let refLengths = 0;
  for (const ref of refs) {
    const r = units(name, ref, opts);
    const errors = name === 'PER' ? positionIndependentErrors(h, r) : levenshtein(h, r);
    refLengths += r.length;
    if (errors < best) best = errors;
  }
  return [best, refLengths / refs.length];
}

export function errorRateFromStats(name: ErrorRateName, stats: readonly number[]): ErrorRateScore {
  const [errors, refLength] = [stats[0]!, stats[1]!];
  const rate = refLength > 0 ? errors / refLength : errors > 0 ? 1 : 0;
  return { name, score: 100 * rate, errors, refLength };
}

function corpus(name: ErrorRateName, hyps: readonly string[], refs: readonly (readonly string[])[], opts: ErrorRateOptions): ErrorRateScore {
  checkCorpus(hyps, refs);
  return errorRateFromStats(name, sumStats(hyps.map((h, i) => errorRateSegmentStats(name, h, refs[i]!, opts)), 2));
}

export const corpusWer = (hyps: readonly string[], refs: readonly (readonly string[])[], opts: ErrorRateOptions = {}) => corpus('WER', hyps, refs, opts);
export const corpusCer = (hyps: readonly string[], refs: readonly (readonly string[])[], opts: ErrorRateOptions = {}) => corpus('CER', hyps, refs, opts);
export const corpusPer = (hyps: readonly string[], refs: readonly (readonly string[])[], opts: ErrorRateOptions = {}) => corpus('PER', hyps, refs, opts);

/** `WER = 12.50 (errors = 1 ref_len = 8)` */
export function formatErrorRate(s: ErrorRateScore): string {
  const refLen = Number.isInteger(s.refLength) ? String(s.refLength) : pyFixed(s.refLength, 2);
  return `${s.name} = ${pyFixed(s.score, 2)} (errors = ${s.errors} ref_len = ${refLen})`;
}
