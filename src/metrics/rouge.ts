import { pyFixed } from './pytext.js';
import { checkCorpus, sumStats } from './refs.js';

/**
 * ROUGE-1, ROUGE-2 and ROUGE-L F1 as Google's `rouge-score` package computes them without
 * stemming: lowercase, tokens are the runs of `[a-z0-9]` (everything else, accented letters
 * included, separates tokens), F-measure of n-gram overlap precision and recall (ROUGE-L: of the
 * longest common subsequence). With several references each variant takes its best reference
 * (`score_multi`). Corpus score = mean of the segment scores, reported ×100. Higher is better.
 */

export type RougeVariant = 'rouge1' | 'rouge2' | 'rougeL';
export const ROUGE_VARIANTS: readonly RougeVariant[] = ['rouge1', 'rouge2', 'rougeL'];

export interface RougeScore {
  /** `ROUGE-1`, `ROUGE-2`, `ROUGE-L`, or `ROUGE` for all three (then `score` is ROUGE-L). */
  name: string;
  score: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  segments: number;
}

/** rouge-score's default tokenizer without stemming. */
export function rougeTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
}

function fmeasure(p: number, r: number): number {
  return p + r > 0 ? (2 * p * r) / (p + r) : 0;
}

function ngramF1(target: readonly string[], pred: readonly string[], n: number): number {
  const count = (toks: readonly string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= toks.length; i++) {
      const k = toks.slice(i, i + n).join(' ');
      m.set(k, (m.get(k) ?? 0) + 1);
    }
    return m;
  };
  const t = count(target);
  const p = count(pred);
  let overlap = 0;
  for (const [g, c] of p) overlap += Math.min(c, t.get(g) ?? 0);
  const tTotal = Math.max(0, target.length - n + 1);
  const pTotal = Math.max(0, pred.length - n + 1);
  // rouge-score divides by max(count, 1) so empty sides give 0 rather than NaN.
  return fmeasure(overlap / Math.max(pTotal, 1), overlap / Math.max(tTotal, 1));
}

export function lcsLength(a: readonly string[], b: readonly string[]): number {
  let prev = new Array<number>(b.length + 1).fill(0);
  let cur = new Array<number>(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, cur[j - 1]!);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

function lcsF1(target: readonly string[], pred: readonly string[]): number {
  if (target.length === 0 || pred.length === 0) return 0;
  const lcs = lcsLength(target, pred);
  return fmeasure(lcs / pred.length, lcs / target.length);
}

/** `[best ROUGE-1 F1, best ROUGE-2 F1, best ROUGE-L F1, 1]` for one segment (0–1 scale). */
export function rougeSegmentStats(hyp: string, refs: readonly string[]): number[] {
  const pred = rougeTokens(hyp);
  const best = [0, 0, 0];
  for (const ref of refs) {
    const target = rougeTokens(ref);
    best[0] = Math.max(best[0]!, ngramF1(target, pred, 1));
    best[1] = Math.max(best[1]!, ngramF1(target, pred, 2));
    best[2] = Math.max(best[2]!, lcsF1(target, pred));
  }
  return [...best, 1];
}

const DISPLAY: Record<RougeVariant | 'rouge', string> = { rouge: 'ROUGE', rouge1: 'ROUGE-1', rouge2: 'ROUGE-2', rougeL: 'ROUGE-L' };

export function rougeFromStats(stats: readonly number[], variant: RougeVariant | 'rouge' = 'rouge'): RougeScore {
  const n = stats[3]!;
  const mean = (k: number) => (n > 0 ? (100 * stats[k]!) / n : 0);
  const all = { rouge1: mean(0), rouge2: mean(1), rougeL: mean(2) };
  return { name: DISPLAY[variant], score: variant === 'rouge' ? all.rougeL : all[variant], ...all, segments: n };
}

export function corpusRouge(
  hyps: readonly string[],
  refs: readonly (readonly string[])[],
  variant: RougeVariant | 'rouge' = 'rouge',
): RougeScore {
  checkCorpus(hyps, refs);
  return rougeFromStats(sumStats(hyps.map((h, i) => rougeSegmentStats(h, refs[i]!)), 4), variant);
}

/** `ROUGE = R1 45.00 R2 20.00 RL 40.00` or `ROUGE-1 = 45.00` */
export function formatRouge(s: RougeScore): string {
  if (s.name === 'ROUGE') return `ROUGE = R1 ${pyFixed(s.rouge1, 2)} R2 ${pyFixed(s.rouge2, 2)} RL ${pyFixed(s.rougeL, 2)}`;
  return `${s.name} = ${pyFixed(s.score, 2)}`;
}
