import { buildCodecs, formatTsv, saveCodecs, writeFileAtomic, type CodecPair } from '../data/index.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { ensureFolderSync, joinPath } from '../platform/node-files.js';
import type { TrainOptions } from '../train/index.js';
import { UserError } from '../util/errors.js';
import { g2pEntries, g2pSplits, G2P_SPLIT, type G2pSplitSizes } from './g2p-data.js';
import { trainEnsemblePlan } from './g2p-ensemble.js';
import { g2pScore } from './g2p-score.js';
import { peerReport } from './peer.js';
import { describeModel, GREEDY_AND_BEAM5, trainAndDecode, writeTestOutputs } from './pipeline.js';
import type { Recipe, RecipeContext, RecipeReport, Scores, TextSplits } from './types.js';

/**
 * g2p-cmudict: grapheme-to-phoneme conversion on the CMU Pronouncing Dictionary (npm
 * `cmu-pronouncing-dictionary`, a devDependency: only this recipe reads it). docs/recipes.md
 * has the data, the split, the settings and how they were chosen (docs/training.md).
 */

/** The model and training settings of the full recipe (chosen by the equal-time experiments in docs/training.md). */
export const G2P_MODEL: Partial<Seq2SeqConfig> = { arch: 'lstm', attention: 'general', bidirectional: true, layers: 2, emb: 64, hidden: 192, dropout: 0 };
export const G2P_OPTIONS: Partial<TrainOptions> = {
  batchTokens: 500, lr: 0.003, schedule: 'linear', clip: 5, labelSmoothing: 0.1, validEvery: 4000, validDecode: 200, metric: 'wer', patience: 0, logEvery: 50,
};
export const G2P_MINUTES = 20;
/** The lr falls to 0 by the end of the budget (linear), so the last weights are decoded, not the best of the noisy 200-word validations. */
export const G2P_WEIGHTS = 'last';

/** Quick mode: a small slice of the same split and a smaller model, for the end-to-end test. */
export const G2P_QUICK_SPLIT: G2pSplitSizes = { test: 400, valid: 100, train: 2500 };
export const G2P_QUICK_MODEL: Partial<Seq2SeqConfig> = { ...G2P_MODEL, layers: 1, hidden: 64 };
/** A fixed number of steps, so the test's score does not depend on the machine's load; the time is only a cap against a hang. */
export const G2P_QUICK_OPTIONS: Partial<TrainOptions> = { ...G2P_OPTIONS, batchTokens: 250, lr: 0.01, maxSteps: 300, validEvery: 150, validDecode: 100 };
export const G2P_QUICK_SECONDS = 600;

export const G2P_ANCHORS = [
  'LSTM encoder-decoder 28.6% WER / 7.6% PER (Yao & Zweig 2015, CMUdict classic split)',
  'Phonetisaurus 8-gram FST 24.4% WER (classic split)',
  '3-layer Transformer 20.2–23.8% WER (g2p-seq2seq; Cisco g2p_seq2seq_pytorch)',
];

async function loadDictionary(): Promise<Record<string, string>> {
  try {
    const mod = (await import('cmu-pronouncing-dictionary')) as { dictionary: Record<string, string> };
    return mod.dictionary;
  } catch {
    throw new UserError('recipe g2p-cmudict: the npm package cmu-pronouncing-dictionary is not installed; run npm install (it is a devDependency of s2s)');
  }
}

/** Writes DATA/{train,valid,test}.tsv and codecs.json (test: one line per reference pronunciation). */
async function writeData(dir: string, splits: TextSplits): Promise<void> {
  ensureFolderSync(dir);
  await writeFileAtomic(joinPath(dir, 'train.tsv'), formatTsv(splits.train));
  await writeFileAtomic(joinPath(dir, 'valid.tsv'), formatTsv(splits.valid));
  await writeFileAtomic(joinPath(dir, 'test.tsv'), formatTsv(splits.test.flatMap((t) => t.refs.map((r) => ({ src: t.src, tgt: r })))));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function scoreOf(hyps: readonly string[], refs: readonly (readonly string[])[]): Scores {
  const s = g2pScore(hyps, refs);
  return { WER: round2(s.WER), PER: round2(s.PER) };
}

function scoresOf(outputs: Record<string, string[]>, refs: readonly (readonly string[])[]): Record<string, Scores> {
  const r: Record<string, Scores> = {};
  for (const [name, hyps] of Object.entries(outputs)) r[name] = scoreOf(hyps, refs);
  return r;
}

interface EnsembleInputs {
  codecs: CodecPair;
  splits: TextSplits;
  seconds: number;
  model: Partial<Seq2SeqConfig>;
  options: Partial<TrainOptions>;
  refs: string[][];
  data: RecipeReport['data'];
}

/** --ensemble: the plan of g2p-ensemble.ts, scored and reported like the recipe's one model. */
async function ensembleReport(ctx: RecipeContext, e: EnsembleInputs): Promise<RecipeReport> {
  const r = await trainEnsemblePlan({
    dir: joinPath(ctx.out, 'ensemble'), codecs: e.codecs, train: e.splits.train, valid: e.splits.valid, seconds: e.seconds, seed: ctx.seed, quick: ctx.quick,
    lstm: e.model, lstmOptions: e.options, testSources: e.splits.test.map((t) => t.src), say: ctx.say,
  });
  await writeTestOutputs(ctx.out, r.outputs);
  await writeTestOutputs(ctx.out, r.memberOutputs, (name) => `test.${name}.beam5.txt`);
  const sum = (f: (m: (typeof r.members)[number]) => number): number => r.members.reduce((a, m) => a + f(m), 0);
  const backward = r.members.filter((m) => m.direction === 'right-to-left').length;
  const minutes = ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : '';
  return {
    recipe: 'g2p-cmudict', quick: ctx.quick, data: e.data,
    model: `${r.members.length} LSTM runs trained in two one-thread lanes: ${r.members[0]?.model ?? 'LSTM'}; ${r.members.length - backward} left to right as an ensemble, ${backward} right to left re-ranking its beam-5 lists`,
    params: sum((m) => m.params), threads: 2,
    // steps, epochs and tokens summed over the members; the time is the two lanes' wall time
    train: { seconds: Math.round(r.seconds), steps: sum((m) => m.train.steps), epochs: sum((m) => m.train.epochs), tokPerS: Math.round(sum((m) => m.train.tokPerS * m.train.seconds) / r.seconds) },
    scores: scoresOf(r.outputs, e.refs),
    anchors: G2P_ANCHORS,
    command: `s2s recipe g2p-cmudict${ctx.quick ? ' --quick' : ''} --ensemble${minutes}`,
    extra: {
      decodeSeconds: r.decodeSeconds, weights: 'last',
      members: r.members.map((m) => ({ ...m, beam5: scoreOf(r.memberOutputs[m.name]!, e.refs) })),
    },
  };
}

export const g2pCmudict: Recipe = {
  name: 'g2p-cmudict',
  ensemble: 'the recipe\'s LSTM trained six times in three rounds of two one-thread runs at once (a third of the time each, seeds SEED..SEED+5; one run of each round writes right to left); the three left-to-right runs decode the test words as an ensemble, and the three right-to-left runs re-rank its beam-5 lists',
  summary: 'grapheme-to-phoneme on CMUdict (stress removed, every pronunciation a reference): WER/PER, greedy and beam 5',
  async run(ctx: RecipeContext): Promise<RecipeReport> {
    const entries = g2pEntries(await loadDictionary());
    const splits = g2pSplits(entries, ctx.quick ? G2P_QUICK_SPLIT : G2P_SPLIT, ctx.seed);
    const dataDir = joinPath(ctx.out, 'data');
    await writeData(dataDir, splits);
    const codecs = buildCodecs(splits.train, { tokenizer: 'space' });
    await saveCodecs(joinPath(dataDir, 'codecs.json'), codecs);
    const trainWords = new Set(splits.train.map((p) => p.src)).size;
    ctx.say(`g2p-cmudict: ${entries.size} words; train ${trainWords} words (${splits.train.length} pronunciations), valid ${splits.valid.length}, test ${splits.test.length}`);

    const seconds = (ctx.minutes !== undefined ? ctx.minutes * 60 : ctx.quick ? G2P_QUICK_SECONDS : G2P_MINUTES * 60);
    const model = ctx.quick ? G2P_QUICK_MODEL : G2P_MODEL;
    const options = { ...(ctx.quick ? G2P_QUICK_OPTIONS : G2P_OPTIONS), maxTime: seconds, seed: ctx.seed };
    const refs = splits.test.map((t) => t.refs);
    const data = { train: trainWords, valid: splits.valid.length, test: splits.test.length, note: `words; train has ${splits.train.length} pronunciations` };
    if (ctx.ensemble) return ensembleReport(ctx, { codecs, splits, seconds, model, options, refs, data });
    // The peer starts now, so both train over the same minutes of this machine.
    const peerArgs = ['--data', dataDir, '--minutes', String(ctx.peerMinutes ?? seconds / 60), '--threads', String(ctx.threads), '--out', joinPath(ctx.out, 'peer'), '--seed', String(ctx.seed)];
    // Quick mode gives the peer the same small model (a test of the pipeline, not a comparison).
    const peer = ctx.startPeer?.('recipe_torch.py', ctx.quick ? [...peerArgs, '--emb', String(model.emb), '--hidden', String(model.hidden)] : peerArgs);
    const r = await trainAndDecode({
      runDir: joinPath(ctx.out, 'run'), codecs, train: splits.train, valid: splits.valid, model, options,
      testSources: splits.test.map((t) => t.src), decodings: GREEDY_AND_BEAM5, weights: G2P_WEIGHTS, say: ctx.say,
    });
    await writeTestOutputs(ctx.out, r.outputs);
    const report: RecipeReport = {
      recipe: 'g2p-cmudict', quick: ctx.quick,
      data,
      model: describeModel(model, r.params), params: r.params, threads: ctx.threads,
      train: { seconds: r.train.seconds, steps: r.train.steps, epochs: r.train.epochs, tokPerS: r.train.tokPerS },
      scores: scoresOf(r.outputs, refs),
      anchors: G2P_ANCHORS,
      command: `s2s recipe g2p-cmudict${ctx.quick ? ' --quick' : ''}${ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : ''} --threads ${ctx.threads}${ctx.startPeer ? ' --peer' : ''}${ctx.peerMinutes !== undefined ? ` --peer-minutes ${ctx.peerMinutes}` : ''}`,
      extra: { decodeSeconds: r.decodeSeconds, options, weights: G2P_WEIGHTS, stop: r.train.reason },
    };
    if (peer) {
      const p = await peer;
      report.peer = await peerReport(p, (lines) => scoreOf(refs.map((_, i) => lines[i] ?? ''), refs));
      // the peer's own JSON scores are kept beside ours as a cross-check
      report.extra = { ...report.extra, peerOwnScores: p['scores'] };
    }
    return report;
  },
};
