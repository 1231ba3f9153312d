import { writeFileAtomic } from '../data/index.js';
import { generateValues } from '../decode/index.js';
import { buildModel, type ContinuousBatch, type Seq2Seq, type Seq2SeqConfig } from '../models/index.js';
import { ensureFolderSync, joinPath } from '../platform/node-files.js';
import { Adam, clipGradNorm, noGrad, Rng, tidy } from '../tensor/index.js';
import {
  forecastErrors, generateSeries, HORIZON, INPUT, naiveForecast, SEASON, seasonalNaiveForecast, windows, windowScale, type Window,
} from './forecast-data.js';
import { describeModel } from './pipeline.js';
import type { Recipe, RecipeContext, RecipeReport, Scores } from './types.js';

/**
 * forecast: a real-valued sequence task in continuous mode. Seeded noisy periodic signals
 * (forecast-data.ts); from the last 96 values, predict the next 24, autoregressively (each
 * prediction is fed back as the next decoder input). Trained with MSE on windows scaled by their
 * input's mean and deviation; scored as MSE and MAE in the signals' own units on the last 20% of
 * every series, against the naive (last value) and seasonal-naive (one period back) forecasts.
 */

interface ForecastSettings {
  series: number;
  length: number;
  batch: number;
  lr: number;
  maxSteps: number;
  validEvery: number;
  trainStride: number;
}

export const FORECAST_MODEL: Partial<Seq2SeqConfig> = { kind: 'continuous', inputDim: 1, outputDim: 1, arch: 'gru', attention: 'general', bidirectional: true, layers: 1, emb: 16, hidden: 64, dropout: 0 };
export const FORECAST_SETTINGS: ForecastSettings = { series: 32, length: 2400, batch: 64, lr: 0.003, maxSteps: 100_000, validEvery: 200, trainStride: 1 };
export const FORECAST_MINUTES = 10;
/** Quick mode: fewer series, a small model and a fixed number of steps (the time is only a cap). */
export const FORECAST_QUICK_MODEL: Partial<Seq2SeqConfig> = { ...FORECAST_MODEL, hidden: 32, emb: 8 };
export const FORECAST_QUICK_SETTINGS: ForecastSettings = { series: 6, length: 1200, batch: 32, lr: 0.01, maxSteps: 60, validEvery: 30, trainStride: 2 };
export const FORECAST_QUICK_SECONDS = 180;
const LOG_EVERY = 10;

/** Windows as a continuous batch, each scaled by its own input's mean and deviation. */
function toBatch(ws: readonly Window[]): ContinuousBatch {
  const B = ws.length;
  const srcVals = new Float32Array(B * INPUT);
  const tgtVals = new Float32Array(B * HORIZON);
  ws.forEach((w, b) => {
    const { mean, std } = windowScale(w.input);
    for (let t = 0; t < INPUT; t++) srcVals[b * INPUT + t] = (w.input[t]! - mean) / std;
    for (let t = 0; t < HORIZON; t++) tgtVals[b * HORIZON + t] = (w.target[t]! - mean) / std;
  });
  return { B, S: INPUT, T: HORIZON, srcVals, srcLen: new Array<number>(B).fill(INPUT), tgtVals };
}

/** The model's forecasts of windows, in the signals' units (generated in batches of 256). */
function modelForecasts(model: Seq2Seq, ws: readonly Window[]): Float64Array[] {
  model.eval();
  const out: Float64Array[] = [];
  for (let i = 0; i < ws.length; i += 256) {
    const chunk = ws.slice(i, i + 256);
    const pred = generateValues(model, toBatch(chunk), { steps: HORIZON, outputDim: 1 });
    chunk.forEach((w, b) => {
      const { mean, std } = windowScale(w.input);
      out.push(Float64Array.from(pred.subarray(b * HORIZON, (b + 1) * HORIZON), (v) => v * std + mean));
    });
  }
  return out;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

function errors(forecasts: readonly Float64Array[], ws: readonly Window[]): Scores {
  const e = forecastErrors(forecasts, ws.map((w) => w.target));
  return { MSE: round4(e.MSE), MAE: round4(e.MAE) };
}

export const forecast: Recipe = {
  name: 'forecast',
  summary: 'continuous mode: noisy periodic signals, the next 24 steps from the last 96; MSE/MAE against naive and seasonal-naive',
  async run(ctx: RecipeContext): Promise<RecipeReport> {
    const set = ctx.quick ? FORECAST_QUICK_SETTINGS : FORECAST_SETTINGS;
    const modelConfig = ctx.quick ? FORECAST_QUICK_MODEL : FORECAST_MODEL;
    const { values } = generateSeries(set.series, set.length, ctx.seed);
    // by time: forecasts of the first 70% train, the next 10% validate, the last 20% test
    const cut1 = Math.floor(set.length * 0.7);
    const cut2 = Math.floor(set.length * 0.8);
    const train = windows(values, 0, cut1, set.trainStride);
    const valid = windows(values, cut1, cut2, HORIZON);
    const test = windows(values, cut2, set.length, HORIZON);
    ctx.say(`forecast: ${set.series} series of ${set.length} steps (period ${SEASON}); windows train ${train.length}, valid ${valid.length}, test ${test.length}`);

    const rng = new Rng(ctx.seed);
    const model = buildModel(modelConfig, rng);
    const params = model.parameters();
    const opt = new Adam(params, { lr: set.lr });
    const seconds = ctx.minutes !== undefined ? ctx.minutes * 60 : ctx.quick ? FORECAST_QUICK_SECONDS : FORECAST_MINUTES * 60;
    const validScore = (): number => forecastErrors(modelForecasts(model, valid), valid.map((w) => w.target)).MSE;
    const validBatch = toBatch(valid);
    const scaledValidLoss = (): number => {
      model.eval();
      return tidy(() => noGrad(() => model.loss(validBatch).loss.item())); // teacher-forced, as the training loss
    };
    let best = { mse: Infinity, step: 0, weights: params.map((p) => Float32Array.from(p.f32.subarray(0, p.size))) };
    const t0 = performance.now();
    let step = 0;
    let loss = 0;
    // log.jsonl in the lines of s2s train (type, step, loss), so `s2s plot curves OUT` draws the run
    const log: string[] = [];
    let window = { loss: 0, steps: 0 };
    const elapsed = (): number => (performance.now() - t0) / 1000;
    while (step < set.maxSteps && elapsed() < seconds) {
      const batch = toBatch(Array.from({ length: set.batch }, () => train[rng.int(train.length)]!));
      model.train();
      loss = tidy(() => {
        opt.zeroGrad();
        const l = model.loss(batch).loss;
        l.backward();
        clipGradNorm(params, 1);
        opt.step();
        return l.item();
      });
      step++;
      window = { loss: window.loss + loss, steps: window.steps + 1 };
      if (step % LOG_EVERY === 0) {
        log.push(JSON.stringify({ type: 'train', step, loss: round4(window.loss / window.steps), elapsed: round4(elapsed()) }));
        window = { loss: 0, steps: 0 };
      }
      if (step % set.validEvery === 0 || step === set.maxSteps) {
        const mse = validScore();
        const better = mse < best.mse;
        if (better) best = { mse, step, weights: params.map((p) => Float32Array.from(p.f32.subarray(0, p.size))) };
        // loss: the scaled MSE the training loss is on; mse: in the signals' units
        log.push(JSON.stringify({ type: 'valid', step, loss: round4(scaledValidLoss()), mse: round4(mse), best: better, elapsed: round4(elapsed()) }));
        ctx.say(`step ${step}: train loss ${loss.toFixed(4)} (scaled), valid MSE ${mse.toFixed(4)}${better ? ' (best)' : ''}, ${elapsed().toFixed(0)} s`);
      }
    }
    const trainSeconds = elapsed();
    // the validation that the time limit cut off, so the best weights are chosen among all steps trained
    if (best.step !== step) {
      const mse = validScore();
      if (mse < best.mse) best = { mse, step, weights: params.map((p) => Float32Array.from(p.f32.subarray(0, p.size))) };
    }
    params.forEach((p, i) => p.f32.set(best.weights[i]!));
    const ours = modelForecasts(model, test);
    const naive = test.map((w) => naiveForecast(w.input));
    const seasonal = test.map((w) => seasonalNaiveForecast(w.input));
    const scores = { greedy: errors(ours, test), naive: errors(naive, test), seasonalNaive: errors(seasonal, test) };
    ensureFolderSync(ctx.out);
    await writeFileAtomic(joinPath(ctx.out, 'log.jsonl'), log.map((l) => l + '\n').join(''));
    // one line per test window: series, first forecast step, then the 24 forecasts
    await writeFileAtomic(joinPath(ctx.out, 'test.forecasts.tsv'), test.map((w, i) => [w.series, w.at, ...Array.from(ours[i]!, (v) => v.toFixed(4))].join('\t') + '\n').join(''));
    const fmt = (s: Scores): string => `MSE ${s['MSE']!.toFixed(3)} / MAE ${s['MAE']!.toFixed(3)}`;
    return {
      recipe: 'forecast', quick: ctx.quick,
      data: { train: train.length, valid: valid.length, test: test.length, note: `windows (${INPUT} in → ${HORIZON} out) of ${set.series} seeded series` },
      model: `continuous ${describeModel(modelConfig, model.parameterCount())}`, params: model.parameterCount(), threads: ctx.threads,
      train: { seconds: Math.round(trainSeconds), steps: step, epochs: Math.floor((step * set.batch) / train.length), tokPerS: Math.round((step * set.batch * HORIZON) / trainSeconds) },
      scores,
      // the baselines, measured here on the same test windows (no published results: a generated task)
      anchors: [`naive (last value) ${fmt(scores.naive)}`, `seasonal naive (period ${SEASON}) ${fmt(scores.seasonalNaive)}`],
      command: `s2s recipe forecast${ctx.quick ? ' --quick' : ''}${ctx.minutes !== undefined ? ` --minutes ${ctx.minutes}` : ''} --threads ${ctx.threads}`,
      extra: { bestStep: best.step, validMSE: round4(best.mse), settings: set, tokPerSIs: 'target steps per second' },
    };
  },
};
