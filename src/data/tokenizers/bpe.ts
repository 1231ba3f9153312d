import { learnBpeMerges, type BpeLearnOptions } from './bpe-learn.js';
import { baseUnits, unitsToText } from './bpe-units.js';
import type { Tokenizer, TokenizerJSON } from './types.js';

/**
 * Words already encoded. When full, the oldest quarter is dropped (Map keeps insertion order):
 * clearing it all at once made a corpus with more word types than the limit re-encode nearly
 * every word (bench/data.ts: 21k → see docs/data.md lines/s).
 */
const CACHE_LIMIT = 200_000;

/**
 * Byte-pair-encoding subwords over SentencePiece-style units (see bpe-units.ts): "Hello world" →
 * ["▁Hel", "lo", "▁world"]. Words are split on spaces only; punctuation stays in the word and is
 * left to the merges.
 */
export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly merges: readonly [string, string][];
  private readonly ranks = new Map<string, number>();
  /**
   * The merged string of each rank, made once: encoding reuses these instances instead of
   * concatenating anew, so vocabulary lookups hash a flat string whose hash V8 has cached
   * (a fresh `a + b` is a rope that must be flattened and hashed on every lookup).
   */
  private readonly mergedByRank: string[] = [];
  private readonly parts = new Map<string, [string, string]>();
  private readonly cache = new Map<string, string[]>();

  constructor(merges: readonly [string, string][]) {
    this.merges = merges;
    merges.forEach(([a, b], rank) => {
      // units never hold a space (words are split on it), so "a b" names the pair unambiguously
      const key = a + ' ' + b;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
      const merged = a + b;
      if (!this.parts.has(merged)) this.parts.set(merged, [a, b]);
      this.mergedByRank.push(merged);
    });
  }

  /** Learns `options.merges` merges from normalised texts. */
  static learn(texts: Iterable<string>, options: BpeLearnOptions): BpeTokenizer {
    return new BpeTokenizer(learnBpeMerges(texts, options));
  }

  encode(text: string): string[] {
    const tokens: string[] = [];
    for (const w of text.split(' ')) if (w !== '') for (const t of this.encodeWord(w)) tokens.push(t);
    return tokens;
  }

  decode(tokens: string[]): string {
    return unitsToText(tokens);
  }

  split(token: string): [string, string] | undefined {
    return this.parts.get(token);
  }

  /** Applies merges lowest rank first, each to every occurrence, as subword-nmt's apply_bpe does. */
  encodeWord(word: string): string[] {
    const cached = this.cache.get(word);
    if (cached) return cached;
    let syms = baseUnits(word);
    while (syms.length > 1) {
      let bestRank = Infinity;
      let bestAt = -1;
      for (let i = 0; i + 1 < syms.length; i++) {
        const r = this.ranks.get(syms[i] + ' ' + syms[i + 1]);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          bestAt = i;
        }
      }
      if (bestAt < 0) break;
      const a = syms[bestAt]!;
      const b = syms[bestAt + 1]!;
      const merged = this.mergedByRank[bestRank]!;
      const out = syms.slice(0, bestAt);
      for (let i = bestAt; i < syms.length; ) {
        if (i + 1 < syms.length && syms[i] === a && syms[i + 1] === b) {
          out.push(merged);
          i += 2;
        } else {
          out.push(syms[i]!);
          i++;
        }
      }
      syms = out;
    }
    if (this.cache.size >= CACHE_LIMIT) {
      let drop = CACHE_LIMIT >> 2;
      for (const key of this.cache.keys()) {
        this.cache.delete(key);
        if (--drop === 0) break;
      }
    }
    this.cache.set(word, syms);
    return syms;
  }

  toJSON(): TokenizerJSON {
    return { type: 'bpe', merges: this.merges.map(([a, b]) => [a, b]) };
  }
}
