import { normalizeText, type NormalForm } from './clean.js';
import { TextCodec, type CodecPair } from './codec.js';
import { baseUnits, BpeTokenizer, CharTokenizer, countWords, learnBpeMergesFromWords, SpaceTokenizer, WordTokenizer, type Tokenizer, type TokenizerKind } from './tokenizers/index.js';
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

/**
 * What one codec (one side, or both sides when shared) needs from the training texts, counted
 * one text at a time: for BPE the word-frequency table (merges, token counts and the base
 * characters all follow from it), for the fixed tokenizers the token counts. Memory grows with
 * the distinct words / tokens, not with the number of texts.
 */
class SideLearner {
  private readonly words = new Map<string, number>();
  private readonly counts = new Map<string, number>();
  private readonly fixed: Tokenizer | undefined;

  constructor(
    private readonly kind: TokenizerKind,
    private readonly options: BuildCodecsOptions,
  ) {
    this.fixed = kind === 'space' ? new SpaceTokenizer() : kind === 'char' ? new CharTokenizer() : kind === 'word' ? new WordTokenizer() : undefined;
  }

  /** `text` must already be normalised. */
  add(text: string): void {
    if (!this.fixed) {
      countWords(text, this.words);
      return;
    }
    const counts = this.counts;
    for (const t of this.fixed.encode(text)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }

  finish(): TextCodec {
    const form = this.options.normalize ?? 'nfc';
    if (this.fixed) {
      const vocab = Vocab.fromCounts(this.counts, { minFreq: this.options.minFreq, maxSize: this.options.vocabSize });
      return new TextCodec(this.fixed, vocab, form);
    }
    const tokenizer = new BpeTokenizer(learnBpeMergesFromWords(this.words, { merges: this.options.merges ?? DEFAULT_MERGES }));
    // A text's tokens are its words' tokens, so counting each distinct word's tokens times its
    // frequency gives the same counts as encoding every text.
    const counts = new Map<string, number>();
    const required = new Set<string>(); // every base unit seen stays in the vocabulary: any seen character can be spelled
    for (const [w, f] of this.words) {
      for (const t of tokenizer.encode(w)) counts.set(t, (counts.get(t) ?? 0) + f);
      for (const u of baseUnits(w)) required.add(u);
    }
    const vocab = Vocab.fromCounts(counts, { minFreq: this.options.minFreq, maxSize: this.options.vocabSize, required });
    return new TextCodec(tokenizer, vocab, form);
  }
}

/**
 * Learns codecs from training pairs fed one at a time (`add`), then `finish()`: the streaming
 * form of `buildCodecs`, giving the same codecs. Nothing holds the pairs themselves: memory grows
 * with the distinct words (BPE) or tokens (word/char/space) of the corpus, not its length.
 */
export class CodecLearner {
  private readonly src: SideLearner;
  private readonly tgt: SideLearner;
  private readonly form: NormalForm;
  private readonly shared: boolean;
  /** pairs added */
  pairs = 0;

  constructor(private readonly options: BuildCodecsOptions = {}) {
    const kind = options.tokenizer ?? 'bpe';
    this.form = options.normalize ?? 'nfc';
    this.shared = options.sharedVocab === true;
    this.src = new SideLearner(kind, options);
    this.tgt = this.shared ? this.src : new SideLearner(kind, options);
  }

  /** Texts are normalised first (a no-op for pairs that `PairCleaner` cleaned with the same form). */
  add(pair: TextPair): void {
    this.src.add(normalizeText(pair.src, this.form));
    this.tgt.add(normalizeText(pair.tgt, this.form));
    this.pairs++;
  }

  finish(): CodecPair {
    if (this.shared) {
      const codec = this.src.finish();
      return { src: codec, tgt: codec, shared: true };
    }
    return { src: this.src.finish(), tgt: this.tgt.finish(), shared: false };
  }
}

/**
 * Learns tokenizer(s) and vocabularies from training pairs. Texts are normalised first (a no-op
 * for pairs that `PairCleaner` already cleaned with the same form).
 */
export function buildCodecs(pairs: Iterable<TextPair>, options: BuildCodecsOptions = {}): CodecPair {
  const learner = new CodecLearner(options);
  for (const p of pairs) learner.add(p);
  return learner.finish();
}

/**
 * `buildCodecs` over a stream (e.g. `readTsv('DATA/train.tsv')`), read once; the pairs are never
 * held, so a corpus larger than memory can be learned from.
 */
export async function buildCodecsFromStream(pairs: AsyncIterable<TextPair> | Iterable<TextPair>, options: BuildCodecsOptions = {}): Promise<CodecPair> {
  const learner = new CodecLearner(options);
  for await (const p of pairs) learner.add(p);
  return learner.finish();
}
