/**
 * The data layer's public surface: where text becomes ids. Readers stream pairs from files;
 * cleaning and splitting shape the corpus; tokenizers + vocabularies (a TextCodec per side)
 * turn text into ids and back.
 */
export type { TextPair, SourcedPair, ReadStats, ReadOptions } from './types.js';
export { newReadStats } from './types.js';
export { readPairs, readTsv, readJsonl, readParallel, readPo, readMo, parseMo, readGettext, findCatalogs, type PairSpec, type MoEntry,
  LineSplitter, splitLines, linesOfBytes, readLines, linesOfStream, parseTsv, formatTsv, parseJsonl, parseParallel, parsePo, moPairs } from './readers/index.js';
export { normalizeText, wordCount, PairCleaner, pairHash, type CleanOptions, type DropCounts, type NormalForm } from './clean.js';
export { assignSplit, splitBucket, fnv1a32, parseSplit, SPLIT_NAMES, type SplitFractions, type SplitName } from './split.js';
export * from './tokenizers/index.js';
export { Vocab, SPECIALS, PAD_ID, UNK_ID, BOS_ID, EOS_ID, type VocabJSON, type VocabOptions } from './vocab.js';
export { TextCodec, codecPairToJSON, codecPairFromJSON, targetRightToLeft, type CodecPair, type CodecPairJSON, type TextCodecJSON } from './codec.js';
export { saveCodecs, loadCodecs } from './codec-file.js';
export { buildCodecs, buildCodecsFromStream, CodecLearner, DEFAULT_MERGES, type BuildCodecsOptions } from './build.js';
export { writeFileAtomic, AtomicLineWriter } from '../platform/node-files.js';
