/**
 * Evaluation metrics: BLEU and chrF/chrF++ and TER identical to sacreBLEU 2.6 (see refs.ts for
 * the version), WER/CER/PER, exact match and ROUGE-1/2/L. Every metric is computed from additive
 * per-segment statistics, so `MetricAccumulator` can score a stream segment by segment and
 * `computeMetric` a whole corpus; both give the same result.
 *
 * Layout everywhere: `refs[i]` holds the reference(s) of `hyps[i]`.
 */
import { bleuFromStats, bleuSegmentStats, formatBleu, type BleuOptions } from './bleu.js';
import { chrfFromStats, chrfSegmentStats, formatChrf, type ChrfOptions } from './chrf.js';
import { errorRateFromStats, errorRateSegmentStats, formatErrorRate, type ErrorRateName } from './error-rates.js';
import { exactFromStats, exactSegmentStats, formatExact } from './exact.js';
import { checkCorpus } from './refs.js';
import { formatRouge, rougeFromStats, rougeSegmentStats } from './rouge.js';
import { formatTer, terFromStats, terSegmentStats } from './ter.js';
import type { BleuTokenizerName } from './tokenizers.js';

export * from './bleu.js';
export * from './chrf.js';
export * from './error-rates.js';
export * from './exact.js';
export * from './pytext.js';
export * from './refs.js';
export * from './rouge.js';
export * from './ter.js';
export { performShift, translationEditRate, type TerPairStats } from './tercom.js';
export * from './tokenizers.js';

/** Names accepted by `computeMetric`, `s2s eval --metric` and the trainer's `--metric`. */
export const METRIC_NAMES = ['bleu', 'chrf', 'chrf++', 'ter', 'wer', 'cer', 'per', 'exact', 'rouge', 'rouge1', 'rouge2', 'rougeL'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

const HIGHER_IS_BETTER: Record<MetricName, boolean> = {
  bleu: true,
  chrf: true,
  'chrf++': true,
  ter: false,
  wer: false,
  cer: false,
  per: false,
  exact: true,
  rouge: true,
  rouge1: true,
  rouge2: true,
  rougeL: true,
};

/** Options a caller can set by name; each metric reads the ones that apply to it. */
export interface MetricOptions {
  /** BLEU, chrF, WER/CER/PER, exact. (TER lowercases anyway, as sacreBLEU; ROUGE always does.) */
  lowercase?: boolean;
  /** BLEU only, as sacreBLEU's `--tokenize`. */
  tokenize?: BleuTokenizerName;
}

export interface MetricResult {
  /** Display name: `BLEU`, `chrF2`, `chrF2++`, `TER`, `WER`, `CER`, `PER`, `Exact`, `ROUGE`, `ROUGE-1`, … */
  name: string;
  /** The headline number, 0–100 (error rates may exceed 100). */
  score: number;
  higherIsBetter: boolean;
  /** sacreBLEU signature for BLEU, chrF and TER. */
  signature?: string;
  /** One human-readable line, sacreBLEU's text format where there is one. */
  line: string;
  /** Everything else the metric computed (counts, lengths, sub-scores). */
  details: Record<string, unknown>;
}

/** Case-insensitive lookup of a metric name; throws listing the valid names. */
export function parseMetricName(name: string): MetricName {
  const found = METRIC_NAMES.find((m) => m.toLowerCase() === name.trim().toLowerCase());
  if (!found) throw new Error(`unknown metric '${name}'; valid metrics: ${METRIC_NAMES.join(', ')}`);
  return found;
}

export function higherIsBetter(name: string): boolean {
  return HIGHER_IS_BETTER[parseMetricName(name)];
}

/** Statistics for one segment (additive over segments) and the score of summed statistics. */
interface MetricImpl {
  width: number;
  segment(hyp: string, refs: readonly string[]): number[];
  finish(stats: number[], nrefs: string): MetricResult;
}

function withoutKeys<T extends object>(obj: T, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([k]) => !keys.includes(k)));
}

function implFor(metric: MetricName, opts: MetricOptions): MetricImpl {
  const hib = HIGHER_IS_BETTER[metric];
  switch (metric) {
    case 'bleu': {
      const o: BleuOptions = { lowercase: opts.lowercase, tokenize: opts.tokenize };
      return {
        width: 10,
        segment: (h, r) => bleuSegmentStats(h, r, o),
        finish: (s, nrefs) => {
          const b = bleuFromStats(s, o, nrefs);
          return { name: b.name, score: b.score, higherIsBetter: hib, signature: b.signature, line: formatBleu(b), details: withoutKeys(b, ['name', 'score', 'signature']) };
        },
      };
    }
    case 'chrf':
    case 'chrf++': {
      const o: ChrfOptions = { lowercase: opts.lowercase, wordOrder: metric === 'chrf++' ? 2 : 0 };
      return {
        width: 3 * (6 + (o.wordOrder ?? 0)),
        segment: (h, r) => chrfSegmentStats(h, r, o),
        finish: (s, nrefs) => {
          const c = chrfFromStats(s, o, nrefs);
          return { name: c.name, score: c.score, higherIsBetter: hib, signature: c.signature, line: formatChrf(c), details: { stats: c.stats } };
        },
      };
    }
    case 'ter':
      return {
        width: 2,
        segment: (h, r) => terSegmentStats(h, r),
        finish: (s, nrefs) => {
          const t = terFromStats(s, {}, nrefs);
          return { name: t.name, score: t.score, higherIsBetter: hib, signature: t.signature, line: formatTer(t), details: { numEdits: t.numEdits, refLength: t.refLength } };
        },
      };
    case 'wer':
    case 'cer':
    case 'per': {
      const name = metric.toUpperCase() as ErrorRateName;
      return {
        width: 2,
        segment: (h, r) => errorRateSegmentStats(name, h, r, { lowercase: opts.lowercase }),
        finish: (s) => {
          const e = errorRateFromStats(name, s);
          return { name, score: e.score, higherIsBetter: hib, line: formatErrorRate(e), details: { errors: e.errors, refLength: e.refLength } };
        },
      };
    }
    case 'exact':
      return {
        width: 2,
        segment: (h, r) => exactSegmentStats(h, r, { lowercase: opts.lowercase }),
        finish: (s) => {
          const e = exactFromStats(s);
          return { name: e.name, score: e.score, higherIsBetter: hib, line: formatExact(e), details: { matches: e.matches, segments: e.segments } };
        },
      };
    case 'rouge':
    case 'rouge1':
    case 'rouge2':
    case 'rougeL':
      return {
        width: 4,
        segment: (h, r) => rougeSegmentStats(h, r),
        finish: (s) => {
          const g = rougeFromStats(s, metric);
          return { name: g.name, score: g.score, higherIsBetter: hib, line: formatRouge(g), details: { rouge1: g.rouge1, rouge2: g.rouge2, rougeL: g.rougeL, segments: g.segments } };
        },
      };
  }
}

/**
 * Scores a corpus by metric name: `computeMetric('bleu', hyps, refs)` with `refs[i]` the
 * reference(s) of `hyps[i]`. Throws on an unknown name or mismatched lengths.
 */
export function computeMetric(name: string, hyps: readonly string[], refs: readonly (readonly string[])[], opts: MetricOptions = {}): MetricResult {
  checkCorpus(hyps, refs);
  const acc = new MetricAccumulator(name, opts);
  hyps.forEach((h, i) => acc.add(h, refs[i]!));
  return acc.result();
}

/**
 * Streaming scorer: `add` one segment at a time (memory stays O(1) in the corpus size),
 * `result` any time for the score so far.
 */
export class MetricAccumulator {
  readonly metric: MetricName;
  private readonly impl: MetricImpl;
  private readonly stats: number[];
  private readonly refCounts = new Set<number>();

  constructor(name: string, opts: MetricOptions = {}) {
    this.metric = parseMetricName(name);
    this.impl = implFor(this.metric, opts);
    this.stats = new Array<number>(this.impl.width).fill(0);
  }

  add(hyp: string, refs: readonly string[]): void {
    if (refs.length === 0) throw new Error('metrics: a segment needs at least one reference');
    const s = this.impl.segment(hyp, refs);
    for (let k = 0; k < this.stats.length; k++) this.stats[k] += s[k]!;
    this.refCounts.add(refs.length);
  }

  result(): MetricResult {
    const nrefs = this.refCounts.size === 1 ? String([...this.refCounts][0]) : this.refCounts.size === 0 ? '0' : 'var';
    return this.impl.finish([...this.stats], nrefs);
  }
}
