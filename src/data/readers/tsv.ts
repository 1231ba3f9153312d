import type { ReadOptions, SourcedPair } from '../types.js';
import { badLine, SKIP_HINT } from './lines.js';

/** `source<TAB>target` lines, one a pair, each ending in a newline: what parseTsv reads back. */
export function formatTsv(pairs: readonly { src: string; tgt: string }[]): string {
  return pairs.map((p) => `${p.src}\t${p.tgt}\n`).join('');
}

/**
 * Reads `source<TAB>target` lines. Blank lines are skipped silently (a trailing newline or two is
 * common); any other line must hold exactly one tab. `lines` come from any source (a file, see
 * readTsv in files.ts; a string through splitLines; a stream through linesOfStream); `file` names
 * it in messages and in each pair.
 */
export async function* parseTsv(lines: AsyncIterable<string> | Iterable<string>, file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  let lineNo = 0;
  for await (const text of lines) {
    lineNo++;
    if (text.trim() === '') continue;
    const tab = text.indexOf('\t');
    if (tab < 0 || text.indexOf('\t', tab + 1) >= 0) {
      const tabs = tab < 0 ? 0 : text.split('\t').length - 1;
      badLine(`${file}:${lineNo}: expected exactly one tab (source<TAB>target), found ${tabs}; ${SKIP_HINT}`, options);
      continue;
    }
    if (options.stats) options.stats.read++;
    yield { src: text.slice(0, tab), tgt: text.slice(tab + 1), file, line: lineNo };
  }
}
