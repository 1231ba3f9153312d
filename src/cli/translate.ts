import { assertReadableFile, readLines } from '../data/readers/files.js';
import { linesOfStream } from '../data/readers/lines.js';
import { loadEnsemble, loadRun, rescoreTranslations, withBackendFallback, type LoadRunOptions, type Rescorer, type TranslateOptions, type Translation } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { helpText, oneOf, parseFlags, type FlagSpec } from './args.js';

const SPECS: Record<string, FlagSpec> = {
  model: { type: 'string', repeatable: true, help: 'run folder written by s2s train; repeat it to decode with an ensemble (probabilities averaged each step)' },
  input: { type: 'string', help: 'read sources from this file instead of stdin' },
  beam: { type: 'int', min: 1, max: 1000, default: 5, help: 'beam size (1 = greedy)' },
  'n-best': { type: 'int', min: 1, max: 1000, default: 1, help: 'hypotheses per sentence (--json shows all; text mode prints them tab-separated)' },
  'length-penalty': { type: 'number', min: 0, default: 0, help: 'GNMT length penalty α' },
  'max-len-a': { type: 'number', min: 0, default: 2, help: 'output length limit a·|source| + b: a' },
  'max-len-b': { type: 'number', min: 0, default: 10, help: 'output length limit: b' },
  'batch-size': { type: 'int', min: 1, help: 'sentences decoded together (default 64 greedy, 16 with a beam)' },
  sample: { type: 'bool', help: 'sample each output token instead of searching (one output per line; --beam and --n-best do not apply)' },
  temperature: { type: 'number', above: 0, default: 1, help: 'sampling: divide the log-probabilities by this (> 0)' },
  'top-k': { type: 'int', min: 0, default: 0, help: 'sampling: only among the k most probable tokens (0 = all)' },
  seed: { type: 'int', min: 0, max: 4294967295, default: 0, help: 'sampling: line i of the input samples from seed + i (same seed, same output)' },
  json: { type: 'bool', help: 'print JSON lines: source, hypotheses with scores, tokens and attention' },
  rescore: { type: 'string', repeatable: true, help: 'run folder of a model that re-ranks each beam\'s n-best list (all --beam hypotheses): a hypothesis scores its search score + --rescore-weight × this model\'s log-probability of it; repeat it for an ensemble of rescorers. The classic rescorer is a run trained with --right-to-left' },
  'rescore-weight': { type: 'number', min: 0, default: 1, help: 'with --rescore: the weight of the rescorer\'s log-probability' },
  weights: { type: 'string', default: 'best', help: 'best|last|average: model.best.safetensors, model.safetensors or model.average.safetensors (s2s average)' },
  backend: { type: 'string', help: 'js|wasm (default: wasm where it loads)' },
  threads: { type: 'int', min: 1, max: 256, help: 'threads for the wasm backend' },
  help: { type: 'bool', help: 'show this help' },
};

const CMD = 'translate';

/** Source lines from --input or stdin; LF or CRLF end a line, a lone CR is content. */
function lines(file: string | undefined): AsyncGenerator<string> {
  return file ? readLines(file) : linesOfStream(process.stdin, 'stdin');
}

/** s2s translate: sources in (one a line), translations out in the same order, in batches. */
export async function run(argv: string[]): Promise<number> {
  const { flags, rest } = parseFlags(CMD, argv, SPECS);
  if (flags['help']) {
    console.log(helpText(CMD, 'translate text with a trained model (stdin → stdout, one line each)', SPECS));
    return 0;
  }
  if (rest.length > 0) throw new UserError(`s2s ${CMD}: unexpected argument '${rest[0]}'; give the input with --input FILE or on stdin`);
  const modelDirs = ((flags['model'] ?? []) as string[]).filter((m) => m !== '');
  if (modelDirs.length === 0) throw new UserError(`s2s ${CMD}: --model is required (a run folder written by s2s train)`);
  const beam = flags['beam'] as number;
  const nBest = flags['n-best'] as number;
  if (!(nBest >= 1 && nBest <= beam)) throw new UserError(`s2s ${CMD}: --n-best must be between 1 and --beam (${beam}), got ${nBest}`);
  const bs = flags['batch-size'];
  const sampling = flags['sample'] === true;
  const temperature = flags['temperature'] as number;
  const topK = flags['top-k'] as number;
  const seed = flags['seed'] as number;
  if (sampling && nBest > 1) throw new UserError(`s2s ${CMD}: --sample gives one output per line; drop --n-best ${nBest}`);
  const weights = oneOf(CMD, 'weights', flags['weights'], ['best', 'last', 'average'] as const);
  const backend = flags['backend'] === undefined ? undefined : oneOf(CMD, 'backend', flags['backend'], ['js', 'wasm'] as const);
  const rescoreDirs = ((flags['rescore'] ?? []) as string[]).filter((m) => m !== '');
  if (rescoreDirs.length > 0 && sampling) throw new UserError(`s2s ${CMD}: --rescore re-ranks the n-best list of a beam search, and --sample gives one output; drop one of them`);
  if (rescoreDirs.length > 0 && beam < 2) throw new UserError(`s2s ${CMD}: --rescore re-ranks the n-best list of a beam search; give --beam 2 or more (5 is usual)`);
  const input = typeof flags['input'] === 'string' ? flags['input'] : undefined;
  if (input) await assertReadableFile(input, 'translate --input');

  // One run, or an ensemble of several (EnsembleScorer: same codecs, probabilities averaged each step).
  const load = async (o: LoadRunOptions): Promise<{ translate(lines: readonly string[], opts?: TranslateOptions): Translation[] }> =>
    modelDirs.length === 1 ? loadRun(modelDirs[0]!, o) : loadEnsemble(modelDirs, o);
  const loaded = await withBackendFallback(backend, (b) => load({ weights, backend: b, threads: flags['threads'] as number | undefined }));
  // The rescorers run on the engine the models above chose.
  let rescorer: Rescorer | undefined;
  if (rescoreDirs.length === 1) rescorer = await loadRun(rescoreDirs[0]!, { weights });
  else if (rescoreDirs.length > 1) {
    const e = await loadEnsemble(rescoreDirs, { weights });
    rescorer = { model: e.scorer, codecs: e.codecs };
  }
  const rescoreWeight = flags['rescore-weight'] as number;
  const opts: TranslateOptions = {
    beam, nBest, lengthPenalty: flags['length-penalty'] as number, maxLenA: flags['max-len-a'] as number,
    maxLenB: flags['max-len-b'] as number, batchSize: bs as number | undefined,
    // Attention rows cost output × source length: only --json prints them.
    attention: flags['json'] === true,
    sample: sampling, temperature, topK, seed,
  };
  const json = flags['json'] === true;
  const chunk = Math.max(1, (opts.batchSize ?? (beam > 1 ? 16 : 64)) * 4);
  let pending: string[] = [];
  let done = 0; // lines translated so far: line i of the input samples from seed + i, whatever the chunking
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const sentenceSeeds = sampling ? pending.map((_, i) => seed + done + i) : undefined;
    // With a rescorer the search keeps its whole beam as the list to re-rank, then the best nBest stay.
    const results = rescorer
      ? rescoreTranslations(loaded.translate(pending, { ...opts, nBest: beam }), rescorer, { weight: rescoreWeight }).map((r) => ({ ...r, hypotheses: r.hypotheses.slice(0, nBest) }))
      : loaded.translate(pending, { ...opts, sentenceSeeds });
    done += pending.length;
    const text = results.map((r) => {
      if (json) {
        return JSON.stringify({
          source: r.source, source_tokens: r.sourceTokens,
          hypotheses: r.hypotheses.map((h) => ({ text: h.text, score: round(h.score), tokens: h.tokens, attention: h.attention.map((row) => row.map(round)) })),
        });
      }
      return r.hypotheses.map((h) => h.text).join('\t');
    }).join('\n') + '\n';
    pending = [];
    if (!process.stdout.write(text)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
  };
  for await (const line of lines(input)) {
    pending.push(line);
    if (pending.length >= chunk) await flush();
  }
  await flush();
  return 0;
}

function round(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e4) / 1e4 : x;
}
