import { pyFixed, pyStrip } from './pytext.js';
import { checkCorpus, sumStats } from './refs.js';

/**
 * Exact match: the percentage of segments whose hypothesis equals one of its references,
 * after trimming whitespace at both ends (and lowercasing with `lowercase`). Higher is better.
 */

export interface ExactOptions {
  lowercase?: boolean;
}

export interface ExactScore {
  name: 'Exact';
  score: number;
  matches: number;
  segments: number;
}

/** `[1 if the hypothesis equals any reference else 0, 1]` */
export function exactSegmentStats(hyp: string, refs: readonly string[], opts: ExactOptions = {}): number[] {
  const norm = (s: string) => pyStrip(opts.lowercase ? s.toLowerCase() : s);
  const h = norm(hyp);
  return [refs.some((r) => norm(r) === h) ? 1 : 0, 1];
}

export function exactFromStats(stats: readonly number[]): ExactScore {
  const [matches, segments] = [stats[0]!, stats[1]!];
  return { name: 'Exact', score: segments > 0 ? (100 * matches) / segments : 0, matches, segments };
}

export function corpusExact(hyps: readonly string[], refs: readonly (readonly string[])[], opts: ExactOptions = {}): ExactScore {
  checkCorpus(hyps, refs);
  return exactFromStats(sumStats(hyps.map((h, i) => exactSegmentStats(h, refs[i]!, opts)), 2));
}

/** `Exact = 50.00 (2/4)` */
export function formatExact(s: ExactScore): string {
  return `Exact = ${pyFixed(s.score, 2)} (${s.matches}/${s.segments})`;
}
