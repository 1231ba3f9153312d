import type { Tokenizer, TokenizerJSON } from './types.js';

/** One token per Unicode code point; a space is the token " ". Lossless on any string. */
export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  encode(text: string): string[] {
    return Array.from(text);
  }
  decode(tokens: string[]): string {
    return tokens.join('');
  }
  toJSON(): TokenizerJSON {
    return { type: 'char' };
  }
}
