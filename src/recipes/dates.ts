import { buildCodecs, formatTsv, saveCodecs, writeFileAtomic } from '../data/index.js';
import { dateSplits, DATE_FORMATS } from '../demo/dates.js';
import { computeMetric } from '../metrics/index.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { ensureFolderSync, joinPath } from '../platform/node-files.js';
import { CONSTANT_LR_NO_SMOOTHING, type TrainOptions } from '../train/index.js';
import { describeModel, GREEDY_AND_BEAM5, trainAndDecode, writeTestOutputs } from './pipeline.js';
import type { Recipe, RecipeContext, RecipeReport, Scores } from './types.js';

/**
 * dates: the demo's task, scored — dates written the many ways people write them ("the 3rd of
 * March, 1998", "03/03/98", "Tue 3 Mar 98", …) → ISO 8601, character by character (src/demo/dates.ts
 * generates them, seeded; no source is in two splits). Scores: exact match (the whole date right)
 * and CER, greedy and beam 5.
 */

export const DATES_SPLIT = { train: 20_000, valid: 500, test: 2000 };
export const DATES_MODEL: Partial<Seq2SeqConfig> = { arch: 'lstm', attention: 'general', bidirectional: true, layers: 1, emb: 32, hidden: 128, dropout: 0.1 };
export const DATES_OPTIONS: Partial<TrainOptions> = { ...CONSTANT_LR_NO_SMOOTHING, batchSize: 64, lr: 0.005, clip: 5, validEvery: 500, validDecode: 500, metric: 'exact', patience: 0, logEvery: 50 };
export const DATES_MINUTES = 10;

/** Quick mode: the demo's size, a fixed number of steps (the score does not depend on the machine's load; the time is only a cap). */
export const DATES_QUICK_SPLIT = { train: 3000, valid: 100, test: 300 };
export const DATES_QUICK_MODEL: Partial<Seq2SeqConfig> = { ...DATES_MODEL, emb: 16, hidden: 48 };
export const DATES_QUICK_OPTIONS: Partial<TrainOptions> = { ...DATES_OPTIONS, lr: 0.01, maxSteps: 300, validEvery: 150, validDecode: 100, logEvery: 25 };
export const DATES_QUICK_SECONDS = 240;

function scores(hyps: readonly string[], refs: readonly string[]): Scores {
  const r = refs.map((x) => [x]);
  const round = (x: number): number => Math.round(x * 100) / 100;
  return { exact: round(computeMetric('exact', hyps, r).score), CER: round(computeMetric('cer', hyps, r).score) };
}

export const dates: Recipe = {
  name: 'dates',
  summary: "the demo's task scored: human-written dates → ISO 8601, char level; exact match and CER, greedy and beam 5",
  async run(ctx: RecipeContext): Promise<RecipeReport> {
    const sizes = ctx.quick ? DATES_QUICK_SPLIT : DATES_SPLIT;
    const splits = dateSplits(sizes, ctx.seed);
    const dataDir = joinPath(ctx.out, 'data');
    ensureFolderSync(dataDir);
    for (const name of ['train', 'valid', 'test'] as const) {
      await writeFileAtomic(joinPath(dataDir, `${name}.tsv`), formatTsv(splits[name]));
    }
    const codecs = buildCodecs(splits.train, { tokenizer: 'char' });
    await saveCodecs(joinPath(dataDir, 'codecs.json'), codecs);
    ctx.say(`dates: ${DATE_FORMATS.length} formats, 1950–2049; train ${splits.train.length}, valid ${splits.valid.length}, test ${splits.test.length}`);

    const seconds = ctx.minutes !== undefined ? ctx.minutes * 60 : ctx.quick ? DATES_QUICK_SECONDS : DATES_MINUTES * 60;
    const model = ctx.quick ? DATES_QUICK_MODEL : DATES_MODEL;
    const options = { ...(ctx.quick ? DATES_QUICK_OPTIONS : DATES_OPTIONS), maxTime: seconds, seed: ctx.seed };
    const refs = splits.test.map((p) => p.tgt);
    const r = await trainAndDecode({
      runDir: joinPath(ctx.out, 'run'), codecs, train: splits.train, valid: splits.valid, model, options,
      testSources: splits.test.map((p) => p.src), decodings: GREEDY_AND_BEAM5, say: ctx.say,
    });
    await writeTestOutputs(ctx.out, r.outputs);
    const scored: Record<string, Scores> = {};
    for (const [name, hyps] of Object.entries(r.outputs)) scored[name] = scores(hyps, refs);
    return {
      recipe: 'dates', quick: ctx.quick,
      data: { train: splits.train.length, valid: splits.valid.length, test: splits.test.length, note: `generated dates, ${DATE_FORMATS.length} formats` },
      model: describeModel(model, r.params), params: r.params, threads: ctx.threads,
      train: { seconds: r.train.seconds, steps: r.train.steps, epochs: r.train.epochs, tokPerS: r.train.tokPerS },
      scores: scored,
      anchors: ['none (a generated task)'],
      command: `s2s recipe dates${ctx.quick ? ' --quick' : ''}${ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : ''} --threads ${ctx.threads}`,
      extra: { decodeSeconds: r.decodeSeconds, options, stop: r.train.reason },
    };
  },
};
