import { codePoints, pyNormalizeSpaces, pyStrip, pySplit } from './pytext.js';

/**
 * BLEU's tokenizers, reproducing sacreBLEU 2.6's `tokenizer_13a.py` + `tokenizer_re.py`,
 * `tokenizer_intl.py`, `tokenizer_char.py` and `tokenizer_none.py`. Each returns the tokenized
 * line as one space-joined string, as sacreBLEU does; callers split it with `pySplit`.
 */
export const BLEU_TOKENIZERS = ['13a', 'none', 'intl', 'char'] as const;
export type BleuTokenizerName = (typeof BLEU_TOKENIZERS)[number];

// mteval-v13a's punctuation rules, in sacreBLEU's order. Each Python `re.sub` replaces
// non-overlapping matches left to right, which is what a global JavaScript replace does.
// Rule 1's class is ASCII only: { | } ~  [ \ ] ^ _ `  space ! " # $ % &  ( ) * +  : ; < = > ? @  /
// (apostrophe, hyphen, period and comma are not in it).
const RE_13A_PUNCT = /([{-~[-` -&(-+:-@\/])/g;
// Period and comma are split off unless they sit inside a number: "1,000.5" stays one token.
const RE_13A_PERIOD_COMMA_AFTER_NONDIGIT = /([^0-9])([.,])/gu;
const RE_13A_PERIOD_COMMA_BEFORE_NONDIGIT = /([.,])([^0-9])/gu;
// A dash after a digit is split off ("2-3" → "2 - 3"), other dashes stay ("well-known").
const RE_13A_DASH_AFTER_DIGIT = /([0-9])(-)/gu;

/** sacreBLEU's default BLEU tokenizer (mteval-v13a.pl normalisation + punctuation splitting). */
export function tokenize13a(line: string): string {
  // language-independent part: the SGML-era clean-up mteval applies before tokenizing
  let s = line
    .replaceAll('<skipped>', '')
    .replaceAll('-\n', '')
    .replaceAll('\n', ' ')
    .replaceAll('&quot;', '"')
    .replaceAll('&amp;', '&')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>');
  // The padding makes a final period next to a digit ("in 2019.") split off, unlike intl.
  s = ` ${s} `;
  s = s.replace(RE_13A_PUNCT, ' $1 ');
  s = s.replace(RE_13A_PERIOD_COMMA_AFTER_NONDIGIT, '$1 $2 ');
  s = s.replace(RE_13A_PERIOD_COMMA_BEFORE_NONDIGIT, ' $1 $2');
  s = s.replace(RE_13A_DASH_AFTER_DIGIT, '$1 $2 ');
  return pySplit(pyStrip(s)).join(' ');
}

// mteval-v14 "international" rules on Unicode categories (P = punctuation, S = symbol, N = number).
const RE_INTL_PUNCT_AFTER_NONNUM = /(\P{N})(\p{P})/gu;
const RE_INTL_PUNCT_BEFORE_NONNUM = /(\p{P})(\P{N})/gu;
const RE_INTL_SYMBOL = /(\p{S})/gu;

/** sacreBLEU's `intl` tokenizer (mteval-v14 --international-tokenization). */
export function tokenizeIntl(line: string): string {
  let s = line.replace(RE_INTL_PUNCT_AFTER_NONNUM, '$1 $2 ');
  s = s.replace(RE_INTL_PUNCT_BEFORE_NONNUM, ' $1 $2');
  s = s.replace(RE_INTL_SYMBOL, ' $1 ');
  return pyNormalizeSpaces(s);
}

/** sacreBLEU's `char` tokenizer: every code point is a token (whitespace disappears on split). */
export function tokenizeChar(line: string): string {
  return codePoints(line).join(' ');
}

export function bleuTokenizer(name: BleuTokenizerName): (line: string) => string {
  switch (name) {
    case '13a':
      return tokenize13a;
    case 'intl':
      return tokenizeIntl;
    case 'char':
      return tokenizeChar;
    case 'none':
      return (line) => line;
    default:
      throw new Error(`unknown BLEU tokenizer '${String(name)}'; valid: ${BLEU_TOKENIZERS.join(', ')}`);
  }
}
