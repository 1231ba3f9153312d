import { parseSplit, SPLIT_NAMES, type PairSpec, type SplitFractions, type SplitName } from '../data/index.js';
import { assertReadableFile } from '../data/readers/index.js';
import { UserError } from '../util/errors.js';
import type { FlagSpec, FlagValues } from './args.js';

/**
 * What `s2s prepare` reads: one corpus that it splits itself (by a hash of the source, see
 * src/data/split.ts), or a corpus that comes already split, whose parts are kept as given.
 */
export type PrepareInput =
  | { kind: 'corpus'; spec: PairSpec; fractions: SplitFractions; seed: number }
  | { kind: 'parts'; parts: Record<SplitName, PairSpec | null> };

export const DEFAULT_SPLIT = '0.9,0.05,0.05';

/** The input flags of s2s prepare, in the order its help lists them. */
export const INPUT_FLAGS: Record<string, FlagSpec> = {
  tsv: { type: 'string', help: 'input: source<TAB>target lines' },
  src: { type: 'string', help: 'input: source side, one sentence a line (with --tgt)' },
  tgt: { type: 'string', help: 'input: target side, line-aligned with --src' },
  jsonl: { type: 'string', help: 'input: one {"src": ..., "tgt": ...} object a line' },
  gettext: { type: 'string', help: 'input: a .mo/.po file, a folder of them, or a locale tree such as /usr/share/locale (with --lang)' },
  lang: { type: 'string', help: 'language folder of a locale tree, e.g. de' },
  train: { type: 'string', help: 'an already split corpus, kept as given: the train part (.tsv, .jsonl, .po/.mo or a catalog folder; see --format); codecs are learned from it alone' },
  valid: { type: 'string', help: 'the validation part (with --train)' },
  test: { type: 'string', help: 'the test part (with --train; optional: without it test.tsv is empty)' },
  'train-src': { type: 'string', help: 'the train part as two line-aligned files: source side (with --train-tgt)' },
  'train-tgt': { type: 'string', help: 'the train part: target side' },
  'valid-src': { type: 'string', help: 'the validation part: source side (with --valid-tgt)' },
  'valid-tgt': { type: 'string', help: 'the validation part: target side' },
  'test-src': { type: 'string', help: 'the test part: source side (with --test-tgt)' },
  'test-tgt': { type: 'string', help: 'the test part: target side' },
  format: { type: 'string', help: 'tsv|jsonl|gettext: the format of --train/--valid/--test files whose name does not say it (.tsv, .jsonl, .po, .mo)' },
  split: { type: 'string', help: `train,valid,test fractions (by a hash of the source; default ${DEFAULT_SPLIT}); not with --train` },
  seed: { type: 'int', min: 0, max: 4294967295, help: 'seed of the split hash (a different seed, a different split; default 0); not with --train' },
};

const PART_FORMATS = ['tsv', 'jsonl', 'gettext'] as const;
type PartFormat = (typeof PART_FORMATS)[number];

function str(flags: FlagValues, name: string): string | undefined {
  const v = flags[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The format of a part's file: told by its name (.tsv, .jsonl, .po, .mo), else by --format. */
function partFormat(flag: string, file: string, format: PartFormat | undefined): PartFormat {
  if (/\.tsv$/i.test(file)) return 'tsv';
  if (/\.(jsonl|ndjson)$/i.test(file)) return 'jsonl';
  if (/\.(po|mo|gmo)$/i.test(file)) return 'gettext';
  if (format) return format;
  throw new UserError(`s2s prepare: cannot tell the format of --${flag} ${file} from its name (.tsv, .jsonl, .po, .mo); add --format ${PART_FORMATS.join('|')}, or give two line-aligned files with --${flag}-src/--${flag}-tgt`);
}

function partSpec(flags: FlagValues, part: SplitName, format: PartFormat | undefined, lang: string | undefined): PairSpec | null {
  const file = str(flags, part);
  const src = str(flags, `${part}-src`);
  const tgt = str(flags, `${part}-tgt`);
  if (file && (src || tgt)) throw new UserError(`s2s prepare: the ${part} part is given twice (--${part} and --${part}-${src ? 'src' : 'tgt'}); give one file with --${part}, or two with --${part}-src/--${part}-tgt`);
  if (src || tgt) {
    if (!src || !tgt) throw new UserError(`s2s prepare: --${part}-src and --${part}-tgt go together; give both files`);
    return { src, tgt };
  }
  if (!file) return null;
  const kind = partFormat(part, file, format);
  if (kind === 'tsv') return { tsv: file };
  if (kind === 'jsonl') return { jsonl: file };
  return { gettext: file, lang };
}

/** Reads the input flags: exactly one corpus to split, or the parts of a split one (train and valid at least). */
export function prepareInput(flags: FlagValues): PrepareInput {
  const given = (names: readonly string[]): string[] => names.filter((n) => str(flags, n) !== undefined).map((n) => `--${n}`);
  const corpusFlags = given(['tsv', 'src', 'tgt', 'jsonl', 'gettext']);
  const partFlags = given(SPLIT_NAMES.flatMap((p) => [p, `${p}-src`, `${p}-tgt`]));
  if (partFlags.length === 0) {
    if (str(flags, 'format')) throw new UserError('s2s prepare: --format names the format of --train/--valid/--test files; the other inputs say theirs (--tsv, --jsonl, --gettext)');
    return { kind: 'corpus', spec: corpusSpec(flags), fractions: parseSplit(str(flags, 'split') ?? DEFAULT_SPLIT), seed: (flags.seed as number | undefined) ?? 0 };
  }
  if (corpusFlags.length > 0) {
    throw new UserError(`s2s prepare: ${corpusFlags[0]} (one corpus to split) and ${partFlags[0]} (a corpus already split) do not go together; give one corpus, or its parts with --train/--valid/--test`);
  }
  const randomSplit = [...given(['split']), ...(flags.seed !== undefined ? ['--seed'] : [])];
  if (randomSplit.length > 0) {
    throw new UserError(`s2s prepare: ${randomSplit[0]} sets how one corpus is split, but --train/--valid/--test give the split; drop ${randomSplit[0]}`);
  }
  const formatFlag = str(flags, 'format');
  const format = formatFlag === undefined ? undefined : (PART_FORMATS as readonly string[]).includes(formatFlag) ? (formatFlag as PartFormat) : undefined;
  if (formatFlag !== undefined && !format) throw new UserError(`s2s prepare: --format must be one of ${PART_FORMATS.join('|')}, got '${formatFlag}' (two line-aligned files: --train-src/--train-tgt)`);
  const lang = str(flags, 'lang');
  const parts = Object.fromEntries(SPLIT_NAMES.map((p) => [p, partSpec(flags, p, format, lang)])) as Record<SplitName, PairSpec | null>;
  for (const p of ['train', 'valid'] as const) {
    if (!parts[p]) throw new UserError(`s2s prepare: the ${p} part is missing; a corpus that comes split needs --train and --valid (and --test when it has one), each a file or a --${p}-src/--${p}-tgt pair`);
  }
  return { kind: 'parts', parts };
}

function corpusSpec(flags: FlagValues): PairSpec {
  const given: PairSpec[] = [];
  const tsv = str(flags, 'tsv');
  const jsonl = str(flags, 'jsonl');
  const gettext = str(flags, 'gettext');
  const src = str(flags, 'src');
  const tgt = str(flags, 'tgt');
  if (tsv) given.push({ tsv });
  if (jsonl) given.push({ jsonl });
  if (gettext) given.push({ gettext, lang: str(flags, 'lang') });
  if (src || tgt) {
    if (!src || !tgt) throw new UserError('s2s prepare: --src and --tgt go together; give both files');
    given.push({ src, tgt });
  }
  if (given.length !== 1) {
    throw new UserError(`s2s prepare: give exactly one input: --tsv FILE | --src FILE --tgt FILE | --jsonl FILE | --gettext PATH --lang LL, or the parts of a split corpus: --train A --valid B [--test C] (got ${given.length})`);
  }
  return given[0]!;
}

/** Every path the input reads, so that --out is never one of them. */
export function inputPaths(input: PrepareInput): string[] {
  const specs = input.kind === 'corpus' ? [input.spec] : SPLIT_NAMES.map((p) => input.parts[p]).filter((s): s is PairSpec => s !== null);
  return specs.flatMap((s) => Object.entries(s).filter(([k]) => k !== 'lang').map(([, v]) => v as string));
}

/**
 * Checks that every file of a split corpus can be read before any is: a missing test file is
 * reported at once, not after the whole train part has been read. (Catalog folders are checked
 * by their reader.) The messages are the readers' own.
 */
export async function checkPartsReadable(input: PrepareInput): Promise<void> {
  if (input.kind !== 'parts') return;
  for (const part of SPLIT_NAMES) {
    const spec = input.parts[part];
    if (!spec) continue;
    if ('tsv' in spec) await assertReadableFile(spec.tsv, 'TSV input');
    else if ('jsonl' in spec) await assertReadableFile(spec.jsonl, 'JSONL input');
    else if ('src' in spec) {
      await assertReadableFile(spec.src, 'source side');
      await assertReadableFile(spec.tgt, 'target side');
    }
  }
}
