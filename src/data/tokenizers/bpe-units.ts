/**
 * BPE base units. As in SentencePiece, each word starts with the marker ▁, so "a b" is
 * "▁a▁b" and decoding turns ▁ back into spaces. A literal ▁ in the text would make that
 * ambiguous, so literal ▁ and the escape ␛ are written ␛▁ and ␛␛ — one base unit each. With
 * that, decoding any concatenation of units is unambiguous and every normalised text round-trips.
 */
export const WORD_START = '\u2581'; // ▁ LOWER ONE EIGHTH BLOCK, SentencePiece's marker
export const ESCAPE = '\u241b'; // ␛ SYMBOL FOR ESCAPE

/** A word (no spaces) as base units: the marker, then one unit per code point. */
export function baseUnits(word: string): string[] {
  const units = [WORD_START];
  for (const ch of word) units.push(ch === WORD_START || ch === ESCAPE ? ESCAPE + ch : ch);
  return units;
}

/** Inverse of encoding: joins units, turns markers into spaces, unescapes, drops the first space. */
export function unitsToText(tokens: string[]): string {
  const s = tokens.join('');
  let out = '';
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === ESCAPE && i + 1 < s.length) {
      const ch = String.fromCodePoint(s.codePointAt(i + 1)!);
      out += ch;
      i += 1 + ch.length;
    } else {
      out += c === WORD_START ? ' ' : c;
      i++;
    }
  }
  return out.startsWith(' ') ? out.slice(1) : out;
}
