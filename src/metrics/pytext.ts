/**
 * Python string semantics that sacreBLEU relies on, so that our scores match it bit for bit.
 *
 * - `str.split()` / `str.strip()` with no argument split on Python's whitespace set, which is not
 *   JavaScript's `\s` (Python includes U+001C–U+001F and U+0085; JavaScript includes U+FEFF).
 * - Python indexes strings by code point, JavaScript by UTF-16 unit: character n-grams and
 *   `len(word)` must go through `codePoints`.
 * - Python's `f'{x:.2f}'` rounds exact binary ties half-to-even; `Number.prototype.toFixed`
 *   rounds them away from zero (6.25 → '6.2' in Python, '6.3' in JavaScript).
 */

const PY_WS_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_WS_RUN = new RegExp(`[${PY_WS_CLASS}]+`, 'u');
const PY_WS_RUN_G = new RegExp(`[${PY_WS_CLASS}]+`, 'gu');
const PY_WS_TRAILING = new RegExp(`[${PY_WS_CLASS}]+$`, 'u');
const PY_WS_LEADING = new RegExp(`^[${PY_WS_CLASS}]+`, 'u');

/** Python's `s.split()`: runs of whitespace separate tokens, no empty tokens. */
export function pySplit(s: string): string[] {
  return s.split(PY_WS_RUN).filter((t) => t.length > 0);
}

/** Python's `s.rstrip()`. */
export function pyRstrip(s: string): string {
  return s.replace(PY_WS_TRAILING, '');
}

/** Python's `s.strip()`. */
export function pyStrip(s: string): string {
  return pyRstrip(s).replace(PY_WS_LEADING, '');
}

/** Python's `''.join(s.split())`: every whitespace character removed. */
export function pyRemoveWhitespace(s: string): string {
  return s.replace(PY_WS_RUN_G, '');
}

/** Python's `' '.join(s.split())`: whitespace runs collapsed to one space, ends trimmed. */
export function pyNormalizeSpaces(s: string): string {
  return pySplit(s).join(' ');
}

/** The string as Python sees it: one element per code point. */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/**
 * Python's `f'{x:.{digits}f}'`. Only exact binary ties differ from `toFixed`; we detect them from
 * the exact decimal expansion (`toFixed(100)` is exact for every double a tie can be at these
 * magnitudes) and round them to even.
 */
export function pyFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const a = Math.abs(x);
  if (a >= 1e21) return x.toFixed(digits); // not reached by any score; toFixed gives exponent form
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const exact = a.toFixed(100);
  const dot = exact.indexOf('.');
  const rest = exact.slice(dot + 1 + digits);
  const isTie = rest[0] === '5' && /^50*$/.test(rest);
  if (isTie) {
    const truncated = digits === 0 ? exact.slice(0, dot) : exact.slice(0, dot + 1 + digits);
    const lastDigit = Number(truncated[truncated.length - 1]);
    if (lastDigit % 2 === 0) return sign + truncated; // half-to-even: keep the even digit
  }
  return sign + a.toFixed(digits);
}
