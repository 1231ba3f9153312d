import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { UserError } from '../../util/errors.js';
import type { ReadOptions, ReadStats } from '../types.js';

/** Throws a UserError unless `file` is an existing regular file (streams report this too late). */
export async function assertReadableFile(file: string, what: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(file)).isFile();
  } catch {
    throw new UserError(`${file}: no such file (${what}); check the path`);
  }
  if (!isFile) throw new UserError(`${file}: is not a file (${what}); give a file path`);
}

/**
 * Yields the lines of a UTF-8 text file one at a time, without reading it whole. Accepts LF and
 * CRLF endings and drops a leading byte-order mark.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  const rl = createInterface({ input: stream, crlfDelay: Infinity });
  let first = true;
  try {
    for await (const line of rl) {
      if (first) {
        first = false;
        yield line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
      } else {
        yield line;
      }
    }
  } finally {
    rl.close();
    stream.destroy();
  }
}

/**
 * The one place that decides what a malformed input line does: throw (the default) or, with
 * `skipBadLines`, count it and keep going. `message` is "FILE:LINE: what; what to do".
 */
export function badLine(message: string, options: ReadOptions): void {
  if (!options.skipBadLines) throw new UserError(message);
  const stats: ReadStats | undefined = options.stats;
  if (stats) {
    stats.badLines++;
    if (stats.badExamples.length < 5) stats.badExamples.push(message);
  }
}

export const SKIP_HINT = 'fix or remove the line, or pass --skip-bad-lines';
