import type { TextPair } from './types.js';

export type NormalForm = 'nfc' | 'nfkc';

/**
 * The normal form every tokenizer's round trip is defined on: Unicode NFC (or NFKC), every run
 * of whitespace (any \s, including tabs, newlines and no-break spaces) folded to one ASCII space,
 * no leading or trailing space. Normalising first lets NFKC turn odd spaces into plain ones
 * before they are folded.
 */
export function normalizeText(text: string, form: NormalForm = 'nfc'): string {
  return text
    .normalize(form === 'nfkc' ? 'NFKC' : 'NFC')
    .replace(/\s+/gu, ' ')
    .trim();
}

/** Length in whitespace-separated words: the filters run before any tokenizer is learned. */
export function wordCount(text: string): number {
  return text === '' ? 0 : text.split(' ').length;
}

export interface CleanOptions {
  normalize?: NormalForm;
  /** drop a pair when either side has fewer words than this (default 1: drops empty sides) */
  minLen?: number;
  /** drop a pair when either side has more words than this */
  maxLen?: number;
  /** drop a pair when the longer side has more than this many times the words of the shorter */
  maxRatio?: number;
  /** keep only the first of identical (src, tgt) pairs (default true) */
  dedupe?: boolean;
}

/** Why a pair was dropped; prepare.json reports a count for each. */
export interface DropCounts {
  empty: number;
  tooShort: number;
  tooLong: number;
  ratio: number;
  duplicate: number;
}

/**
 * Normalises and filters pairs one at a time, so it can sit in a stream. Holds the set of pairs
 * seen (for de-duplication), so its memory grows with the distinct pairs kept.
 */
export class PairCleaner {
  readonly dropped: DropCounts = { empty: 0, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 0 };
  kept = 0;
  private readonly seen = new Set<string>();
  private readonly options: Required<Omit<CleanOptions, 'maxLen' | 'maxRatio'>> & Pick<CleanOptions, 'maxLen' | 'maxRatio'>;

  constructor(options: CleanOptions = {}) {
    this.options = { normalize: options.normalize ?? 'nfc', minLen: options.minLen ?? 1, dedupe: options.dedupe ?? true, maxLen: options.maxLen, maxRatio: options.maxRatio };
  }

  /** The cleaned pair, or null if a filter dropped it (counted in `dropped`). */
  clean(pair: TextPair): TextPair | null {
    const o = this.options;
    const src = normalizeText(pair.src, o.normalize);
    const tgt = normalizeText(pair.tgt, o.normalize);
    const ns = wordCount(src);
    const nt = wordCount(tgt);
    if (ns === 0 || nt === 0) return this.drop('empty');
    if (ns < o.minLen || nt < o.minLen) return this.drop('tooShort');
    if (o.maxLen !== undefined && (ns > o.maxLen || nt > o.maxLen)) return this.drop('tooLong');
    if (o.maxRatio !== undefined && Math.max(ns, nt) > o.maxRatio * Math.min(ns, nt)) return this.drop('ratio');
    if (o.dedupe) {
      // length prefix makes the key unambiguous whatever characters the texts hold
      const key = `${src.length}:${src}${tgt}`;
      if (this.seen.has(key)) return this.drop('duplicate');
      this.seen.add(key);
    }
    this.kept++;
    return { src, tgt };
  }

  get droppedTotal(): number {
    const d = this.dropped;
    return d.empty + d.tooShort + d.tooLong + d.ratio + d.duplicate;
  }

  private drop(reason: keyof DropCounts): null {
    this.dropped[reason]++;
    return null;
  }
}
