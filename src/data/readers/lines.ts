import { fileErrorReason, UserError } from '../../util/errors.js';
import { linesOfBytes } from './split-lines.js';
import type { ReadOptions, ReadStats } from '../types.js';

// Pure: the readers' shared line handling. Opening files is files.ts's job (through src/platform).

/** The lines of a byte stream (stdin, a file stream); `label` names it in a read error. */
export function linesOfStream(stream: AsyncIterable<Uint8Array | string>, label: string): AsyncGenerator<string> {
  return linesOfBytes(stream, readError(label));
}

/** The UserError a failed read of `label` becomes. */
export function readError(label: string): (err: unknown) => UserError {
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
