import { buildCodecs, readTsv, saveCodecs, type TextPair } from '../data/index.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { ensureFolderSync, joinPath } from '../platform/node-files.js';
import { CONSTANT_LR_NO_SMOOTHING, type TrainOptions } from '../train/index.js';
import { GETTEXT_DEFAULT_INPUT, mtScores } from './gettext-mt.js';
import { describeModel, GREEDY_AND_BEAM5, trainAndDecode, writeTestOutputs } from './pipeline.js';
import type { Recipe, RecipeContext, RecipeReport, Scores } from './types.js';

/**
 * seed-lstm: the character-level LSTM encoder-decoder without attention — the model of the Keras
 * `lstm_seq2seq` example that started the project (one LSTM layer of 256 each side, characters
 * in and out) — next to the same model with attention, trained for the same time on the gettext
 * corpus. A table of BLEU/chrF by source length shows what attention buys as inputs grow.
 */

export const SEED_MODEL: Partial<Seq2SeqConfig> = { arch: 'lstm', attention: 'none', bidirectional: false, layers: 1, emb: 64, hidden: 256, dropout: 0.1 };
export const SEED_OPTIONS: Partial<TrainOptions> = { ...CONSTANT_LR_NO_SMOOTHING, batchTokens: 4000, lr: 0.002, clip: 5, validEvery: 1000, validDecode: 100, metric: 'chrf', patience: 0, logEvery: 50 };
/** Minutes for each of the two models. */
export const SEED_MINUTES = 20;
export const SEED_QUICK = { train: 2000, valid: 50, test: 150, maxWords: 8 };
export const SEED_QUICK_MODEL: Partial<Seq2SeqConfig> = { ...SEED_MODEL, emb: 32, hidden: 96, dropout: 0 };
export const SEED_QUICK_OPTIONS: Partial<TrainOptions> = { ...SEED_OPTIONS, batchTokens: 1500, lr: 0.005, maxSteps: 150, validEvery: 150, validDecode: 25 };
export const SEED_QUICK_SECONDS = 600;

/** Source-length buckets, in words. */
export const LENGTH_BUCKETS: readonly [number, number][] = [[1, 2], [3, 5], [6, 10], [11, 20], [21, 40]];

async function readPairs(file: string): Promise<TextPair[]> {
  const out: TextPair[] = [];
  for await (const p of readTsv(file)) out.push({ src: p.src, tgt: p.tgt });
  return out;
}

/** BLEU/chrF of each bucket of the test set by source length (empty buckets left out). */
export function bucketScores(test: readonly TextPair[], hyps: readonly string[]): { bucket: string; n: number; scores: Scores }[] {
  const rows: { bucket: string; n: number; scores: Scores }[] = [];
  for (const [lo, hi] of LENGTH_BUCKETS) {
    const idx = test.map((p, i) => [p.src.split(' ').length, i] as const).filter(([n]) => n >= lo && n <= hi).map(([, i]) => i);
    if (idx.length === 0) continue;
    rows.push({ bucket: `${lo}–${hi}`, n: idx.length, scores: mtScores(idx.map((i) => hyps[i]!), idx.map((i) => test[i]!.tgt)) });
  }
  return rows;
}

export const seedLstm: Recipe = {
  name: 'seed-lstm',
  summary: 'char-level LSTM encoder-decoder without vs with attention on the gettext corpus: BLEU/chrF by source length',
  async run(ctx: RecipeContext): Promise<RecipeReport> {
    const dir = ctx.input ?? GETTEXT_DEFAULT_INPUT;
    const f = (s: string): string => joinPath(dir, `gettext-en-de.${s}.tsv`);
    let [train, valid, test] = [await readPairs(f('train')), await readPairs(f('valid')), await readPairs(f('test'))];
    if (ctx.quick) {
      const short = (ps: TextPair[], n: number): TextPair[] => ps.filter((p) => p.src.split(' ').length <= SEED_QUICK.maxWords).slice(0, n);
      [train, valid, test] = [short(train, SEED_QUICK.train), short(valid, SEED_QUICK.valid), short(test, SEED_QUICK.test)];
    }
    const codecs = buildCodecs(train, { tokenizer: 'char' });
    ensureFolderSync(joinPath(ctx.out, 'data'));
    await saveCodecs(joinPath(ctx.out, 'data', 'codecs.json'), codecs);
    ctx.say(`seed-lstm: train ${train.length}, valid ${valid.length}, test ${test.length} pairs; characters ${codecs.src.vocab.size} / ${codecs.tgt.vocab.size}`);
    const seconds = ctx.minutes !== undefined ? ctx.minutes * 60 : ctx.quick ? SEED_QUICK_SECONDS : SEED_MINUTES * 60;
    const base = ctx.quick ? SEED_QUICK_MODEL : SEED_MODEL;
    const options = { ...(ctx.quick ? SEED_QUICK_OPTIONS : SEED_OPTIONS), maxTime: seconds, seed: ctx.seed };
    const scores: Record<string, Scores> = {};
    const buckets: Record<string, ReturnType<typeof bucketScores>> = {};
    const runs: Record<string, unknown> = {};
    let params = 0;
    let trainFacts: RecipeReport['train'] = { seconds: 0, steps: 0, epochs: 0, tokPerS: 0 };
    // The Keras model first, then the same one with attention (and, as s2s does with attention, input feeding).
    for (const [label, model] of [['no-attention', base], ['attention', { ...base, attention: 'general' }]] as const) {
      ctx.say(`seed-lstm: ${label}`);
      const r = await trainAndDecode({
        runDir: joinPath(ctx.out, `run-${label}`), codecs, train, valid, model, options,
        testSources: test.map((p) => p.src), decodings: GREEDY_AND_BEAM5, say: ctx.say,
      });
      await writeTestOutputs(ctx.out, r.outputs, (name) => `test.${label}.${name}.txt`);
      for (const [name, hyps] of Object.entries(r.outputs)) {
        scores[label === 'attention' ? name : `${label} ${name}`] = mtScores(hyps, test.map((p) => p.tgt));
        buckets[`${label} ${name}`] = bucketScores(test, hyps);
      }
      runs[label] = { model: describeModel(model, r.params), ...r.train, decodeSeconds: r.decodeSeconds };
      if (label === 'attention') {
        params = r.params;
        trainFacts = { seconds: r.train.seconds, steps: r.train.steps, epochs: r.train.epochs, tokPerS: r.train.tokPerS };
      }
    }
    return {
      recipe: 'seed-lstm', quick: ctx.quick,
      data: { train: train.length, valid: valid.length, test: test.length, note: 'pairs' },
      model: `char-level ${describeModel({ ...base, attention: 'general' }, params)} (scores: with attention; the no-attention model's in extra)`,
      params, threads: ctx.threads, train: trainFacts, scores,
      anchors: ['Keras lstm_seq2seq example (char-level, no attention, latent 256): no published score'],
      command: `s2s recipe seed-lstm${ctx.quick ? ' --quick' : ''}${ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : ''} --threads ${ctx.threads}${ctx.input ? ` --input ${ctx.input}` : ''}`,
      extra: { runs, buckets, bucketTable: bucketTable(buckets), options },
    };
  },
};

/** Markdown: one row per bucket, BLEU / chrF of each model (beam 5). */
export function bucketTable(buckets: Record<string, ReturnType<typeof bucketScores>>): string {
  const none = buckets['no-attention beam5'] ?? [];
  const att = buckets['attention beam5'] ?? [];
  const lines = ['| source words | sentences | no attention BLEU / chrF | attention BLEU / chrF |', '| --- | ---: | --- | --- |'];
  none.forEach((row, i) => {
    const a = att[i];
    const f = (s: Scores | undefined): string => (s ? `${s['BLEU']!.toFixed(1)} / ${s['chrF']!.toFixed(1)}` : '—');
    lines.push(`| ${row.bucket} | ${row.n} | ${f(row.scores)} | ${f(a?.scores)} |`);
  });
  return lines.join('\n');
}
