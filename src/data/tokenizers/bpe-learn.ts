import { baseUnits } from './bpe-units.js';

/** Symbol ids are packed into one number per pair: left * PAIR_SHIFT + right (exact below 2^53). */
const PAIR_SHIFT = 2 ** 22;

/**
 * A max-heap of (count, pair) with lazy deletion: a changed count is pushed again and stale
 * entries are dropped when they surface. Ties go to the pair whose (left, right) strings come
 * first in code-unit order, so learning is deterministic whatever the input order.
 */
class PairHeap {
  private counts: number[] = [];
  private keys: number[] = [];
  constructor(private readonly symbols: string[]) {}

  get size(): number {
    return this.counts.length;
  }

  push(count: number, key: number): void {
    this.counts.push(count);
    this.keys.push(key);
    this.up(this.counts.length - 1);
  }

  /** Removes the top entry; returns [count, key]. */
  pop(): [number, number] {
    const top: [number, number] = [this.counts[0]!, this.keys[0]!];
    const lastCount = this.counts.pop()!;
    const lastKey = this.keys.pop()!;
    if (this.counts.length > 0) {
      this.counts[0] = lastCount;
      this.keys[0] = lastKey;
      this.down(0);
    }
    return top;
  }

  private before(i: number, j: number): boolean {
    const ci = this.counts[i]!;
    const cj = this.counts[j]!;
    if (ci !== cj) return ci > cj;
    const ki = this.keys[i]!;
    const kj = this.keys[j]!;
    const li = this.symbols[Math.floor(ki / PAIR_SHIFT)]!;
    const lj = this.symbols[Math.floor(kj / PAIR_SHIFT)]!;
    if (li !== lj) return li < lj;
    return this.symbols[ki % PAIR_SHIFT]! < this.symbols[kj % PAIR_SHIFT]!;
  }

  private swap(i: number, j: number): void {
    [this.counts[i], this.counts[j]] = [this.counts[j]!, this.counts[i]!];
    [this.keys[i], this.keys[j]] = [this.keys[j]!, this.keys[i]!];
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private down(i: number): void {
    const n = this.counts.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < n && this.before(l, best)) best = l;
      if (r < n && this.before(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }
}

export interface BpeLearnOptions {
  /** number of merges to learn (fewer if the pairs run out first) */
  merges: number;
  /** stop when the most frequent pair occurs fewer times than this (default 2, as subword-nmt) */
  minPairFreq?: number;
}

/**
 * Learns BPE merges (Sennrich et al. 2016) over a word-frequency table. Pair counts are kept
 * up to date incrementally: a merge touches only the words that contain its pair (found through
 * a pair → words index), so each merge costs time in proportion to those words, not the corpus.
 */
export function learnBpeMerges(texts: Iterable<string>, options: BpeLearnOptions): [string, string][] {
  const wordFreq = new Map<string, number>();
  for (const text of texts) countWords(text, wordFreq);
  return learnBpeMergesFromWords(wordFreq, options);
}

/** Adds the space-separated words of `text` to a word-frequency table (what BPE learns from). */
export function countWords(text: string, wordFreq: Map<string, number>): void {
  for (const w of text.split(' ')) if (w !== '') wordFreq.set(w, (wordFreq.get(w) ?? 0) + 1);
}

/**
 * `learnBpeMerges` on a word-frequency table already counted (see `countWords`): the form a
 * streaming learner uses, whose memory grows with the distinct words rather than the corpus.
 * The result does not depend on the table's order.
 */
export function learnBpeMergesFromWords(wordFreq: ReadonlyMap<string, number>, options: BpeLearnOptions): [string, string][] {
  const minPairFreq = options.minPairFreq ?? 2;

  const symbols: string[] = [];
  const symbolId = new Map<string, number>();
  const intern = (s: string): number => {
    let id = symbolId.get(s);
    if (id === undefined) {
      id = symbols.length;
      if (id >= PAIR_SHIFT) throw new Error('BPE: too many symbols');
      symbols.push(s);
      symbolId.set(s, id);
    }
    return id;
  };

  const words: number[][] = [];
  const freqs: number[] = [];
  for (const [w, f] of wordFreq) {
    words.push(baseUnits(w).map(intern));
    freqs.push(f);
  }

  const pairCount = new Map<number, number>();
  const pairWords = new Map<number, number[]>();
  const index = (key: number, w: number): void => {
    const list = pairWords.get(key);
    if (list) list.push(w);
    else pairWords.set(key, [w]);
  };
  for (let w = 0; w < words.length; w++) {
    const syms = words[w]!;
    for (let i = 0; i + 1 < syms.length; i++) {
      const key = syms[i]! * PAIR_SHIFT + syms[i + 1]!;
      pairCount.set(key, (pairCount.get(key) ?? 0) + freqs[w]!);
      index(key, w);
    }
  }
  const heap = new PairHeap(symbols);
  for (const [key, count] of pairCount) heap.push(count, key);

  const merges: [string, string][] = [];
  const visited = new Int32Array(words.length).fill(-1); // merge number that last touched a word
  while (merges.length < options.merges) {
    let best = -1;
    let bestCount = 0;
    while (heap.size > 0) {
      const [count, key] = heap.pop();
      if (pairCount.get(key) === count) {
        best = key;
        bestCount = count;
        break;
      }
    }
    if (best < 0 || bestCount < minPairFreq) break;
    const left = Math.floor(best / PAIR_SHIFT);
    const right = best % PAIR_SHIFT;
    const merged = intern(symbols[left]! + symbols[right]!);
    const mergeNo = merges.length;
    merges.push([symbols[left]!, symbols[right]!]);

    const delta = new Map<number, number>();
    const change = (key: number, d: number): void => {
      delta.set(key, (delta.get(key) ?? 0) + d);
    };
    for (const w of pairWords.get(best) ?? []) {
      if (visited[w] === mergeNo) continue; // the index may list a word more than once
      visited[w] = mergeNo;
      const syms = words[w]!;
      const out: number[] = [];
      for (let i = 0; i < syms.length; ) {
        if (i + 1 < syms.length && syms[i] === left && syms[i + 1] === right) {
          out.push(merged);
          i += 2;
        } else {
          out.push(syms[i]!);
          i++;
        }
      }
      if (out.length === syms.length) continue; // stale index entry: pair no longer in this word
      const f = freqs[w]!;
      for (let i = 0; i + 1 < syms.length; i++) change(syms[i]! * PAIR_SHIFT + syms[i + 1]!, -f);
      for (let i = 0; i + 1 < out.length; i++) {
        const key = out[i]! * PAIR_SHIFT + out[i + 1]!;
        change(key, f);
        if (out[i] === merged || out[i + 1] === merged) index(key, w);
      }
      words[w] = out;
    }
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const count = (pairCount.get(key) ?? 0) + d;
      if (count > 0) {
        pairCount.set(key, count);
        heap.push(count, key);
      } else {
        pairCount.delete(key);
      }
    }
    pairWords.delete(best);
  }
  return merges;
}
