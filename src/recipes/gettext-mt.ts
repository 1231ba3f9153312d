import { buildCodecs, formatTsv, readTsv, saveCodecs, writeFileAtomic, type CodecPair, type TextCodec, type TextPair } from '../data/index.js';
import { computeMetric } from '../metrics/index.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { ensureFolderSync, joinPath, pathKind, readTextFile } from '../platform/node-files.js';
import { CONSTANT_LR_NO_SMOOTHING, type TrainOptions } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { peerReport } from './peer.js';
import { describeModel, GREEDY_AND_BEAM5, LENGTH_PENALTIES, pickLengthPenalty, trainAndDecode, writeTestOutputs, type LengthPenaltyChoice } from './pipeline.js';
import type { PeerOutput, Recipe, RecipeContext, RecipeReport, Scores } from './types.js';

/**
 * gettext-mt: English → German software messages (the gettext catalogs of a Debian machine, the
 * corpus in ../shared/data), BPE on each side, a bidirectional LSTM with attention; BLEU and
 * chrF (sacreBLEU-exact) of greedy and beam-5 decoding, and of beam 5 with the length penalty
 * that the validation set picks (the beam's output runs short: docs/training.md). `--input DIR` reads another corpus with
 * the same files, e.g. one rebuilt from a machine's catalogs by `s2s prepare --gettext`.
 */

export const GETTEXT_DEFAULT_INPUT = '../shared/data';

export const GETTEXT_MODEL: Partial<Seq2SeqConfig> = { arch: 'lstm', attention: 'general', bidirectional: true, layers: 1, emb: 256, hidden: 256, dropout: 0.2 };
/**
 * Adam at lr 0.002 falling linearly to 0 over the minutes given, label smoothing 0.1, the last
 * weights decoded. On the 2026-12-07 machine (six epochs in 20 minutes on one thread) that gave
 * 28.48 BLEU with beam 5 against 25.75–26.40 for the constant lr 0.001 it replaced; on the Intel
 * machine of 2026-12-01 (under two epochs) neither won (docs/training.md, "gettext-mt: the
 * schedule at 20 minutes").
 */
export const GETTEXT_OPTIONS: Partial<TrainOptions> = {
  batchTokens: 2000, lr: 0.002, schedule: 'linear', labelSmoothing: 0.1, clip: 5, validEvery: 1000, validDecode: 200, metric: 'bleu', patience: 0, logEvery: 50,
};
export const GETTEXT_WEIGHTS = 'last';
/**
 * BPE merges a side. 4,000 beat 8,000 by 4 BLEU at 20 minutes (33.73 against 29.78 with beam 5,
 * side by side, 2026-12-07; docs/training.md, "gettext-mt: BPE merges at 20 minutes"): a 4k-wide
 * output layer makes each step cheaper and each piece more often seen.
 */
export const GETTEXT_MERGES = 4000;
export const GETTEXT_MINUTES = 20;

/**
 * Quick mode: the first pairs of each split (up to 12 words a source), a small model, a fixed
 * number of steps. It keeps a constant lr without smoothing: in 300 steps the falling lr and
 * smoothing learn less (chrF 4.8 with beam 5 against the test's bound of 4).
 */
export const GETTEXT_QUICK = { train: 3000, valid: 100, test: 200, maxWords: 12, merges: 1000 };
export const GETTEXT_QUICK_MODEL: Partial<Seq2SeqConfig> = { ...GETTEXT_MODEL, emb: 64, hidden: 128, dropout: 0 };
export const GETTEXT_QUICK_OPTIONS: Partial<TrainOptions> = { ...GETTEXT_OPTIONS, ...CONSTANT_LR_NO_SMOOTHING, batchTokens: 500, lr: 0.003, maxSteps: 300, validEvery: 150, validDecode: 50 };
export const GETTEXT_QUICK_SECONDS = 600;

export const GETTEXT_ANCHORS = ['no published result on this corpus (built from this machine\'s catalogs); the bar of issue 9: s2s at 20 min ≥ the PyTorch peer\'s BLEU after 60 min'];

/** The split files of DIR: train.tsv/valid.tsv/test.tsv (an s2s prepare folder) or gettext-en-de.{train,valid,test}.tsv (../shared/data). */
async function splitFiles(dir: string): Promise<Record<'train' | 'valid' | 'test', string>> {
  for (const prefix of ['', 'gettext-en-de.']) {
    const files = { train: joinPath(dir, `${prefix}train.tsv`), valid: joinPath(dir, `${prefix}valid.tsv`), test: joinPath(dir, `${prefix}test.tsv`) };
    if ((await pathKind(files.train)) === 'file' && (await pathKind(files.valid)) === 'file' && (await pathKind(files.test)) === 'file') return files;
  }
  throw new UserError(`recipe gettext-mt: ${dir} has no train.tsv/valid.tsv/test.tsv (nor gettext-en-de.*.tsv); give --input DIR (e.g. a folder from s2s prepare --gettext /usr/share/locale --lang de --out DIR)`);
}

async function readPairs(file: string): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const p of readTsv(file)) out.push({ src: p.src, tgt: p.tgt });
  return out;
}

function quickSlice(pairs: TextPair[], n: number): TextPair[] {
  return pairs.filter((p) => p.src.split(' ').length <= GETTEXT_QUICK.maxWords).slice(0, n);
}

/**
 * The pairs as the peer reads them: each side as its BPE pieces (the ones s2s's vocabulary knows)
 * separated by spaces, so both toolkits learn from the same tokens.
 */
export function tokenizedTsv(pairs: readonly TextPair[], codecs: CodecPair): string {
  return formatTsv(pairs.map((p) => ({ src: codecs.src.tokenize(p.src).join(' '), tgt: codecs.tgt.tokenize(p.tgt).join(' ') })));
}

/** A line of the peer's output (pieces separated by spaces, <unk> for an unknown one) → text. */
export function piecesToText(line: string, codec: TextCodec): string {
  return codec.tokenizer.decode(line.split(' ').filter((t) => t !== '' && t !== '<unk>'));
}

export function mtScores(hyps: readonly string[], refs: readonly string[]): Scores {
  const r = refs.map((x) => [x]);
  const round2 = (x: number): number => Math.round(x * 100) / 100;
  return { BLEU: round2(computeMetric('bleu', hyps, r).score), chrF: round2(computeMetric('chrf', hyps, r).score) };
}

function bleuOf(hyps: readonly string[], refs: readonly string[]): number {
  return computeMetric('bleu', hyps, refs.map((x) => [x])).score;
}

/**
 * The peer's length penalty, picked on its validation outputs (valid.beam5-lpα[@M].txt) the
 * way s2s's is: for each of its decodings ('' and '@M'), the α with the best validation BLEU, whose
 * test scores become `beam5-lp[@M]`; the per-α test scores leave the table.
 */
export async function pickPeerLengthPenalty(p: PeerOutput, scores: Record<string, Scores>, validRefs: readonly string[], codec: TextCodec): Promise<Record<string, LengthPenaltyChoice>> {
  const files = (p['valid_outputs'] ?? {}) as Record<string, string>;
  const bySuffix = new Map<string, Map<number, number>>();
  for (const [name, file] of Object.entries(files)) {
    const m = /^beam5-lp([0-9.]+)(@.*)?$/.exec(name);
    if (!m) continue;
    const text = await readTextFile(file);
    const lines = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
    const suffix = m[2] ?? '';
    if (!bySuffix.has(suffix)) bySuffix.set(suffix, new Map());
    bySuffix.get(suffix)!.set(Number(m[1]), bleuOf(validRefs.map((_, i) => piecesToText(lines[i] ?? '', codec)), validRefs));
  }
  const choices: Record<string, LengthPenaltyChoice> = {};
  for (const [suffix, byAlpha] of bySuffix) {
    const choice = pickLengthPenalty(byAlpha);
    choices[`beam5-lp${suffix}`] = choice;
    const picked = scores[`beam5-lp${choice.alpha}${suffix}`];
    if (picked) scores[`beam5-lp${suffix}`] = picked;
    for (const alpha of byAlpha.keys()) delete scores[`beam5-lp${alpha}${suffix}`];
  }
  return choices;
}

export const gettextMt: Recipe = {
  name: 'gettext-mt',
  summary: 'English→German software messages (gettext catalogs; --input DIR): BPE, biLSTM + attention, BLEU/chrF greedy, beam 5, and beam 5 with a length penalty picked on valid',
  async run(ctx: RecipeContext): Promise<RecipeReport> {
    const files = await splitFiles(ctx.input ?? GETTEXT_DEFAULT_INPUT);
    let [train, valid, test] = [await readPairs(files.train), await readPairs(files.valid), await readPairs(files.test)];
    if (ctx.quick) [train, valid, test] = [quickSlice(train, GETTEXT_QUICK.train), quickSlice(valid, GETTEXT_QUICK.valid), quickSlice(test, GETTEXT_QUICK.test)];
    const codecs = buildCodecs(train, { tokenizer: 'bpe', merges: ctx.quick ? GETTEXT_QUICK.merges : GETTEXT_MERGES });
    const dataDir = joinPath(ctx.out, 'data');
    ensureFolderSync(dataDir);
    await saveCodecs(joinPath(dataDir, 'codecs.json'), codecs);
    // the split as used, so s2s train --data DIR/data reruns it with the same codecs
    for (const [name, pairs] of [['train', train], ['valid', valid], ['test', test]] as const) await writeFileAtomic(joinPath(dataDir, `${name}.tsv`), formatTsv(pairs));
    ctx.say(`gettext-mt: ${files.train}: train ${train.length}, valid ${valid.length}, test ${test.length} pairs; BPE vocabularies ${codecs.src.vocab.size} / ${codecs.tgt.vocab.size}`);
    const seconds = ctx.minutes !== undefined ? ctx.minutes * 60 : ctx.quick ? GETTEXT_QUICK_SECONDS : GETTEXT_MINUTES * 60;
    const model = ctx.quick ? GETTEXT_QUICK_MODEL : GETTEXT_MODEL;
    const options = { ...(ctx.quick ? GETTEXT_QUICK_OPTIONS : GETTEXT_OPTIONS), maxTime: seconds, seed: ctx.seed };
    let peer: Promise<PeerOutput> | undefined;
    if (ctx.startPeer) {
      // The peer learns from the same BPE pieces and starts now, so both train over the same minutes.
      const piecesDir = joinPath(dataDir, 'pieces');
      ensureFolderSync(piecesDir);
      await writeFileAtomic(joinPath(piecesDir, 'train.tsv'), tokenizedTsv(train, codecs));
      await writeFileAtomic(joinPath(piecesDir, 'valid.tsv'), tokenizedTsv(valid, codecs));
      await writeFileAtomic(joinPath(piecesDir, 'test.tsv'), tokenizedTsv(test, codecs));
      const peerMinutes = ctx.peerMinutes ?? seconds / 60;
      const args = ['--data', piecesDir, '--minutes', String(peerMinutes), '--threads', String(ctx.threads), '--out', joinPath(ctx.out, 'peer'), '--seed', String(ctx.seed), '--score', 'none'];
      // its beam's outputs under each length penalty too, test and valid, for α to be picked on valid as s2s's is
      args.push('--valid', joinPath(piecesDir, 'valid.tsv'), ...LENGTH_PENALTIES.flatMap((a) => ['--length-penalty', String(a)]));
      // a peer that trains longer also decodes at s2s's minutes, so the report has both comparisons
      if (peerMinutes > seconds / 60) args.push('--decode-at', String(seconds / 60));
      // Quick mode gives the peer the same small model (a test of the pipeline, not a comparison).
      peer = ctx.startPeer('recipe_torch.py', ctx.quick ? [...args, '--emb', String(model.emb), '--hidden', String(model.hidden), '--dropout', String(model.dropout)] : args);
    }
    const validRefs = valid.map((p) => p.tgt);
    const r = await trainAndDecode({
      runDir: joinPath(ctx.out, 'run'), codecs, train, valid, model, options,
      testSources: test.map((p) => p.src), decodings: GREEDY_AND_BEAM5, weights: GETTEXT_WEIGHTS, say: ctx.say,
      lengthPenalty: { validSources: valid.map((p) => p.src), score: (hyps) => bleuOf(hyps, validRefs) },
    });
    const scores: Record<string, Scores> = {};
    await writeTestOutputs(ctx.out, r.outputs);
    for (const [name, hyps] of Object.entries(r.outputs)) {
      scores[name] = mtScores(hyps, test.map((p) => p.tgt));
    }
    const report: RecipeReport = {
      recipe: 'gettext-mt', quick: ctx.quick,
      data: { train: train.length, valid: valid.length, test: test.length, note: 'pairs' },
      model: `${describeModel(model, r.params)}, BPE ${ctx.quick ? GETTEXT_QUICK.merges : GETTEXT_MERGES} merges a side`, params: r.params, threads: ctx.threads,
      train: { seconds: r.train.seconds, steps: r.train.steps, epochs: r.train.epochs, tokPerS: r.train.tokPerS },
      scores, anchors: GETTEXT_ANCHORS,
      command: `s2s recipe gettext-mt${ctx.quick ? ' --quick' : ''}${ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : ''} --threads ${ctx.threads}${ctx.input ? ` --input ${ctx.input}` : ''}${ctx.startPeer ? ' --peer' : ''}${ctx.peerMinutes !== undefined ? ` --peer-minutes ${ctx.peerMinutes}` : ''}`,
      extra: { decodeSeconds: r.decodeSeconds, options, weights: GETTEXT_WEIGHTS, stop: r.train.reason, lengthPenalty: r.lengthPenalty },
    };
    if (peer) {
      const refs = test.map((p) => p.tgt);
      const p = await peer;
      report.peer = await peerReport(p, (lines) => mtScores(refs.map((_, i) => piecesToText(lines[i] ?? '', codecs.tgt)), refs));
      const peerLengthPenalty = await pickPeerLengthPenalty(p, report.peer.scores, validRefs, codecs.tgt);
      report.extra = { ...report.extra, peerLengthPenalty };
      if (p['at'] !== undefined) report.extra = { ...report.extra, peerAt: p['at'] };
    }
    return report;
  },
};
