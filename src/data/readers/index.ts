import { UserError } from '../../util/errors.js';
import type { ReadOptions, SourcedPair } from '../types.js';
import { readGettext } from './gettext.js';
import { readJsonl, readParallel, readTsv } from './files.js';

export { readTsv, readJsonl, readParallel, readPo, readMo, readLines, assertReadableFile } from './files.js';
export { parseTsv, formatTsv } from './tsv.js';
export { parseJsonl } from './jsonl.js';
export { parseParallel } from './parallel.js';
export { parsePo, unquotePo } from './po.js';
export { parseMo, moPairs, type MoEntry } from './mo.js';
export { readGettext, findCatalogs } from './gettext.js';
export { LineSplitter, splitLines, linesOfBytes } from './split-lines.js';
export { linesOfStream } from './lines.js';

/** Which reader to use, by the shape of the spec (mirrors the `s2s prepare` input flags). */
export type PairSpec = { tsv: string } | { src: string; tgt: string } | { jsonl: string } | { gettext: string; lang?: string };

/** Streams pairs from any supported input. Malformed lines throw UserError("FILE:LINE: ...") unless `skipBadLines`. */
export function readPairs(spec: PairSpec, options: ReadOptions = {}): AsyncGenerator<SourcedPair> {
  if ('tsv' in spec) return readTsv(spec.tsv, options);
  if ('jsonl' in spec) return readJsonl(spec.jsonl, options);
  if ('gettext' in spec) return readGettext(spec.gettext, spec.lang, options);
  if ('src' in spec && 'tgt' in spec) return readParallel(spec.src, spec.tgt, options);
  throw new UserError('readPairs: give one input: {tsv} | {src, tgt} | {jsonl} | {gettext, lang}');
}
