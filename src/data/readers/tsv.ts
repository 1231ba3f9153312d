import type { ReadOptions, SourcedPair } from '../types.js';
import { assertReadableFile, badLine, readLines, SKIP_HINT } from './lines.js';

/**
 * Reads `source<TAB>target` lines. Blank lines are skipped silently (a trailing newline or two is
 * common); any other line must hold exactly one tab.
 */
export async function* readTsv(file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  await assertReadableFile(file, 'TSV input');
  let lineNo = 0;
  for await (const text of readLines(file)) {
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
