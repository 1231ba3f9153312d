import { assertReadableFile, fileChunks, readFileBytes } from '../../platform/node-files.js';
import { fileErrorReason, UserError } from '../../util/errors.js';
import type { ReadOptions, SourcedPair } from '../types.js';
import { parseJsonl } from './jsonl.js';
import { readError } from './lines.js';
import { moPairs } from './mo.js';
import { parseParallel } from './parallel.js';
import { parsePo } from './po.js';
import { linesOfBytes } from './split-lines.js';
import { parseTsv } from './tsv.js';

/**
 * The readers on files: each opens its file(s) through src/platform/node-files.ts and hands the
 * lines or bytes to the pure parser beside it (parseTsv, parseJsonl, parseParallel, parsePo,
 * moPairs), which a page feeds from a string, a web stream or a dropped file instead.
 */

export { assertReadableFile } from '../../platform/node-files.js';

/**
 * Yields the lines of a UTF-8 text file one at a time, without reading it whole. Lines end at LF
 * or CRLF (a lone CR is content; see LineSplitter); a leading byte-order mark is dropped. A read
 * error (permission denied, an I/O error) is a UserError naming the file.
 */
export function readLines(file: string): AsyncGenerator<string> {
  // Opened on the first next(), not now: a generator that is never started holds no file.
  return linesOfBytes(() => fileChunks(file), readError(file));
}

/** `source<TAB>target` lines of a file (see parseTsv). */
export async function* readTsv(file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  await assertReadableFile(file, 'TSV input');
  yield* parseTsv(readLines(file), file, options);
}

/** One JSON object a line (see parseJsonl). */
export async function* readJsonl(file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  await assertReadableFile(file, 'JSONL input');
  yield* parseJsonl(readLines(file), file, options);
}

/** Two line-aligned plain-text files (see parseParallel). */
export async function* readParallel(srcFile: string, tgtFile: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  await assertReadableFile(srcFile, 'source side');
  await assertReadableFile(tgtFile, 'target side');
  yield* parseParallel(readLines(srcFile), readLines(tgtFile), srcFile, tgtFile, options);
}

/** A gettext .po catalog file (see parsePo). */
export function readPo(file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  return parsePo(readLines(file), file, options);
}

/** A compiled .mo catalog file (see moPairs). */
export async function* readMo(file: string, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  let bytes: Uint8Array;
  try {
    bytes = await readFileBytes(file);
  } catch (err) {
    throw new UserError(`${file}: cannot read (${fileErrorReason(err)}); check the file and its permissions`);
  }
  yield* moPairs(bytes, file, options);
}
