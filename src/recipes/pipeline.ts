import { writeFileAtomic, type CodecPair, type TextPair } from '../data/index.js';
import { joinPath } from '../platform/node-files.js';
import type { Seq2SeqConfig } from '../models/index.js';
import { loadRun, trainRun, type Translator, type TrainOptions, type TranslateOptions } from '../train/index.js';

/** One way of decoding the test set, e.g. {name: 'beam5', options: {beam: 5}}. */
export interface Decoding {
  name: string;
  options: TranslateOptions;
}

/** Beam 5 as every recipe decodes it (the plain log-probability: no length penalty). */
export const BEAM5: Decoding = { name: 'beam5', options: { beam: 5, batchSize: 32 } };

export const GREEDY_AND_BEAM5: readonly Decoding[] = [
  { name: 'greedy', options: { beam: 1, batchSize: 128 } },
  BEAM5,
];

/**
 * The GNMT length penalties (α) a recipe tries with beam 5 on its validation set; 0 is the plain
 * log-probability of GREEDY_AND_BEAM5's beam5.
 */
export const LENGTH_PENALTIES: readonly number[] = [0, 0.5, 1, 1.5, 2];

/** The length penalty picked on the validation set, and the validation score of each α tried (by α). */
export interface LengthPenaltyChoice {
  alpha: number;
  valid: { alpha: number; score: number }[];
}

/** The α whose validation score is highest (the smaller α on a tie), from the score of each. */
export function pickLengthPenalty(validScores: ReadonlyMap<number, number>): LengthPenaltyChoice {
  const valid = [...validScores].sort((x, y) => x[0] - y[0]).map(([alpha, score]) => ({ alpha, score }));
  if (valid.length === 0) throw new Error('pickLengthPenalty: no length penalty was scored');
  const best = valid.reduce((b, v) => (v.score > b.score ? v : b));
  return { alpha: best.alpha, valid };
}

/**
 * A length penalty picked on the validation set: each α of `alphas` decodes the validation
 * sources with beam 5, `score` rates the outputs (higher is better), and the best α decodes the
 * test set as the decoding 'beam5-lp'.
 */
export interface LengthPenaltySearch {
  validSources: readonly string[];
  score: (hyps: readonly string[]) => number;
  alphas?: readonly number[];
}

export interface TrainDecodeSpec {
  /** The run folder (inside the recipe's output folder; replaced when it holds an earlier run). */
  runDir: string;
  codecs: CodecPair;
  train: readonly TextPair[];
  valid: readonly TextPair[];
  model: Partial<Seq2SeqConfig>;
  options: Partial<TrainOptions>;
  /** Test sources, decoded once per decoding with the weights chosen below. */
  testSources: readonly string[];
  decodings: readonly Decoding[];
  /**
   * The weights decoded: 'best' (default: the best validation, on the validDecode subset) or
   * 'last'. After a budget schedule (linear, cosine) the last weights, trained at the smallest lr,
   * are the better choice: a best pick on a few hundred validation decodes is noisy.
   */
  weights?: 'best' | 'last';
  /** Also decode the test set with beam 5 and a length penalty picked on the validation set. */
  lengthPenalty?: LengthPenaltySearch;
  say: (message: string) => void;
}

export interface TrainDecodeResult {
  params: number;
  train: { seconds: number; steps: number; epochs: number; tokPerS: number; reason: string };
  /** Outputs by decoding name, in test order. */
  outputs: Record<string, string[]>;
  decodeSeconds: Record<string, number>;
  /** The α picked, when the spec asked for a length penalty. */
  lengthPenalty?: LengthPenaltyChoice;
}

/** What trainCounted measured: the run, its wall time (validation included) and target tokens. */
export interface CountedTraining {
  params: number;
  train: TrainDecodeResult['train'];
}

/**
 * Trains a run in this thread, counting wall time (so validation's cost is inside the time) and
 * the target tokens of the steps taken.
 */
export async function trainCounted(spec: Pick<TrainDecodeSpec, 'runDir' | 'codecs' | 'train' | 'valid' | 'model' | 'options' | 'say'>): Promise<CountedTraining> {
  let tokens = 0;
  const t0 = performance.now();
  const result = await trainRun({
    out: spec.runDir, codecs: spec.codecs, train: spec.train, valid: spec.valid, overwrite: true,
    model: spec.model, options: spec.options, handleSignals: true, maxLen: 0,
    onStep: (s) => void (s.skipped || (tokens += s.tokens)),
  });
  const seconds = (performance.now() - t0) / 1000;
  spec.say(`trained ${result.step} steps (${result.epoch} epochs) in ${seconds.toFixed(0)} s, stopped by ${result.reason}`);
  return {
    params: result.model.parameterCount(),
    train: { seconds: Math.round(seconds), steps: result.step, epochs: result.epoch, tokPerS: Math.round(tokens / seconds), reason: result.reason },
  };
}

/** Writes each decoding's outputs, a line each, atomically to OUT/test.NAME.txt (or the file `fileOf` names). */
export async function writeTestOutputs(out: string, outputs: Record<string, string[]>, fileOf = (name: string): string => `test.${name}.txt`): Promise<void> {
  for (const [name, hyps] of Object.entries(outputs)) await writeFileAtomic(joinPath(out, fileOf(name)), hyps.map((h) => h + '\n').join(''));
}

/** Decodes the sources once per decoding; outputs and seconds by decoding name. */
export function decodeAll(translator: Translator, sources: readonly string[], decodings: readonly Decoding[], say: (m: string) => void): Pick<TrainDecodeResult, 'outputs' | 'decodeSeconds'> {
  const outputs: Record<string, string[]> = {};
  const decodeSeconds: Record<string, number> = {};
  for (const d of decodings) {
    const d0 = performance.now();
    outputs[d.name] = translator.translateText(sources, d.options);
    decodeSeconds[d.name] = Math.round((performance.now() - d0) / 100) / 10;
    say(`decoded ${sources.length} test inputs (${d.name}) in ${decodeSeconds[d.name]} s`);
  }
  return { outputs, decodeSeconds };
}

/**
 * The part every recipe shares: train a run (trainCounted), reload its weights (best or last)
 * the way `s2s translate` does, and decode the test set in each way asked.
 */
export async function trainAndDecode(spec: TrainDecodeSpec): Promise<TrainDecodeResult> {
  const trained = await trainCounted(spec);
  const run = await loadRun(spec.runDir, { weights: spec.weights ?? 'best' });
  const decoded = decodeAll(run.translator, spec.testSources, spec.decodings, spec.say);
  if (!spec.lengthPenalty) return { ...trained, ...decoded };
  const lengthPenalty = searchLengthPenalty(run.translator, spec.lengthPenalty, spec.say);
  // α 0 is plain beam 5: its test output is already decoded when the spec asked for BEAM5
  const plain = lengthPenalty.alpha === 0 && spec.decodings.includes(BEAM5) ? decoded.outputs[BEAM5.name] : undefined;
  if (plain) return { ...trained, ...decoded, outputs: { ...decoded.outputs, 'beam5-lp': plain }, lengthPenalty };
  const test = decodeAll(run.translator, spec.testSources, [{ name: 'beam5-lp', options: { ...BEAM5.options, lengthPenalty: lengthPenalty.alpha } }], spec.say);
  return { ...trained, outputs: { ...decoded.outputs, ...test.outputs }, decodeSeconds: { ...decoded.decodeSeconds, ...test.decodeSeconds }, lengthPenalty };
}

/** Decodes the validation sources with beam 5 once per α and picks the α that scores best. */
function searchLengthPenalty(translator: Translator, search: LengthPenaltySearch, say: (m: string) => void): LengthPenaltyChoice {
  const scores = new Map<number, number>();
  for (const alpha of search.alphas ?? LENGTH_PENALTIES) {
    scores.set(alpha, search.score(translator.translateText(search.validSources, { ...BEAM5.options, lengthPenalty: alpha })));
  }
  const choice = pickLengthPenalty(scores);
  say(`length penalty on ${search.validSources.length} validation inputs (beam 5): ${choice.valid.map((v) => `α ${v.alpha}: ${v.score.toFixed(2)}`).join(', ')}; picked α ${choice.alpha}`);
  return choice;
}

/** "biLSTM 256 + general attention, emb 64, 0.9M params" */
export function describeModel(m: Partial<Seq2SeqConfig>, params: number): string {
  const cell = (m.arch ?? 'lstm').toUpperCase();
  const enc = `${m.bidirectional === false ? '' : 'bi'}${cell} ${m.hidden ?? 256}${(m.layers ?? 1) > 1 ? ` × ${m.layers}` : ''}`;
  const att = (m.attention ?? 'general') === 'none' ? 'no attention' : `${m.attention ?? 'general'} attention`;
  return `${enc} + ${att}, emb ${m.emb ?? 256}, dropout ${m.dropout ?? 0.2}, ${(params / 1e6).toFixed(2)}M params`;
}
