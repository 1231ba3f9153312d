import { UserError } from '../../util/errors.js';
import type { TextPair } from '../types.js';

/**
 * `source<TAB>target` lines from text already in memory (a file dropped on a web page, a
 * fetched corpus): the same rules as readTsv — blank lines skipped, any other line must hold
 * exactly one tab — with LF, CRLF or lone CR line endings and a leading byte-order mark dropped.
 * `label` names the text in errors (`label:line: …`).
 */
export function parseTsvText(text: string, label: string): TextPair[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const out: TextPair[] = [];
  const lines = body.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const tab = line.indexOf('\t');
    if (tab < 0 || line.indexOf('\t', tab + 1) >= 0) {
      const tabs = tab < 0 ? 0 : line.split('\t').length - 1;
      throw new UserError(`${label}:${i + 1}: expected exactly one tab (source<TAB>target), found ${tabs}; fix or remove that line`);
    }
    out.push({ src: line.slice(0, tab), tgt: line.slice(tab + 1) });
  }
  return out;
}
