import type { Tokenizer, TokenizerJSON } from './types.js';

/** Splits on single spaces: for corpora that are already tokenized (e.g. by Moses). */
export class SpaceTokenizer implements Tokenizer {
  readonly kind = 'space' as const;
  encode(text: string): string[] {
    return text === '' ? [] : text.split(' ');
  }
  decode(tokens: string[]): string {
    return tokens.join(' ');
  }
  toJSON(): TokenizerJSON {
    return { type: 'space' };
  }
}
