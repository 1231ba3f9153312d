import { normalizeText, type NormalForm } from './clean.js';
import { TextCodec, type CodecPair } from './codec.js';
import { baseUnits, BpeTokenizer, CharTokenizer, SpaceTokenizer, WordTokenizer, type Tokenizer, type TokenizerKind } from './tokenizers/index.js';
import type { TextPair } from './types.js';
import { Vocab } from './vocab.js';

export interface BuildCodecsOptions {
  /** default 'bpe' */
  tokenizer?: TokenizerKind;
  /** BPE merges to learn (per side unless shared); default 8000 */
  merges?: number;
  /** vocabulary size cap per vocabulary, specials included (BPE keeps all base characters even past it) */
  vocabSize?: number;
  /** drop tokens seen fewer times (default 1) */
  minFreq?: number;
  /** one tokenizer and vocabulary learned from both sides (default false) */
  sharedVocab?: boolean;
  normalize?: NormalForm;
}

export const DEFAULT_MERGES = 8000;

function learnTokenizer(kind: TokenizerKind, texts: string[], merges: number): Tokenizer {
  switch (kind) {
    case 'space':
      return new SpaceTokenizer();
    case 'char':
      return new CharTokenizer();
    case 'word':
      return new WordTokenizer();
    case 'bpe':
      return BpeTokenizer.learn(texts, { merges });
  }
}

function learnCodec(texts: string[], options: BuildCodecsOptions): TextCodec {
  const kind = options.tokenizer ?? 'bpe';
  const tokenizer = learnTokenizer(kind, texts, options.merges ?? DEFAULT_MERGES);
  const counts = new Map<string, number>();
  const required = new Set<string>();
  for (const text of texts) {
    for (const t of tokenizer.encode(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  if (kind === 'bpe') {
    // every base unit seen in training stays in the vocabulary: any seen character can be spelled
    for (const text of texts) for (const w of text.split(' ')) if (w !== '') for (const u of baseUnits(w)) required.add(u);
  }
  const vocab = Vocab.fromCounts(counts, { minFreq: options.minFreq, maxSize: options.vocabSize, required });
  return new TextCodec(tokenizer, vocab, options.normalize ?? 'nfc');
}

/**
 * Learns tokenizer(s) and vocabularies from training pairs. Texts are normalised first (a no-op
 * for pairs that `PairCleaner` already cleaned with the same form).
 */
export function buildCodecs(pairs: Iterable<TextPair>, options: BuildCodecsOptions = {}): CodecPair {
  const form = options.normalize ?? 'nfc';
  const srcTexts: string[] = [];
  const tgtTexts: string[] = [];
  for (const p of pairs) {
    srcTexts.push(normalizeText(p.src, form));
    tgtTexts.push(normalizeText(p.tgt, form));
  }
  if (options.sharedVocab) {
    const codec = learnCodec([...srcTexts, ...tgtTexts], options);
    return { src: codec, tgt: codec, shared: true };
  }
  return { src: learnCodec(srcTexts, options), tgt: learnCodec(tgtTexts, options), shared: false };
}
