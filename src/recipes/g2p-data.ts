import { fnv1a32 } from '../data/index.js';
import type { TextSplits } from './types.js';

/**
 * CMUdict as grapheme-to-phoneme data: letters in, phonemes out, stress marks removed, every
 * pronunciation of a word kept. Pure functions over the dictionary object (word → ARPAbet), so
 * they are testable on a handful of entries.
 */

/** A word as the model reads it: lower-case letters and apostrophes only (acronyms with dots, digits and the like are left out). */
const WORD = /^[a-z']*[a-z][a-z']*$/;

/** The word of a dictionary key: `read(2)` → `read` (CMUdict numbers a word's alternative pronunciations). */
export function baseWord(key: string): string {
  return key.replace(/\(\d+\)$/, '');
}

/** ARPAbet without stress: `AH0 B AW1 T` → `AH B AW T`. */
export function stripStress(pron: string): string {
  return pron.trim().split(/\s+/).map((p) => p.replace(/[012]$/, '')).join(' ');
}

/**
 * Word → its distinct stress-free pronunciations, in the dictionary's order (the first is the
 * main one). Keys are visited in sorted order so the result does not depend on the object's.
 */
export function g2pEntries(dict: Readonly<Record<string, string>>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const key of Object.keys(dict).sort()) {
    const word = baseWord(key);
    if (!WORD.test(word)) continue;
    const pron = stripStress(dict[key]!);
    if (pron === '') continue;
    const list = out.get(word);
    if (!list) out.set(word, [pron]);
    else if (!list.includes(pron)) list.push(pron);
  }
  return out;
}

/** `hello` → `h e l l o`: one token per letter for the space tokenizer (the PyTorch peer reads the same files). */
export function spellOut(word: string): string {
  return [...word].join(' ');
}

export interface G2pSplitSizes {
  test: number;
  valid: number;
  /** Cap on training words (undefined: all the rest). */
  train?: number;
}

/** The full recipe's split: 12,000 test words, 2,000 valid words, the rest train. */
export const G2P_SPLIT: G2pSplitSizes = { test: 12000, valid: 2000 };

/**
 * A deterministic split by word: words are ordered by a seeded FNV-1a hash (ties by the word),
 * the first `test` go to test, the next `valid` to valid, the rest (up to `train`) to train, so
 * no word is in two splits and a smaller split is a prefix of a larger one with the same seed.
 * Train has one pair per pronunciation; valid has the main pronunciation (the trainer's
 * validation takes one reference); test keeps every pronunciation as a reference.
 */
export function g2pSplits(entries: ReadonlyMap<string, readonly string[]>, sizes: G2pSplitSizes, seed = 1): TextSplits {
  const words = [...entries.keys()].map((w) => ({ w, h: fnv1a32(w, seed) }));
  words.sort((a, b) => a.h - b.h || (a.w < b.w ? -1 : a.w > b.w ? 1 : 0));
  const ordered = words.map((x) => x.w);
  const testWords = ordered.slice(0, sizes.test);
  const validWords = ordered.slice(sizes.test, sizes.test + sizes.valid);
  const rest = ordered.slice(sizes.test + sizes.valid);
  const trainWords = sizes.train === undefined ? rest : rest.slice(0, sizes.train);
  const train = trainWords.flatMap((w) => entries.get(w)!.map((p) => ({ src: spellOut(w), tgt: p })));
  const valid = validWords.map((w) => ({ src: spellOut(w), tgt: entries.get(w)![0]! }));
  const test = testWords.map((w) => ({ src: spellOut(w), refs: [...entries.get(w)!] }));
  return { train, valid, test };
}
