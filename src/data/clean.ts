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
 * A set of 64-bit pair hashes in one open-addressing table (linear probing, grown at half full):
 * 8 bytes a slot, so 16–32 bytes per distinct pair, whatever the pairs' length.
 */
class PairHashSet {
  private slots = new Uint32Array(2 * 1024);
  private size = 0;

  /** Adds the hash of (src, tgt); false if it was already there. */
  add(src: string, tgt: string): boolean {
    let [a, b] = pairHash(src, tgt);
    if (a === 0 && b === 0) b = 1; // (0, 0) marks an empty slot
    if (2 * (this.size + 1) > this.slots.length / 2) this.grow();
    if (!this.insert(a, b)) return false;
    this.size++;
    return true;
  }

  private insert(a: number, b: number): boolean {
    const slots = this.slots;
    const mask = slots.length / 2 - 1;
    for (let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask; ; i = (i + 1) & mask) {
      const x = slots[2 * i]!;
      const y = slots[2 * i + 1]!;
      if (x === 0 && y === 0) {
        slots[2 * i] = a;
        slots[2 * i + 1] = b;
        return true;
      }
      if (x === a && y === b) return false;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0 || old[i + 1] !== 0) this.insert(old[i]!, old[i + 1]!);
  }
}

/**
 * A 64-bit hash of a pair as two 32-bit FNV-1a-style hashes with different offset bases and
 * primes, over the UTF-16 code units (low byte, high byte) of the source's length, the source and
 * the target. The length first makes (ab, c) and (a, bc) different inputs.
 */
export function pairHash(src: string, tgt: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x050c5d1f;
  const unit = (c: number): void => {
    h1 = Math.imul(h1 ^ (c & 0xff), 0x01000193);
    h2 = Math.imul(h2 ^ (c & 0xff), 0x5bd1e995);
    h1 = Math.imul(h1 ^ (c >>> 8), 0x01000193);
    h2 = Math.imul(h2 ^ (c >>> 8), 0x5bd1e995);
  };
  unit(src.length & 0xffff);
  unit(src.length >>> 16);
  for (let i = 0; i < src.length; i++) unit(src.charCodeAt(i));
  for (let i = 0; i < tgt.length; i++) unit(tgt.charCodeAt(i));
  return [h1 >>> 0, h2 >>> 0];
}

/**
 * Normalises and filters pairs one at a time, so it can sit in a stream. De-duplication keeps a
 * 64-bit hash of each distinct pair kept (not its text), so its memory grows with the distinct
 * pairs at 16–32 bytes each. Two different pairs share a hash with probability about n²/2⁶⁵ for
 * n pairs (one in 37 million at a million pairs); the later one would be dropped as a duplicate.
 */
export class PairCleaner {
  readonly dropped: DropCounts = { empty: 0, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 0 };
  kept = 0;
  private readonly seen = new PairHashSet();
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
      if (!this.seen.add(src, tgt)) return this.drop('duplicate');
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
