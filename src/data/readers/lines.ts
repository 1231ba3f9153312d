import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { fileErrorReason, UserError } from '../../util/errors.js';
import { linesOfBytes } from './split-lines.js';
import type { ReadOptions, ReadStats } from '../types.js';

/** Throws a UserError unless `file` is an existing regular file (streams report this too late). */
export async function assertReadableFile(file: string, what: string): Promise<void> {
  let isFile = false;
  try {
    isFile = (await stat(file)).isFile();
  } catch (err) {
    throw new UserError(`${file}: ${fileErrorReason(err)} (${what}); check the path`);
  }
  if (!isFile) throw new UserError(`${file}: is not a file (${what}); give a file path`);
}

/**
 * Yields the lines of a UTF-8 text file one at a time, without reading it whole. Lines end at LF
 * or CRLF (a lone CR is content; see LineSplitter); a leading byte-order mark is dropped. A read
 * error (permission denied, an I/O error) is a UserError naming the file.
 */
export function readLines(file: string): AsyncGenerator<string> {
  // Opened on the first next(), not now: a generator that is never started holds no file.
  return linesOfBytes(() => createReadStream(file, { highWaterMark: 1 << 16 }), readError(file));
}

/** The lines of a byte stream (stdin, a file stream); `label` names it in a read error. */
export function linesOfStream(stream: AsyncIterable<Uint8Array | string>, label: string): AsyncGenerator<string> {
  return linesOfBytes(stream, readError(label));
}

function readError(label: string): (err: unknown) => UserError {
  return (err) => new UserError(`${label}: cannot read (${fileErrorReason(err)}); check the file and its permissions`);
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
