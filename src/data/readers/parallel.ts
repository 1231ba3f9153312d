import type { ReadOptions, SourcedPair } from '../types.js';
import { badLine } from './lines.js';

/**
 * Pairs two line-aligned texts (line i of `srcFile` translates to line i of `tgtFile`); the lines
 * come from any source (readParallel in files.ts opens two files), the names label messages.
 * Blank lines are kept: they hold alignment. If one file is longer, that is an error at the first
 * unmatched line; with `skipBadLines` the extra lines are counted as bad and dropped.
 */
export async function* parseParallel(
  srcLines: AsyncGenerator<string>, tgtLines: AsyncGenerator<string>, srcFile: string, tgtFile: string, options: ReadOptions = {},
): AsyncGenerator<SourcedPair> {
  let lineNo = 0;
  try {
    for (;;) {
      const [s, t] = await Promise.all([srcLines.next(), tgtLines.next()]);
      lineNo++;
      if (s.done && t.done) return;
      if (s.done || t.done) {
        const [longer, shorter] = s.done ? [tgtFile, srcFile] : [srcFile, tgtFile];
        const rest = s.done ? tgtLines : srcLines;
        let extra = 1;
        for await (const _ of rest) extra++;
        const message = `${longer}:${lineNo}: ${shorter} ends after ${lineNo - 1} lines but ${longer} has ${extra} more; the two files must have the same number of lines`;
        badLine(message, options);
        if (options.stats) options.stats.badLines += extra - 1;
        return;
      }
      if (options.stats) options.stats.read++;
      yield { src: s.value, tgt: t.value, file: srcFile, line: lineNo };
    }
  } finally {
    await srcLines.return(undefined);
    await tgtLines.return(undefined);
  }
}
