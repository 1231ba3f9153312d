export type TokenizerKind = 'space' | 'char' | 'word' | 'bpe';
export const TOKENIZER_KINDS: readonly TokenizerKind[] = ['space', 'char', 'word', 'bpe'];

/** What a tokenizer saves: its kind, and for BPE the merges in the order they were learned. */
export type TokenizerJSON = { type: 'space' | 'char' | 'word' } | { type: 'bpe'; merges: [string, string][] };

/**
 * Text ⇄ tokens. Every tokenizer is lossless on normalised text (see `normalizeText`):
 * `decode(encode(x)) === x`.
 */
export interface Tokenizer {
  readonly kind: TokenizerKind;
  encode(text: string): string[];
  decode(tokens: string[]): string;
  /**
   * For subword tokenizers: the two tokens a token was merged from, so a token the vocabulary
   * lacks can fall back to smaller pieces instead of becoming <unk>. Undefined for a base unit.
   */
  split?(token: string): [string, string] | undefined;
  toJSON(): TokenizerJSON;
}
