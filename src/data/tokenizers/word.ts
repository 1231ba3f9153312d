import type { Tokenizer, TokenizerJSON } from './types.js';

/**
 * Marks a token that was written with no space before it ("joiner", as in OpenNMT Tokenizer's
 * joiner_annotate). Spaces are the common case, so it is the attached tokens that carry a mark,
 * and "world" is the same token at the start of a sentence and after a space.
 */
export const JOINER = '\uffed'; // ￭ HALFWIDTH BLACK SQUARE

/** A word is a run of letters, marks and digits; any other non-space character is a token alone. */
const TOKEN = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;

/**
 * Unicode-aware word tokenizer: "Hello, world!" → ["Hello", "￭,", "world", "￭!"]. A literal ￭
 * in the text is a symbol, so always a one-character token: attached it is "￭￭", after a space
 * "￭" — a token of length 1 is never a mark, which keeps decoding unambiguous.
 */
export class WordTokenizer implements Tokenizer {
  readonly kind = 'word' as const;

  encode(text: string): string[] {
    const tokens: string[] = [];
    for (const m of text.matchAll(TOKEN)) {
      const at = m.index!;
      tokens.push(at === 0 || text[at - 1] === ' ' ? m[0] : JOINER + m[0]);
    }
    return tokens;
  }

  decode(tokens: string[]): string {
    let out = '';
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (t.length > 1 && t[0] === JOINER) out += t.slice(1);
      else out += i === 0 ? t : ' ' + t;
    }
    return out;
  }

  toJSON(): TokenizerJSON {
    return { type: 'word' };
  }
}
