import { readFileSync } from 'node:fs';
import { helpText, oneOf, parseFlags, requireFlag, type FlagSpec } from './args.js';
import { fileErrorReason, UserError } from '../util/errors.js';
import { splitLines } from '../data/readers/split-lines.js';
import { BLEU_TOKENIZERS, METRIC_NAMES, computeMetric, parseMetricName, type MetricName } from '../metrics/index.js';

/**
 * `s2s eval`: scores a hypothesis file against one or more reference files (one segment per
 * line, line i of every file belongs together) and prints one line per metric, in sacreBLEU's
 * text format for BLEU/chrF/TER, or one JSON object with `--json`.
 */

const SPECS: Record<string, FlagSpec> = {
  metric: { type: 'string', default: 'bleu', help: `comma-separated metrics: ${METRIC_NAMES.join(',')}` },
  hyp: { type: 'string', help: 'hypothesis file, one segment per line' },
  ref: { type: 'string', repeatable: true, help: 'reference file; repeat --ref for several references' },
  json: { type: 'bool', help: 'print one JSON object instead of text lines' },
  lowercase: { type: 'bool', help: 'case-insensitive BLEU/chrF/WER/CER/PER/exact (TER and ROUGE always are)' },
  tokenize: { type: 'string', default: '13a', help: `BLEU tokenizer: ${BLEU_TOKENIZERS.join('|')}` },
  help: { type: 'bool', help: 'show this help' },
};

const SUMMARY = 'score hypotheses against references (BLEU, chrF, TER as sacreBLEU 2.6; WER, CER, PER, exact, ROUGE)';

/** The file's lines (LF or CRLF endings, a lone CR is content; see splitLines). */
function readLines(path: string, what: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UserError(`${path}: ${fileErrorReason(err)} (the ${what} file of s2s eval); check the path`);
  }
  return splitLines(text);
}

export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags('eval', argv, SPECS);
  if (flags.help) {
    console.log(helpText('eval', SUMMARY, SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s eval: unexpected argument '${rest[0]}'; give files with --hyp and --ref`);

  const metrics: MetricName[] = String(flags.metric)
    .split(',')
    .filter((m) => m.trim() !== '')
    .map((m) => {
      try {
        return parseMetricName(m);
      } catch {
        throw new UserError(`s2s eval: unknown metric '${m}'; valid metrics: ${METRIC_NAMES.join(', ')}`);
      }
    });
  if (metrics.length === 0) throw new UserError(`s2s eval: --metric is empty; valid metrics: ${METRIC_NAMES.join(', ')}`);
  const tokenize = oneOf('eval', 'tokenize', flags.tokenize, BLEU_TOKENIZERS);
  const hypPath = requireFlag('eval', flags, 'hyp', 'the hypothesis file');
  const refPaths = (flags.ref as string[] | undefined) ?? [];
  if (refPaths.length === 0) throw new UserError('s2s eval: --ref is required (a reference file; repeat it for several)');

  const hyps = readLines(hypPath, 'hypothesis');
  const streams = refPaths.map((p) => readLines(p, 'reference'));
  streams.forEach((lines, k) => {
    if (lines.length !== hyps.length) {
      throw new UserError(
        `s2s eval: ${hypPath} has ${hyps.length} lines but ${refPaths[k]} has ${lines.length}; every line must be one segment; give files with one line per segment`,
      );
    }
  });
  const refs = hyps.map((_, i) => streams.map((s) => s[i]!));

  const opts = { lowercase: Boolean(flags.lowercase), tokenize };
  const results = metrics.map((m) => computeMetric(m, hyps, refs, opts));

  if (flags.json) {
    const out = {
      hyp: hypPath,
      refs: refPaths,
      segments: hyps.length,
      metrics: results.map((r) => ({ name: r.name, score: r.score, higherIsBetter: r.higherIsBetter, signature: r.signature, line: r.line, ...r.details })),
    };
    console.log(JSON.stringify(out));
  } else {
    for (const r of results) console.log(r.line);
  }
  return 0;
}
