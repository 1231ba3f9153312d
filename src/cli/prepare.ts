import { rename, rm } from 'node:fs/promises';
import { ensureFolderSync } from '../platform/node-files.js';
import { checkPrepareOut, PREPARE_OUTPUTS, stagedOutput } from './prepare-folder.js';
import { join } from 'node:path';
import { helpText, oneOf, parseFlags, type FlagSpec } from './args.js';
import { checkPartsReadable, INPUT_FLAGS, inputPaths, prepareInput, type PrepareInput } from './prepare-inputs.js';
import { UserError, WRITE_ERROR_CODES, WriteError } from '../util/errors.js';
import {
  assignSplit,
  AtomicLineWriter,
  buildCodecsFromStream,
  DEFAULT_MERGES,
  newReadStats,
  PairCleaner,
  readPairs,
  readTsv,
  saveCodecs,
  SPLIT_NAMES,
  TOKENIZER_KINDS,
  writeFileAtomic,
  type CodecPair,
  type DropCounts,
  type NormalForm,
  type CleanOptions,
  type PairSpec,
  type ReadStats,
  type SourcedPair,
  type SplitName,
} from '../data/index.js';

const FLAGS: Record<string, FlagSpec> = {
  ...INPUT_FLAGS,
  out: { type: 'string', help: 'DATA folder to write: new, empty, or from an earlier s2s prepare (never over an input)' },
  tokenizer: { type: 'string', default: 'bpe', help: `one of ${TOKENIZER_KINDS.join('|')}` },
  merges: { type: 'int', min: 0, default: DEFAULT_MERGES, help: 'BPE merges to learn' },
  'vocab-size': { type: 'int', min: 5, help: 'cap on each vocabulary, 4 specials included (BPE keeps every seen character)' },
  'min-freq': { type: 'int', min: 1, default: 1, help: 'drop tokens seen fewer times than this in training' },
  'shared-vocab': { type: 'bool', help: 'one tokenizer and vocabulary for both sides' },
  'min-len': { type: 'int', min: 1, default: 1, help: 'drop pairs with a side shorter than this many words (with --train: train pairs only)' },
  'max-len': { type: 'int', min: 1, help: 'drop pairs with a side longer than this many words (with --train: train pairs only)' },
  'max-ratio': { type: 'number', min: 1, help: 'drop pairs whose longer side has more than X times the words of the shorter (with --train: train pairs only)' },
  normalize: { type: 'string', default: 'nfc', help: 'Unicode normal form: nfc|nfkc' },
  'skip-bad-lines': { type: 'bool', help: 'count and skip malformed input lines instead of stopping' },
  json: { type: 'bool', help: 'print the counts as JSON' },
  help: { type: 'bool', help: 'show this help' },
};

const SUMMARY = 'clean, split and learn codecs for a parallel corpus, writing a DATA folder';

function atLeast(name: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || value < min) throw new UserError(`s2s prepare: --${name} must be at least ${min}, got ${String(value)}`);
  return value;
}

/** Shows progress while reading: a rewritten line on a terminal, a JSON line now and then otherwise. */
class ReadProgress {
  private readonly start = Date.now();
  private last = 0;
  constructor(private readonly tty: boolean) {}
  tick(read: number): void {
    const every = this.tty ? 20_000 : 250_000;
    if (read - this.last < every) return;
    this.last = read;
    const rate = Math.round(read / Math.max(1e-3, (Date.now() - this.start) / 1000));
    if (this.tty) process.stderr.write(`\rprepare: read ${read} pairs (${rate} pairs/s)`);
    else process.stderr.write(JSON.stringify({ event: 'progress', stage: 'read', pairs: read, pairsPerSecond: rate }) + '\n');
  }
  done(): void {
    if (this.tty && this.last > 0) process.stderr.write('\n');
  }
}

/** A failed write of a staged output (full disk, …) in the words of the whole DATA folder, which is left as it was. */
function unchangedOnFailure(out: string, err: unknown): unknown {
  if (!(err instanceof WriteError)) return err;
  const fix = err.code === 'ENOSPC' || err.code === 'EDQUOT' || err.code === 'EFBIG' ? 'free space' : "fix the folder's permissions";
  return new UserError(`${out}: ${WRITE_ERROR_CODES[err.code] ?? err.code} (${err.code}) while writing the DATA folder; its files are unchanged; ${fix} and rerun`);
}

/** One input to read: its pairs, their counters, how they are cleaned, and which split each goes to. */
interface PartReader {
  /** the split a given part is, or 'corpus' for one corpus split by hash */
  name: SplitName | 'corpus';
  pairs: AsyncGenerator<SourcedPair>;
  stats: ReadStats;
  cleaner: PairCleaner;
  route: (src: string) => SplitName;
}

/**
 * The readers of the input. A corpus to split is cleaned by one cleaner (so duplicates are dropped
 * across the whole corpus) and each pair routed by the hash of its source. A corpus that comes split
 * keeps its parts: the train part gets the filters; valid and test are only normalised, with empty
 * pairs dropped, so that their scores compare with anyone else's on the same sets.
 */
function readParts(input: PrepareInput, filters: CleanOptions, skipBadLines: boolean): PartReader[] {
  const reader = (name: PartReader['name'], spec: PairSpec, cleaner: PairCleaner, route: PartReader['route']): PartReader => {
    const stats = newReadStats();
    return { name, pairs: readPairs(spec, { skipBadLines, stats }), stats, cleaner, route };
  };
  if (input.kind === 'corpus') {
    const { fractions, seed } = input;
    return [reader('corpus', input.spec, new PairCleaner(filters), (src) => assignSplit(src, fractions, seed))];
  }
  return SPLIT_NAMES.flatMap((part) => {
    const spec = input.parts[part];
    if (!spec) return [];
    const cleaner = part === 'train' ? new PairCleaner(filters) : new PairCleaner({ normalize: filters.normalize, minLen: 1, dedupe: false });
    return [reader(part, spec, cleaner, () => part)];
  });
}

/** The sum of several cleaners' drop counts. */
function sumDropped(cleaners: readonly PairCleaner[]): DropCounts {
  const total: DropCounts = { empty: 0, tooShort: 0, tooLong: 0, ratio: 0, duplicate: 0 };
  for (const c of cleaners) for (const k of Object.keys(total) as (keyof DropCounts)[]) total[k] += c.dropped[k];
  return total;
}

export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags('prepare', argv, FLAGS);
  if (flags.help) {
    console.log(helpText('prepare', SUMMARY, FLAGS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s prepare: unexpected argument '${rest[0]}'; inputs are given with flags (see s2s prepare --help)`);
  const input = prepareInput(flags);
  if (typeof flags.out !== 'string' || flags.out === '') throw new UserError('s2s prepare: --out DATA is required (the folder to write)');
  const out = flags.out;
  const tokenizer = oneOf('prepare', 'tokenizer', flags.tokenizer, TOKENIZER_KINDS);
  const normalize: NormalForm = oneOf('prepare', 'normalize', flags.normalize, ['nfc', 'nfkc'] as const);
  const merges = atLeast('merges', flags.merges, 0)!;
  const vocabSize = atLeast('vocab-size', flags['vocab-size'], 5);
  const minFreq = atLeast('min-freq', flags['min-freq'], 1)!;
  const minLen = atLeast('min-len', flags['min-len'], 1)!;
  const maxLen = atLeast('max-len', flags['max-len'], minLen);
  const maxRatio = atLeast('max-ratio', flags['max-ratio'], 1);
  const skipBadLines = flags['skip-bad-lines'] === true;
  const sharedVocab = flags['shared-vocab'] === true;

  checkPrepareOut(out, inputPaths(input));
  await checkPartsReadable(input);
  try {
    ensureFolderSync(out);
  } catch (err) {
    const code = (err as { code?: string }).code ?? String(err);
    throw new UserError(`s2s prepare: cannot create the DATA folder ${out} (${code in WRITE_ERROR_CODES ? `${WRITE_ERROR_CODES[code]}, ${code}` : code}); choose another --out`);
  }
  const filters = { normalize, minLen, maxLen, maxRatio };
  const parts = readParts(input, filters, skipBadLines);
  // Every output is first written complete under a staging name (train.tsv is read back from
  // there to learn the codecs); only when all five are written are they renamed into place. A
  // failure before that (bad input, full disk) leaves the folder as it was.
  const staged = Object.fromEntries(PREPARE_OUTPUTS.map((name) => [name, stagedOutput(out, name)])) as Record<(typeof PREPARE_OUTPUTS)[number], string>;
  const writers = Object.fromEntries(SPLIT_NAMES.map((s) => [s, new AtomicLineWriter(staged[`${s}.tsv`])])) as Record<SplitName, AtomicLineWriter>;
  const progress = new ReadProgress(process.stderr.isTTY === true);
  let codecs: CodecPair;
  try {
    let read = 0;
    for (const part of parts) {
      for await (const pair of part.pairs) {
        progress.tick(++read);
        const clean = part.cleaner.clean(pair);
        if (!clean) continue;
        await writers[part.route(clean.src)].write(`${clean.src}\t${clean.tgt}`);
      }
    }
    progress.done();
    if (writers.train.lines === 0) {
      const dropped = parts.reduce((n, p) => n + p.cleaner.droppedTotal, 0);
      const fix = input.kind === 'corpus' ? 'check the input and the filters and --split' : 'check --train and the filters (--min-len, --max-len, --max-ratio)';
      throw new UserError(`s2s prepare: no training pairs left (read ${read}, dropped ${dropped}); ${fix}`);
    }
    await writers.train.commit(); // to the staging name
    // The codecs are learned by streaming the train split back: nothing holds the corpus.
    codecs = await buildCodecsFromStream(readTsv(staged['train.tsv']), { tokenizer, merges, vocabSize, minFreq, sharedVocab, normalize });
    await writers.valid.commit();
    await writers.test.commit();
    await saveCodecs(staged['codecs.json'], codecs);
  } catch (err) {
    await Promise.all(SPLIT_NAMES.map((s) => writers[s].abort()));
    await Promise.all(Object.values(staged).map((p) => rm(p, { force: true })));
    throw unchangedOnFailure(out, err);
  }
  const stats: ReadStats = {
    read: parts.reduce((n, p) => n + p.stats.read, 0),
    badLines: parts.reduce((n, p) => n + p.stats.badLines, 0),
    badExamples: parts.flatMap((p) => p.stats.badExamples).slice(0, 5),
  };
  if (stats.badLines > 0) {
    const first = (stats.badExamples[0] ?? '').replace(/; [^;]*--skip-bad-lines$/, ''); // without the hint to pass it
    process.stderr.write(`warning: skipped ${stats.badLines} malformed line${stats.badLines === 1 ? '' : 's'} (first: ${first})\n`);
  }

  const learnedMerges = (side: 'src' | 'tgt'): number | undefined => {
    const t = codecs[side].tokenizer.toJSON();
    return t.type === 'bpe' ? t.merges.length : undefined;
  };
  const report = {
    version: 1,
    // one corpus: its spec; a split corpus: {train, valid, test} (test null when not given)
    input: input.kind === 'corpus' ? input.spec : input.parts,
    options: {
      tokenizer, merges, vocabSize: vocabSize ?? null, minFreq, sharedVocab,
      split: input.kind === 'corpus' ? input.fractions : 'given',
      minLen, maxLen: maxLen ?? null, maxRatio: maxRatio ?? null, normalize, skipBadLines,
      seed: input.kind === 'corpus' ? input.seed : null,
    },
    counts: {
      read: stats.read,
      badLines: stats.badLines,
      dropped: sumDropped(parts.map((p) => p.cleaner)),
      kept: parts.reduce((n, p) => n + p.cleaner.kept, 0),
      written: { train: writers.train.lines, valid: writers.valid.lines, test: writers.test.lines },
      // a split corpus: the same counts for each part as given
      ...(input.kind === 'parts' ? { parts: Object.fromEntries(parts.map((p) => [p.name, { read: p.stats.read, badLines: p.stats.badLines, dropped: { ...p.cleaner.dropped }, kept: p.cleaner.kept }])) } : {}),
    },
    codecs: {
      tokenizer,
      shared: codecs.shared,
      srcMerges: learnedMerges('src') ?? null,
      tgtMerges: learnedMerges('tgt') ?? null,
      srcVocab: codecs.src.vocab.size,
      tgtVocab: codecs.tgt.vocab.size,
    },
    badExamples: stats.badExamples,
  };
  try {
    await writeFileAtomic(staged['prepare.json'], JSON.stringify(report, null, 2) + '\n');
  } catch (err) {
    await Promise.all(Object.values(staged).map((p) => rm(p, { force: true })));
    throw unchangedOnFailure(out, err);
  }
  // prepare.json, the mark of a complete DATA folder, goes last.
  for (const name of PREPARE_OUTPUTS) await rename(staged[name], join(out, name));

  if (flags.json) {
    console.log(JSON.stringify(report));
    return 0;
  }
  const c = report.counts;
  const d = c.dropped;
  const m = report.codecs;
  console.log(`read     ${c.read} pairs${c.badLines > 0 ? `, skipped ${c.badLines} bad lines` : ''}`);
  console.log(`dropped  empty ${d.empty}, too-short ${d.tooShort}, too-long ${d.tooLong}, ratio ${d.ratio}, duplicate ${d.duplicate}`);
  console.log(`written  train ${c.written.train}, valid ${c.written.valid}, test ${c.written.test}`);
  const mergeNote = tokenizer === 'bpe' ? (m.shared ? ` (${m.srcMerges} merges)` : ` (${m.srcMerges}/${m.tgtMerges} merges)`) : '';
  console.log(`codecs   ${tokenizer}${mergeNote}, vocab src ${m.srcVocab}, tgt ${m.tgtVocab}${m.shared ? ' (shared)' : ''}`);
  console.log(`output   ${join(out, '{train,valid,test}.tsv')}, codecs.json, prepare.json`);
  return 0;
}
